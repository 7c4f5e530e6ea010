"""kubespray fixes never break a cluster: no removed or unsafe plugin by default, BOM kept, one decision with lint."""

from __future__ import annotations

import shutil
from pathlib import Path

from specpatch.kubespray.fix import fix_inventory
from specpatch.kubespray.inventory import load_inventory
from specpatch.kubespray.plan import lint_settled
from specpatch.model import FAIL
from specpatch.options import Options

FIXTURE = Path(__file__).parents[2] / "specpatch" / "fixtures" / "kubespray" / "mycluster"


def _copy(tmp_path: Path, bom: bool = False, k8s: str | None = None) -> Path:
    inv = tmp_path / "inv"
    shutil.copytree(FIXTURE, inv)
    f = inv / "group_vars" / "k8s_cluster" / "k8s-cluster.yml"
    text = f.read_text()
    if k8s:
        text += f"kube_version: {k8s}\n"
    f.write_bytes((b"\xef\xbb\xbf" if bom else b"") + text.encode())
    return inv


def test_bom_file_is_patched_and_keeps_its_mark(tmp_path):
    inv = _copy(tmp_path, bom=True)
    patches = fix_inventory(load_inventory(str(inv)), Options())
    edited = [p for p in patches if p.before != p.after and p.path.endswith("k8s-cluster.yml")]
    assert edited and edited[0].after.startswith("\ufeff") and edited[0].before.startswith("\ufeff")
    assert all(w.rollout.startswith("ansible-playbook") for p in patches for w in p.edits)


def test_fixable_means_fixed(tmp_path):
    inv = load_inventory(str(_copy(tmp_path)))
    opts = Options()
    fixable = {f.check for f in lint_settled(inv, opts).report.findings if f.status == FAIL and f.fixable}
    fixed = {c for p in fix_inventory(inv, opts) for c in p.checks}
    assert fixable <= fixed


def test_pod_security_policy_never_added_by_default(tmp_path):
    inv = load_inventory(str(_copy(tmp_path, k8s="v1.23.6")))
    for opts in (Options(benchmark="cis-1.23"), Options(benchmark="cis-1.23", unsafe_fixes=True)):
        after = "".join(p.after for p in fix_inventory(inv, opts))
        assert "PodSecurityPolicy" not in after
