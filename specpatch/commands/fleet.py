"""A fleet, streamed: a big folder of kops files linted on every core, each worker rendering its own
share of the text report, so the parent writes text as it arrives and keeps tallies, never findings.

Pickling every finding back to one process cost more than linting it, and 10,000 specs' findings
held at once cost hundreds of MiB; here a worker returns one string and a few counts per chunk of
files, and memory stays flat however big the fleet. What the whole run decides is decided the same
way as `lint_paths` + `render_report`: output order (file order, then the inventories and Terraform
folders found beside them), waivers (a config waiver counts as used when any chunk used it), the
summary, the exit code, and "nothing checked" (a run whose targets have no finding prints no report).
"""

from __future__ import annotations

import json
import operator
import os
import sys
from collections import Counter
from dataclasses import dataclass, field
from typing import Any, TextIO

from specpatch.model import InputError, Report, TargetReport
from specpatch.options import Options

PARALLEL_MIN_FILES = 200  # fewer files: linted in the parent, worker processes would cost more than they save
CHUNK_FILES = 32  # small chunks: output flows early and a worker holds only a chunk's reports
TAIL_FILES = 8


@dataclass
class Piece:
    """What one chunk of files (or the parent's own targets) adds to the run."""

    parts: list[str] = field(default_factory=list)  # each target rendered in the run's format
    targets: int = 0
    failing: bool = False
    rows: dict[tuple[str, str], dict[str, int]] = field(default_factory=dict)  # (benchmark, section) -> status -> count
    errors: list[str] = field(default_factory=list)
    used_config: set[int] = field(default_factory=set)  # indices into the config's waivers
    inline: list[tuple[tuple, str, bool]] = field(default_factory=list)  # (waiver key, unused note, used)

    @property
    def with_findings(self) -> bool:
        """Some target has a finding (every finding is counted in a row)."""
        return bool(self.rows)


@dataclass(frozen=True)
class Job:
    """Everything a worker needs besides its files (picklable)."""

    opts: Options
    cfg: Any  # review.config.Config
    fmt: str  # text or json
    colour: bool
    verbose: bool
    fail_on: str
    no_waivers: bool


STREAMED = ("text", "json")


def stream_folders(paths: list[str], fmt: str, output: str | None, baseline: str | None, predict: str | None) -> list[tuple[str, list[str], list[str]]] | None:
    """(folder, kops files, other targets' folders) for each PATH when the run can be streamed: text or
    JSON to stdout, no baseline or prediction, every PATH a plain folder, enough files for workers; else None."""
    if fmt not in STREAMED or output is not None or baseline or predict or not paths or (os.cpu_count() or 1) < 2:
        return None
    from specpatch.commands.inputs import discover, is_kops_terraform_dir, is_kubespray

    if not all(os.path.isdir(p) for p in paths) or any(is_kubespray(p) or is_kops_terraform_dir(p) for p in paths):
        return None
    found = [(p, *discover(p)) for p in paths]
    if sum(len(files) for _, files, _ in found) < PARALLEL_MIN_FILES:
        return None
    return found


_KEY = operator.attrgetter("benchmark", "section", "status")


def _tally(piece: Piece, reports: list[TargetReport], job: Job) -> None:
    """Count the reports into the piece and render each onto its parts."""
    import json

    from specpatch.kops.lint import exit_status
    from specpatch.reporters import text

    seen: Counter = Counter()
    for t in reports:
        piece.parts.append(text.render_target(t, job.colour, job.verbose) if job.fmt == "text" else json.dumps(t.as_dict()))
        piece.targets += 1
        piece.failing = piece.failing or exit_status(t.findings, job.fail_on)
        seen.update(map(_KEY, t.findings))
    for (bench, section, status), n in seen.items():
        row = piece.rows.setdefault((bench, section), {})
        row[status] = row.get(status, 0) + n


