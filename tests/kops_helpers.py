"""Small builders for kops lint tests: a minimal Cluster with a few fields changed."""

from __future__ import annotations

import textwrap

from specpatch.kops.lint import lint_cluster
from specpatch.kops.target import targets_from_text

BASE = """\
apiVersion: kops.k8s.io/v1alpha2
kind: Cluster
metadata:
  name: t.example.com
spec:
  kubernetesVersion: {k8s}
  authorization:
    rbac: {{}}
{extra}"""


def spec(extra: str = "", k8s: str = "1.32.0") -> str:
    """A Cluster document whose spec gets `extra` (YAML, indented under spec:)."""
    body = textwrap.indent(textwrap.dedent(extra).strip("\n"), "  ") + "\n" if extra.strip() else ""
    return BASE.format(k8s=k8s, extra=body)


def lint_text(text: str, *, kops: str | None = None, benchmark: str | None = None, path: str = "t.yaml"):
    """Findings by check id (scoped kubelet findings as 'id@scope')."""
    [target] = targets_from_text(text, path)
    report = lint_cluster(target.cluster, benchmark=benchmark, kops_version=kops)
    out = {}
    for f in report.findings:
        key = f.check if not f.scope else f"{f.check}@{f.scope}"
        out.setdefault(key, f)
    return out, report


def status(text: str, check: str, **kw) -> str:
    found, _ = lint_text(text, **kw)
    return found[check].status
