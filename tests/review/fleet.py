"""A generated fleet for the review-format tests: real corpus specs under new names plus
synthetic clusters with varied fields, so every spec differs in content."""

from __future__ import annotations

import itertools
import re
from pathlib import Path

from tests.cli_helpers import ROOT
from tests.kops_helpers import spec

CORPUS = ROOT.parent / "shared" / "corpus"

# Field blocks the synthetic specs combine; each combination gives another set of verdicts.
API = ["enableProfiling: true", "enableProfiling: false", "anonymousAuth: true", "auditLogMaxAge: 7",
       "auditLogPath: /var/log/audit.log", "enableAdmissionPlugins: [NamespaceLifecycle, ServiceAccount]"]
KUBELET = ["anonymousAuth: true", "anonymousAuth: false", "readOnlyPort: 10255", "readOnlyPort: 0"]
VERSIONS = ["1.32.0", "1.30.2", "1.28.5", "1.27.1"]


def corpus_specs() -> list[Path]:
    return sorted(p for d in ("kops", "kops-legacy") for p in (CORPUS / d).rglob("in-v1alpha2.yaml"))


def synthetic(n: int) -> list[str]:
    """n specs from combinations of apiserver and kubelet fields and Kubernetes versions."""
    out = []
    combos = itertools.product(range(len(API)), range(len(KUBELET)), VERSIONS)
    for i, (a, k, v) in enumerate(itertools.islice(combos, n)):
        extra = f"kubeAPIServer:\n  {API[a]}\nkubelet:\n  {KUBELET[k]}\n"
        if i % 3 == 0:
            extra += "kubeControllerManager:\n  enableProfiling: false\n"
        text = spec(extra, k8s=v).replace("t.example.com", f"syn{i}.example.com")
        out.append(text)
    return out


def write_fleet(folder: Path, synthetic_count: int = 40) -> list[Path]:
    """Copy every corpus spec under a unique cluster name, add synthetic ones; returns the files."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for i, src in enumerate(corpus_specs()):
        text = src.read_text(encoding="utf-8")
        text = re.sub(r"(?m)^(  name: )(\S+)", lambda m: f"{m.group(1)}c{i}-{m.group(2)}", text, count=1)
        dest = folder / f"corpus-{i:03d}-{src.parent.name}.yaml"
        dest.write_text(text, encoding="utf-8")
        files.append(dest)
    for i, text in enumerate(synthetic(synthetic_count)):
        dest = folder / f"synthetic-{i:03d}.yaml"
        dest.write_text(text, encoding="utf-8")
        files.append(dest)
    return files
