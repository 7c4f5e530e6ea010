"""The cross-version crosswalk: which id each (component, flag) check has in each benchmark,
and the (component, flag) a check title names.

IDs move between benchmark versions but titles barely change, so the title is the stable way to map
a check from one benchmark to another. Standard library only.
"""

from __future__ import annotations

import re

from specpatch.kubebench.results import _SUFFIX_RE, BenchResult

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
# The numbering of cis-1.3/cis-1.4 and the 1.6/1.7/1.8 sets: 1.1 API Server, 1.2 Scheduler, 1.3 Controller
# Manager, 1.4 configuration files, 1.5 etcd, 2.1 Kubelet, 2.2 node configuration files.
_OLD_SECTION_COMPONENT = {"1.1": "apiserver", "1.2": "scheduler", "1.3": "controller-manager", "1.5": "etcd", "2.1": "kubelet"}
OLD_BENCHMARKS = ("1.6", "1.7", "1.8", "cis-1.3", "cis-1.4")  # kube-bench's names of the old-numbering benchmarks
# JSON `version` of the retired benchmarks is the Kubernetes version of their YAML (cfg/cis-1.3 says 1.11).
JSON_VERSION_NAMES = {"1.11": "cis-1.3", "1.12": "cis-1.3", "1.13": "cis-1.4", "1.14": "cis-1.4"}


def old_numbering_sections(sections: dict[str, str]) -> bool:
    """True when a benchmark's sections use the old numbering (1.1 is the API server)."""
    return "api server" in str(sections.get("1.1", "")).lower()


def component_for(check: str, hint: str | None, old: bool = False) -> str | None:
    """The component a check id belongs to in its numbering (stable within one), else the title's hint."""
    group = ".".join(check.split(".")[:2])
    if old:
        return _OLD_SECTION_COMPONENT.get(group) or hint
    if check == "2" or check.startswith("2."):
        return "etcd"
    return _SECTION_COMPONENT.get(group) or hint


def _component_for(check: str, hint: str | None) -> str | None:
    return component_for(check, hint, False)


def is_old_report(results: list[BenchResult]) -> bool:
    """The report uses the old numbering: 1.1.x checks name API-server flags, or 2.1.x checks exist
    (current benchmarks have only file checks in 1.1 and two-part etcd ids in 2)."""
    votes = 0
    for r in results:
        parts = r.check.split(".")
        if not parts[0].isdigit():
            continue
        _, flag = flag_from_title(r.title)
        if len(parts) == 3 and parts[:2] == ["1", "1"]:
            votes += 1 if flag else 0
        elif len(parts) == 3 and parts[0] == "2":
            votes += 1
        elif len(parts) == 3 and parts[:2] == ["4", "2"]:
            votes -= 1
    return votes > 0


# STIG and managed-cluster checks name settings in words, not flags (cfg/eks-stig-kubernetes-v1r6).
_WORD_FLAGS = (
    (re.compile(r"read-only port", re.I), "read-only-port"),
    (re.compile(r"anonymous authentication", re.I), "anonymous-auth"),
    (re.compile(r"explicit authorization|non-privileged users from executing privileged", re.I), "authorization-mode:AlwaysAllow"),
    (re.compile(r"kernel protection", re.I), "protect-kernel-defaults"),
    (re.compile(r"hostname override", re.I), "hostname-override"),
    (re.compile(r"insecure port", re.I), "insecure-port"),
    (re.compile(r"insecure bind address", re.I), "insecure-bind-address"),
    (re.compile(r"\bprofiling\b", re.I), "profiling"),
    (re.compile(r"static ?PodPath|static pods", re.I), "pod-manifest-path"),
)
_EXPECTED_FLAG = re.compile(r"'--([a-z][a-z0-9-]*)'")
_EXPECTED_PATH = re.compile(r"'\{\.([A-Za-z.]+)\}'")
_PATH_FLAGS = {"readOnlyPort": "read-only-port", "authentication.anonymous.enabled": "anonymous-auth",
               "authorization.mode": "authorization-mode:AlwaysAllow", "protectKernelDefaults": "protect-kernel-defaults",
               "eventRecordQPS": "event-qps", "rotateCertificates": "rotate-certificates",
               "streamingConnectionIdleTimeout": "streaming-connection-idle-timeout",
               "makeIPTablesUtilChains": "make-iptables-util-chains", "authentication.x509.clientCAFile": "client-ca-file"}


def flag_from_text(title: str, expected: str | None = None) -> tuple[str | None, str | None]:
    """(component hint, flag) from a check whose id no benchmark knows: the title's flag, else the
    settings a STIG title names in words, else the flag or config path in kube-bench's expected_result."""
    hint, flag = flag_from_title(title)
    if flag is not None:
        return hint, flag
    text = " ".join((title or "").split())
    if _FILE_CHECK_RE.search(text):
        return hint, None
    for rx, name in _WORD_FLAGS:
        if rx.search(text):
            return hint, name
    m = _EXPECTED_FLAG.search(expected or "")
    if m:
        return hint, m.group(1)
    m = _EXPECTED_PATH.search(expected or "")
    if m and m.group(1) in _PATH_FLAGS:
        return hint or "kubelet", _PATH_FLAGS[m.group(1)]
    return hint, None


def _result_key(r: BenchResult, old: bool = False) -> Key | None:
    comp_hint, flag = flag_from_title(r.title)
    if flag is None:
        return None
    comp = component_for(r.check, comp_hint, old)
    if comp is None:
        return None
    key = (comp, flag)
    return key if old or key in _KNOWN_KEYS else None


def check_key(r: BenchResult, old: bool = False) -> Key | None:
    """(component, flag) a result is about, stable across benchmark versions; None for node-level checks.

    `old`: the report uses the old numbering (1.1 API Server, 1.2 Scheduler, ...)."""
    return _result_key(r, old)


def ids_in(benchmark: str, key: Key) -> frozenset[str]:
    """The ids the check with this (component, flag) has in a benchmark (empty when it has none)."""
    return _XWALK.get(benchmark, {}).get(key, frozenset())
