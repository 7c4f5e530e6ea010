"""The kops fixes that take more than one field: admission plugins, authorization, the audit logging
group, the KubeSchedulerConfiguration document. Each adds Wants through the planner's `add` and says
why it cannot through `cannot`; content that depends on versions comes from fix_content."""

from __future__ import annotations

import re

from specpatch.benchmarks import profiles
from specpatch import versions
from specpatch.model import Finding
from specpatch.options import Options
from specpatch.kops import fix_content as content
from specpatch.kops.document import KopsCluster
from specpatch.plan import Plan, Want

PLUGIN_NAME = re.compile(r"^[A-Z][A-Za-z]+$")


@profiles.per_benchmark
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


@profiles.per_benchmark
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


AUDIT_ORDER = ("auditLogPath", "auditLogMaxAge", "auditLogMaxBackups", "auditLogMaxSize", "auditPolicyFile")


def _audit_order(plan: Plan) -> None:
    """New audit fields in one stable order (path, limits, policy), whichever check planned them first."""
    slots = [i for i, w in enumerate(plan.wants) if w.path[:2] == ["spec", "kubeAPIServer"] and w.path[-1] in AUDIT_ORDER]
    ordered = sorted((plan.wants[i] for i in slots), key=lambda w: AUDIT_ORDER.index(w.path[-1]))
    for i, w in zip(slots, ordered):
        plan.wants[i] = w
