"""`specpatch apply`: lint, show the patch, write it back without losing anyone's change, then
(only when asked) roll it out with kops. Each step is reported as done or not done."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from typing import Callable

from specpatch.model import FilePatch, InputError
from specpatch.options import Options


class ApplyError(Exception):
    """A step failed; `code` is the exit code to end with."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


@dataclass(slots=True)
class ApplyRequest:
    source: str
    state: str | None = None
    name: str | None = None
    yes: bool = False
    dry_run: bool = False
    update: bool = False
    rolling_update: bool = False
    rolling_args: list[str] = field(default_factory=list)
    kops_binary: str | None = None


@dataclass(slots=True)
class ApplyLog:
    done: list[str] = field(default_factory=list)
    not_done: list[str] = field(default_factory=list)


def _split_store_text(before_full: str, after_full: str, config: str) -> str:
    """The new `config` object: the patched text minus the unchanged instance-group documents."""
    suffix = before_full[len(config):]
    if suffix and not after_full.endswith(suffix):
        raise ApplyError("the fix changes instance groups too; patch them with `kops edit instancegroup` (apply writes the cluster config only)")
    return after_full[: len(after_full) - len(suffix)] if suffix else after_full


def run_apply(req: ApplyRequest, opts: Options, out: Callable[[str], None], confirm: Callable[[str], bool]) -> ApplyLog:
    """The whole flow. Raises ApplyError with the exit code on the first failure."""
    from specpatch.commands.inputs import is_store, load
    from specpatch.text.diff import unified_diff

    log = ApplyLog()
    state = req.state or os.environ.get("KOPS_STATE_STORE")
    source = req.source
    store = is_store(source) or (not source and bool(state))
    if store:
        from specpatch.kops import statestore

        cluster = req.name or os.environ.get("KOPS_CLUSTER_NAME") or os.environ.get("NAME")
        ref = statestore.resolve(source if is_store(source) else None, state, cluster, os.environ)
        if not ref.cluster:
            raise ApplyError("apply needs one cluster: give s3://bucket/CLUSTER or --name", 2)
        source = statestore.store_url(ref)
    errors: list[str] = []
    targets = list(load(source, opts, errors))
    if errors:
        raise ApplyError("\n".join(errors), 2)
    if len(targets) != 1:
        raise ApplyError(f"{source}: apply works on exactly one cluster; found {len(targets)}", 2)
    target = targets[0]
    name = target.cluster.name

    # Everything that can be checked before a write is checked first.
    runner = None
    if req.update or req.rolling_update:
        from specpatch.kops import runner as kops_sink

        try:
            kops_sink.validate_cluster_name(name)
        except ValueError as e:
            raise ApplyError(f"cluster name {name!r} is not a valid DNS name: {e}", 2) from None
        try:
            binary = kops_sink.find_kops(req.kops_binary)
            kops_sink.check_passthrough(req.rolling_args)
        except kops_sink.KopsError as e:
            raise ApplyError(str(e), 2) from None
        runner = kops_sink.KopsRunner(binary)
        if not state and not store:
            raise ApplyError("--update needs the kops state store: --state or KOPS_STATE_STORE", 2)
        try:  # build (and so validate) the kops arguments now: `--state=--yes` must fail before the write
            runner.update(name, state if not store else _store_root(target), yes=True)
        except kops_sink.KopsError as e:
            raise ApplyError(str(e), 2) from None

    report = target.lint(opts)
    fails = sum(1 for f in report.findings if f.status == "FAIL")
    out(f"{target.path}: {fails} FAIL before the patch")
    patches: list[FilePatch] = target.fix(opts)
    changed = [p for p in patches if p.before != p.after]
    for p in changed:
        out(unified_diff(p).rstrip("\n"))
    for w in (w for p in changed for w in p.edits):
        out(f"edit: {w.describe()}")
    for n in dict.fromkeys(n for p in patches for n in p.notes):
        out(f"by hand: {n}")
    if not changed:
        out("nothing to write: no fixable FAIL")
        log.not_done.append("write (nothing to fix)")
    elif req.dry_run:
        log.not_done.append(f"write {target.path} (--dry-run)")
    elif not req.yes and not confirm(f"Write the patched spec to {target.path}?"):
        log.not_done.append(f"write {target.path} (not confirmed; use --yes)")
        _skip_rollout(req, log)
        return log
    else:
        _write(target, changed[0], store)
        log.done.append(f"wrote {target.path}")

    if runner is None:
        return log
    steps = []
    if not store:
        steps.append(("kops replace", runner.replace(target.path, state)))
    steps.append(("kops update cluster", runner.update(name, state if not store else _store_root(target), yes=True)))
    if req.rolling_update:
        extra = req.rolling_args + touched_roles(changed, req.rolling_args)
        steps.append(("kops rolling-update cluster", runner.rolling_update(name, state if not store else _store_root(target), yes=True, extra=extra)))
    if req.dry_run:
        for label, argv in steps:
            out("would run: " + " ".join(argv))
            log.not_done.append(f"{label} (--dry-run)")
        return log
    result = runner.run_sequence(steps)
    for label in result.done:
        log.done.append(label)
    for label in result.skipped:
        log.not_done.append(f"{label} (skipped after a failure)")
    if result.failed:
        label, code = result.failed
        log.not_done.insert(0, f"{label} failed with exit code {code}")
        raise ApplyFailed(log, code)
    return log


