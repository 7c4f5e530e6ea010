"""kops spec -> effective component settings, as kops and nodeup would render them.

Order for each flag: a value nodeup forces, else the user's field (kubelet: IG over masterKubelet
over kubelet), else kops's default for this kops and Kubernetes version, else the component's own
default, else absent. profiles/kops/mapping.yaml holds the data; this module only applies it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from typing import Any

from specpatch.benchmarks import profiles
from specpatch import versions
from specpatch.model import ORIGIN_COMPONENT_DEFAULT, ORIGIN_FORCED, ORIGIN_KOPS_DEFAULT, ORIGIN_SPEC, ORIGIN_UNSET, Location, PNode, Setting
from specpatch.text.flagvalue import flag_text
from specpatch.benchmarks.profiles import Test
from specpatch.kops.document import InstanceGroup, KopsCluster

COMPONENT_BLOCKS = {
    "kube-apiserver": "kubeAPIServer",
    "kube-controller-manager": "kubeControllerManager",
    "kube-scheduler": "kubeScheduler",
    "kubelet": "kubelet",
    "kube-proxy": "kubeProxy",
}


def render(value: Any) -> str | None:
    """A parsed YAML value as it appears on the component's command line (kops sorts map flags)."""
    return flag_text(value, sort_maps=True)


@functools.lru_cache(maxsize=None)
def flag_fields(block: str) -> dict[str, str]:
    """flag -> v1alpha2 field name for one component block (first field wins)."""
    out: dict[str, str] = {}
    for name, e in profiles.kops_fields().get(block, {}).items():
        if "flag" in e:
            out.setdefault(e["flag"], name)
    return out


@dataclass(frozen=True, slots=True)
class Layer:
    """A block of the spec that can set kubelet (or other component) fields, with its dotted path."""

    node: PNode | None
    path: str  # e.g. "spec.kubelet" or "InstanceGroup nodes spec.kubelet"
    parent: PNode  # the mapping that holds (or would hold) the block


def _loc(path: str, node: PNode) -> Location:
    return Location(path, node.line, node.column)


