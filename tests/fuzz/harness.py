"""Run one hostile input through the real pipeline, in process, and sort the outcome.

Allowed endings: a result, an InputError (one `path:line: message` line), a FixError (the fix
refused, nothing written) or an exception the boundary words as one line (text/errors.py).
Anything else is what the CLI would print as `internal error`, and a case that runs past
HANG_SECONDS is a hang: both fail the test with the input that caused them.
"""

from __future__ import annotations

import contextlib
import os
import signal
import tempfile
import traceback

from specpatch.model import InputError
from specpatch.options import Options
from specpatch.plan import FixError
from specpatch.text.errors import boundary_line

HANG_SECONDS = 10


class Hang(Exception):
    pass


class InternalError(AssertionError):
    pass


@contextlib.contextmanager
def time_limit(seconds: int):
    """A Hang after `seconds` of CPU time (SIGPROF), or six times that of wall time (SIGALRM).

    CPU time, because other test processes share the machine: a case that waits for the CPU is
    slow, not hung; a loop that never ends burns CPU and is caught either way.
    """
    def on_timer(signum, frame):
        raise Hang(f"no result after {seconds} s of CPU time" if signum == signal.SIGPROF else f"no result after {6 * seconds} s")

    old = {sig: signal.signal(sig, on_timer) for sig in (signal.SIGPROF, signal.SIGALRM)}
    signal.setitimer(signal.ITIMER_PROF, seconds)
    signal.setitimer(signal.ITIMER_REAL, 6 * seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_PROF, 0)
        signal.setitimer(signal.ITIMER_REAL, 0)
        for sig, handler in old.items():
            signal.signal(sig, handler)


def outcome(fn, data: bytes, label: str) -> str:
    """'ok', 'input-error' or 'fix-refused'; raises InternalError for a bug or a hang."""
    try:
        with time_limit(HANG_SECONDS):
            fn(data)
        return "ok"
    except InputError as e:
        assert "\n" not in str(e).strip(), f"{label}: an input error of more than one line: {e!s:.300}"
        return "input-error"
    except FixError:
        return "fix-refused"
    except Hang as e:
        raise InternalError(f"{label}: hang: {e}") from None
    except Exception as e:  # noqa: BLE001 - sorting is the point
        if boundary_line(e) is not None:
            return "input-error"
        raise InternalError(f"{label}: internal error {type(e).__name__}: {e!s:.300}\n{traceback.format_exc(limit=-6)}") from None


def kops_case(data: bytes) -> None:
    """read -> parse -> lint -> fix, as `specpatch lint` and `specpatch fix` do for a local file."""
    from specpatch.kops.target import targets_from_text
    from specpatch.text.reading import decode

    if not data.strip():
        return
    text = decode(data, "fuzz.yaml")
    opts = Options()
    for t in targets_from_text(text, "fuzz.yaml"):
        t.lint(opts)
        t.fix(opts)


def kubespray_case(data: bytes) -> None:
    """The mutated file as group_vars/k8s_cluster/k8s-cluster.yml of an inventory: lint and fix."""
    from specpatch.kubespray.target import kubespray_targets

    opts = Options()
    with tempfile.TemporaryDirectory(prefix="fuzz-inv-") as inv:
        folder = os.path.join(inv, "group_vars", "k8s_cluster")
        os.makedirs(folder)
        with open(os.path.join(folder, "k8s-cluster.yml"), "wb") as fh:
            fh.write(data)
        for t in kubespray_targets(inv, opts):
            t.lint(opts)
            t.fix(opts)


_SPEC = None


def kubebench_case(data: bytes) -> None:
    """A mutated kube-bench report joined to the bundled example kops spec (bench-import)."""
    global _SPEC
    from specpatch.kops.target import targets_from_text
    from specpatch.kubebench import join
    from specpatch.text.reading import decode

    if _SPEC is None:
        from tests.fuzz.corpus import ROOT

        _SPEC = (ROOT / "fixtures" / "kops" / "cluster.yaml").read_text()
    text = decode(data, "results.txt") if data.strip() else ""
    join.run(text, "results.txt", targets_from_text(_SPEC, "cluster.yaml"), Options(), None)
