"""Read kube-bench results (JSON or the plain-text report) into flat, typed check results.

kube-bench is what a user already runs against a live cluster; importing its output lets
specpatch point every live FAIL at the spec field that fixes it. This module is only the
parser: it turns any of kube-bench's output shapes into `BenchResult`s, says which
benchmark produced them, and keeps kube-bench's own totals so callers can trust the count.

Shapes accepted (see docs in the project reference, kube-bench §5):
- `kube-bench --json`: `{"Controls": [...], "Totals": {...}}`;
- `--json --nototals`: a bare list of controls;
- several node reports: a JSON array of report objects, an object mapping node names to
  reports, or several JSON documents one after another;
- the plain-text report, coloured or not, pasted with leading spaces or wrapped titles,
  one or several reports concatenated (`==> name <==` lines from `tail`/`head` name them).

The plain text does not say which benchmark ran, so `fingerprint` guesses it from check ids
and titles using the cross-version crosswalk. Standard library only.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass, field, replace

from specpatch.model import InputError

STATUSES = ("PASS", "FAIL", "WARN", "INFO")

__all__ = [
    "BenchResult",
    "BenchReport",
    "parse",
    "fingerprint",
    "fingerprint_candidates",
    "flag_from_title",
    "BENCHMARKS",
]


@dataclass(frozen=True, slots=True)
class BenchResult:
    """One check as kube-bench reported it on one node."""

    check: str  # "1.2.16"
    status: str  # PASS | FAIL | WARN | INFO
    title: str  # the check text as kube-bench printed it
    benchmark: str | None  # "cis-1.12" when known
    node: str | None  # report label when several reports ("report 2", or the node name given)
    section: str | None  # "1.2"
    node_type: str | None  # master | node | etcd | controlplane | policies | managedservices
    actual: str | None  # JSON actual_value
    expected: str | None  # JSON expected_result
    reason: str | None
    scored: bool | None
    remediation: str | None


@dataclass(slots=True)
class BenchReport:
    """Every result of one input, with where the benchmark name came from."""

    results: list[BenchResult]
    benchmark: str | None  # from JSON Controls[].version, else given, else fingerprinted
    benchmark_source: str  # "json" | "fingerprint" | "given" | "unknown"
    totals: dict[str, int] | None  # {"PASS": n, "FAIL": n, "WARN": n, "INFO": n} as kube-bench printed them
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------------------
# Benchmark crosswalk (reference §3.5): which id each (component, flag) check has in each
# generic benchmark. "-" = the check does not exist in that benchmark.
# cis-1.5 / cis-1.6 are not in §3.5: their 1.2.x ids were read from kube-bench's
# cfg/cis-1.{5,6}/master.yaml (cis-1.20 minus --basic-auth-file, so every id from 1.2.2 on is
# one higher); their other sections are taken as cis-1.20's (4.2.x checked for cis-1.6).
# --------------------------------------------------------------------------------------

BENCHMARKS = (
    "cis-1.5", "cis-1.6", "cis-1.20", "cis-1.23", "cis-1.24",
    "cis-1.7", "cis-1.8", "cis-1.9", "cis-1.10", "cis-1.11", "cis-1.12",
)  # oldest first; ties are broken towards the newer benchmark

_CROSSWALK_COLUMNS = ("cis-1.20", "cis-1.23", "cis-1.24", "cis-1.7", "cis-1.8", "cis-1.9", "cis-1.10", "cis-1.11", "cis-1.12")

# component | flag key (as flag_from_title returns it) | ids in _CROSSWALK_COLUMNS order ("*" = same id everywhere)
_CROSSWALK = """
apiserver|anonymous-auth|1.2.1*
apiserver|token-auth-file|1.2.2*
apiserver|kubelet-https|1.2.3 1.2.4 - - - - - - -
apiserver|kubelet-client-certificate,kubelet-client-key|1.2.4 1.2.5 1.2.4 1.2.4 1.2.4 1.2.4 1.2.4 1.2.4 1.2.4
apiserver|kubelet-certificate-authority|1.2.5 1.2.6 1.2.5 1.2.5 1.2.5 1.2.5 1.2.5 1.2.5 1.2.5
apiserver|authorization-mode:AlwaysAllow|1.2.6 1.2.7 1.2.6 1.2.6 1.2.6 1.2.6 1.2.6 1.2.6 1.2.6
apiserver|authorization-mode:Node|1.2.7 1.2.8 1.2.7 1.2.7 1.2.7 1.2.7 1.2.7 1.2.7 1.2.7
apiserver|authorization-mode:RBAC|1.2.8 1.2.9 1.2.8 1.2.8 1.2.8 1.2.8 1.2.8 1.2.8 1.2.8
apiserver|enable-admission-plugins:EventRateLimit|1.2.9 1.2.10 1.2.9 1.2.9 1.2.9 1.2.9 1.2.9 1.2.9 1.2.9
apiserver|enable-admission-plugins:AlwaysAdmit|1.2.10 1.2.11 1.2.10 1.2.10 1.2.10 1.2.10 1.2.10 1.2.10 1.2.10
apiserver|enable-admission-plugins:AlwaysPullImages|1.2.11 1.2.12 1.2.11 1.2.11 1.2.11 1.2.11 1.2.11 1.2.11 1.2.11
apiserver|enable-admission-plugins:SecurityContextDeny|1.2.12 1.2.13 1.2.12 1.2.12 1.2.12 - - - -
apiserver|disable-admission-plugins:ServiceAccount|1.2.13 1.2.14 1.2.13 1.2.13 1.2.13 1.2.12 1.2.12 1.2.12 1.2.12
apiserver|disable-admission-plugins:NamespaceLifecycle|1.2.14 1.2.15 1.2.14 1.2.14 1.2.14 1.2.13 1.2.13 1.2.13 1.2.13
apiserver|enable-admission-plugins:PodSecurityPolicy|1.2.15 - - - - - - - -
apiserver|enable-admission-plugins:NodeRestriction|1.2.16 1.2.16 1.2.15 1.2.15 1.2.15 1.2.14 1.2.14 1.2.14 1.2.14
apiserver|insecure-bind-address|1.2.17 - - - - - - - -
apiserver|insecure-port|1.2.18 - - - - - - - -
apiserver|secure-port|1.2.19 1.2.17 1.2.16 1.2.16 - - - - -
apiserver|profiling|1.2.20 1.2.18 1.2.17 1.2.17 1.2.16 1.2.15 1.2.15 1.2.15 1.2.15
apiserver|audit-log-path|1.2.21 1.2.19 1.2.18 1.2.18 1.2.17 1.2.16 1.2.16 1.2.16 1.2.16
apiserver|audit-log-maxage|1.2.22 1.2.20 1.2.19 1.2.19 1.2.18 1.2.17 1.2.17 1.2.17 1.2.17
apiserver|audit-log-maxbackup|1.2.23 1.2.21 1.2.20 1.2.20 1.2.19 1.2.18 1.2.18 1.2.18 1.2.18
apiserver|audit-log-maxsize|1.2.24 1.2.22 1.2.21 1.2.21 1.2.20 1.2.19 1.2.19 1.2.19 1.2.19
apiserver|request-timeout|1.2.25 1.2.23 1.2.22 1.2.22 1.2.21 1.2.20 1.2.20 1.2.20 1.2.20
apiserver|service-account-lookup|1.2.26 1.2.24 1.2.23 1.2.23 1.2.22 1.2.21 1.2.21 1.2.21 1.2.21
apiserver|service-account-key-file|1.2.27 1.2.25 1.2.24 1.2.24 1.2.23 1.2.22 1.2.22 1.2.22 1.2.22
apiserver|etcd-certfile,etcd-keyfile|1.2.28 1.2.26 1.2.25 1.2.25 1.2.24 1.2.23 1.2.23 1.2.23 1.2.23
apiserver|tls-cert-file,tls-private-key-file|1.2.29 1.2.27 1.2.26 1.2.26 1.2.25 1.2.24 1.2.24 1.2.24 1.2.24
apiserver|client-ca-file|1.2.30 1.2.28 1.2.27 1.2.27 1.2.26 1.2.25 1.2.25 1.2.25 1.2.25
apiserver|etcd-cafile|1.2.31 1.2.29 1.2.28 1.2.28 1.2.27 1.2.26 1.2.26 1.2.26 1.2.26
apiserver|encryption-provider-config|1.2.32 1.2.30 1.2.29 1.2.29 1.2.28 1.2.27 1.2.27 1.2.27 1.2.27
apiserver|encryption-provider-config|1.2.33 1.2.31 1.2.30 1.2.30 1.2.29 1.2.28 1.2.28 1.2.28 1.2.28
apiserver|tls-cipher-suites|1.2.34 1.2.32 1.2.31 1.2.31 1.2.30 1.2.29 1.2.29 1.2.29 1.2.29
apiserver|enable-admission-plugins:DenyServiceExternalIPs|- 1.2.3 1.2.3 1.2.3 1.2.3 1.2.3 1.2.3 1.2.3 1.2.3
apiserver|service-account-extend-token-expiration|- - - - - - - 1.2.30 1.2.30
controller-manager|terminated-pod-gc-threshold|1.3.1*
controller-manager|profiling|1.3.2*
controller-manager|use-service-account-credentials|1.3.3*
controller-manager|service-account-private-key-file|1.3.4*
controller-manager|root-ca-file|1.3.5*
controller-manager|feature-gates:RotateKubeletServerCertificate|1.3.6*
controller-manager|bind-address|1.3.7*
scheduler|profiling|1.4.1*
scheduler|bind-address|1.4.2*
etcd|cert-file,key-file|2.1*
etcd|client-cert-auth|2.2*
etcd|auto-tls|2.3*
etcd|peer-cert-file,peer-key-file|2.4*
etcd|peer-client-cert-auth|2.5*
etcd|peer-auto-tls|2.6*
etcd|trusted-ca-file|2.7*
apiserver|audit-policy-file|3.2.1*
kubelet|anonymous-auth|4.2.1*
kubelet|authorization-mode:AlwaysAllow|4.2.2*
kubelet|client-ca-file|4.2.3*
kubelet|read-only-port|4.2.4*
kubelet|streaming-connection-idle-timeout|4.2.5*
kubelet|protect-kernel-defaults|4.2.6 4.2.6 4.2.6 - - - - - -
kubelet|make-iptables-util-chains|4.2.7 4.2.7 4.2.7 4.2.6 4.2.6 4.2.6 4.2.6 4.2.6 4.2.6
kubelet|hostname-override|4.2.8 4.2.8 4.2.8 4.2.7 4.2.7 4.2.7 4.2.7 4.2.7 4.2.7
kubelet|event-qps|4.2.9 4.2.9 4.2.9 4.2.8 4.2.8 4.2.8 4.2.8 4.2.8 4.2.8
kubelet|tls-cert-file,tls-private-key-file|4.2.10 4.2.10 4.2.10 4.2.9 4.2.9 4.2.9 4.2.9 4.2.9 4.2.9
kubelet|rotate-certificates|4.2.11 4.2.11 4.2.11 4.2.10 4.2.10 4.2.10 4.2.10 4.2.10 4.2.10
kubelet|feature-gates:RotateKubeletServerCertificate|4.2.12 4.2.12 4.2.12 4.2.11 4.2.11 4.2.11 4.2.11 4.2.11 4.2.11
kubelet|tls-cipher-suites|4.2.13 4.2.13 4.2.13 4.2.12 4.2.12 4.2.12 4.2.12 4.2.12 4.2.12
kubelet|pod-max-pids|- - - 4.2.13 4.2.13 4.2.13 4.2.13 4.2.13 4.2.13
kubelet|seccomp-default|- - - - - - - 4.2.14 4.2.14
kubelet|IPAddressDeny|- - - - - - - 4.2.15 -
kube-proxy|metrics-bind-address|- - - - - 4.3.1 4.3.1 4.3.1 4.3.1
"""

Key = tuple[str, str]  # (component, flag key)


def _build_crosswalk() -> dict[str, dict[Key, frozenset[str]]]:
    """benchmark -> (component, flag) -> ids; a key mapped to an empty set is absent there."""
    table: dict[str, dict[Key, set[str]]] = {b: {} for b in BENCHMARKS}
    for line in _CROSSWALK.strip().splitlines():
        component, flag, ids = line.split("|")
        cols = [ids[:-1]] * len(_CROSSWALK_COLUMNS) if ids.endswith("*") else ids.split()
        assert len(cols) == len(_CROSSWALK_COLUMNS), line
        key = (component, flag)
        for bench, cid in zip(_CROSSWALK_COLUMNS, cols):
            table[bench].setdefault(key, set())
            if cid != "-":
                table[bench][key].add(cid)
        # cis-1.5 / cis-1.6: see the note above the table
        old = cols[0]
        for bench in ("cis-1.5", "cis-1.6"):
            table[bench].setdefault(key, set())
            if old == "-":
                continue
            parts = old.split(".")
            if parts[:2] == ["1", "2"] and int(parts[2]) >= 2:
                old_id = f"1.2.{int(parts[2]) + 1}"
            else:
                old_id = old
            table[bench][key].add(old_id)
    for bench in ("cis-1.5", "cis-1.6"):
        table[bench][("apiserver", "basic-auth-file")] = {"1.2.2"}
    for bench in _CROSSWALK_COLUMNS:
        table[bench].setdefault(("apiserver", "basic-auth-file"), set())
    return {b: {k: frozenset(v) for k, v in t.items()} for b, t in table.items()}


_XWALK = _build_crosswalk()
_KNOWN_KEYS = frozenset(k for t in _XWALK.values() for k in t)

# --------------------------------------------------------------------------------------
# Titles -> flags
# --------------------------------------------------------------------------------------

_SUFFIX_RE = re.compile(r"\s*\((Automated|Manual|Scored|Not Scored)\)\s*$", re.I)
_FLAG_RE = re.compile(r"(?<![\w-])--([A-Za-z][A-Za-z0-9-]*[A-Za-z0-9])")
_BARE_ARG_RE = re.compile(r"\bthe ([A-Za-z][A-Za-z0-9-]*) (?:argument|parameter)\b")
_PLUGIN_RE = re.compile(r"admission control plugins? ([A-Z][A-Za-z]+)")
_LIST_VALUE_RE = re.compile(
    r"(?:includes?|not set to|set to|contains?|does not include|value that includes|value that does not include)\s+([A-Z][A-Za-z]+)\b"
)
_LIST_FLAGS = {"authorization-mode", "enable-admission-plugins", "disable-admission-plugins", "admission-control", "feature-gates"}
_DEFAULT_ON_PLUGINS = {"ServiceAccount", "NamespaceLifecycle"}  # CIS checks they are not disabled
_CONFIG_KEY_FLAGS = {  # KubeletConfiguration keys some titles name instead of the flag
    "eventRecordQPS": "event-qps",
    "readOnlyPort": "read-only-port",
    "protectKernelDefaults": "protect-kernel-defaults",
    "makeIPTablesUtilChains": "make-iptables-util-chains",
    "streamingConnectionIdleTimeout": "streaming-connection-idle-timeout",
    "rotateCertificates": "rotate-certificates",
    "podPidsLimit": "pod-max-pids",
    "seccompDefault": "seccomp-default",
    "tlsCipherSuites": "tls-cipher-suites",
}
_NOT_FLAGS = {"IPAddressDeny"}  # systemd directive written like a flag in cis-1.11 4.2.15
_PHRASES = (  # titles that name no flag at all
    (re.compile(r"Strong Cryptographic Ciphers", re.I), "tls-cipher-suites"),
    (re.compile(r"encryption providers? (?:are|is) appropriately configured", re.I), "encryption-provider-config"),
    (re.compile(r"unique Certificate Authority is used for etcd", re.I), "trusted-ca-file"),
    (re.compile(r"minimal audit policy is created", re.I), "audit-policy-file"),
    (re.compile(r"limit is set on pod PIDs", re.I), "pod-max-pids"),
    (re.compile(r"kube-proxy metrics service is bound to localhost", re.I), "metrics-bind-address"),
)
_FILE_CHECK_RE = re.compile(r"\b(permissions?|ownership|owned by)\b", re.I)
_COMPONENT_WORDS = (
    (re.compile(r"\bAPI ?server\b", re.I), "apiserver"),
    (re.compile(r"\bcontroller[ -]manager\b", re.I), "controller-manager"),
    (re.compile(r"\bscheduler\b", re.I), "scheduler"),
    (re.compile(r"\bkube-proxy\b|\bproxy kubeconfig\b", re.I), "kube-proxy"),
    (re.compile(r"\bkubelet\b", re.I), "kubelet"),
    (re.compile(r"\betcd\b", re.I), "etcd"),
)


def _kebab(name: str) -> str:
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"-\1", name).lower()


def flag_from_title(title: str) -> tuple[str | None, str | None]:
    """(component hint, flag) a check title names, for checks no bundled profile knows.

    IDs move between benchmark versions but titles barely change, so the title is the
    stable way to map a check from an older benchmark to a component flag. The component
    is only given when the title names it ("API Server ... Ciphers", "kubelet.conf");
    otherwise the caller takes it from the section (1.2 API server, 4.2 kubelet, ...).
    List-valued flags carry the value the check is about: `authorization-mode:Node`,
    `enable-admission-plugins:AlwaysPullImages`, `feature-gates:RotateKubeletServerCertificate`;
    checks on two flags return them comma-joined (`tls-cert-file,tls-private-key-file`).
    File permission/ownership, policy and identity checks return flag None.
    """
    text = _SUFFIX_RE.sub("", " ".join(title.split()))
    without_flags = _FLAG_RE.sub(" ", text)
    component = None
    for rx, name in _COMPONENT_WORDS:
        if rx.search(without_flags):
            component = name
            break
    if _FILE_CHECK_RE.search(text) or re.search(r"\b(file|directory) (?:has|is)\b", text):
        return component, None

    m = _PLUGIN_RE.search(text)
    if m:
        plugin = m.group(1)
        flag = "disable-admission-plugins" if plugin in _DEFAULT_ON_PLUGINS else "enable-admission-plugins"
        return component, f"{flag}:{plugin}"

    for rx, flag in _PHRASES:
        if rx.search(text):
            return component, flag

    flags: list[str] = []
    for name in _FLAG_RE.findall(text):
        if name in _NOT_FLAGS:
            flags.append(name)
        elif name[0].isupper():  # "--DenyServiceExternalIPs": an admission plugin written as a flag
            return component, f"enable-admission-plugins:{name}"
        elif name not in flags:
            flags.append(name)
    if not flags:
        m = _BARE_ARG_RE.search(text)
        if m:
            word = m.group(1)
            if word[0].isupper():  # "the RotateKubeletServerCertificate argument": a feature gate
                return component, f"feature-gates:{word}"
            flags.append(_CONFIG_KEY_FLAGS.get(word, _kebab(word) if "-" not in word else word))
    if not flags:
        return component, None
    if len(flags) == 1 and flags[0] in _LIST_FLAGS:
        tail = text.split("--" + flags[0], 1)[-1]
        v = _LIST_VALUE_RE.search(tail)
        if v:
            return component, f"{flags[0]}:{v.group(1)}"
    return component, ",".join(flags)


_SECTION_COMPONENT = {"1.2": "apiserver", "1.3": "controller-manager", "1.4": "scheduler", "3.2": "apiserver", "4.2": "kubelet", "4.3": "kube-proxy"}


def _component_for(check: str, hint: str | None) -> str | None:
    """The component a check id belongs to (stable across benchmarks), else the title's hint."""
    if check == "2" or check.startswith("2."):
        return "etcd"
    return _SECTION_COMPONENT.get(".".join(check.split(".")[:2])) or hint


