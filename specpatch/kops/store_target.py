"""kops state stores (s3://, file://) as lint/fix targets: the Cluster in CLUSTER/config plus its
InstanceGroups, with the completed spec noted when kops has written one."""

from __future__ import annotations

import sys
from collections.abc import Iterator

from specpatch.model import InputError, TargetReport
from specpatch.options import Options
from specpatch.kops.target import KopsTarget, targets_from_text


class StoreTarget(KopsTarget):
    """A kops cluster read from a state store; remembers what was read so a write can be conditional."""

    __slots__ = ("ref", "objects")

    def __init__(self, inner: KopsTarget, ref, objects) -> None:
        super().__init__(inner.cluster)
        self.ref = ref
        self.objects = objects

    def _with_store_kops(self, opts: Options) -> Options:
        """The store's kops-version.txt names the kops release, unless --kops-version says otherwise."""
        from dataclasses import replace

        if opts.kops_version or not self.objects.kops_version:
            return opts
        return replace(opts, kops_version=self.objects.kops_version)

    def fix(self, opts: Options):
        from dataclasses import replace

        return super().fix(replace(self._with_store_kops(opts), new_documents=False))

    def lint(self, opts: Options) -> TargetReport:
        report = super().lint(self._with_store_kops(opts))
        if self.objects.kops_version and not opts.kops_version:
            report.notes.append(f"kops release {self.objects.kops_version}, from kops-version.txt in the state store")
        if self.objects.has_completed:
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


class _Parsed:
    """A cluster's targets, parsed as soon as it arrived; a parse error is kept to be raised in its turn."""

    __slots__ = ("targets", "error")

    def __init__(self, objects) -> None:
        self.targets: list[KopsTarget] = []
        self.error: Exception | None = None
        try:
            self.targets.extend(targets_from_text(_compose_store_text(objects), objects.paths["config"]))
        except Exception as e:  # noqa: BLE001 - raised when this cluster's turn comes, as if parsed then
            self.error = e


def store_targets(arg: str, opts: Options) -> Iterator[StoreTarget]:
    """Every cluster named by a store URL (all clusters of the store when no name is given).

    Each cluster is parsed while the rest are still being fetched; the targets come out in store
    order only once every read succeeded, so a failed read reports no cluster at all.
    """
    from dataclasses import replace

    from specpatch.kops import statestore

    parsed: dict[str, _Parsed] = {}
    try:
        ref = statestore.resolve(arg, None, None, {})
        if ref.cluster:
            results = [statestore.read_cluster(ref, profile=opts.profile)]
        else:
            progress = None
            if sys.stderr.isatty():
                def progress(done: int, total: int) -> None:
                    sys.stderr.write(f"\rfetched {done}/{total} clusters" + ("\n" if done == total else ""))
            results = statestore.read_store(ref, profile=opts.profile, progress=progress,  # one listing, then GETs
                                            each=lambda objects: parsed.__setitem__(objects.name, _Parsed(objects)))
            if not results:
                raise InputError(arg, None, "no clusters in this state store")
    except statestore.StoreError as e:
        raise InputError(arg, None, str(e).removeprefix(arg + ": ")) from None
    for objects in results:
        got = parsed.get(objects.name) or _Parsed(objects)
        for t in got.targets:
            yield StoreTarget(t, replace(ref, cluster=objects.name), objects)
        if got.error is not None:
            raise got.error