def _waive(piece: Piece, reports: list[TargetReport], job: Job, path: str | None = None, text: str | None = None) -> None:
    """The run's waivers on these reports; which config waivers matched and which inline ones did."""
    import datetime as dt

    from specpatch.commands.common import check_waiver_ids
    from specpatch.review import waivers as wv

    if job.no_waivers or not reports:
        return
    if not job.cfg.waivers and text is not None and "specpatch" not in text and all(
            f.location is None or f.location.path == path for t in reports for f in t.findings):
        return  # no waiver can apply: none configured, none inline in the one file the findings point at
    sub = Report()
    sub.targets = reports
    config_waivers = list(job.cfg.waivers)
    found = wv.collect(sub, job.cfg)
    inline = found[len(config_waivers):]
    check_waiver_ids(inline)  # the config's were checked before the run began
    used: set[int] = set()
    wv.apply_waivers(sub, found, dt.date.today(), used)
    piece.used_config |= {i for i in used if i < len(config_waivers)}
    for i, w in enumerate(inline, start=len(config_waivers)):
        piece.inline.append(((w.source, w.check), wv.unused_note(w), i in used))


def error_line(path: str, e: Exception) -> str:
    """One file's failure as one line: its own message for bad input, else the boundary's."""
    if isinstance(e, InputError):
        return str(e)
    from specpatch.text.errors import boundary_line

    return boundary_line(e) or f"{path}: internal error: {type(e).__name__}: {e}"


def lint_file(path: str, opts: Options, reports: list[TargetReport], errors: list[str]):
    """Read one kops file and lint its clusters onto `reports`; a failure is one line on `errors`, and
    the clusters linted before it keep their reports (as lint_paths keeps them). The file's text, or None."""
    from specpatch.kops.target import targets_from_text
    from specpatch.text import reading as local

    try:
        src = local.read_file(path)
        for t in targets_from_text(src.text, src.path, require=False, opts=opts):
            reports.append(t.lint(opts))
    except Exception as e:  # noqa: BLE001 - one bad file is one line; the other files' reports survive
        errors.append(error_line(path, e))
        return None
    return src


def lint_chunk(args: tuple[list[str], Job]) -> Piece:
    """Worker: read, lint, waive and render a chunk of kops files; a bad file is one error line."""
    from specpatch.benchmarks import profiles

    paths, job = args
    profiles.use_organization(job.opts.org)
    piece = Piece()
    for path in paths:
        reports: list[TargetReport] = []
        src = lint_file(path, job.opts, reports, piece.errors)
        try:
            _waive(piece, reports, job, src.path if src else None, src.text if src else None)
        except Exception as e:  # noqa: BLE001 - a bad inline waiver is its file's error line
            piece.errors.append(error_line(path, e))
            continue
        _tally(piece, reports, job)
    return piece


class Sink:
    """Adds pieces up and writes their targets in order, as the report's renderer would join them.

    Output is held back until some target has a finding (a run with none prints no report: it exits 2,
    "nothing checked"); JSON also until more than 20 targets are in, since a report of up to 20 is
    indented and larger ones are compact."""

    def __init__(self, out: TextIO, fmt: str = "text") -> None:
        self.out = out
        self.fmt = fmt
        self.total = Piece()
        self.held: list[str] = []
        self.started = False

    def add(self, p: Piece) -> None:
        t = self.total
        t.targets += p.targets
        t.failing = t.failing or p.failing
        for key, row in p.rows.items():
            mine = t.rows.setdefault(key, {})
            for k, v in row.items():
                mine[k] = mine.get(k, 0) + v
        t.errors += p.errors
        t.used_config |= p.used_config
        t.inline += p.inline
        self.held += p.parts
        if t.with_findings and (self.fmt == "text" or t.targets > 20):
            self._flush()

    def _flush(self) -> None:
        if not self.held:
            return
        if self.fmt == "json" and not self.started:
            from specpatch import __version__

            self.out.write('{"specpatch": ' + json.dumps(__version__) + ', "targets": [')
        sep = "\n\n" if self.fmt == "text" else ", "
        self.out.write((sep if self.started else "") + sep.join(self.held))
        self.started = True
        self.held = []

    def summary(self) -> dict[str, int]:
        """Report.summary() from the tallies: the per-section counts added up."""
        from specpatch.model import status_summary

        counts: dict[str, int] = {}
        for row in self.total.rows.values():
            for status, n in row.items():
                counts[status] = counts.get(status, 0) + n
        return status_summary(counts)

    def finish(self) -> None:
        """The summary (text) or the closing fields (JSON), once every target is in."""
        from specpatch.reporters import text

        t = self.total
        if not (t.with_findings or t.errors) or (self.fmt == "text" and not t.targets):
            return  # "nothing checked" (no report), or errors alone: the text report is then empty too
        if self.fmt == "json":
            if not self.started:  # at most 20 targets: the indented form, as the report path writes it
                from specpatch import __version__

                doc = {"specpatch": __version__, "targets": [json.loads(x) for x in self.held],
                       "errors": list(self.total.errors), "summary": self.summary()}
                self.out.write(json.dumps(doc, indent=2) + "\n")
                return
            self._flush()
            self.out.write('], "errors": ' + json.dumps(self.total.errors) + ', "summary": ' + json.dumps(self.summary()) + "}\n")
            return
        self._flush()
        rows = self.total.rows if self.total.targets <= 20 else None
        self.out.write("\n\n" + text.summary_from_counts(self.summary(), rows) + "\n")

    def waiver_notes(self, cfg) -> list[str]:
        """Config waivers no chunk used, then inline ones no chunk used (each once)."""
        from specpatch.review import waivers as wv

        notes = [wv.unused_note(w) for i, w in enumerate(cfg.waivers) if i not in self.total.used_config]
        used = {key for key, _, was_used in self.total.inline if was_used}
        notes += list(dict.fromkeys(note for key, note, was_used in self.total.inline if not was_used and key not in used))
        return notes


