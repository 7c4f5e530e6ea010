"""Findings of a kops cluster -> the smallest edits of the user's own file that fix them.

The plan follows kops semantics: plugins go to appendAdmissionPlugins unless the file already
owns enableAdmissionPlugins; the kubelet is fixed in the layer the value comes from; multi-field
fixes (audit logging, encryption at rest) emit every field they need.
"""

from __future__ import annotations

import re
from dataclasses import replace

from specpatch.benchmarks import profiles
from specpatch import versions
from specpatch.model import FAIL, WARN, FilePatch, Finding, PNode, TargetReport
from specpatch.options import Options
from specpatch.kops import fix_content as content
from specpatch.kops.fix_safety import annotate, present_prerequisites
from specpatch.kops.lint import kops_release, lint_cluster, newest_kops  # noqa: F401
from specpatch.kops.document import KopsCluster
from specpatch.kops.settings import COMPONENT_BLOCKS
from specpatch.text.yamlplan import apply_plan
from specpatch.plan import FixError, Plan, Want, settle

AUDIT_POLICY = content.audit_policy(None)  # the policy for the newest Kubernetes (kept for callers of the old name)
AUDIT_POLICY_PATH = content.AUDIT_POLICY_PATH
AUDIT_FLAGS = {"audit-log-path", "audit-log-maxage", "audit-log-maxbackup", "audit-log-maxsize", "audit-policy-file"}
PLUGIN_NAME = re.compile(r"^[A-Z][A-Za-z]+$")


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


def _minimums(bench) -> dict[str, int]:
    """The audit-log thresholds the benchmark (with any organization profile) asks for."""
    out = {"auditLogMaxAge": 30, "auditLogMaxBackups": 10, "auditLogMaxSize": 100}
    fields = {"audit-log-maxage": "auditLogMaxAge", "audit-log-maxbackup": "auditLogMaxBackups", "audit-log-maxsize": "auditLogMaxSize"}
    for c in bench.checks if bench is not None else []:
        r = c.rule
        if r is not None and r.component == "kube-apiserver" and r.flag in fields and r.tests[0].op in ("gte", "gt"):
            try:
                need = int(float(str(r.tests[0].value))) + (1 if r.tests[0].op == "gt" else 0)
            except ValueError:
                continue
            out[fields[r.flag]] = max(out[fields[r.flag]], need)
    return out


def _pinned_policy_path(bench) -> str | None:
    """The audit policy path a benchmark asks for by value (old benchmarks test --audit-policy-file by equality)."""
    for c in bench.checks if bench is not None else []:
        r = c.rule
        if r is not None and r.component == "kube-apiserver" and r.flag == "audit-policy-file":
            if r.fix and r.fix.get("value"):
                return str(r.fix["value"])
            eq = [t for t in r.tests if t.op == "eq" and t.value]
            if eq:
                return str(eq[0].value)
    return None


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


def plan_cluster(cluster: KopsCluster, findings: list[Finding], opts: Options, *, settled: bool = True) -> Plan:
    """The plan these options admit (settled: safety classes, prerequisites, groups); settled=False gives
    every Want planned, for callers that block more of them before settling (Terraform)."""
    plan = raw_plan(cluster, findings, opts)
    if not settled:
        return plan
    kv = kops_release(cluster.k8s, opts.kops_version)[0]
    return settle(plan, opts.unsafe_fixes, present_prerequisites(cluster, kv) | set(opts.assume))


def raw_plan(cluster: KopsCluster, findings: list[Finding], opts: Options) -> Plan:
    """Wants for every selected finding, each with its safety class and rollout, deduplicated (a Want
    that serves several checks lists them all); notes for what no field can fix."""
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
        annotate(w, cluster, kv, f.actual)
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


AUDIT_ORDER = ("auditLogPath", "auditLogMaxAge", "auditLogMaxBackups", "auditLogMaxSize", "auditPolicyFile")


def _audit_order(plan: Plan) -> None:
    """New audit fields in one stable order (path, limits, policy), whichever check planned them first."""
    slots = [i for i, w in enumerate(plan.wants) if w.path[:2] == ["spec", "kubeAPIServer"] and w.path[-1] in AUDIT_ORDER]
    ordered = sorted((plan.wants[i] for i in slots), key=lambda w: AUDIT_ORDER.index(w.path[-1]))
    for i, w in zip(slots, ordered):
        plan.wants[i] = w


