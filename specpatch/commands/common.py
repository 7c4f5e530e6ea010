"""What every command shares: options checked before any work, the team config, waivers, exit codes.

A run must not go green having checked nothing, so a wrong id, an unknown version or an empty
selection is a usage error here, before a target is read.
"""

from __future__ import annotations

from typing import Iterable

from specpatch.model import InputError, Report
from specpatch.options import Options

# Checks of the spec itself (not CIS), by the format that reports them.
SPEC_CHECKS = ("SP000", "SP001", "SP002", "SP003", "SP004",
               "KS001", "KS002", "KS003", "KS004", "KS005", "KS006", "KS007", "KS008")


class UsageError(Exception):
    """A command line that cannot run: printed as one `specpatch: ...` line, exit 2."""

    def __str__(self) -> str:
        return f"specpatch: {self.args[0]}"


def split_ids(values: Iterable[str] | None) -> set[str]:
    """`--only 1.2.1,1.2.2 --only 4.2` -> {"1.2.1", "1.2.2", "4.2"}."""
    out: set[str] = set()
    for v in values or []:
        out |= {x.strip() for x in str(v).split(",") if x.strip()}
    return out


def known_ids() -> list[str]:
    """Every check id of every bundled benchmark, the spec checks, and those the organization profile adds."""
    from specpatch.benchmarks import profiles

    ids: set[str] = set(SPEC_CHECKS)
    for name in profiles.benchmark_names():
        ids |= {c.id for c in profiles.load_benchmark(name).checks}
    org = profiles.organization()
    ids |= {str(a.get("id")) for a in getattr(org, "add", ()) if isinstance(a, dict) and a.get("id")}
    return sorted(ids)


def _is_known(check: str, ids: list[str]) -> bool:
    return any(i == check or i.startswith(check + ".") for i in ids)


def nearest(check: str, ids: list[str]) -> str:
    """The closest known id, for `did you mean` (a section prefix counts as known)."""
    import difflib  # only a wrong id needs it

    close = difflib.get_close_matches(check, ids, n=1, cutoff=0.0)
    return close[0] if close else ids[0]


def check_ids(ids: Iterable[str], where: str) -> None:
    """Raise a UsageError for the first id no bundled benchmark has, naming the nearest one."""
    known = None
    for i in sorted(ids):
        known = known or known_ids()
        if not _is_known(i, known):
            raise UsageError(f"{where}: unknown check id {i!r}; did you mean {nearest(i, known)!r}?")


def check_version(value: str | None, flag: str) -> None:
    from specpatch import versions

    if value is not None and versions.parse_minor(value) is None:
        raise UsageError(f"{flag} takes a release such as 1.30, not {value!r}")


def make_options(**kw) -> Options:
    """Options from the command line, every value checked first."""
    bench = kw.get("benchmark")
    if bench:
        from specpatch.benchmarks import profiles

        if bench not in profiles.benchmark_names():
            raise UsageError(f"unknown benchmark {bench!r}; bundled: {', '.join(profiles.benchmark_names())}")
    check_version(kw.get("kops_version"), "--kops-version")
    check_version(kw.get("kubespray_version"), "--kubespray-version")
    kw["only"] = split_ids(kw.get("only"))
    kw["skip"] = split_ids(kw.get("skip"))
    check_ids(kw["only"], "--only")
    check_ids(kw["skip"], "--skip")
    kw["extra_vars"] = list(kw.get("extra_vars") or [])
    return Options(**{k: v for k, v in kw.items() if v is not None})


def load_config(path: str | None = None):
    """The .specpatch.yaml named by --config, else the nearest; its organization profile applies to every benchmark from here on."""
    from specpatch.benchmarks import profiles
    from specpatch.review import config as config_mod

    try:
        cfg = config_mod.load(".", path)
    except (OSError, UnicodeDecodeError) as e:
        where = path or config_mod.find(".") or ".specpatch.yaml"
        reason = e.strerror.lower() if isinstance(e, OSError) and e.strerror else "not UTF-8 text"
        raise InputError(where, None, f"cannot read the configuration: {reason}") from None
    profiles.use_organization(cfg.profile)  # first: its added checks are known ids
    check_ids(cfg.only, f"{cfg.path}: only")
    check_ids(cfg.skip, f"{cfg.path}: skip")
    return cfg


def apply_waivers(report: Report, cfg) -> list[str]:
    """Inline waivers of every local file a finding points at, plus the config's; unused ones as notes."""
    import datetime as dt

    from specpatch.review.waivers import apply_waivers as apply, collect

    waivers = collect(report, cfg)
    if not waivers:
        return []
    check_waiver_ids(waivers)
    return apply(report, waivers, dt.date.today())


def check_waiver_ids(waivers) -> None:
    """An InputError for the first waiver naming a check no benchmark has (SARIF rule ids, with a `/`,
    are checked by the reporters' names)."""
    if not waivers:
        return
    known = known_ids()
    for w in waivers:
        if "/" not in w.check and w.check not in known:
            raise InputError(w.source, None, f"waiver for unknown check id {w.check!r}; did you mean {nearest(w.check, known)!r}?")


def nothing_checked(report: Report, what: str = "PATH") -> str | None:
    """Why the run checked nothing, or None: such a run exits 2, never 0."""
    return why_nothing(bool(report.errors), len(report.targets), any(t.findings for t in report.targets), what)


def why_nothing(errors: bool, targets: int, findings: bool, what: str = "PATH") -> str | None:
    """nothing_checked from tallies alone (a streamed fleet keeps no report)."""
    if errors:
        return None
    if not targets:
        return f"nothing checked: no target found in {what}"
    if not findings:
        return "nothing checked: the report has no result (do --only / --skip leave any check of this benchmark?)"
    return None


def exit_code(report: Report, fail_on: str) -> int:
    if report.errors:
        return 2
    from specpatch.kops.lint import exit_status

    return run_code(False, any(exit_status(t.findings, fail_on) for t in report.targets))


def run_code(errors: bool, failing: bool) -> int:
    """2 when an input could not be read, else 1 when a finding fails the run, else 0."""
    return 2 if errors else 1 if failing else 0

