"""One mapping, several spellings: kops v1alpha2 camelCase field names and the snake_case the
kops Terraform provider uses for the same fields."""

from __future__ import annotations

import functools
import re

# Where the provider's name is not the mechanical snake_case of the v1alpha2 name.
SNAKE_EXCEPTIONS = {
    "masterKubelet": "control_plane_kubelet",
    "kubeAPIServer": "kube_api_server",
    "ClusterSigningDuration": "cluster_signing_duration",
}


@functools.lru_cache(maxsize=None)
def camel_to_snake(name: str) -> str:
    """kubeAPIServer -> kube_api_server, auditLogMaxAge -> audit_log_max_age, tlsCipherSuites -> tls_cipher_suites."""
    if name in SNAKE_EXCEPTIONS:
        return SNAKE_EXCEPTIONS[name]
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s)
    return s.lower()


@functools.lru_cache(maxsize=None)
def snake_index(names: tuple[str, ...]) -> dict[str, str]:
    """snake_case -> camelCase for a set of kops field names."""
    return {camel_to_snake(n): n for n in names}