def _plan_authorization(cluster: KopsCluster, f: Finding, add, k8s, kv) -> None:
    """RBAC (and the Node authorizer where kops would not add it for this version pair)."""
    api = ["spec", "kubeAPIServer"]
    if f.field == "spec.kubeAPIServer.authorizationMode":
        add(Want("set", cluster.doc, api + ["authorizationMode"], "Node,RBAC", f.check))
        return
    add(Want("set", cluster.doc, ["spec", "authorization", "rbac"], {}, f.check))
    add(Want("unset", cluster.doc, ["spec", "authorization", "alwaysAllow"], None, f.check))
    node_added = kv >= (1, 25) or (kv >= (1, 19) and (k8s or (1, 99)) >= (1, 19))  # kops.md §2.1
    if not node_added:
        add(Want("set", cluster.doc, api + ["authorizationMode"], "Node,RBAC", f.check))


def _plan_scheduler(cluster: KopsCluster, f: Finding, add, cannot, opts: Options, k8s, kv) -> None:
    if cluster.scheduler_config is not None:
        add(Want("set", cluster.scheduler_config[0], ["enableProfiling"], False, f.check))
        return
    doc, why = content.scheduler_doc(k8s, kv)
    if doc is None:
        cannot(f, why)
    elif not opts.new_documents:
        cannot(f, "add a KubeSchedulerConfiguration with enableProfiling: false to the spec file you "
                  "`kops replace -f` (the state store keeps it beside the Cluster, not inside config)")
    else:
        add(Want("append_doc", cluster.doc, [], doc, f.check))


def _plugin_choice(rule, k8s, cannot, f: Finding):
    """(test, plugin) the fix acts on: the first has/nothave item naming one plugin this Kubernetes still has."""
    info_all = profiles.kops_mapping().get("admission_plugins", {})
    tests = [t for t in rule.tests if t.op in ("has", "nothave")] or [rule.tests[0]]
    problems = []
    for t in tests:
        plugin = str(t.value)
        if not PLUGIN_NAME.match(plugin):
            problems.append(f"the check's data names {plugin!r}, not one admission plugin; fix it by hand after reading the benchmark")
            continue
        info = info_all.get(plugin, {})
        if t.op == "has" and info.get("added_in") and k8s is not None and k8s < versions.parse_minor(info["added_in"]):
            problems.append(f"admission plugin {plugin} needs Kubernetes {info['added_in']}; this cluster runs {versions.fmt(k8s)}")
            continue
        if t.op == "has" and info.get("removed_in") and (k8s or (1, 99)) >= versions.parse_minor(info["removed_in"]):
            problems.append(f"admission plugin {plugin} was removed in Kubernetes {info['removed_in']}; the API server would not start with it")
            continue
        return t, plugin
    cannot(f, "; ".join(problems) or "no admission plugin to change")
    return None, None


def _plan_admission(cluster: KopsCluster, rule, f: Finding, add, cannot, k8s, kv) -> None:
    test, plugin = _plugin_choice(rule, k8s, cannot, f)
    if test is None:
        return
    api = cluster.spec.get("kubeAPIServer")
    flag = test.flag
    base = ["spec", "kubeAPIServer"]
    if flag == "disable-admission-plugins":
        add(Want("remove", cluster.doc, base + ["disableAdmissionPlugins"], [plugin], f.check))
        return
    if test.op == "nothave":
        for name in ("enableAdmissionPlugins", "appendAdmissionPlugins", "admissionControl"):
            if api is not None and api.get(name) is not None:
                add(Want("remove", cluster.doc, base + [name], [plugin], f.check))
        return
    if api is not None and api.get("enableAdmissionPlugins") is not None:
        add(Want("add", cluster.doc, base + ["enableAdmissionPlugins"], [plugin], f.check))
    elif api is not None and api.get("admissionControl") is not None:  # the spec's own (legacy) list: extend it
        add(Want("add", cluster.doc, base + ["admissionControl"], [plugin], f.check))
    elif kv < (1, 13):
        from specpatch.kops.settings import KopsSettings

        defaults = KopsSettings(cluster, kv).default_admission_plugins()
        add(Want("add", cluster.doc, base + ["enableAdmissionPlugins"], defaults + [plugin], f.check))
    else:
        add(Want("add", cluster.doc, base + ["appendAdmissionPlugins"], [plugin], f.check))


