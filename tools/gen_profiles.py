"""Generate profiles/rules.yaml and profiles/benchmarks/*.yaml from shared/reference/kube-bench.md.

The reference holds full check tables for cis-1.12, cis-1.11 and cis-1.8, the cipher lists (§3.4),
the id crosswalk for every generic benchmark (§3.5) and the node-level checks (§4). Flag checks of
the other benchmarks take their test and title from the nearest full table through the crosswalk.
Run by hand when the reference changes: python tools/gen_profiles.py ../shared/reference/kube-bench.md
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

import yaml

COMP = {"apiserver": "kube-apiserver", "controller-manager": "kube-controller-manager", "scheduler": "kube-scheduler",
        "etcd": "etcd", "kubelet": "kubelet", "kube-proxy": "kube-proxy", "-": None, "—": None}
ORDER = ["cis-1.20", "cis-1.23", "cis-1.24", "cis-1.7", "cis-1.8", "cis-1.9", "cis-1.10", "cis-1.11", "cis-1.12"]
K8S = {"cis-1.20": ["1.19", "1.20", "1.21"], "cis-1.23": ["1.22", "1.23"], "cis-1.24": ["1.24"], "cis-1.7": ["1.25"],
       "cis-1.8": ["1.26"], "cis-1.9": ["1.27"], "cis-1.10": ["1.28"], "cis-1.11": ["1.29", "1.30", "1.31"],
       "cis-1.12": ["1.32", "1.33", "1.34"]}
TEMPLATE = {"cis-1.20": "cis-1.8", "cis-1.23": "cis-1.8", "cis-1.24": "cis-1.8", "cis-1.7": "cis-1.8", "cis-1.8": "cis-1.8",
            "cis-1.9": "cis-1.11", "cis-1.10": "cis-1.11", "cis-1.11": "cis-1.11", "cis-1.12": "cis-1.12"}
SECTIONS = {
    "1": "Control Plane Security Configuration", "1.1": "Control Plane Node Configuration Files", "1.2": "API Server",
    "1.3": "Controller Manager", "1.4": "Scheduler", "2": "Etcd Node Configuration", "3": "Control Plane Configuration",
    "3.1": "Authentication and Authorization", "3.2": "Logging", "4": "Worker Node Security Configuration",
    "4.1": "Worker Node Configuration Files", "4.2": "Kubelet", "4.3": "kube-proxy", "5": "Kubernetes Policies",
    "5.1": "RBAC and Service Accounts", "5.2": "Pod Security Standards", "5.3": "Network Policies and CNI",
    "5.4": "Secrets Management", "5.5": "Extensible Admission Control", "5.6": "General Policies", "5.7": "General Policies",
}
SAFE6 = ["TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305",
         "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"]
KUBELET8 = SAFE6 + ["TLS_RSA_WITH_AES_256_GCM_SHA384", "TLS_RSA_WITH_AES_128_GCM_SHA256"]
API11 = ["TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
         "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256",
         "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
         "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"]
API15 = API11 + ["TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
                 "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"]
API21 = API15 + ["TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_3DES_EDE_CBC_SHA", "TLS_RSA_WITH_AES_128_CBC_SHA",
                 "TLS_RSA_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_256_CBC_SHA", "TLS_RSA_WITH_AES_256_GCM_SHA384"]
API_CIPHERS = {"cis-1.12": API11, "cis-1.11": API15, "cis-1.10": API15, "cis-1.9": API21, "cis-1.8": API21, "cis-1.7": API21,
               "cis-1.24": API21, "cis-1.23": API21, "cis-1.20": KUBELET8}
KUBELET_CIPHERS = {b: (SAFE6 if b == "cis-1.12" else KUBELET8) for b in ORDER}
LIST_FLAGS = {"enable-admission-plugins", "disable-admission-plugins", "authorization-mode"}

# Node-level, manual and policy checks (kube-bench.md §4, cis-1.12 numbering), titles in our words.
NODE = [
    ("1.1.1", "API server pod specification file permissions are 600 or more restrictive", True),
    ("1.1.2", "API server pod specification file is owned by root:root", True),
    ("1.1.3", "Controller manager pod specification file permissions are 600 or more restrictive", True),
    ("1.1.4", "Controller manager pod specification file is owned by root:root", True),
    ("1.1.5", "Scheduler pod specification file permissions are 600 or more restrictive", True),
    ("1.1.6", "Scheduler pod specification file is owned by root:root", True),
    ("1.1.7", "etcd pod specification file permissions are 600 or more restrictive", True),
    ("1.1.8", "etcd pod specification file is owned by root:root", True),
    ("1.1.9", "Container Network Interface file permissions are 600 or more restrictive", False),
    ("1.1.10", "Container Network Interface files are owned by root:root", False),
    ("1.1.11", "etcd data directory permissions are 700 or more restrictive", True),
    ("1.1.12", "etcd data directory is owned by etcd:etcd", True),
    ("1.1.13", "Default administrative credential files have permissions 600", True),
    ("1.1.14", "Default administrative credential files are owned by root:root", True),
    ("1.1.15", "scheduler.conf permissions are 600 or more restrictive", True),
    ("1.1.16", "scheduler.conf is owned by root:root", True),
    ("1.1.17", "controller-manager.conf permissions are 600 or more restrictive", True),
    ("1.1.18", "controller-manager.conf is owned by root:root", True),
    ("1.1.19", "The Kubernetes PKI directory and files are owned by root:root", True),
    ("1.1.20", "Kubernetes PKI certificate files have restrictive permissions", False),
    ("1.1.21", "Kubernetes PKI key files have permissions 600", False),
    ("3.1.1", "Client certificate authentication should not be used for users", None),
    ("3.1.2", "Service account token authentication should not be used for users", None),
    ("3.1.3", "Bootstrap token authentication should not be used for users", None),
    ("3.2.2", "The audit policy covers key security concerns", None),
    ("4.1.1", "kubelet service file permissions are 600 or more restrictive", True),
    ("4.1.2", "kubelet service file is owned by root:root", True),
    ("4.1.3", "Proxy kubeconfig file permissions are 600 or more restrictive, if it exists", False),
    ("4.1.4", "Proxy kubeconfig file is owned by root:root, if it exists", False),
    ("4.1.5", "kubelet.conf permissions are 600 or more restrictive", True),
    ("4.1.6", "kubelet.conf is owned by root:root", True),
    ("4.1.7", "Certificate authorities file has restrictive permissions", False),
    ("4.1.8", "Client certificate authorities file is owned by root:root", False),
    ("4.1.9", "kubelet config file has permissions 600 or more restrictive", True),
    ("4.1.10", "kubelet config file is owned by root:root", True),
]
POLICIES = [
    ("5.1.1", "The cluster-admin role is only used where required", "policy"),
    ("5.1.2", "Access to secrets is minimized", "policy"),
    ("5.1.3", "Wildcard use in Roles and ClusterRoles is minimized", "policy"),
    ("5.1.4", "Access to create pods is minimized", "policy"),
    ("5.1.5", "Default service accounts are not actively used", "policy"),
    ("5.1.6", "Service account tokens are only mounted where necessary", "policy"),
    ("5.1.7", "Use of the system:masters group is avoided", "manual"),
    ("5.1.8", "Bind, impersonate and escalate permissions are limited", "manual"),
    ("5.1.9", "Access to create persistent volumes is minimized", "manual"),
    ("5.1.10", "Access to the proxy sub-resource of nodes is minimized", "manual"),
    ("5.1.11", "Access to the approval sub-resource of CSR objects is minimized", "manual"),
    ("5.1.12", "Access to webhook configuration objects is minimized", "manual"),
    ("5.1.13", "Access to the service account token creation is minimized", "manual"),
    ("5.2.1", "The cluster has at least one active policy control mechanism in place", "manual"),
    ("5.2.2", "Admission of privileged containers is minimized", "policy"),
    ("5.2.3", "Admission of containers sharing the host process ID namespace is minimized", "policy"),
    ("5.2.4", "Admission of containers sharing the host IPC namespace is minimized", "policy"),
    ("5.2.5", "Admission of containers sharing the host network namespace is minimized", "policy"),
    ("5.2.6", "Admission of containers with allowPrivilegeEscalation is minimized", "policy"),
    ("5.2.7", "Admission of root containers is minimized", "manual"),
    ("5.2.8", "Admission of containers with the NET_RAW capability is minimized", "manual"),
    ("5.2.9", "Admission of containers with capabilities assigned is minimized", "manual"),
    ("5.2.10", "Admission of Windows HostProcess containers is minimized", "manual"),
    ("5.2.11", "Admission of HostPath volumes is minimized", "manual"),
    ("5.2.12", "Admission of containers which use HostPorts is minimized", "manual"),
    ("5.3.1", "The CNI in use supports NetworkPolicies", "manual"),
    ("5.3.2", "All namespaces have NetworkPolicies defined", "manual"),
    ("5.4.1", "Secrets are used as files rather than environment variables", "manual"),
    ("5.4.2", "External secret storage is considered", "manual"),
    ("5.5.1", "Image provenance is configured using ImagePolicyWebhook", "manual"),
    ("5.6.1", "Administrative boundaries between resources use namespaces", "manual"),
    ("5.6.2", "The seccomp profile is set to docker/default in pod definitions", "manual"),
    ("5.6.3", "A security context is applied to pods and containers", "manual"),
    ("5.6.4", "The default namespace is not used", "manual"),
]


def cells(line: str) -> list[str]:
    return [c.strip() for c in line.strip().strip("|").split("|")]


def parse_table(md: str, heading: str) -> list[dict]:
    start = md.index(heading)
    rows = []
    for line in md[start:].splitlines()[1:]:
        if line.startswith("### "):
            break
        if not line.startswith("| ") or line.startswith("| id") or line.startswith("|---"):
            continue
        c = cells(line)
        if len(c) < 9 or not re.match(r"^\d", c[0]):
            continue
        rows.append(dict(id=c[0], comp=c[1], flag=c[2], op=c[3], value=c[4], set=c[5], scored=c[6], remediation=c[7], text=c[8]))
    return rows


def parse_flags(cell: str) -> list[dict]:
    out = []
    for part in cell.split("<br>"):
        ticks = re.findall(r"`([^`]*)`", part)
        env = re.search(r"env `(\w+)`", part)
        if not ticks:
            continue
        flag = ticks[0].lstrip("-")
        item = {"flag": flag}
        if len(ticks) > 1 and ticks[1].startswith("{"):
            key = ticks[1]
            if "tlsCipherSuites" in key:
                item["config_key"] = "tlsCipherSuites"
            else:
                item["config_key"] = key.strip("{}").lstrip(".")
        if env:
            item["env"] = env.group(1)
        out.append(item)
    return out


def make_tests(row: dict, bench: str) -> tuple[str, list[dict]]:
    flags = parse_flags(row["flag"])
    op = row["op"]
    if not flags or op.startswith("—"):
        return "and", []
    bin_op = "or" if " OR " in op else "and"
    ops = [o.strip() for o in re.split(r" OR | AND ", op)]
    tests = []
    for i, o in enumerate(ops):
        f = dict(flags[min(i, len(flags) - 1)])
        f["op"] = o
        if o not in ("present", "absent"):
            v = row["value"]
            if "cipher" in v:
                v = (KUBELET_CIPHERS if COMP[row["comp"]] == "kubelet" else API_CIPHERS)[bench]
            elif o == "valid_elements":
                v = [x.strip() for x in v.split(",")]
            f["value"] = v
        tests.append(f)
    return bin_op, tests


def rule_key(comp: str, tests: list[dict], text: str) -> str:
    flags = []
    for t in tests:
        if t["flag"] not in flags:
            flags.append(t["flag"])
    key = f"{comp}:{','.join(flags)}"
    variant = next((t.get("value") for t in tests if t["op"] in ("has", "nothave") or (t["flag"] in LIST_FLAGS and "value" in t)), None)
    if variant is not None and not isinstance(variant, list):
        key += f":{variant}"
    return key


def fix_of(comp: str, tests: list[dict]) -> dict | None:
    t = tests[0]
    if t["op"] == "absent" and len(tests) == 1:
        return {"unset": True}
    for t in tests:
        if t["op"] == "has":
            return {"add": [t["value"]]}
        if t["op"] == "nothave":
            return {"remove": [t["value"]]}
        if t["op"] == "valid_elements":
            return {"value": SAFE6} if "cipher" in t["flag"] else None
        if t["op"] in ("eq",):
            return {"value": t["value"]}
        if t["op"] in ("gte",):
            return {"value": t["value"]}
    return None


def main(src: str, out: str) -> None:
    md = Path(src).read_text()
    full = {
        "cis-1.12": parse_table(md, "### 3.1 cis-1.12"),
        "cis-1.11": parse_table(md, "### 3.2 cis-1.11"),
        "cis-1.8": parse_table(md, "### 3.3 cis-1.8"),
    }
    rules: dict[str, dict] = {}
    tmpl_by_label: dict[tuple[str, str], dict] = {}
    bench_checks: dict[str, list[dict]] = {b: [] for b in ORDER}

    def register(row: dict, bench: str) -> dict:
        comp = COMP[row["comp"]]
        title = row["text"]
        scored = row["scored"] == "yes"
        manual = row["op"].startswith("—")
        entry = {"id": row["id"], "title": title, "scored": scored}
        if comp is None or manual and not parse_flags(row["flag"]):
            entry["kind"] = "manual"
            entry["type"] = "manual"
            return entry
        bin_op, tests = make_tests(row, bench)
        if not tests:
            entry["kind"] = "manual"
            entry["type"] = "manual"
            return entry
        key = rule_key(comp, tests, title)
        if key not in rules:
            rules[key] = {"component": comp, "bin_op": bin_op, "tests": tests, "fix": fix_of(comp, tests),
                          "remediation": remediation(comp, tests, row["remediation"])}
        entry["kind"] = "flag"
        entry["rule"] = key
        if rules[key]["tests"] != tests or rules[key]["bin_op"] != bin_op:
            entry["override"] = {"bin_op": bin_op, "tests": tests}
        if "(Manual)" in title and not scored and row["op"].startswith("—"):
            entry["type"] = "manual"
        return entry

    for bench in ("cis-1.12", "cis-1.11", "cis-1.8"):
        for row in full[bench]:
            bench_checks[bench].append(register(row, bench))
            tmpl_by_label.setdefault((bench, row["id"]), row)
    # Crosswalk for the rest.
    start = md.index("### 3.5")
    header = None
    for line in md[start:].splitlines():
        if line.startswith("## 4"):
            break
        if not line.startswith("| "):
            continue
        c = cells(line)
        if c[0] == "component":
            header = c
            continue
        if header is None or c[0].startswith("---"):
            continue
        ids = dict(zip(header[2:], c[2:]))
        for bench in ORDER:
            if bench in full:
                continue
            cid = ids.get(bench, "—")
            if cid in ("—", "-", ""):
                continue
            tb = TEMPLATE[bench]
            tid = ids.get(tb, "—")
            row = next((r for r in full[tb] if r["id"] == tid), None)
            if row is None:
                for other in ("cis-1.12", "cis-1.11", "cis-1.8"):
                    oid = ids.get(other, "—")
                    row = next((r for r in full[other] if r["id"] == oid), None)
                    if row:
                        break
            if row is None:
                row = legacy_row(c[0], c[1])
                if row is None:
                    continue
            row = dict(row, id=cid)
            row = adjust(bench, row)
            bench_checks[bench].append(register(row, bench))
    # Node-level, manual and policy checks.
    for bench in ORDER:
        have = {c["id"] for c in bench_checks[bench]}
        for cid, title, scored in NODE:
            if cid in have:
                continue
            kind = "manual" if scored is None else "node"
            e = {"id": cid, "title": title, "scored": bool(scored), "kind": kind}
            if kind == "manual":
                e["type"] = "manual"
            bench_checks[bench].append(e)
        if bench == "cis-1.11":
            bench_checks[bench].append({"id": "4.2.15", "title": "Ensure that the --IPAddressDeny is set to any (Manual)", "scored": False, "kind": "node"})
        for cid, title, kind in POLICIES:
            if bench in ("cis-1.8", "cis-1.9", "cis-1.10", "cis-1.7", "cis-1.20", "cis-1.23", "cis-1.24") and cid.startswith("5.6."):
                cid = "5.7." + cid.split(".")[2]
            e = {"id": cid, "title": title, "scored": False, "kind": kind}
            if kind == "manual":
                e["type"] = "manual"
            bench_checks[bench].append(e)
    outdir = Path(out)
    (outdir / "benchmarks").mkdir(parents=True, exist_ok=True)
    header = "# Generated by tools/gen_profiles.py from shared/reference/kube-bench.md; edit the generator, not this file.\n"
    (outdir / "rules.yaml").write_text(header + yaml.safe_dump({"rules": rules}, sort_keys=True, width=200))
    for bench in ORDER:
        checks = sorted(bench_checks[bench], key=lambda c: [int(x) for x in c["id"].split(".")])
        secs = {}
        for c in checks:
            parts = c["id"].split(".")
            for k in (parts[0], ".".join(parts[:2])):
                if k in SECTIONS:
                    secs[k] = SECTIONS[k]
        data = {"benchmark": bench, "kubernetes": K8S[bench], "sections": secs, "checks": checks}
        (outdir / "benchmarks" / f"{bench}.yaml").write_text(header + yaml.safe_dump(data, sort_keys=False, width=200))
    mapping = {k: b for b in ORDER for k in K8S[b]}
    idx = {"order": ORDER, "default": "cis-1.12", "oldest": "cis-1.20", "mapping": mapping}
    (outdir / "benchmarks" / "index.yaml").write_text(header + yaml.safe_dump(idx, sort_keys=False))
    print({b: len(v) for b, v in bench_checks.items()}, len(rules), "rules")


def remediation(comp: str, tests: list[dict], hint: str) -> str:
    t = tests[0]
    flag = t["flag"] if t["flag"][:1].isupper() else f"--{t['flag']}"
    comp_name = comp
    if t["op"] in ("has",):
        return f"Include {t['value']} in {flag} on {comp_name}."
    if t["op"] == "nothave":
        return f"Make sure {flag} on {comp_name} does not contain {t['value']}."
    if t["op"] == "absent" and len(tests) == 1:
        return f"Do not pass {flag} to {comp_name}."
    if t["op"] == "valid_elements" and t["flag"] == "provider":
        return "Make aescbc, kms or secretbox the first provider of the API server's EncryptionConfiguration."
    if t["op"] == "valid_elements":
        return f"Limit {flag} on {comp_name} to strong cipher suites."
    if t["op"] in ("eq", "gte") :
        return f"Set {flag}={t['value']} on {comp_name}" + (" (or more)." if t["op"] == "gte" else ".")
    if t["op"] == "noteq":
        return f"Set {flag} on {comp_name} to a value other than {t['value']}."
    return f"Set {flag} on {comp_name} to a suitable value ({hint.strip('<>')})."


def legacy_row(comp: str, label: str) -> dict | None:
    """Checks that exist only in the older benchmarks (cis-1.20/1.23/1.24/1.7)."""
    label = label.strip("`")
    rows = {
        "--kubelet-https": ("apiserver", "`--kubelet-https`", "eq OR absent", "true", "yes", "Ensure that the --kubelet-https argument is set to true (Automated)"),
        "--enable-admission-plugins` `PodSecurityPolicy,SecurityContextDeny": None,
        "--insecure-bind-address": ("apiserver", "`--insecure-bind-address`", "absent", "—", "yes", "Ensure that the --insecure-bind-address argument is not set (Automated)"),
        "--insecure-port": ("apiserver", "`--insecure-port`", "eq", "0", "yes", "Ensure that the --insecure-port argument is set to 0 (Automated)"),
        "--secure-port": ("apiserver", "`--secure-port`", "noteq OR absent", "0", "yes", "Ensure that the --secure-port argument is not set to 0 (Automated)"),
        "--protect-kernel-defaults": ("kubelet", "`--protect-kernel-defaults` / `{.protectKernelDefaults}`", "eq", "true", "yes", "Ensure that the --protect-kernel-defaults argument is set to true (Automated)"),
        "--enable-admission-plugins PodSecurityPolicy": ("apiserver", "`--enable-admission-plugins`", "has", "PodSecurityPolicy", "yes", "Ensure that the admission control plugin PodSecurityPolicy is set (Automated)"),
        "--enable-admission-plugins PodSecurityPolicy,SecurityContextDeny": ("apiserver", "`--enable-admission-plugins`", "has", "SecurityContextDeny", "no", "Ensure that the admission control plugin SecurityContextDeny is set if PodSecurityPolicy is not used (Manual)"),
    }
    key = label.replace("`", "")
    r = rows.get(key)
    if r is None:
        return None
    return dict(comp=r[0], flag=r[1], op=r[2], value=r[3], set="", scored=r[4], remediation="", text=r[5])


def adjust(bench: str, row: dict) -> dict:
    """Per-benchmark test differences listed under the crosswalk (kube-bench.md §3.5)."""
    if bench == "cis-1.24" and "--bind-address" in row["flag"] and row["comp"] in ("controller-manager", "scheduler"):
        row = dict(row, op="eq", set="true")
    if bench in ("cis-1.20", "cis-1.23") and "--event-qps" in row["flag"]:
        row = dict(row, op="eq", value="0")
    return row


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2] if len(sys.argv) > 2 else "profiles")
