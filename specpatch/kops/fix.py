"""Findings of a kops cluster -> the smallest edits of the user's own file that fix them.

The plan follows kops semantics: plugins go to appendAdmissionPlugins unless the file already
owns enableAdmissionPlugins; the kubelet is fixed in the layer the value comes from; multi-field
fixes (audit logging, encryption at rest) emit every field they need.
"""

from __future__ import annotations


from specpatch.benchmarks import profiles
from specpatch import versions
from specpatch.model import FAIL, WARN, FilePatch, Finding, PNode, TargetReport, refit
from specpatch.options import Options
from specpatch.kops import fix_content as content
from specpatch.kops.fix_groups import (_audit_order, _minimums, _pinned_policy_path, _plan_admission, _plan_audit,
                                       _plan_authorization, _plan_scheduler)
from specpatch.kops.fix_safety import annotate, present_prerequisites
from specpatch.kops.lint import kops_release, lint_cluster, newest_kops  # noqa: F401
from specpatch.kops.document import KopsCluster
from specpatch.kops.settings import COMPONENT_BLOCKS
from specpatch.text.yamlplan import apply_plan
from specpatch.plan import FixError, Plan, Want, settle

AUDIT_POLICY = content.audit_policy(None)  # the policy for the newest Kubernetes (kept for callers of the old name)
AUDIT_POLICY_PATH = content.AUDIT_POLICY_PATH
AUDIT_FLAGS = {"audit-log-path", "audit-log-maxage", "audit-log-maxbackup", "audit-log-maxsize", "audit-policy-file"}


def _typed(value, gotype: str | None):
    """A fix value in the YAML type kops expects for the field (bools and ints unquoted)."""
    if value is None:
        return None
    t = (gotype or "").lstrip("*")
    s = str(value)
    if t == "bool":
        return s.lower() == "true" if not isinstance(value, bool) else value
    if t.startswith("int"):
        try:
            return int(s)
        except ValueError:
            return value
    if t == "[]string":
        return value if isinstance(value, list) else [v for v in s.split(",") if v]
    return value if isinstance(value, (list, dict)) else s


def _field_target(cluster: KopsCluster, field: str) -> tuple[int, list[str]]:
    """(document, key path) of a dotted field as findings spell it (InstanceGroup/NAME:spec.kubelet.x)."""
    if field.startswith("InstanceGroup/"):
        head, _, rest = field.partition(":")
        name = head.split("/", 1)[1]
        for ig in cluster.instance_groups:
            if ig.name == name:
                return ig.doc, rest.split(".")
        raise FixError(f"instance group {name} not found")
    return cluster.doc, field.split(".")


def _fix_value(settings_entry: dict, rule) -> object:
    """The rule's own value (an organization profile may have tightened it) over kops's usual one."""
    fix = rule.fix or {}
    usual = settings_entry.get("fix_value")
    if fix.get("value") is not None and (usual is None or fix.get("org") or _at_least(rule, usual)):
        return fix["value"]
    if settings_entry.get("fix_value") is not None:
        return settings_entry["fix_value"]
    return fix.get("value")


def _at_least(rule, usual: object) -> bool:
    """True when the rule's threshold asks for more than the usual fix value gives."""
    t = rule.tests[0]
    try:
        return t.op in ("gte", "gt") and float(str(t.value)) > float(str(usual))
    except (TypeError, ValueError):
        return False


def wanted(f: Finding, opts: Options) -> bool:
    """Which findings a fix run acts on: every fixable FAIL, and WARNs the user named with --only."""
    if not f.fixable or not opts.selected(f.check):
        return False
    if f.status == FAIL:
        return True
    return f.status == WARN and bool(opts.only)


def _node_at(cluster: KopsCluster, doc: int, path: list[str]) -> PNode | None:
    docs = cluster.all_docs
    node = docs[doc] if 0 <= doc < len(docs) else None
    for key in path:
        if node is None or node.kind != "map":
            return None
        node = node.get(key)
    return node


def _unreadable(cluster: KopsCluster, w: Want) -> str | None:
    """The expression at (or above) the edited path, if any: lint could not read it, so fix must not edit it."""
    docs = cluster.all_docs
    node = docs[w.doc] if 0 <= w.doc < len(docs) else None
    for key in w.path:
        if node is None:
            return None
        if node.expr is not None:
            return node.expr
        node = node.get(key) if node.kind == "map" else None
    return node.expr if node is not None else None


