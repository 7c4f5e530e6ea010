"""Inventory hygiene kubespray itself would trip over: removed variables, admission plugins that
need configuration the inventory lacks, PodSecurity defaults that silently do nothing, a kube_version
spelling the release rejects, plaintext secrets. Findings in the `inventory` section, benchmark
`specpatch`, so every output format shows them."""

from __future__ import annotations

from specpatch import versions
from specpatch.model import FAIL, WARN, Finding
from specpatch.kubespray.mapping import KubespraySettings, mapping, show, truthy
from specpatch.kubespray.inventory import Inventory, Var, unquoted_jinja

SPEC_BENCHMARK = "specpatch"
ADMISSION = "kube_apiserver_enable_admission_plugins"


def _finding(check: str, title: str, status: str, var: Var | None, message: str, fixable: bool = False, field: str | None = None) -> Finding:
    return Finding(
        check=check,
        benchmark=SPEC_BENCHMARK,
        status=status,
        title=title,
        section="inventory",
        field=field or (var.name if var else None),
        actual=None if var is None else (var.expr or show(var.value)),
        origin=var.origin if var else None,
        location=var.location if var else None,
        message=message,
        fixable=fixable,
        scored=False,
    )


def removed_vars(inv: Inventory) -> list[Finding]:
    """Variables kubespray no longer reads (WARN) or rejects outright (FAIL), wherever they are set."""
    table = mapping().get("removed_vars") or {}
    out = []
    for vf in inv.all_files():
        for name, key in vf.keys().items():
            info = table.get(name)
            if info is None:
                continue
            node = vf.root.value.get(name) if vf.root is not None else None
            var = Var(name, node.plain() if node is not None else None, "spec", vf, key)
            status = FAIL if info.get("fails") else WARN
            since = f" (since kubespray v{info['since']})" if info.get("since") else ""
            out.append(_finding("KS001", "Removed kubespray variable", status, var, f"{name}{since}: {info['message']}"))
    return out


def unquoted(inv: Inventory) -> list[Finding]:
    """Unquoted `{{ ... }}` values: YAML reads a mapping, and Ansible stops with "found unhashable key"."""
    out = []
    for vf in inv.all_files():
        if vf.root is None or vf.root.kind != "map":
            continue
        for name, node in vf.root.value.items():
            if unquoted_jinja(vf.text, node):
                var = Var(name, None, "spec", vf, (vf.root.keys or {}).get(name), node, vf.text[node.start:].split("\n", 1)[0].strip())
                out.append(_finding("KS008", "Unquoted Jinja value", FAIL, var,
                                    f"{name}: a value starting with {{{{ must be quoted (\"{{{{ ... }}}}\"); unquoted, Ansible cannot load {vf.path}"))
    return out


def _plugins(s: KubespraySettings) -> list[str]:
    v = s.value(ADMISSION)
    return [str(p) for p in v] if isinstance(v, list) else []


def admission_traps(s: KubespraySettings) -> list[Finding]:
    """Plugins kubespray enables but cannot configure, or configuration it never writes."""
    out = []
    plugins = _plugins(s)
    listvar = s.var(ADMISSION)
    info = mapping().get("admission_plugins") or {}
    config_on = truthy(s.value("kube_apiserver_admission_control_config_file"))
    if "EventRateLimit" in plugins and not (config_on and s.value("kube_apiserver_admission_event_rate_limits")):
        out.append(_finding(
            "KS002", "Admission plugin enabled without its configuration", FAIL, listvar,
            "EventRateLimit needs kube_apiserver_admission_control_config_file: true and a non-empty "
            "kube_apiserver_admission_event_rate_limits; without them the API server refuses to start. "
            f"{s.describe('kube_apiserver_admission_control_config_file')}", fixable=True))
    if "ImagePolicyWebhook" in plugins and config_on:
        out.append(_finding(
            "KS002", "Admission plugin enabled without its configuration", FAIL, listvar,
            "ImagePolicyWebhook is in kubespray's needs-configuration list but kubespray ships no template for it: "
            "the task that pushes admission configuration fails"))
    if truthy(s.value("kube_pod_security_use_default")) and not ("PodSecurity" in plugins and config_on):
        out.append(_finding(
            "KS003", "PodSecurity defaults are not written", WARN, s.var("kube_pod_security_use_default"),
            "kube_pod_security_use_default takes effect only when PodSecurity is listed in "
            f"{ADMISSION} and kube_apiserver_admission_control_config_file is true; otherwise no "
            "PodSecurityConfiguration is written and the cluster-wide defaults silently do nothing", fixable=True))
    for p in plugins:
        gone = (info.get(p) or {}).get("removed_in")
        if gone and s.k8s is not None and s.k8s >= versions.parse_minor(gone):  # type: ignore[operator]
            out.append(_finding(
                "KS004", "Admission plugin removed from Kubernetes", FAIL, listvar,
                f"admission plugin {p} was removed in Kubernetes {gone}; the API server of {versions.fmt(s.k8s)} refuses to start with it"))
    return out


def version_traps(s: KubespraySettings, kubespray: str) -> list[Finding]:
    out = []
    v = s.var("kube_version")
    if v is not None and v.file is not None and not v.expr and str(v.value).startswith("v") and versions.parse_minor(kubespray) >= (2, 28):  # type: ignore[operator]
        out.append(_finding(
            "KS005", "kube_version spelled with a leading v", WARN, v,
            f"kubespray {kubespray} expects kube_version without the v (e.g. {str(v.value)[1:]}); "
            "its checksum lookup fails on the v form"))
    tok = s.var("kube_encrypt_token")
    if tok is not None and tok.file is not None and not tok.expr and tok.value:
        out.append(_finding(
            "KS006", "Plaintext secret in the inventory", WARN, tok,
            "kube_encrypt_token holds the encryption-at-rest key in plain text; keep it in Ansible Vault or let kubespray generate it"))
    return out


def quoted_false(s: KubespraySettings) -> list[Finding]:
    """A quoted "false" in a variable kubespray tests with `{% if %}` switches the feature ON."""
    names = {c["var"] for comp in mapping()["components"].values() for e in _entries(comp)
             for c in e.get("if") or [] if c.get("is", "truthy") in ("truthy", "falsy")}
    out = []
    for name in sorted(names):
        v = s.var(name)
        if v is not None and v.file is not None and isinstance(v.value, str) and v.value.strip().lower() in ("false", "no", "off", "0"):
            out.append(_finding(
                "KS007", "Quoted false is true for kubespray's templates", WARN, v,
                f"{name}: {v.value!r} is a non-empty string, which kubespray's `{{% if {name} %}}` treats as true; write {name}: false unquoted"))
    return out


def _entries(comp: dict) -> list[dict]:
    out = list((comp.get("flags") or {}).values())
    for mode in (comp.get("modes") or {}).values():
        out += list((mode.get("flags") or {}).values())
    return out


def inventory_findings(inv: Inventory, cp: KubespraySettings, kubespray: str) -> list[Finding]:
    """Every hygiene finding for one inventory (admission and version checks use the control-plane view)."""
    return removed_vars(inv) + unquoted(inv) + admission_traps(cp) + version_traps(cp, kubespray) + quoted_false(cp)