def _plan_audit(cluster: KopsCluster, f: Finding, add, cannot, minimum: dict[str, int], k8s, kv,
                pinned: str | None = None) -> None:
    """Audit logging works only as a whole: the log flags, the policy flag and the policy file, one group.
    A field lint could not read (a template) is left alone; its own check stays UNDETERMINED."""
    api = cluster.spec.get("kubeAPIServer")
    current = {} if api is None or api.kind != "map" else api.value
    if kv < content.AUDIT_FIELDS_KOPS:
        cannot(f, f"kops {versions.fmt(kv)} has no audit fields (kops >= 1.8)")
        return
    policy = content.audit_policy(k8s)
    policy_node = current.get("auditPolicyFile")
    if policy is None and policy_node is None:
        cannot(f, f"Kubernetes {versions.fmt(k8s)} has no audit policy file format (1.8 or newer is needed); upgrade Kubernetes first")
        return
    path = pinned or content.audit_policy_path(kv)
    # The log path, the policy flag and the policy file only work together (one group); a size or age
    # limit serves its own check alone.
    own = {"audit-log-maxage": "auditLogMaxAge", "audit-log-maxbackup": "auditLogMaxBackups",
           "audit-log-maxsize": "auditLogMaxSize"}.get(f.flag or "")
    wanted_fields = {"auditLogPath": content.AUDIT_LOG_PATH, "auditPolicyFile": path}
    if own in minimum:
        wanted_fields[own] = minimum[own]
    group = f"audit:{cluster.name}"
    for name, value in wanted_fields.items():
        node = current.get(name)
        if node is not None:
            if node.expr is not None:
                continue
            if name in minimum:
                try:
                    if int(node.value) >= minimum[name]:
                        continue
                except (TypeError, ValueError, OverflowError):
                    pass
            else:
                continue
        add(Want("set", cluster.doc, ["spec", "kubeAPIServer", name], value, f.check, group=None if name == own else group))
    policy_path = policy_node.value if policy_node is not None else path
    assets = cluster.spec.get("fileAssets")
    if assets is not None and assets.kind == "seq":
        for item in assets.value:
            if item.kind == "map" and item.get("path") is not None and item.get("path").value == policy_path:
                return
    if policy_node is None:
        add(Want("add", cluster.doc, ["spec", "fileAssets"], [{
            "name": "audit-policy-config",
            "path": path,
            "roles": [content.control_plane_role(kv)],
            "content": policy,
        }], f.check, group=group))


def settled_plan(cluster: KopsCluster, report: TargetReport, opts: Options) -> Plan:
    """The plan these options admit: the one decision lint (fixable) and fix (edits) share."""
    return plan_cluster(cluster, report.findings, opts)


def mark_fixable(report: TargetReport, plan: Plan) -> TargetReport:
    """A FAIL is fixable exactly when the settled plan fixes its check; otherwise the finding says why not."""
    fixed = set(plan.checks)
    out = []
    for f in report.findings:
        planned = f.status == FAIL or (f.status == WARN and f.check in plan.why_not)  # WARNs are acted on with --only
        if f.fixable and f.check not in fixed and planned and f.benchmark != "specpatch":
            why = plan.why_not.get(f.check) or next((n.split(": ", 1)[1] for n in plan.notes if n.startswith(f.check + " ")), "")
            msg = "; ".join(p for p in (f.message, why) if p) if why not in f.message else f.message
            f = replace(f, fixable=False, message=msg or "fix has no edit for this check here")
        out.append(f)
    report.findings = out
    return report


def lint_settled(cluster: KopsCluster, opts: Options) -> TargetReport:
    """lint, with `fixable` meaning what fix will do under the same options."""
    report = lint_cluster(cluster, benchmark=opts.benchmark, kops_version=opts.kops_version)
    return mark_fixable(report, settled_plan(cluster, report, opts))


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