def plan_cluster(cluster: KopsCluster, findings: list[Finding], opts: Options, *, settled: bool = True,
                 rollout: bool = True) -> Plan:
    """The plan these options admit (settled: safety classes, prerequisites, groups); settled=False gives
    every Want planned, for callers that block more of them before settling (Terraform)."""
    plan = raw_plan(cluster, findings, opts, rollout=rollout)
    if not settled:
        return plan
    kv = kops_release(cluster.k8s, opts.kops_version)[0]
    return settle(plan, opts.unsafe_fixes, present_prerequisites(cluster, kv) | set(opts.assume))


def raw_plan(cluster: KopsCluster, findings: list[Finding], opts: Options, *, rollout: bool = True) -> Plan:
    """Wants for every selected finding, each with its safety class and rollout, deduplicated (a Want
    that serves several checks lists them all); notes for what no field can fix. rollout=False leaves
    the roles and rollout text out, for lint, which asks only what the settled plan fixes."""
    kv = kops_release(cluster.k8s, opts.kops_version)[0]
    k8s = cluster.k8s
    mapping = profiles.kops_mapping()
    fields = profiles.kops_fields()
    plan = Plan()
    bench = profiles.benchmark(findings[0].benchmark) if findings and findings[0].benchmark != "specpatch" else None
    seen: dict[tuple, Want] = {}
    current: list[Finding] = []

    def add(w: Want) -> None:
        f = current[0]
        expr = _unreadable(cluster, w)
        if expr is not None:
            plan.why_not.setdefault(w.check, f"{'.'.join(w.path)} holds {expr}, which lint cannot read; change the value "
                                    "it comes from (the template's values file or variable) instead")
            return
        annotate(w, cluster, kv, f.actual, rollout=rollout)
        key = (w.action, w.doc, tuple(w.path), repr(w.value))
        old = seen.get(key)
        if old is None:
            seen[key] = w
            plan.wants.append(w)
        elif w.check not in old.all_checks:
            old.shared.append(w.check)
        if w.check not in plan.checks:
            plan.checks.append(w.check)

    def cannot(f: Finding, why: str) -> None:
        plan.why_not.setdefault(f.check, why)

    for f in findings:
        acted_on = f.status == FAIL or (f.status == WARN and bool(opts.only))
        if acted_on and not f.fixable and f.message and opts.selected(f.check) and f.benchmark != "specpatch":
            plan.notes.append(f"{f.check} {f.title}: {f.message}")
        if not wanted(f, opts) or bench is None:
            continue
        check = bench.check(f.check)
        if check is None or check.rule is None:
            continue
        current[:] = [f]
        rule = check.rule
        entry = (mapping["components"].get(rule.component, {}).get("flags") or {}).get(rule.flag, {})
        computed = entry.get("computed")
        api = ["spec", "kubeAPIServer"]
        if computed == "admission":
            _plan_admission(cluster, rule, f, add, cannot, k8s, kv)
        elif computed == "authorization":
            _plan_authorization(cluster, f, add, k8s, kv)
        elif computed in ("encryption", "encryption-provider"):
            add(Want("set", cluster.doc, ["spec", "encryptionConfig"], True, f.check))
            plan.notes.append(
                f"{f.check}: encryption at rest also needs the key: write an EncryptionConfiguration (aescbc or kms provider) and run "
                f"`kops create secret encryptionconfig -f encryptionconfig.yaml --name {cluster.name} --state <store>` before `kops update cluster`."
            )
        elif computed == "basic-auth":
            if f.field == "spec.kubeAPIServer.disableBasicAuth" and kv >= (1, 11):
                add(Want("set", cluster.doc, api + ["disableBasicAuth"], True, f.check))
            else:
                cannot(f, "kops before 1.11 has no disableBasicAuth; remove basicAuthFile or upgrade kops")
        elif computed == "scheduler-profiling":
            _plan_scheduler(cluster, f, add, cannot, opts, k8s, kv)
        elif rule.flag in AUDIT_FLAGS and rule.component == "kube-apiserver":
            _plan_audit(cluster, f, add, cannot, _minimums(bench), k8s, kv, _pinned_policy_path(bench))
        elif rule.component == "etcd":
            cannot(f, "etcd settings are environment variables under spec.etcdClusters[].manager.env; set them by hand")
        else:
            test = rule.tests[0]
            if test.op == "absent" and rule.bin_op != "or" and f.field:
                doc, path = _field_target(cluster, f.field)
                add(Want("unset", doc, path, None, f.check))
                continue
            block = COMPONENT_BLOCKS.get(rule.component, "")
            if test.op == "nothave" and f.field and f.origin == "spec":
                doc, path = _field_target(cluster, f.field)
                if fields.get(block, {}).get(path[-1], {}).get("type", "").endswith("[]string"):
                    add(Want("remove", doc, path, [test.value], f.check))
                    continue
            value = _fix_value(entry, rule)
            if value is None or not f.field:
                cannot(f, f"no value to set automatically; {rule.remediation}")
                continue
            doc, path = _field_target(cluster, f.field)
            since = fields.get(block, {}).get(path[-1], {}).get("since")
            if since and versions.parse_minor(str(since)) and kv < versions.parse_minor(str(since)):
                cannot(f, f"{'.'.join(path)} needs kops {since} or newer (this run models kops {versions.fmt(kv)})")
                continue
            gotype = fields.get(block, {}).get(path[-1], {}).get("type")
            add(Want("set", doc, path, _typed(value, gotype), f.check))
    _audit_order(plan)
    return plan


