"""kops field names as the kops Terraform provider spells them (snake_case blocks), and back.

Shared by lint (reading a `kops_cluster` into the kops model) and fix (writing a kops path into HCL).
"""

from __future__ import annotations

import functools

from specpatch.benchmarks import profiles
from specpatch.kops.api import BLOCK_STRUCT
from specpatch.text.naming import SNAKE_EXCEPTIONS, camel_to_snake, snake_index


@functools.lru_cache(maxsize=None)
def provider_names() -> dict:
    """profiles/kops/terraform.yaml: the provider's renames beyond snake_case, and its Nullable fields."""
    return profiles.load_data("kops/terraform.yaml")


@functools.lru_cache(maxsize=None)
def _struct_index(struct: str) -> dict[str, str]:
    return snake_index(tuple(profiles.kops_fields().get(struct, {})))


@functools.lru_cache(maxsize=None)
def _spec_index() -> dict[str, str]:
    names = {camel_to_snake(n): n for n in SNAKE_EXCEPTIONS}
    names.update({camel_to_snake(b): b for b in BLOCK_STRUCT})
    names.update(provider_names()["renames"])
    return names


def to_camel(snake: str, struct: str | None) -> str:
    """The v1alpha2 name of a provider attribute or block (within a component block when struct is given)."""
    if struct is not None:
        hit = _struct_index(struct).get(snake)
        if hit:
            return hit
    hit = _spec_index().get(snake)
    if hit:
        return hit
    head, *rest = snake.split("_")
    return head + "".join(p[:1].upper() + p[1:] for p in rest)


def to_snake(camel: str) -> str:
    """The provider's name for a v1alpha2 field (inverse of to_camel)."""
    for snake, name in provider_names()["renames"].items():
        if name == camel:
            return snake
    return camel_to_snake(camel)


def hcl_names(camel_path: list[str]) -> list[str]:
    """The provider's spelling of a v1alpha2 field path below `spec`: field names in snake_case,
    the keys of map fields (feature gates, runtime config) as they are.
    ['kubelet', 'featureGates', 'IPAddressDeny'] -> ['kubelet', 'feature_gates', 'IPAddressDeny']."""
    cut = map_key_start(camel_path)
    if cut is None:
        cut = len(camel_path)
    return [to_snake(n) for n in camel_path[:cut]] + list(camel_path[cut:])


def map_key_start(camel_path: list[str]) -> int | None:
    """Index of the first map key in a field path below `spec` (after featureGates, runtimeConfig...), or None."""
    struct: str | None = None
    for i, name in enumerate(camel_path):
        if struct is not None:
            if profiles.kops_fields().get(struct, {}).get(name, {}).get("type", "").startswith("map["):
                return i + 1 if i + 1 < len(camel_path) else None
        else:
            struct = BLOCK_STRUCT.get(name)
    return None
