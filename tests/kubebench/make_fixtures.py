"""Write the generation fixtures of tests/data/kube-bench and the article's of tests/data/bench-import from kube-bench's own check definitions.

Run once by hand (`.venv/bin/python tests/kubebench/make_fixtures.py`) with ../shared present;
the tests read the files it wrote and never need ../shared. Ids, titles, groups and the output
layout are kube-bench's (cfg/*.yaml; the text and JSON forms of reference/kube-bench.md §5);
the statuses are chosen per fixture below, and the remediation lines are our own words.
"""

from __future__ import annotations

import json
from pathlib import Path

import yaml

CFG = Path(__file__).resolve().parents[3] / "shared" / "kube-bench-cfg"
HERE = Path(__file__).resolve().parents[1] / "data" / "kube-bench"
BI = HERE.parent / "bench-import"
COUNTS = ("PASS", "FAIL", "WARN", "INFO")


def controls(folder: str, target: str) -> dict:
    return yaml.safe_load((CFG / folder / f"{target}.yaml").read_text())


def text_run(ctl: dict, status: dict[str, str], *, groups: set[str] | None = None, upto: dict[str, str] | None = None,
             node_type: str | None = None, remediation: dict[str, str] | None = None) -> str:
    """One kube-bench run in text form: results, remediations of FAIL/WARN, the summary (old style without a node type)."""
    lines = [f"[INFO] {ctl['id']} {ctl['text']}"]
    counts = dict.fromkeys(COUNTS, 0)
    rem: list[str] = []
    for g in ctl["groups"]:
        if groups is not None and str(g["id"]) not in groups:
            continue
        lines.append(f"[INFO] {g['id']} {g['text']}")
        for c in g["checks"]:
            cid = str(c["id"])
            if upto and str(g["id"]) in upto and _num(cid) > _num(upto[str(g["id"])]):
                break
            st = status.get(cid, "WARN" if c.get("type") == "manual" or not c.get("scored", True) else "PASS")
            counts[st] += 1
            lines.append(f"[{st}] {cid} {' '.join(str(c['text']).split())}")
            if st in ("FAIL", "WARN"):
                rem.append(f"{cid} {(remediation or {}).get(cid, 'Change the setting this check names on the node, then restart the component.')}")
    out = "\n".join(lines) + "\n\n"
    out += f"== Remediations{' ' + node_type if node_type else ''} ==\n" + "\n\n".join(rem) + "\n\n\n"
    out += f"== Summary{' ' + node_type if node_type else ''} ==\n" + "".join(f"{counts[k]} checks {k}\n" for k in COUNTS)
    return out


def _num(cid: str) -> tuple:
    return tuple(int("".join(ch for ch in p if ch.isdigit()) or 0) for p in cid.split("."))


def json_controls(ctl: dict, status: dict[str, str], version: str, *, expected: dict[str, str] | None = None,
                  groups: set[str] | None = None) -> dict:
    tests, tot = [], dict.fromkeys(COUNTS, 0)
    for g in ctl["groups"]:
        if groups is not None and str(g["id"]) not in groups:
            continue
        res, gc = [], dict.fromkeys(COUNTS, 0)
        for c in g["checks"]:
            cid = str(c["id"])
            st = status.get(cid, "WARN" if c.get("type") == "manual" or not c.get("scored", True) else "PASS")
            gc[st] += 1
            tot[st] += 1
            res.append({"test_number": cid, "test_desc": " ".join(str(c["text"]).split()), "audit": c.get("audit", ""),
                        "type": c.get("type", ""), "remediation": "Change the setting this check names.", "test_info": [],
                        "status": st, "actual_value": "", "scored": bool(c.get("scored", True)),
                        "expected_result": (expected or {}).get(cid, "")})
        tests.append({"section": str(g["id"]), "type": "", "desc": g["text"], "results": res,
                      **{k.lower(): v for k, v in gc.items()}})
    return {"id": str(ctl["id"]), "version": version, "text": ctl["text"], "node_type": ctl.get("type", ""), "tests": tests,
            **{f"total_{k.lower()}": v for k, v in tot.items()}}