def _result_key(r: BenchResult) -> Key | None:
    comp_hint, flag = flag_from_title(r.title)
    if flag is None:
        return None
    comp = _component_for(r.check, comp_hint)
    if comp is None:
        return None
    key = (comp, flag)
    return key if key in _KNOWN_KEYS else None


def check_key(r: BenchResult) -> Key | None:
    """(component, flag) a result is about, stable across benchmark versions; None for node-level checks."""
    return _result_key(r)


def ids_in(benchmark: str, key: Key) -> frozenset[str]:
    """The ids the check with this (component, flag) has in a benchmark (empty when it has none)."""
    return _XWALK.get(benchmark, {}).get(key, frozenset())


def _section_of(check: str) -> str:
    parts = check.split(".")
    return ".".join(parts[:-1]) if len(parts) > 2 else parts[0]


def fingerprint_candidates(results: list[BenchResult]) -> list[str]:
    """Benchmarks that fit the report best, preferred first; [] when nothing discriminates.

    Each result whose title names a known flag votes: +1 for every benchmark that has that
    flag under the same id, -1 for those that number it differently or lack it. Title style
    separates cis-1.5 "(Scored)" from later "(Automated)". Ties go to the benchmark that
    leaves fewer of its own checks missing from the targets (1 master, 4 node, ...) the
    report shows (kube-bench prints every check of a target it ran), then to the newer one.
    Tied candidates normally number every keyed check of this report the same way.
    """
    keyed = [(r.check, k) for r in results if (k := _result_key(r)) is not None]
    if not keyed:
        return []
    seen = {(c, k) for c, k in keyed}
    score = {b: 0 for b in BENCHMARKS}
    for check, key in seen:
        for b in BENCHMARKS:
            ids = _XWALK[b].get(key, frozenset())
            score[b] += 1 if check in ids else -1
    old_style = sum(1 for r in results if re.search(r"\((Scored|Not Scored)\)\s*$", r.title))
    new_style = sum(1 for r in results if re.search(r"\((Automated|Manual)\)\s*$", r.title))
    if old_style or new_style:
        score["cis-1.5"] += 3 if old_style > new_style else -3
        if old_style > new_style:
            for b in BENCHMARKS[1:]:
                score[b] -= 3
    best = max(score.values())
    if best <= 0:
        return []
    top = [b for b in BENCHMARKS if score[b] == best]
    if set(BENCHMARKS[1:]) <= set(top):
        return []  # every benchmark numbers these checks the same way: no evidence
    present_ids = {r.check for r in results}
    present_controls = {r.check.split(".")[0] for r in results}

    def missing(b: str) -> int:
        return sum(
            1
            for ids in _XWALK[b].values()
            for i in ids
            if i.split(".")[0] in present_controls and i not in present_ids
        )

    least = min(missing(b) for b in top)
    top = [b for b in top if missing(b) == least]
    return list(reversed(top))


