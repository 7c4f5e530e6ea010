"""`specpatch explain`: one check across benchmarks and targets, for the person deciding a fix."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from specpatch.benchmarks.profiles import Check

# lint and the review formats hand explain_check around without calling it: its imports wait for a call.


def _find(check: str, benchmark: str) -> tuple[Check, str]:
    from specpatch.benchmarks import profiles

    bench = profiles.benchmark(benchmark)
    c = bench.check(check)
    if c is not None:
        return c, benchmark
    flag = check.lstrip("-")
    for c in bench.checks:
        if c.rule is not None and any(t.flag == flag for t in c.rule.tests):
            return c, benchmark
    raise KeyError(f"no check {check!r} in {benchmark} (try `specpatch explain 1.2.16 --benchmark cis-1.12`)")


def _render_when(entries) -> str:
    if entries is None:
        return "-"
    if not isinstance(entries, list):
        return str(entries)
    parts = []
    for e in entries:
        cond = ", ".join(f"{k} {v}" for k, v in (e.get("when") or {}).items()) or "always"
        parts.append(f"{e.get('value')} ({cond})")
    return "; ".join(parts)


def explain_check(check: str, benchmark: str = "cis-1.12") -> str:
    """A readable page about one check id (or flag name) in one benchmark."""
    from specpatch.benchmarks import profiles
    from specpatch.kops.settings import COMPONENT_BLOCKS, flag_fields
    from specpatch.text.naming import camel_to_snake

    c, bname = _find(check, benchmark)
    lines = [f"{c.id} {c.title}", f"benchmark: {bname}   section: {c.section}   scored: {'yes' if c.scored else 'no'}   kind: {c.kind}{' (manual)' if c.manual else ''}"]
    rule = c.rule
    if rule is None:
        lines.append("No component flag decides this check: it is verified on the node or in the running cluster (NOT-IN-SPEC), or by hand (WARN).")
        return "\n".join(lines)
    from specpatch.engine import describe_expected

    lines.append(f"component: {rule.component}   test: {describe_expected(c)}")
    if rule.remediation:
        lines.append(f"remediation: {rule.remediation}")
    # The same flag's id in every bundled benchmark.
    ids = []
    for other in profiles.benchmark_names():
        for oc in profiles.benchmark(other).checks:
            if oc.rule is not None and oc.rule.id == rule.id:
                ids.append(f"{other} {oc.id}")
    lines.append("ids: " + ", ".join(ids))
    mapping = profiles.kops_mapping()["components"].get(rule.component, {})
    entry = (mapping.get("flags") or {}).get(rule.flag, {})
    block = COMPONENT_BLOCKS.get(rule.component)
    field = entry.get("field") and "spec." + entry["field"]
    if not field and block:
        name = flag_fields(block).get(rule.flag)
        field = name and f"spec.{block}.{name}"
    if entry.get("computed") == "admission":
        field = "spec.kubeAPIServer.appendAdmissionPlugins (or enableAdmissionPlugins, which replaces kops's list)"
    if entry.get("computed") == "authorization":
        field = "spec.authorization.rbac: {} (or spec.kubeAPIServer.authorizationMode)"
    if entry.get("computed") in ("encryption", "encryption-provider"):
        field = "spec.encryptionConfig: true (plus `kops create secret encryptionconfig`)"
    if entry.get("computed") == "scheduler-profiling":
        field = "KubeSchedulerConfiguration document: enableProfiling"
    lines.append("kops:")
    lines.append(f"  field: {field or 'none'}" + (" (and spec.masterKubelet, InstanceGroup spec.kubelet)" if rule.component == "kubelet" and field else ""))
    if field and field.startswith("spec.") and " " not in field:
        parts = field.split(".")[1:]
        lines.append(f"  terraform provider: {' { '.join(camel_to_snake(p) for p in parts)}" + " }" * (len(parts) - 1))
    if entry.get("forced"):
        lines.append(f"  nodeup always sets: {entry['forced']}")
    lines.append(f"  kops default when unset: {_render_when(entry.get('kops'))}")
    lines.append(f"  component default: {_render_when(entry.get('component'))}")
    if entry.get("removed_in"):
        lines.append(f"  flag removed in Kubernetes {entry['removed_in']}")
    for key in ("unfixable", "ineffective"):
        if entry.get(key):
            lines.append(f"  note: {entry[key]}")
    try:
        from specpatch.kubespray.mapping import explain_lines

        lines += explain_lines(rule)
    except ImportError:
        pass
    return "\n".join(lines)