class KopsSettings:
    """Effective settings of one kops cluster for one scope (control plane, nodes, or one instance group)."""

    def __init__(
        self,
        cluster: KopsCluster,
        kops_version: tuple[int, int],
        scope: str = "control-plane",
        ig: InstanceGroup | None = None,
    ) -> None:
        self.c = cluster
        self.kops = kops_version
        self.k8s = cluster.k8s
        self.scope = scope
        self.ig = ig
        self.mapping = profiles.kops_mapping()
        self._cache: dict[tuple[str, str, str | None], Setting] = {}
        self._layers: dict[str, list[Layer]] = {}
        self._anchors: dict[int, Location] = {}
        self._plans = _PLANS.setdefault((self.kops, self.k8s), {})

    # -- where values come from -------------------------------------------------
    def layers(self, component: str) -> list[Layer]:
        """Blocks that may set this component's fields, the winning one first (computed once per component)."""
        hit = self._layers.get(component)
        if hit is None:
            hit = self._layers[component] = self._layers_of(component)
        return hit

    def _layers_of(self, component: str) -> list[Layer]:
        spec = self.c.spec
        if component == "kubelet":
            out = []
            if self.ig is not None:
                ig_spec = self.ig.node.get("spec")
                out.append(Layer(ig_spec.get("kubelet"), f"InstanceGroup/{self.ig.name}:spec.kubelet", ig_spec))
            if self.scope == "control-plane" or (self.ig is not None and self.ig.is_control_plane):
                mk = spec.get("masterKubelet") or spec.get("controlPlaneKubelet")
                out.append(Layer(mk, "spec.masterKubelet", spec))
            out.append(Layer(spec.get("kubelet"), "spec.kubelet", spec))
            return out
        block = COMPONENT_BLOCKS.get(component)
        if block is None:
            return []
        return [Layer(spec.get(block), f"spec.{block}", spec)]

    def _anchor(self, layers: list[Layer]) -> Location:
        """Where to point when a value is unset: the base block if present, else `spec:`."""
        hit = self._anchors.get(id(layers))
        if hit is None:
            hit = self._anchors[id(layers)] = self._anchor_of(layers)
        return hit

    def _anchor_of(self, layers: list[Layer]) -> Location:
        for layer in reversed(layers):
            if layer.node is not None and layer.path.startswith("spec."):
                key = layer.parent.keys.get(layer.path.split(".")[1]) if layer.parent.keys else None
                return _loc(self.c.path, key or layer.node)
        spec_key = self.c.node.keys.get("spec") if self.c.node.keys else None
        return _loc(self.c.path, spec_key or self.c.spec)

    def _from_layers(self, component: str, field_name: str, flag: str = "") -> Setting | None:
        for layer in self.layers(component):
            if layer.node is None or layer.node.kind != "map":
                continue
            v = layer.node.get(field_name)
            if v is not None:
                key = layer.node.keys.get(field_name) if layer.node.keys else None
                return Setting(
                    component=component,
                    flag=flag,
                    value=render(v.plain()),
                    origin=ORIGIN_SPEC,
                    location=_loc(self.c.path, key or v),
                    field=f"{layer.path}.{field_name}",
                    expr=v.expr,
                )
        return None

    def _pick(self, entries: Any) -> Any:
        """The first `{when, value}` entry that holds; a plain value always holds.

        Depends only on the mapping entry and (kops, Kubernetes): decided once per run for each."""
        if entries is None:
            return None
        if not isinstance(entries, list):
            return {"value": entries}
        key = (id(entries), self.kops, self.k8s)
        hit = _PICKED.get(key, _MISS)
        if hit is _MISS or hit[0] is not entries:
            chosen = next((e for e in entries if versions.when_holds(e.get("when"), self.kops, self.k8s)), None)
            hit = _PICKED[key] = (entries, chosen)
        return hit[1]

    # -- the public lookup -------------------------------------------------------
    def lookup(self, component: str, test: Test) -> Setting:
        key = (component, test.flag, test.config_key)
        hit = self._cache.get(key)
        if hit is None:
            hit = self._cache[key] = self._resolve(component, test)
        return hit

    def flag_entry(self, component: str, flag: str) -> dict:
        comp = self.mapping["components"].get(component, {})
        return (comp.get("flags") or {}).get(flag) or {}

    def _resolve(self, component: str, test: Test) -> Setting:
        plan = self._plan(component, test)
        mode = plan[0]
        flag = test.flag
        if mode == "gate":
            return self._feature_gate(component, flag)
        if mode == "computed":
            return _with_flag(getattr(self, plan[1])(component, plan[2]), flag)
        if mode == "etcd":
            return _with_flag(self._etcd(plan[2]), flag)
        _, field_name, entry, field_path, forced, kops_default, comp_default = plan
        user = self._from_layers(component, field_name, flag) if field_name else None
        if forced is not None:
            loc = user.location if user else self._anchor(self.layers(component))
            return Setting(component, flag, forced, ORIGIN_FORCED, loc, field_path)
        if user is not None and not (user.expr is None and self.not_rendered(entry, user.value)):
            return user
        anchor = user.location if user is not None else self._anchor(self.layers(component))
        if kops_default is not None:
            return Setting(component, flag, kops_default, ORIGIN_KOPS_DEFAULT, anchor, field_path)
        if comp_default is not None:
            return Setting(component, flag, comp_default, ORIGIN_COMPONENT_DEFAULT, anchor, field_path)
        return Setting(component, flag, None, ORIGIN_UNSET, anchor, field_path)

    def _plan(self, component: str, test: Test) -> tuple:
        """How one flag is resolved, as far as no spec decides it: the mapping entry, the field, the forced
        value and the defaults of this kops and Kubernetes version. Built once per run for each."""
        key = (component, test.flag, test.config_key)
        plan = self._plans.get(key)
        if plan is None:
            plan = self._plans[key] = self._plan_of(component, test)
        return plan

    def _plan_of(self, component: str, test: Test) -> tuple:
        flag = test.flag
        if test.config_key and test.config_key.startswith("featureGates.") or (flag[:1].isupper() and component in ("kubelet", "kube-controller-manager")):
            return ("gate",)
        entry = self.flag_entry(component, flag)
        computed = entry.get("computed")
        if computed:
            return ("computed", "_computed_" + computed.replace("-", "_"), entry)
        if component == "etcd":
            return ("etcd", None, entry)
        if entry.get("field"):
            field_name = entry["field"].split(".", 1)[1]
        else:
            field_name = flag_fields(COMPONENT_BLOCKS.get(component, "")).get(flag)
        field_path = f"spec.{COMPONENT_BLOCKS.get(component, component)}.{field_name}" if field_name else None
        forced, forced_when = entry.get("forced"), entry.get("forced_when")
        forced = str(forced) if forced is not None and (forced_when is None or versions.when_holds(forced_when, self.kops, self.k8s)) else None
        picked = self._pick(entry.get("kops"))
        kops_default = render(picked["value"]) if picked is not None and picked.get("value") is not None else None
        comp = self._pick(entry.get("component"))
        comp_default = render(comp["value"]) if comp is not None and comp.get("value") is not None else None
        return ("plain", field_name, entry, field_path, forced, kops_default, comp_default)

    # -- flags kops derives from several fields ----------------------------------
    def _computed_admission(self, component: str, entry: dict) -> Setting:
        api = self.c.spec.get("kubeAPIServer")
        layers = self.layers(component)
        enable = api.get("enableAdmissionPlugins") if api is not None else None
        legacy = api.get("admissionControl") if api is not None else None
        append = api.get("appendAdmissionPlugins") if api is not None else None
        src = enable or legacy
        if src is not None:
            plugins = list(src.plain() or [])
            name = "enableAdmissionPlugins" if enable is not None else "admissionControl"
            origin, loc, field = ORIGIN_SPEC, _loc(self.c.path, api.keys[name]), f"spec.kubeAPIServer.{name}"
            expr = src.expr
        else:
            plugins = list(self.default_admission_plugins())
            origin, loc, field, expr = ORIGIN_KOPS_DEFAULT, self._anchor(layers), "spec.kubeAPIServer.appendAdmissionPlugins", None
        if append is not None:
            plugins += [p for p in (append.plain() or []) if p not in plugins]
            if origin != ORIGIN_SPEC:
                origin, loc, field = ORIGIN_SPEC, _loc(self.c.path, api.keys["appendAdmissionPlugins"]), "spec.kubeAPIServer.appendAdmissionPlugins"
            expr = expr or append.expr
        return Setting(component, "enable-admission-plugins", ",".join(str(p) for p in plugins), origin, loc, field, expr)

    def _computed_basic_auth(self, component: str, entry: dict) -> Setting:
        """nodeup passes --basic-auth-file for Kubernetes < 1.18 unless disableBasicAuth is true, and on 1.18
        only when disableBasicAuth is explicitly false; from 1.19 never (kops.md §2.1)."""
        api = self.c.spec.get("kubeAPIServer")
        node = api.get("disableBasicAuth") if api is not None and api.kind == "map" else None
        field = "spec.kubeAPIServer.disableBasicAuth"
        user = self._from_layers(component, "basicAuthFile")
        if user is not None:
            return user
        disabled = None if node is None else str(node.plain()).lower() == "true"
        k8s = self.k8s or (1, 99)
        on = (k8s < (1, 18) and disabled is not True) or (k8s == (1, 18) and disabled is False)
        if node is not None:
            loc, origin = _loc(self.c.path, api.keys["disableBasicAuth"]), ORIGIN_SPEC
            if node.expr:
                return Setting(component, "basic-auth-file", None, origin, loc, field, node.expr)
        else:
            loc, origin = self._anchor(self.layers(component)), ORIGIN_KOPS_DEFAULT
        return Setting(component, "basic-auth-file", entry.get("default") if on else None, origin if on else ORIGIN_UNSET,
                       loc, field)

    def default_admission_plugins(self) -> list[str]:
        for e in self.mapping["admission_defaults"]:
            if versions.when_holds(e.get("when"), self.kops, self.k8s):
                return list(e["plugins"])
        return []

    def _computed_authorization(self, component: str, entry: dict) -> Setting:
        user = self._from_layers(component, "authorizationMode")
        if user is not None:
            return user
        spec = self.c.spec
        auth = spec.get("authorization")
        if auth is not None and auth.kind == "map" and auth.value:
            loc = _loc(self.c.path, spec.keys["authorization"])
            if auth.get("alwaysAllow") is not None:
                return Setting(component, "", "AlwaysAllow", ORIGIN_SPEC, _loc(self.c.path, auth.keys["alwaysAllow"]), "spec.authorization.alwaysAllow")
            if auth.get("rbac") is not None:
                new = self.kops >= (1, 25) or (self.kops >= (1, 19) and (self.k8s or (1, 99)) >= (1, 19))
                return Setting(component, "", "Node,RBAC" if new else "RBAC", ORIGIN_SPEC, _loc(self.c.path, auth.keys["rbac"]), "spec.authorization.rbac")
            return Setting(component, "", None, ORIGIN_UNSET, loc, "spec.authorization")
        anchor = self._anchor([Layer(None, "spec", spec)])
        if self.kops >= (1, 36):
            return Setting(component, "", "Node,RBAC", ORIGIN_KOPS_DEFAULT, anchor, "spec.authorization")
        return Setting(component, "", "AlwaysAllow", ORIGIN_KOPS_DEFAULT, anchor, "spec.authorization")

    def _computed_encryption(self, component: str, entry: dict) -> Setting:
        spec = self.c.spec
        enc = spec.get("encryptionConfig")
        if enc is not None and enc.value is True:
            return Setting(component, "", "/srv/kubernetes/kube-apiserver/encryptionconfig.yaml", ORIGIN_SPEC, _loc(self.c.path, spec.keys["encryptionConfig"]), "spec.encryptionConfig")
        user = self._from_layers(component, "encryptionProviderConfig")
        if user is not None:
            return user
        anchor = self._anchor(self.layers(component))
        return Setting(component, "", None, ORIGIN_UNSET, anchor, "spec.encryptionConfig")

    def _computed_encryption_provider(self, component: str, entry: dict) -> Setting:
        s = self._computed_encryption(component, entry)
        if s.value is None:
            return s
        return Setting(component, "", None, s.origin, s.location, s.field, expr="the provider list lives in the encryptionconfig secret, not in the spec")

    def _computed_scheduler_profiling(self, component: str, entry: dict) -> Setting:
        sched = self.c.scheduler_config
        if sched is not None:
            _, node = sched
            v = node.get("enableProfiling")
            if v is not None:
                return Setting(component, "", render(v.plain()), ORIGIN_SPEC, _loc(self.c.path, node.keys["enableProfiling"]), "KubeSchedulerConfiguration.enableProfiling", v.expr)
        user = self._from_layers(component, "enableProfiling")
        loc = user.location if user else self._anchor(self.layers(component))
        return Setting(component, "", "true", ORIGIN_COMPONENT_DEFAULT, loc, "KubeSchedulerConfiguration.enableProfiling")

    def _feature_gate(self, component: str, gate: str) -> Setting:
        """One feature gate's value (kubelet/KCM featureGates maps merge across layers)."""
        for layer in self.layers(component):
            if layer.node is None or layer.node.kind != "map":
                continue
            fg = layer.node.get("featureGates")
            if fg is not None and fg.kind == "map" and fg.get(gate) is not None:
                v = fg.get(gate)
                return Setting(component, gate, render(v.plain()), ORIGIN_SPEC, _loc(self.c.path, fg.keys[gate]), f"{layer.path}.featureGates.{gate}", v.expr)
        return Setting(component, gate, None, ORIGIN_UNSET, self._anchor(self.layers(component)), f"spec.{COMPONENT_BLOCKS.get(component, component)}.featureGates.{gate}")

    def _etcd(self, entry: dict) -> Setting:
        env_name = entry.get("env")
        clusters = self.c.spec.get("etcdClusters")
        if env_name and clusters is not None and clusters.kind == "seq":
            for ec in clusters.value:
                mgr = ec.get("manager") if ec.kind == "map" else None
                env = mgr.get("env") if mgr is not None else None
                if env is None or env.kind != "seq":
                    continue
                for item in env.value:
                    if item.kind == "map" and item.get("name") is not None and item.get("name").value == env_name:
                        val = item.get("value")
                        return Setting("etcd", "", render(val.plain()) if val else "", ORIGIN_SPEC, _loc(self.c.path, item), "spec.etcdClusters[].manager.env", val.expr if val else None)
        anchor_node = clusters if clusters is not None else self.c.spec
        loc = _loc(self.c.path, anchor_node)
        if entry.get("forced") is not None:
            return Setting("etcd", "", str(entry["forced"]), ORIGIN_FORCED, loc, "spec.etcdClusters[].manager.env")
        return Setting("etcd", "", None, ORIGIN_UNSET, loc, "spec.etcdClusters[].manager.env")

    def not_rendered(self, entry: dict, value: Any) -> dict | None:
        """The mapping's `not_rendered` note when kops's flag builder drops this value (flag-empty) in this
        kops release, so the component keeps its default; else None."""
        dropped = entry.get("not_rendered")
        if dropped and str(value).lower() == str(dropped["value"]) and versions.when_holds(dropped.get("when"), self.kops, self.k8s):
            return dropped
        return None

    def removed_in(self, component: str, flag: str) -> str | None:
        """Why a flag does not exist in this cluster's Kubernetes version, or None."""
        key = (component, flag, self.k8s)
        if key not in _REMOVED:
            gone = self.flag_entry(component, flag).get("removed_in")
            _REMOVED[key] = (f"--{flag} was removed in Kubernetes {gone}; this cluster runs {versions.fmt(self.k8s)}"
                             if gone and self.k8s is not None and self.k8s >= versions.parse_minor(gone) else None)
        return _REMOVED[key]


_MISS = object()
_PICKED: dict[tuple, tuple] = {}  # (id(entries), kops, k8s) -> (entries, chosen): what depends on no spec
_REMOVED: dict[tuple, str | None] = {}
_PLANS: dict[tuple, dict] = {}  # (kops, k8s) -> (component, flag, config key) -> how the flag resolves


def _with_flag(s: Setting, flag: str) -> Setting:
    return Setting(s.component, flag, s.value, s.origin, s.location, s.field, s.expr)