def fingerprint(results: list[BenchResult]) -> str | None:
    """Guess the benchmark of a text report (text output never names it), or None.

    See `fingerprint_candidates`; when several benchmarks fit equally (cis-1.9 and cis-1.10
    differ in no id or title; a control-plane-only report cannot tell cis-1.11 from cis-1.12,
    nor cis-1.24 from cis-1.7) the newest is returned, since such ties number the report's
    checks the same way. None when the checks shown are numbered alike everywhere or disagree.
    """
    cands = fingerprint_candidates(results)
    return cands[0] if cands else None


# --------------------------------------------------------------------------------------
# Parsing
# --------------------------------------------------------------------------------------

_ANSI_RE = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07|(?<![\w\]])\[(?:\d{1,3};)*\d{1,3}m")
_RESULT_RE = re.compile(r"^\[(PASS|FAIL|WARN|INFO)\]\s*(\d+(?:\.\d+)*)\.?(?:\s+(.*))?$")
_BARE_STATUS_RE = re.compile(r"^\[(PASS|FAIL|WARN|INFO)\]$")
_ID_LINE_RE = re.compile(r"^(\d+(?:\.\d+)*)\s+(.*)$")
_SECTION_RE = re.compile(r"^==\s*(Remediations|Summary)\s*([A-Za-z0-9_-]*)\s*==$")
_COUNT_RE = re.compile(r"^(\d+)\s+checks?\s+(PASS|FAIL|WARN|INFO)$", re.I)
_LABEL_RE = re.compile(r"^==>\s*(.+?)\s*<==$")
_REASON_RE = re.compile(r"^audit test did not run:\s*(.*)$")
_KNOWN_BENCH_RE = re.compile(r"^(cis|eks|gke|aks|ack|rh|k3s|rke|rke2|tkgi|eks-stig)[-a-z0-9.]*$")
_NODE_LABEL_KEYS = ("node", "node_name", "nodeName", "hostname", "host", "name")


def _control_type_from_title(title: str) -> str | None:
    t = title.lower()
    if "managed service" in t:
        return "managedservices"
    if "polic" in t:
        return "policies"
    if "etcd" in t:
        return "etcd"
    if "worker" in t:
        return "node"
    if "master" in t or "control plane security" in t:
        return "master"
    if "control plane" in t:
        return "controlplane"
    return None


def _as_list(v: object) -> list:
    return v if isinstance(v, list) else []


def _none_if_empty(v: object) -> str | None:
    if v is None:
        return None
    s = v if isinstance(v, str) else str(v)
    return s if s.strip() else None


def _counts(results: list[BenchResult]) -> dict[str, int]:
    c = Counter(r.status for r in results)
    return {s: c.get(s, 0) for s in STATUSES}


def _fmt_counts(c: dict[str, int]) -> str:
    return " ".join(f"{s}={c.get(s, 0)}" for s in STATUSES)


def _line_of(text: str, pos: int) -> int:
    return text.count("\n", 0, pos) + 1


def parse(text: str, path: str = "<stdin>", *, benchmark: str | None = None) -> BenchReport:
    """kube-bench output (JSON or text, one or several node reports) as a BenchReport.

    Raises InputError for input that is neither: empty, binary, JSON of another shape, or
    text without a single `[STATUS] id title` line or summary count. Oddities that still
    leave usable results (totals that disagree with the listed checks, several benchmark
    versions in one file, an ambiguous fingerprint) become warnings.
    """
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        raise InputError(path, None, "empty input: no kube-bench results")
    head = text[:8192]
    if "\x00" in head or sum(1 for ch in head if ord(ch) < 32 and ch not in "\t\n\r\x1b\x0c") > 8:
        raise InputError(path, None, "binary data, not kube-bench output")
    clean = _ANSI_RE.sub("", text)
    if not clean.strip():
        raise InputError(path, None, "empty input: only terminal colour codes, no kube-bench results")
    first = clean.lstrip()[:1]
    looks_text = bool(re.match(r"\s*\[(PASS|FAIL|WARN|INFO)\]", clean))
    if first in "{[" and not looks_text:
        report = _parse_json(text, path)
    else:
        if first == "<":
            raise InputError(path, 1, "XML (JUnit?) is not supported: run kube-bench with --json or plain text output")
        try:
            report = _parse_text(clean, path)
        except InputError:
            report = _json_after_log_lines(text, path)
            if report is None:
                raise
    _settle_benchmark(report, benchmark)
    return report


def _json_after_log_lines(text: str, path: str) -> BenchReport | None:
    """JSON that log lines precede (`kubectl logs` of a kube-bench job run with 2>&1), or None."""
    m = re.search(r"^[ \t]*(\{\s*\"Controls\"|\[\s*\{\s*\"(?:id|Controls)\")", text, re.M)
    if m is None or m.start() == 0:
        return None
    try:
        report = _parse_json(text[m.start(1):], path)
    except InputError:
        return None
    skipped = text.count("\n", 0, m.start(1))
    report.warnings.insert(0, f"skipped {skipped} line(s) before the JSON")
    return report


def _settle_benchmark(report: BenchReport, given: str | None) -> None:
    if report.benchmark_source == "json":
        if given and given != report.benchmark:
            report.warnings.append(f"benchmark {given!r} was given but the JSON says {report.benchmark!r}; using the JSON's")
        if report.benchmark and not _KNOWN_BENCH_RE.match(report.benchmark):
            report.warnings.append(
                f"benchmark version {report.benchmark!r} is not a kube-bench benchmark name (pre-'cis-' naming?)"
            )
        return
    cands = fingerprint_candidates(report.results)
    guess = cands[0] if cands else None
    if given:
        report.benchmark, report.benchmark_source = given, "given"
        if guess and given not in cands:
            report.warnings.append(f"benchmark {given!r} was given but the check ids and titles look like {guess}")
    elif guess:
        report.benchmark, report.benchmark_source = guess, "fingerprint"
        if len(cands) > 1:
            report.warnings.append(
                f"benchmark fingerprinted as {guess}; {', '.join(cands[1:])} fit the ids and titles equally well"
            )
    else:
        report.benchmark, report.benchmark_source = None, "unknown"
        if report.results:
            report.warnings.append("benchmark unknown: the ids and titles match every known benchmark (or none)")
    if report.benchmark:
        report.results = [
            r if r.benchmark else replace(r, benchmark=report.benchmark) for r in report.results
        ]




# ---- JSON ----------------------------------------------------------------------------


def _json_documents(text: str, path: str) -> list[object]:
    dec = json.JSONDecoder()
    docs: list[object] = []
    pos, n = 0, len(text)
    while True:
        while pos < n and text[pos] in " \t\r\n\ufeff":
            pos += 1
        if pos >= n:
            break
        try:
            obj, pos = dec.raw_decode(text, pos)
        except json.JSONDecodeError as e:
            raise InputError(path, _line_of(text, e.pos), f"invalid JSON: {e.msg}") from None
        docs.append(obj)
    return docs


def _is_controls(obj: object) -> bool:
    return isinstance(obj, dict) and ("tests" in obj or "node_type" in obj) and "id" in obj


def _is_report(obj: object) -> bool:
    return isinstance(obj, dict) and "Controls" in obj


def _node_label(obj: dict) -> str | None:
    for k in _NODE_LABEL_KEYS:
        v = obj.get(k)
        if isinstance(v, str) and v.strip():
            return v.strip()
    return None


_WRAPPER_KEYS = ("report", "results", "kube-bench", "kubebench")


def _reportish(obj: object) -> bool:
    """A kube-bench report, a --nototals list of controls, or a {"node": ..., "report": ...} wrapper."""
    if _is_report(obj):
        return True
    if isinstance(obj, list):
        return bool(obj) and all(_is_controls(x) for x in obj)
    return isinstance(obj, dict) and any(k in obj and _reportish(obj[k]) for k in _WRAPPER_KEYS)


def _split_reports(doc: object, path: str) -> list[tuple[str | None, dict | list]]:
    """(label, report) pairs in one JSON document; a report is a dict with Controls or a list of controls."""
    if _is_report(doc):
        return [(_node_label(doc), doc)]  # type: ignore[arg-type]
    if isinstance(doc, list) and doc:
        if all(_is_controls(x) for x in doc):
            return [(None, doc)]
        if all(_reportish(x) for x in doc):
            return [pair for x in doc for pair in _split_reports(x, path)]
    if isinstance(doc, dict) and doc:
        if _is_controls(doc):
            return [(None, [doc])]
        for k in _WRAPPER_KEYS:  # {"node": "cp-1", "report": {...}}
            if k in doc and _reportish(doc[k]):
                label = _node_label(doc)
                return [(label or lab, rep) for lab, rep in _split_reports(doc[k], path)]
        if all(_reportish(v) for v in doc.values()):  # {"ip-10-0-0-1": {...}, "ip-10-0-0-2": {...}}
            return [(lab or str(k), rep) for k, v in doc.items() for lab, rep in _split_reports(v, path)]
    raise InputError(
        path, 1, "JSON is not kube-bench output: expected {\"Controls\": [...]}, a list of controls, or a list of such reports"
    )


def _parse_json(text: str, path: str) -> BenchReport:
    docs = _json_documents(text, path)
    pairs: list[tuple[str | None, dict | list]] = []
    for d in docs:
        pairs.extend(_split_reports(d, path))
    if not pairs:
        raise InputError(path, 1, "JSON holds no kube-bench report")
    several = len(pairs) > 1
    labels = [lab or (f"report {i}" if several else None) for i, (lab, _) in enumerate(pairs, 1)]
    warnings: list[str] = []
    results: list[BenchResult] = []
    versions: Counter[str] = Counter()
    totals_list: list[dict[str, int] | None] = []
    for label, (_, rep) in zip(labels, pairs):
        where = f"{label}: " if label else ""
        controls = rep.get("Controls") if isinstance(rep, dict) else rep
        if controls is None:
            controls = []
        if not isinstance(controls, list):
            raise InputError(path, 1, "JSON 'Controls' is not a list")
        rep_results: list[BenchResult] = []
        ctl_totals: list[dict[str, int] | None] = []
        for ctl in controls:
            if not isinstance(ctl, dict):
                raise InputError(path, 1, "JSON control is not an object")
            version = _none_if_empty(ctl.get("version"))
            if version:
                versions[version] += 1
            node_type = _none_if_empty(ctl.get("node_type")) or _none_if_empty(ctl.get("type"))
            ctl_results: list[BenchResult] = []
            for grp in _as_list(ctl.get("tests")):
                if not isinstance(grp, dict):
                    continue
                section = _none_if_empty(grp.get("section"))
                grp_results: list[BenchResult] = []
                for chk in _as_list(grp.get("results")):
                    if not isinstance(chk, dict):
                        continue
                    r = _json_result(chk, version, label, section, node_type, warnings, where)
                    if r:
                        grp_results.append(r)
                declared = {s: grp.get(s.lower()) for s in STATUSES}
                if all(isinstance(v, int) for v in declared.values()):
                    got = _counts(grp_results)
                    if got != declared:
                        warnings.append(
                            f"{where}group {section} declares {sum(declared.values())} checks "
                            f"({_fmt_counts(declared)}) but lists {len(grp_results)} ({_fmt_counts(got)}): the report looks trimmed"
                        )
                ctl_results.extend(grp_results)
            t = {s: ctl.get("total_" + s.lower()) for s in STATUSES}
            ctl_totals.append(t if all(isinstance(v, int) for v in t.values()) else None)
            if ctl_totals[-1] is not None and _counts(ctl_results) != ctl_totals[-1]:
                warnings.append(
                    f"{where}control {ctl.get('id')} totals ({_fmt_counts(ctl_totals[-1])}) do not match its "
                    f"{len(ctl_results)} listed checks ({_fmt_counts(_counts(ctl_results))})"
                )
            rep_results.extend(ctl_results)
        totals: dict[str, int] | None = None
        if isinstance(rep, dict) and isinstance(rep.get("Totals"), dict):
            t = {s: rep["Totals"].get("total_" + s.lower()) for s in STATUSES}
            if all(isinstance(v, int) for v in t.values()):
                totals = t  # type: ignore[assignment]
        elif ctl_totals and all(t is not None for t in ctl_totals):
            totals = {s: sum(t[s] for t in ctl_totals) for s in STATUSES}  # type: ignore[index]
        if totals is not None and totals != _counts(rep_results):
            warnings.append(
                f"{where}report totals ({_fmt_counts(totals)}) do not match the {len(rep_results)} "
                f"listed checks ({_fmt_counts(_counts(rep_results))})"
            )
        totals_list.append(totals)
        results.extend(rep_results)
    if not results:
        warnings.append("the kube-bench JSON lists no checks")
    bench = None
    if versions:
        bench = versions.most_common(1)[0][0]
        if len(versions) > 1:
            warnings.append(
                "controls name several benchmark versions ("
                + ", ".join(f"{v} x{n}" for v, n in versions.most_common())
                + f"); report benchmark is {bench}, each result keeps its control's"
            )
    all_totals = None
    if totals_list and all(t is not None for t in totals_list):
        all_totals = {s: sum(t[s] for t in totals_list) for s in STATUSES}  # type: ignore[index]
    return BenchReport(results, bench, "json" if bench else "unknown", all_totals, warnings)


def _json_result(
    chk: dict, version: str | None, label: str | None, section: str | None, node_type: str | None,
    warnings: list[str], where: str,
) -> BenchResult | None:
    check = _none_if_empty(chk.get("test_number"))
    status = str(chk.get("status") or "").strip().upper()
    if check is None or status not in STATUSES:
        warnings.append(f"{where}skipped a check without a test_number or with status {chk.get('status')!r}")
        return None
    remediation = _none_if_empty(chk.get("remediation"))
    if remediation is None and isinstance(chk.get("test_info"), list):
        remediation = _none_if_empty("\n".join(str(x) for x in chk["test_info"] if x))
    scored = chk.get("scored")
    return BenchResult(
        check=check.strip(),
        status=status,
        title=str(chk.get("test_desc") or "").strip(),
        benchmark=version,
        node=label,
        section=section or _section_of(check.strip()),
        node_type=node_type,
        actual=_none_if_empty(chk.get("actual_value")),
        expected=_none_if_empty(chk.get("expected_result")),
        reason=_none_if_empty(chk.get("reason")),
        scored=scored if isinstance(scored, bool) else None,
        remediation=remediation.rstrip() if remediation else None,
    )


# ---- text ----------------------------------------------------------------------------


@dataclass(slots=True)
class _Row:
    """A result while the text is being read (remediation and node type arrive later)."""

    check: str
    status: str
    title: str
    section: str | None
    line: int
    reason: str | None = None
    remediation: list[str] | None = None


@dataclass(slots=True)
class _Control:
    cid: str
    title: str | None
    node_type: str | None = None
    rows: list[_Row] = field(default_factory=list)
    summary: dict[str, int] | None = None
    checks_depth: int | None = None  # depth of check ids in this control (2 for etcd "2.1", else 3)


@dataclass(slots=True)
class _Report:
    label: str | None
    controls: list[_Control] = field(default_factory=list)
    total: dict[str, int] | None = None
    total_done: bool = False

    def empty(self) -> bool:
        return not self.controls and self.total is None


def _depth(cid: str) -> int:
    return cid.count(".") + 1


def _has_suffix(title: str) -> bool:
    return bool(_SUFFIX_RE.search(title))


def _parse_text(text: str, path: str) -> BenchReport:
    raw_lines = text.splitlines()
    lines = [ln.strip() for ln in raw_lines]
    # "[FAIL]" alone on a line, the id and title wrapped onto the next one
    for i in range(len(lines) - 1):
        if _BARE_STATUS_RE.match(lines[i]) and _ID_LINE_RE.match(lines[i + 1]):
            lines[i], lines[i + 1] = f"{lines[i]} {lines[i + 1]}", ""

    # the next [STATUS] line's id after each line, to tell group headers from skipped checks
    next_id: list[str | None] = [None] * (len(lines) + 1)
    for i in range(len(lines) - 1, -1, -1):
        m = _RESULT_RE.match(lines[i])
        next_id[i] = next_id[i + 1]
        if m:
            next_id[i] = m.group(2)

    reports: list[_Report] = [_Report(None)]
    ctl: _Control | None = None
    group: str | None = None
    mode = "results"  # results | remediations | summary
    block_type: str | None = None
    summary_target: dict[str, int] | None = None
    last_row: _Row | None = None
    rem_row: _Row | None = None
    continuation_budget = 0
    recognised = 0
    warnings: list[str] = []

    def new_report(label: str | None = None) -> _Report:
        nonlocal ctl, group, last_row, rem_row, mode
        rep = reports[-1]
        if rep.empty():
            rep.label = label or rep.label
        else:
            rep = _Report(label)
            reports.append(rep)
        ctl, group, last_row, rem_row, mode = None, None, None, None, "results"
        return rep

    def start_control(cid: str, title: str | None) -> _Control:
        nonlocal ctl, group
        rep = reports[-1]
        if rep.total_done or (ctl is not None and _num(cid) <= _num(ctl.cid) and any(c.rows for c in rep.controls)):
            rep = new_report()
        ctl = _Control(cid, title, _control_type_from_title(title) if title else None)
        rep.controls.append(ctl)
        group = None
        return ctl

    for i, line in enumerate(lines):
        lineno = i + 1
        if not line:
            rem_row = None
            continuation_budget = 0
            continue
        m = _LABEL_RE.match(line)
        if m:
            new_report(m.group(1))
            recognised += 1
            continue
        m = _SECTION_RE.match(line)
        if m:
            recognised += 1
            kind, target = m.group(1), (m.group(2) or "").lower() or None
            last_row, rem_row, continuation_budget = None, None, 0
            if kind == "Summary" and target == "total":
                mode, block_type = "summary", "total"
                reports[-1].total = {}
                summary_target = reports[-1].total
                continue
            if ctl is None:
                ctl = _Control("?", None)
                reports[-1].controls.append(ctl)
            if target:
                ctl.node_type = target
            if kind == "Remediations":
                mode, block_type = "remediations", target
            else:
                mode, block_type = "summary", target
                ctl.summary = {}
                summary_target = ctl.summary
            continue
        m = _COUNT_RE.match(line)
        if m and mode == "summary" and summary_target is not None:
            summary_target[m.group(2).upper()] = int(m.group(1))
            if block_type == "total" and len(summary_target) == len(STATUSES):
                reports[-1].total_done = True
            recognised += 1
            continue
        m = _RESULT_RE.match(line)
        if m:
            recognised += 1
            status, cid, title = m.group(1), m.group(2), (m.group(3) or "").strip()
            mode, rem_row, continuation_budget = "results", None, 0
            if status == "INFO" and _is_header(cid, title, ctl, next_id[i + 1]):
                last_row = None
                if _depth(cid) == 1 and not (ctl is not None and ctl.cid == cid and not ctl.rows and group is None):
                    start_control(cid, title)
                else:
                    if ctl is None or cid.split(".")[0] != ctl.cid:
                        start_control(cid.split(".")[0], None)
                    group = cid
                continue
            top = cid.split(".")[0]
            if ctl is None or top != ctl.cid:
                if reports[-1].total_done:
                    new_report()
                    ctl = None
                if ctl is None or top != ctl.cid:
                    ctl = _Control(top, None)
                    reports[-1].controls.append(ctl)
                    group = None
            if ctl.checks_depth is None:
                ctl.checks_depth = _depth(cid)
            section = group if group and (cid.startswith(group + ".")) else _section_of(cid)
            last_row = _Row(cid, status, title, section, lineno)
            ctl.rows.append(last_row)
            continuation_budget = 0 if _has_suffix(title) else 3
            continue
        # anything else: a wrapped title, a remediation line, or noise
        if mode == "results":
            if last_row is not None and continuation_budget > 0 and not raw_lines[i].startswith("\t"):
                last_row.title = f"{last_row.title} {line}".strip()
                continuation_budget = 0 if _has_suffix(last_row.title) else continuation_budget - 1
            continue
        if mode == "remediations" and ctl is not None:
            m = _ID_LINE_RE.match(line)
            row = _find_row(ctl, m.group(1)) if m else None
            if row is not None and m is not None:
                recognised += 1
                body = m.group(2)
                rm = _REASON_RE.match(body)
                if rm:
                    row.reason = rm.group(1).strip() or None
                    rem_row = None
                else:
                    row.remediation = [body]
                    rem_row = row
                continue
            if rem_row is not None and rem_row.remediation is not None:
                rem_row.remediation.append(line)
            continue

    reports = [r for r in reports if not r.empty()]
    if not reports or recognised == 0 or not any(c.rows or c.summary for r in reports for c in r.controls) and not any(
        r.total for r in reports
    ):
        raise InputError(
            path, 1, "not kube-bench output: no JSON and no '[PASS|FAIL|WARN|INFO] <id> <text>' or '== Summary ==' lines"
        )

    several = len(reports) > 1
    results: list[BenchResult] = []
    totals_list: list[dict[str, int] | None] = []
    for n, rep in enumerate(reports, 1):
        label = rep.label or (f"report {n}" if several else None)
        where = f"{label}: " if label else ""
        rep_results: list[BenchResult] = []
        for c in rep.controls:
            node_type = c.node_type  # from "== Summary <type> ==", else the control header's words
            ctl_results = [
                BenchResult(
                    check=row.check,
                    status=row.status,
                    title=row.title,
                    benchmark=None,
                    node=label,
                    section=row.section,
                    node_type=node_type,
                    actual=None,
                    expected=None,
                    reason=row.reason,
                    scored=True if row.status == "FAIL" else None,
                    remediation="\n".join(row.remediation).strip() or None if row.remediation else None,
                )
                for row in c.rows
            ]
            if c.summary:
                summ = {s: c.summary.get(s, 0) for s in STATUSES}
                c.summary = summ
                if summ != _counts(ctl_results):
                    warnings.append(
                        f"{where}summary of {node_type or 'control ' + c.cid} ({_fmt_counts(summ)}) does not match "
                        f"its {len(ctl_results)} listed checks ({_fmt_counts(_counts(ctl_results))})"
                    )
            rep_results.extend(ctl_results)
        totals: dict[str, int] | None = None
        if rep.total:
            totals = {s: rep.total.get(s, 0) for s in STATUSES}
        elif rep.controls and all(c.summary for c in rep.controls):
            totals = {s: sum(c.summary[s] for c in rep.controls) for s in STATUSES}  # type: ignore[index]
        if totals is not None and totals != _counts(rep_results):
            warnings.append(
                f"{where}report totals ({_fmt_counts(totals)}) do not match the {len(rep_results)} "
                f"listed checks ({_fmt_counts(_counts(rep_results))})"
            )
        totals_list.append(totals)
        results.extend(rep_results)
    if not results:
        warnings.append("the report lists no checks (kube-bench --noresults?)")
    all_totals = None
    if totals_list and all(t is not None for t in totals_list):
        all_totals = {s: sum(t[s] for t in totals_list) for s in STATUSES}  # type: ignore[index]
    return BenchReport(results, None, "unknown", all_totals, warnings)


def _num(cid: str) -> tuple[int, ...]:
    try:
        return tuple(int(p) for p in cid.split("."))
    except ValueError:
        return (0,)


def _is_header(cid: str, title: str, ctl: _Control | None, following: str | None) -> bool:
    """An `[INFO] <id> <text>` line is a control/group header, or a check marked skip."""
    if _depth(cid) == 1:
        return True
    if _has_suffix(title):
        return False  # check texts end in (Automated)/(Manual)/(Scored)/(Not Scored)
    if following is not None and following.startswith(cid + "."):
        return True
    if ctl is not None and ctl.checks_depth is not None:
        return _depth(cid) < ctl.checks_depth
    return _depth(cid) == 2


def _find_row(ctl: _Control, cid: str) -> _Row | None:
    for row in reversed(ctl.rows):
        if row.check == cid:
            return row
    return None