# The article's cluster: kops 1.11, Kubernetes 1.11, `kube-bench master --version 1.11` and `kube-bench node --version 1.11`.
ARTICLE_MASTER = {"1.1.5": "FAIL", "1.1.6": "FAIL", "1.1.8": "FAIL", "1.1.9": "FAIL", "1.1.11": "FAIL", "1.1.12": "FAIL",
                  "1.1.13": "FAIL"}
ARTICLE_NODE = {"2.1.1": "FAIL", "2.1.3": "FAIL", "2.1.5": "FAIL", "2.1.6": "FAIL", "2.1.7": "FAIL", "2.1.10": "FAIL",
                "2.1.13": "FAIL", "2.1.14": "FAIL", "2.2.1": "FAIL", "2.2.3": "FAIL", "2.2.5": "FAIL", "2.2.7": "FAIL",
                "2.2.10": "FAIL"}
OWN_WORDS = {
    "1.1.5": "Remove --insecure-bind-address from the API server's command line.",
    "1.1.6": "Run the API server with --insecure-port=0.",
    "2.1.5": "Run the kubelet with --read-only-port=0.",
}


def main() -> None:
    master = controls("retired-2020/cis-1.3", "master")
    node = controls("retired-2020/cis-1.3", "node")
    (BI / "article-master.txt").write_text(text_run(master, ARTICLE_MASTER, groups={"1.1"}, upto={"1.1": "1.1.14"}, remediation=OWN_WORDS))
    (BI / "article-node.txt").write_text(text_run(node, ARTICLE_NODE, remediation=OWN_WORDS))
    # cis-1.4, node only (old numbering without --allow-privileged)
    n14 = controls("retired-2020/cis-1.4", "node")
    (HERE / "cis-1.4-node.txt").write_text(text_run(n14, {"2.1.4": "FAIL", "2.1.6": "FAIL", "2.2.1": "FAIL"}))
    # cis-1.3 master as the JSON of kube-bench of that era (one control object per run, version "1.11")
    (HERE / "cis-1.3-master.json").write_text(json.dumps(json_controls(master, ARTICLE_MASTER, "1.11"), indent=1) + "\n")
    # cis-1.5 master text ((Scored) titles), cis-1.6 JSON with a node
    m15 = controls("current/cis-1.5", "master")
    (HERE / "cis-1.5-master.txt").write_text(text_run(m15, {"1.2.21": "FAIL", "1.1.12": "FAIL"}, node_type="master"))
    m16, n16 = controls("current/cis-1.6", "master"), controls("current/cis-1.6", "node")
    doc = {"Controls": [json_controls(m16, {"1.2.21": "FAIL"}, "cis-1.6", groups={"1.2"}),
                        json_controls(n16, {"4.2.6": "FAIL"}, "cis-1.6", groups={"4.2"})]}
    doc["Totals"] = {k: sum(c[k] for c in doc["Controls"]) for k in ("total_pass", "total_fail", "total_warn", "total_info")}
    (HERE / "cis-1.6.json").write_text(json.dumps(doc, indent=1) + "\n")
    (HERE / "cis-1.6-master.txt").write_text(text_run(m16, {"1.2.21": "FAIL", "1.1.1": "FAIL"}, node_type="master"))
    doc = {"Controls": [json_controls(m15, {"1.2.21": "FAIL"}, "cis-1.5", groups={"1.2"})]}
    doc["Totals"] = {k: doc["Controls"][0][k] for k in ("total_pass", "total_fail", "total_warn", "total_info")}
    (HERE / "cis-1.5-master.json").write_text(json.dumps(doc, indent=1) + "\n")
    # cis-1.23 JSON, node only
    n23 = controls("current/cis-1.23", "node")
    doc = {"Controls": [json_controls(n23, {"4.2.6": "FAIL", "4.2.1": "FAIL"}, "cis-1.23")]}
    doc["Totals"] = {k: doc["Controls"][0][k] for k in ("total_pass", "total_fail", "total_warn", "total_info")}
    (HERE / "cis-1.23-node.json").write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
    main()