def touched_roles(patches: list[FilePatch], given: list[str]) -> list[str]:
    """`--instance-group-roles` (or `--instance-group`) for only what the patch touches, unless the user chose."""
    if any(a.split("=", 1)[0] in ("--instance-group", "--instance-group-roles") for a in given):
        return []
    roles = list(dict.fromkeys(r for p in patches for w in p.edits for r in w.roles))
    igs = [r[3:] for r in roles if r.startswith("ig:")]
    plain = [r for r in roles if not r.startswith("ig:")]
    out: list[str] = []
    if plain and igs:
        return []  # roles plus single groups of other roles: roll everything rather than miss one
    if plain:
        out += ["--instance-group-roles", ",".join(plain)]
    elif igs:
        out += ["--instance-group", ",".join(igs)]
    return out


class ApplyFailed(ApplyError):
    def __init__(self, log: ApplyLog, code: int) -> None:
        super().__init__("a kops step failed", code)
        self.log = log


def _skip_rollout(req: ApplyRequest, log: ApplyLog) -> None:
    if req.update:
        log.not_done.append("kops update cluster (nothing written)")
    if req.rolling_update:
        log.not_done.append("kops rolling-update cluster (nothing written)")


def _store_root(target) -> str:
    from specpatch.kops.statestore import store_root

    return store_root(target.ref)


def _write(target, patch: FilePatch, store: bool) -> None:
    """Atomic local replace, or a conditional state-store write that keeps the previous spec."""
    if not store:
        from specpatch.text.atomic import write_atomic

        write_atomic(patch.path, patch.after)
        return
    from specpatch.kops import statestore

    full_before = patch.before
    new_config = _split_store_text(full_before, patch.after, target.objects.config)
    try:
        statestore.write_config(target.ref, target.objects, new_config)
    except statestore.ConflictError as e:
        raise ApplyError(f"{target.path}: {e}; nothing written", 1) from None
    except statestore.StoreError as e:
        raise ApplyError(f"{target.path}: {e}", 2) from None


def tty_confirm(question: str) -> bool:
    """Ask on a terminal; without one, never write."""
    if not sys.stdin.isatty():
        return False
    sys.stderr.write(f"{question} [y/N] ")
    sys.stderr.flush()
    answer = sys.stdin.readline().strip().lower()
    return answer in ("y", "yes")


__all__ = ["ApplyRequest", "ApplyError", "ApplyFailed", "run_apply", "tty_confirm", "InputError"]
