"""Generate specpatch/profiles/benchmarks/*.yaml and rules.yaml from kube-bench's own cfg folders.

The input is kube-bench's check definitions, unchanged (../shared/kube-bench-cfg: current/, retired-2020/,
retired-2019/). Everything kube-bench states is copied as data: ids, titles, type, scored, sections, the
audited component, every test item (flag, path, env, set, compare op and value) and bin_op. What is ours:
the remediation sentence (written from the test, in our own words) and the value `fix` writes.

Run when kube-bench's cfg changes:  python tools/gen_profiles.py ../shared/kube-bench-cfg
A test (tests/benchmarks/test_kube_bench_parity.py) fails when the output and the cfg disagree.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

OUT = Path(__file__).resolve().parent.parent / "specpatch" / "profiles"

# (benchmark name, folder under kube-bench-cfg, files in kube-bench's target order, source commit)
SOURCES = [
    ("1.6", "retired-2019/1.6", ["master", "node"], "3aa41db1"),
    ("1.7", "retired-2019/1.7", ["master", "node"], "3aa41db1"),
    ("1.8", "retired-2019/1.8", ["master", "node"], "3aa41db1"),
    ("cis-1.3", "retired-2020/cis-1.3", ["master", "node"], "deecf626"),
    ("cis-1.4", "retired-2020/cis-1.4", ["master", "node"], "deecf626"),
] + [
    (b, f"current/{b}", ["master", "etcd", "controlplane", "node", "policies"], "a73ce378")
    for b in ["cis-1.5", "cis-1.6", "cis-1.20", "cis-1.23", "cis-1.24", "cis-1.7", "cis-1.8", "cis-1.9", "cis-1.10",
              "cis-1.11", "cis-1.12"]
]
# Kubernetes minors of the retired folders (kube-bench of that time picked the folder named for the version,
# or cfg/config.yaml version_mapping at deecf626); the current folders come from current/config.yaml.
RETIRED_VERSIONS = {"1.6": ["1.6"], "1.7": ["1.7"], "1.8": ["1.8", "1.9", "1.10"]}

BINS = {"apiserver": "kube-apiserver", "kubelet": "kubelet", "etcd": "etcd", "controllermanager": "kube-controller-manager",
        "scheduler": "kube-scheduler", "proxy": "kube-proxy"}
LITERAL_BINS = [("kube-apiserver", "kube-apiserver"), ("kube-controller-manager", "kube-controller-manager"),
                ("kube-scheduler", "kube-scheduler"), ("kubelet", "kubelet"), ("kube-proxy", "kube-proxy"), ("etcd", "etcd")]
# What `fix` writes for a valid_elements check: the strongest suites the check allows (our choice, not kube-bench's).
STRONG_CIPHERS = ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
                  "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
                  "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"]
LIST_FLAGS = {"enable-admission-plugins", "disable-admission-plugins", "admission-control", "authorization-mode",
              "feature-gates"}


def as_text(v) -> str | None:
    """kube-bench reads compare values into a Go string: YAML false is "false", 0 is "0"."""
    if v is None:
        return None
    if isinstance(v, bool):
        return "true" if v else "false"
    return str(v)


def component_of(audit: str) -> str | None:
    m = re.search(r"\$(\w+?)bin\b", audit or "")
    if m:
        return BINS.get(m.group(1))
    for word, comp in LITERAL_BINS:
        if re.search(rf"grep\s+['\"]?{word}\b|-C\s+{word}\b", audit or ""):
            return comp
    return None


def stated_tests(c: dict) -> tuple[str, list[dict]]:
    """bin_op and test items exactly as kube-bench states them (flag with its dashes, values as strings)."""
    t = c.get("tests") or {}
    items = []
    for it in t.get("test_items") or []:
        cmp = it.get("compare") or {}
        item = {"flag": as_text(it.get("flag")), "path": it.get("path"), "env": it.get("env"), "set": it.get("set"),
                "op": cmp.get("op"), "value": as_text(cmp.get("value"))}
        items.append({k: v for k, v in item.items() if v is not None})  # unstated keys stay unstated
    return (t.get("bin_op") or "and"), items


def kind_of(c: dict, component: str | None, items: list[dict], file: str) -> str:
    audit = c.get("audit") or ""
    if file == "policies" or "kubectl" in audit:
        return "policy" if items else "manual"
    if not items:
        return "manual"
    if re.search(r"\bstat\b|\bls\b|\bfind\b|permissions|chmod|chown", audit) or any(i.get("op") == "bitmask" for i in items):
        return "node"
    if component is None:
        return "manual"
    return "flag"


def engine_op(item: dict) -> str:
    """kube-bench semantics: set defaults to true; set false means absent (compare ignored)."""
    if item.get("set") is False:
        return "absent"
    return item.get("op") or "present"


def rule_id(component: str, items: list[dict]) -> str:
    flags = list(dict.fromkeys((i.get("flag") or "").lstrip("-") for i in items))
    rid = f"{component}:{','.join(flags)}"
    values = [i["value"] for i in items if engine_op(i) in ("has", "nothave") and i.get("value")]
    if values and (flags[0] in LIST_FLAGS or flags[0][:1].isupper()):
        rid += ":" + values[0]
    return rid


def _words(item: dict, component: str) -> str:
    flag = item.get("flag") or ""
    name = flag if flag.startswith("-") or flag[:1].isupper() else f"--{flag}"
    op, v = engine_op(item), item.get("value")
    return {
        "absent": f"leave {name} off {component}",
        "present": f"give {component} {name}",
        "eq": f"run {component} with {name}={v}",
        "noteq": f"make sure {component}'s {name} is not {v}",
        "neq": f"make sure {component}'s {name} is not {v}",
        "has": f"include {v} in {component}'s {name}",
        "nothave": f"keep {v} out of {component}'s {name}",
        "gt": f"set {component}'s {name} above {v}",
        "gte": f"set {component}'s {name} to {v} or more",
        "lt": f"set {component}'s {name} below {v}",
        "lte": f"set {component}'s {name} to {v} or less",
        "valid_elements": f"limit {component}'s {name} to the suites the benchmark lists",
        "regex": f"make {component}'s {name} match {v}",
    }.get(op, f"check {component}'s {name}")


def remediation(component: str, bin_op: str, items: list[dict]) -> str:
    parts = list(dict.fromkeys(_words(i, component) for i in items))
    text = (" or ".join(parts) if bin_op == "or" else ", and ".join(parts))
    return text[:1].upper() + text[1:] + "."


def fix_of(items: list[dict], bin_op: str) -> dict | None:
    """What `fix` writes: the first item that names a value (an OR that also accepts absence writes that value)."""
    ops = [engine_op(i) for i in items]
    if all(o == "absent" for o in ops):
        return {"unset": True}
    for i, op in zip(items, ops):
        v = i.get("value")
        if op in ("eq", "has") and "TLS_" in (v or "") and "," in v:  # a cipher list: write the listed suites
            return {"value": v.split(",")}
        gate = re.fullmatch(r"([A-Z]\w*)=(\w+)", v or "")
        if (i.get("flag") or "").lstrip("-") == "feature-gates" and op in ("eq", "has") and gate:
            return {"value": gate.group(2)}  # the loader judges the gate itself (profiles.stated_to_tests)
        if op == "eq":
            return {"value": v}
        if op == "has":
            return {"add": [v]}
        if op == "nothave":
            return {"remove": [v]}
        if op in ("gte", "lte"):
            return {"value": v}
        if op == "valid_elements" and "TLS_" in (v or ""):
            allowed = set(v.split(","))
            return {"value": [s for s in STRONG_CIPHERS if s in allowed]}
    return None


def load_folder(root: Path, folder: str, files: list[str]) -> tuple[dict, list[dict]]:
    sections: dict[str, str] = {}
    checks: list[dict] = []
    for name in files:
        data = yaml.safe_load((root / folder / f"{name}.yaml").read_text())
        sections[str(data["id"])] = data["text"]
        for g in data.get("groups") or []:
            sections[str(g["id"])] = g["text"]
            for c in g.get("checks") or []:
                checks.append(convert(c, str(g["id"]), name))
    return sections, checks


def convert(c: dict, section: str, file: str) -> dict:
    component = component_of(c.get("audit") or "")
    bin_op, items = stated_tests(c)
    kind = kind_of(c, component, items, file)
    ctype = {"manual": "manual", "skip": "skip"}.get(c.get("type") or "", "automated")
    out = {"id": str(c["id"]), "title": c["text"], "section": section, "type": ctype, "scored": bool(c.get("scored", False)),
           "kind": kind, "component": component}
    if items:
        out["bin_op"] = bin_op
        out["tests"] = items
    if kind == "flag":
        out["rule"] = rule_id(component, items)
        out["fix"] = fix_of(items, bin_op)
    return out


def k8s_map(root: Path) -> dict[str, str]:
    out: dict[str, str] = {}
    for b, vs in RETIRED_VERSIONS.items():
        for v in vs:
            out[v] = b
    retired = yaml.safe_load((root / "retired-2020" / "config.yaml").read_text())["version_mapping"]
    current = yaml.safe_load((root / "current" / "config.yaml").read_text())["version_mapping"]
    for m in (retired, current):  # current wins where both name a minor (1.19)
        for k, v in m.items():
            if re.fullmatch(r"1\.\d+", str(k)) and str(v).startswith("cis-"):
                out[str(k)] = str(v)
    return dict(sorted(out.items(), key=lambda kv: int(kv[0].split(".")[1])))


def main(root: Path) -> None:
    mapping = k8s_map(root)
    rules: dict[str, dict] = {}
    order = []
    for name, folder, files, commit in SOURCES:
        sections, checks = load_folder(root, folder, files)
        for c in checks:
            if c.get("rule"):
                rid = c["rule"]
                r = rules.setdefault(rid, {"component": c["component"]})
                r.setdefault("remediation", remediation(c["component"], c["bin_op"], c["tests"]))
        kube = [k for k, v in mapping.items() if v == name]
        doc = {"benchmark": name, "source": f"kube-bench {commit} cfg/{folder.split('/', 1)[1]}", "kubernetes": kube,
               "sections": sections, "checks": checks}
        header = (f"# Generated by tools/gen_profiles.py from kube-bench's cfg/{folder.split('/', 1)[1]} (commit {commit});"
                  " edit the generator, not this file.\n")
        (OUT / "benchmarks" / f"{name}.yaml").write_text(header + yaml.safe_dump(doc, sort_keys=False, width=200))
        order.append(name)
    index = {"order": order, "default": order[-1], "oldest": order[0], "mapping": mapping}
    hdr = "# Generated by tools/gen_profiles.py from kube-bench's cfg/config.yaml version_mapping; edit the generator.\n"
    (OUT / "benchmarks" / "index.yaml").write_text(hdr + yaml.safe_dump(index, sort_keys=False))
    hdr = ("# Generated by tools/gen_profiles.py: per rule (component and flags), the remediation sentence in our words\n"
           "# and the value `specpatch fix` writes. The tests themselves are kube-bench's, per check.\n")
    (OUT / "rules.yaml").write_text(hdr + yaml.safe_dump({"rules": dict(sorted(rules.items()))}, sort_keys=False, width=200))
    import compile_profiles

    compile_profiles.main(OUT)


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else Path(__file__).resolve().parents[2] / "shared" / "kube-bench-cfg"))
