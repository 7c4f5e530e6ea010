"""`specpatch explain` and `specpatch profiles`: reading the bundled benchmarks, no spec needed."""

from __future__ import annotations

from specpatch.commands.common import UsageError


def run_explain(check: str, benchmark: str) -> int:
    from specpatch.benchmarks import profiles
    from specpatch.commands.explain import explain_check

    if benchmark not in profiles.benchmark_names():
        raise UsageError(f"unknown benchmark {benchmark!r}; bundled: {', '.join(profiles.benchmark_names())}")
    try:
        print(explain_check(check, benchmark))
    except KeyError as e:
        raise UsageError(e.args[0]) from None
    return 0


def run_profiles(fmt: str = "text") -> int:
    from specpatch.benchmarks import profiles

    if fmt == "json":
        from specpatch.benchmarks.export import render_json

        print(render_json(), end="")
        return 0
    if fmt != "text":
        raise UsageError(f"unknown format {fmt!r} for profiles; use text or json")

    idx = profiles.index()
    for name in profiles.benchmark_names():
        b = profiles.benchmark(name)
        mark = " (default)" if name == idx["default"] else ""
        print(f"{name:10} Kubernetes {', '.join(b.kubernetes):24} {len(b.checks):3} checks{mark}")
    return 0
