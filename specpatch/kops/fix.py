"""Findings of a kops cluster -> the smallest edits of the user's own file that fix them.

The plan follows kops semantics: plugins go to appendAdmissionPlugins unless the file already
owns enableAdmissionPlugins; the kubelet is fixed in the layer the value comes from; multi-field
fixes (audit logging, encryption at rest) emit every field they need.
"""

from __future__ import annotations

from specpatch.benchmarks import profiles
from specpatch import versions
from specpatch.model import FAIL, WARN, FilePatch, Finding
from specpatch.options import Options
from specpatch.kops.lint import lint_cluster, newest_kops
from specpatch.kops.document import KopsCluster
from specpatch.kops.settings import COMPONENT_BLOCKS
from specpatch.text.yamlplan import apply_plan
from specpatch.plan import FixError, Plan, Want

AUDIT_POLICY_PATH = "/etc/kubernetes/audit/policy-config.yaml"
AUDIT_POLICY = """apiVersion: audit.k8s.io/v1
kind: Policy
omitStages:
  - RequestReceived
rules:
  # Secret, ConfigMap and token contents stay out of the log.
  - level: Metadata
    resources:
      - group: ""
        resources: ["secrets", "configmaps"]
      - group: "authentication.k8s.io"
        resources: ["tokenreviews"]
  - level: None
    users: ["system:kube-proxy"]
    verbs: ["watch"]
  - level: Request
    resources:
      - group: ""
        resources: ["pods/exec", "pods/portforward", "pods/proxy", "services/proxy"]
  - level: Metadata
"""
AUDIT_FLAGS = {"audit-log-path", "audit-log-maxage", "audit-log-maxbackup", "audit-log-maxsize", "audit-policy-file"}
SCHEDULER_DOC = "apiVersion: kubescheduler.config.k8s.io/v1\nkind: KubeSchedulerConfiguration\nenableProfiling: false\n"


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


def wanted(f: Finding, opts: Options) -> bool:
    """Which findings a fix run acts on: every fixable FAIL, and WARNs the user named with --only."""
    if not f.fixable or not opts.selected(f.check):
        return False
    if f.status == FAIL:
        return True
    return f.status == WARN and bool(opts.only)


def plan_cluster(cluster: KopsCluster, findings: list[Finding], opts: Options) -> Plan:
    """Wants for every selected finding, deduplicated, with notes for what no field can fix."""
    kv = versions.parse_minor(opts.kops_version) if opts.kops_version else newest_kops()
    k8s = cluster.k8s
    mapping = profiles.kops_mapping()
    fields = profiles.kops_fields()
    plan = Plan()
    bench = profiles.benchmark(findings[0].benchmark) if findings and findings[0].benchmark != "specpatch" else None
    seen: set[tuple] = set()

    def add(w: Want) -> None:
        key = (w.action, w.doc, tuple(w.path), repr(w.value))
        if key not in seen:
            seen.add(key)
            plan.wants.append(w)
        if w.check not in plan.checks:
            plan.checks.append(w.check)

    for f in findings:
        acted_on = f.status == FAIL or (f.status == WARN and bool(opts.only))
        if acted_on and not f.fixable and f.message and opts.selected(f.check) and f.benchmark != "specpatch":
            plan.notes.append(f"{f.check} {f.title}: {f.message}")
        if not wanted(f, opts) or bench is None:
            continue
        check = bench.check(f.check)
        if check is None or check.rule is None:
            continue
        rule = check.rule
        entry = (mapping["components"].get(rule.component, {}).get("flags") or {}).get(rule.flag, {})
        computed = entry.get("computed")
        api = ["spec", "kubeAPIServer"]
        if computed == "admission":
            _plan_admission(cluster, rule, f, add, plan, k8s, kv)
        elif computed == "authorization":
            if f.field == "spec.kubeAPIServer.authorizationMode":
                add(Want("set", cluster.doc, api + ["authorizationMode"], "Node,RBAC", f.check))
            else:
                add(Want("set", cluster.doc, ["spec", "authorization", "rbac"], {}, f.check))
                add(Want("unset", cluster.doc, ["spec", "authorization", "alwaysAllow"], None, f.check))
        elif computed in ("encryption", "encryption-provider"):
            add(Want("set", cluster.doc, ["spec", "encryptionConfig"], True, f.check))
            plan.notes.append(
                f"{f.check}: encryption at rest also needs the key: write an EncryptionConfiguration (aescbc or kms provider) and run "
                f"`kops create secret encryptionconfig -f encryptionconfig.yaml --name {cluster.name} --state <store>` before `kops update cluster`."
            )
        elif computed == "scheduler-profiling":
            if cluster.scheduler_config is not None:
                add(Want("set", cluster.scheduler_config[0], ["enableProfiling"], False, f.check))
            elif not opts.new_documents:
                plan.notes.append(f"{f.check}: add a KubeSchedulerConfiguration with enableProfiling: false to the spec file you "
                                  "`kops replace -f` (the state store keeps it beside the Cluster, not inside config)")
            else:
                add(Want("append_doc", cluster.doc, [], SCHEDULER_DOC, f.check))
            if kv < (1, 25):
                plan.notes.append(f"{f.check}: KubeSchedulerConfiguration documents need kops >= 1.25")
        elif rule.flag in AUDIT_FLAGS and rule.component == "kube-apiserver":
            _plan_audit(cluster, f, add, _minimums(bench))
        elif rule.component == "etcd":
            plan.notes.append(f"{f.check}: etcd settings are environment variables under spec.etcdClusters[].manager.env; set them by hand")
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
                plan.notes.append(f"{f.check} {f.title}: no value to set automatically; {rule.remediation}")
                continue
            doc, path = _field_target(cluster, f.field)
            gotype = fields.get(block, {}).get(path[-1], {}).get("type")
            add(Want("set", doc, path, _typed(value, gotype), f.check))
    return plan