def settled_plan(cluster: KopsCluster, report: TargetReport, opts: Options, *, rollout: bool = True) -> Plan:
    """The plan these options admit: the one decision lint (fixable) and fix (edits) share."""
    return plan_cluster(cluster, report.findings, opts, rollout=rollout)


def mark_fixable(report: TargetReport, plan: Plan) -> TargetReport:
    """A FAIL is fixable exactly when the settled plan fixes its check; otherwise the finding says why not."""
    fixed = set(plan.checks)
    out = []
    for f in report.findings:
        planned = f.status == FAIL or (f.status == WARN and f.check in plan.why_not)  # WARNs are acted on with --only
        if f.fixable and f.check not in fixed and planned and f.benchmark != "specpatch":
            why = plan.why_not.get(f.check) or next((n.split(": ", 1)[1] for n in plan.notes if n.startswith(f.check + " ")), "")
            msg = "; ".join(p for p in (f.message, why) if p) if why not in f.message else f.message
            f = refit(f, f.location, f.scope, False, msg or "fix has no edit for this check here")
        out.append(f)
    report.findings = out
    return report


def mark_fixed(report: TargetReport, patches: list[FilePatch]) -> TargetReport:
    """After a dry run of a fixer with its own limits (templates): FAILs it did not fix are not fixable,
    with the fixer's note for the check."""
    fixed = {c for p in patches for c in p.checks}
    notes = [n for p in patches for n in p.notes]
    why = {}
    for n in notes:
        head = n.split(" ", 1)[0].rstrip(":")
        why.setdefault(head, n.split(": ", 1)[-1])
    plan = Plan(checks=sorted(fixed), why_not={c: r for c, r in why.items() if c not in fixed})
    return mark_fixable(report, plan)


def lint_settled(cluster: KopsCluster, opts: Options) -> TargetReport:
    """lint, with `fixable` meaning what fix will do under the same options."""
    report = lint_cluster(cluster, benchmark=opts.benchmark, kops_version=opts.kops_version)
    if not any(f.fixable and (f.status == FAIL or (f.status == WARN and opts.only)) for f in report.findings):
        return report  # the plan acts only on fixable FAILs (and WARNs named by --only): a hardened spec needs none
    return mark_fixable(report, settled_plan(cluster, report, opts, rollout=False))


def fix_cluster(cluster: KopsCluster, opts: Options) -> list[FilePatch]:
    """Lint, plan, settle, splice, verify. Raises FixError (and writes nothing) when verification fails."""
    from specpatch.kops.document import clusters_from_text

    report = lint_cluster(cluster, benchmark=opts.benchmark, kops_version=opts.kops_version)
    plan = settled_plan(cluster, report, opts)
    notes = list(dict.fromkeys(plan.notes))
    if not plan.wants:
        return [FilePatch(cluster.path, cluster.text, cluster.text, [], notes, [])]
    after = apply_plan(cluster.text, cluster.path, plan, annotate=opts.annotate)

    def relint(text: str):
        found = [c for c in clusters_from_text(text, cluster.path) if c.name == cluster.name]
        if not found:
            raise FixError("the patched file lost its Cluster document")
        return lint_cluster(found[0], benchmark=opts.benchmark or report.benchmark, kops_version=opts.kops_version)

    from specpatch.text.verify import verify

    verify(cluster.text, after, cluster.path, plan, report, relint)
    return [FilePatch(cluster.path, cluster.text, after, plan.checks, notes, list(plan.wants))]
