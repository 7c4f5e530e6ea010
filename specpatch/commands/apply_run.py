"""`specpatch apply` from the command line: kops's habits for naming the cluster, then the flow in apply.py."""

from __future__ import annotations

import os
import sys

from specpatch.commands import common


def rolling_args(instance_group: list[str] | None, instance_group_roles: str | None, cloudonly: bool,
                 validation_timeout: str | None) -> list[str]:
    """The flags passed through to `kops rolling-update cluster`."""
    out: list[str] = []
    for ig in instance_group or []:
        out += ["--instance-group", ig]
    if instance_group_roles:
        out += ["--instance-group-roles", instance_group_roles]
    if cloudonly:
        out.append("--cloudonly")
    if validation_timeout:
        out += ["--validation-timeout", validation_timeout]
    return out


def run_apply_command(source: str, *, state: str | None, name: str | None, yes: bool, dry_run: bool, update: bool,
                      rolling_update: bool, rolling: list[str], kops_binary: str | None, **opt_kw) -> int:
    from specpatch.commands.apply import ApplyError, ApplyFailed, ApplyRequest, run_apply, tty_confirm
    from specpatch.commands.kops_source import is_bare_name

    cfg = common.load_config()
    opt_kw["only"] = (opt_kw.get("only") or []) + cfg.only
    opt_kw["skip"] = (opt_kw.get("skip") or []) + cfg.skip
    opts = common.make_options(benchmark=opt_kw.pop("benchmark") or cfg.default_benchmark, org=cfg.profile, **opt_kw)
    if source and is_bare_name(source) and (state or os.environ.get("KOPS_STATE_STORE")):
        source, name = "", source  # `specpatch apply demo.k8s.local` with a store set, as kops takes it
    req = ApplyRequest(source=source, state=state, name=name, yes=yes, dry_run=dry_run, update=update or rolling_update,
                       rolling_update=rolling_update, rolling_args=rolling, kops_binary=kops_binary)
    try:
        log = run_apply(req, opts, print, tty_confirm)
        code = 0
    except ApplyFailed as e:
        log, code = e.log, e.code
    except ApplyError as e:
        print(f"specpatch: {e}", file=sys.stderr)
        return e.code
    for line in log.done:
        print(f"done: {line}", file=sys.stderr)
    for line in log.not_done:
        print(f"not done: {line}", file=sys.stderr)
    return code