def split(files: list[str], workers: int) -> list[list[str]]:
    """Chunks of CHUNK_FILES, the last few smaller (TAIL_FILES), so that no worker sits idle at the end
    while another finishes a whole chunk."""
    tail = min(len(files), 2 * workers * TAIL_FILES)
    head = len(files) - tail
    out = [files[i:min(i + CHUNK_FILES, head)] for i in range(0, head, CHUNK_FILES)]
    return out + [files[i:i + TAIL_FILES] for i in range(head, len(files), TAIL_FILES)]


def _in_order(pool, chunks: list, window: int):
    """lint_chunk over the chunks, results in order, at most `window` chunks in flight: a slow chunk
    holds back only a few finished ones, so memory stays flat however many files there are."""
    from collections import deque

    pending: deque = deque()
    for chunk in chunks:
        pending.append(pool.submit(lint_chunk, chunk))
        if len(pending) >= window:
            yield pending.popleft().result()
    while pending:
        yield pending.popleft().result()


def run(folders: list[tuple[str, list[str], list[str]]], job: Job, out: TextIO = sys.stdout) -> tuple[Sink, list[str]]:
    """Lint and write the fleet; returns the sink (tallies) and the waiver notes."""
    from concurrent.futures import ProcessPoolExecutor

    from specpatch.commands.inputs import load_folder, unique

    sink = Sink(out, job.fmt)
    workers = os.cpu_count() or 2
    owner, chunks = [], []
    for n, (_, files, _) in enumerate(folders):
        for part in split(files, workers):
            owner.append(n)
            chunks.append((part, job))
    found = [False] * len(folders)
    pool = ProcessPoolExecutor(max_workers=workers)
    try:
        for n, piece in zip(owner, _in_order(pool, chunks, window=4 * workers)):
            found[n] = found[n] or piece.targets > 0
            sink.add(piece)
    except BaseException:  # a closed pipe, ^C: stop the workers instead of linting the rest first
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()
    for n, (folder, _, dirs) in enumerate(folders):  # inventories and Terraform folders beside the specs: here, in order
        errors: list[str] = []
        reports = []
        # As lint_paths: "nothing found" only when no file gave a cluster and no error was said so far.
        for target in unique(load_folder(folder, job.opts, errors, [], dirs, found=found[n] or bool(sink.total.errors))):
            try:
                reports.append(target.lint(job.opts))
            except InputError as e:
                errors.append(str(e))
        piece = Piece(errors=errors)
        _waive(piece, reports, job)
        _tally(piece, reports, job)
        sink.add(piece)
    sink.finish()
    return sink, sink.waiver_notes(job.cfg)
