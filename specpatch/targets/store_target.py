"""kops state stores (s3://, file://) as lint/fix targets: the Cluster in CLUSTER/config plus its
InstanceGroups, with the completed spec noted when kops has written one."""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator

from ..model import InputError, TargetReport
from ..options import Options
from .kops_target import KopsTarget, targets_from_text


class StoreTarget(KopsTarget):
    """A kops cluster read from a state store; remembers what was read so a write can be conditional."""

    __slots__ = ("ref", "objects")

    def __init__(self, inner: KopsTarget, ref, objects) -> None:
        super().__init__(inner.cluster)
        self.ref = ref
        self.objects = objects

    def lint(self, opts: Options) -> TargetReport:
        report = super().lint(opts)
        if self.objects.completed is not None:
            report.notes.append("cluster-completed.spec exists: kops has applied this cluster; findings model kops defaults for unset fields")
        return report


def _compose_store_text(objects) -> str:
    """config plus every instancegroup object as one multi-document text (config first, so its lines stay as stored)."""
    parts = [objects.config]
    for name in sorted(objects.instancegroups):
        parts.append(objects.instancegroups[name])
    out = parts[0]
    for p in parts[1:]:
        if not out.endswith("\n"):
            out += "\n"
        out += "---\n" + p
    return out


def store_targets(arg: str, opts: Options) -> Iterator[StoreTarget]:
    """Every cluster named by a store URL (all clusters of the store when no name is given)."""
    from ..sources import statestore

    try:
        ref = statestore.resolve(arg, None, None, os.environ)
        if ref.cluster:
            names = [ref.cluster]
        else:
            names = statestore.list_clusters(ref, profile=opts.profile) if "profile" in statestore.list_clusters.__code__.co_varnames else statestore.list_clusters(ref)
            if not names:
                raise InputError(arg, None, "no clusters in this state store")
        progress = None
        if sys.stderr.isatty() and len(names) > 1:
            def progress(done: int, total: int) -> None:
                sys.stderr.write(f"\rfetched {done}/{total} clusters")
                if done == total:
                    sys.stderr.write("\n")
        results = statestore.read_many(ref, names, progress=progress) if len(names) > 1 else [statestore.read_cluster(ref, profile=opts.profile)]
    except statestore.StoreError as e:
        raise InputError(arg, None, str(e)) from None
    for objects in results:
        config_path = objects.paths["config"] if hasattr(objects, "paths") else f"{arg.rstrip('/')}/config"
        text = _compose_store_text(objects)
        for t in targets_from_text(text, config_path):
            yield StoreTarget(t, objects_ref(ref, objects), objects)


def objects_ref(ref, objects):
    """The store reference narrowed to one cluster."""
    from dataclasses import replace

    try:
        return replace(ref, cluster=objects.name)
    except TypeError:
        return ref