def _plan_admission(cluster: KopsCluster, rule, f: Finding, add, plan: Plan, k8s, kv) -> None:
    test = next((t for t in rule.tests if t.op in ("has", "nothave")), rule.tests[0])
    plugin = str(test.value)
    api = cluster.spec.get("kubeAPIServer")
    flag = test.flag
    info = profiles.kops_mapping().get("admission_plugins", {}).get(plugin, {})
    if info.get("added_in") and k8s is not None and k8s < versions.parse_minor(info["added_in"]):
        plan.notes.append(f"{f.check}: admission plugin {plugin} needs Kubernetes {info['added_in']}; this cluster runs {versions.fmt(k8s)}")
        return
    if info.get("needs"):
        plan.notes.append(f"{f.check}: {plugin} also needs kubeAPIServer.{info['needs']} and its file shipped with fileAssets; set it up by hand")
        return
    base = ["spec", "kubeAPIServer"]
    if flag == "disable-admission-plugins":
        add(Want("remove", cluster.doc, base + ["disableAdmissionPlugins"], [plugin], f.check))
        return
    if test.op == "nothave":
        for name in ("enableAdmissionPlugins", "appendAdmissionPlugins"):
            if api is not None and api.get(name) is not None:
                add(Want("remove", cluster.doc, base + [name], [plugin], f.check))
        return
    if api is not None and api.get("enableAdmissionPlugins") is not None:
        add(Want("add", cluster.doc, base + ["enableAdmissionPlugins"], [plugin], f.check))
    elif kv < (1, 13):
        from specpatch.kops.settings import KopsSettings

        defaults = KopsSettings(cluster, kv).default_admission_plugins()
        add(Want("add", cluster.doc, base + ["enableAdmissionPlugins"], defaults + [plugin], f.check))
    else:
        add(Want("add", cluster.doc, base + ["appendAdmissionPlugins"], [plugin], f.check))


def _plan_audit(cluster: KopsCluster, f: Finding, add, minimum: dict[str, int]) -> None:
    """Audit logging works only as a whole: the log flags, the policy flag and the policy file."""
    api = cluster.spec.get("kubeAPIServer")
    current = {} if api is None or api.kind != "map" else api.value
    wanted_fields = {"auditLogPath": "/var/log/kube-apiserver-audit.log", **minimum, "auditPolicyFile": AUDIT_POLICY_PATH}
    for name, value in wanted_fields.items():
        node = current.get(name)
        if node is not None:
            if name in minimum:
                try:
                    if int(node.value) >= minimum[name]:
                        continue
                except (TypeError, ValueError):
                    pass
            else:
                continue
        add(Want("set", cluster.doc, ["spec", "kubeAPIServer", name], value, f.check))
    policy_path = current.get("auditPolicyFile").value if current.get("auditPolicyFile") is not None else AUDIT_POLICY_PATH
    assets = cluster.spec.get("fileAssets")
    if assets is not None and assets.kind == "seq":
        for item in assets.value:
            if item.kind == "map" and item.get("path") is not None and item.get("path").value == policy_path:
                return
    if current.get("auditPolicyFile") is None:
        add(Want("add", cluster.doc, ["spec", "fileAssets"], [{
            "name": "audit-policy-config",
            "path": AUDIT_POLICY_PATH,
            "roles": ["ControlPlane"],
            "content": AUDIT_POLICY,
        }], f.check))


def fix_cluster(cluster: KopsCluster, opts: Options) -> list[FilePatch]:
    """Lint, plan, splice, verify. Raises FixError (and writes nothing) when verification fails."""
    from specpatch.kops.document import clusters_from_text

    report = lint_cluster(cluster, benchmark=opts.benchmark, kops_version=opts.kops_version)
    plan = plan_cluster(cluster, report.findings, opts)
    if not plan.wants:
        return [FilePatch(cluster.path, cluster.text, cluster.text, [], plan.notes)]
    after = apply_plan(cluster.text, cluster.path, plan, annotate=opts.annotate)

    def relint(text: str):
        found = [c for c in clusters_from_text(text, cluster.path) if c.name == cluster.name]
        if not found:
            raise FixError("the patched file lost its Cluster document")
        return lint_cluster(found[0], benchmark=opts.benchmark or report.benchmark, kops_version=opts.kops_version)

    from specpatch.text.verify import verify

    verify(cluster.text, after, cluster.path, plan, report, relint)
    return [FilePatch(cluster.path, cluster.text, after, plan.checks, plan.notes)]
