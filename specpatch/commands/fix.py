"""`specpatch fix`: the patch as a unified diff, written in place only when asked and only for local files."""

from __future__ import annotations

import sys

from specpatch.commands import common
from specpatch.commands.inputs import load, spec_files, unique


def _hand_notes(patches) -> None:
    notes = list(dict.fromkeys(n for p in patches for n in p.notes))
    if notes:
        print("\nNot fixed by the patch (do this by hand):", file=sys.stderr)
        for n in notes:
            print(f"  - {n}", file=sys.stderr)


def _edit_notes(patches) -> None:
    """Each edit's safety class and why, and what it takes to reach the nodes (docs/fix-safety.md)."""
    from specpatch.plan import edit_lines, rollout_lines

    edits = [w for p in patches if p.before != p.after for w in p.edits]
    if edits:
        print("\nEdits (safety class):", file=sys.stderr)
        for line in edit_lines(edits):
            print(f"  {line}", file=sys.stderr)
        print("To reach the nodes:", file=sys.stderr)
        for line in rollout_lines(edits):
            print(f"  {line}", file=sys.stderr)


def run_fix(paths: list[str], *, in_place: bool, check_only: bool, skip_other: bool, out_format: str = "diff", **opt_kw) -> int:
    """Exit 0 (patch shown or written), 1 with --check when something would change, 2 on bad input."""
    from specpatch.commands.kops_source import refuse_in_place
    from specpatch.plan import FixError
    from specpatch.text.diff import unified_diff

    if in_place and not check_only:
        refuse_in_place(paths)
    cfg = common.load_config()
    opt_kw["only"] = (opt_kw.get("only") or []) + cfg.only
    opt_kw["skip"] = (opt_kw.get("skip") or []) + cfg.skip
    opts = common.make_options(benchmark=opt_kw.pop("benchmark") or cfg.default_benchmark, org=cfg.profile, **opt_kw)
    if skip_other:
        paths = spec_files(paths)
        if not paths:
            return 0
    errors: list[str] = []
    patches = []
    targets = list(unique(t for arg in paths for t in load(arg, opts, errors)))
    if not targets and not errors:
        print("nothing checked: no target found in PATH", file=sys.stderr)
        return 2
    from dataclasses import replace

    from specpatch.review.waivers import waived_checks

    for target in targets:
        try:
            waived = waived_checks(target, opts, cfg)  # a waived check is left as it is, so `fix --check` can pass
            patches += target.fix(replace(opts, skip=opts.skip | waived) if waived else opts)
        except FixError as e:
            errors.append(f"specpatch: {e}")
    changed = [p for p in patches if p.before != p.after]
    try:  # several clusters of one file: one patch holding all their fixes, not the last one only
        from specpatch.text.merge import merge_patches

        changed = merge_patches(changed)
    except FixError as e:
        errors.append(f"specpatch: {e}")
    if in_place and not check_only and not errors:
        from specpatch.text.atomic import write_many

        write_many({p.path: p.after for p in changed})  # all temp files first, then the renames
        for p in changed:
            print(f"fixed {p.path}: {', '.join(p.checks)}", file=sys.stderr)
    elif out_format == "json":
        from specpatch.plan import fix_json

        sys.stdout.write(fix_json(patches, unified_diff))
    else:
        for p in changed:
            sys.stdout.write(unified_diff(p))
    _edit_notes(patches)
    _hand_notes(patches)
    for e in errors:
        print(e, file=sys.stderr)
    if errors:
        return 2
    return 1 if check_only and changed else 0
