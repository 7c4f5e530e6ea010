"""Peak memory of a command *and its worker processes*, sampled from /proc while it runs.

Why sampling: getrusage(RUSAGE_CHILDREN).ru_maxrss (and wait4's rusage) is the largest *single*
process ever waited for (on Linux, never below the size of the parent that forked it), not the
sum; a fleet lint runs one worker per core at the same time, so what the machine must hold is the
sum over the process tree at one instant. The sampler reads VmRSS (and Pss, which splits pages
shared after fork between the processes sharing them) of every process in the tree, every 10 ms
for the first half second and every 100 ms after, and keeps the largest sums, plus each process's
own high-water mark (VmHWM). Sum of RSS counts a shared page once per sharer, so it leans high;
sum of Pss is the fair share; the high-water marks added up bound any peak a sample missed.
"""

from __future__ import annotations

import subprocess
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

PROC = Path("/proc")


def status_field_kib(text: str, field: str) -> int:
    """The kB value of one `Field:   123 kB` line of /proc/<pid>/status or smaps_rollup (0 when absent, e.g. a zombie)."""
    for line in text.splitlines():
        if line.startswith(field + ":"):
            parts = line.split()
            return int(parts[1]) if len(parts) > 1 and parts[1].isdigit() else 0
    return 0


def tree_pids(root: int, children_of: Callable[[int], Iterable[int]]) -> list[int]:
    """root and all its descendants (breadth first), each once, whatever children_of answers."""
    seen, todo = [root], [root]
    while todo:
        pid = todo.pop(0)
        for child in children_of(pid):
            if child not in seen:
                seen.append(child)
                todo.append(child)
    return seen


def proc_children(pid: int) -> list[int]:
    """Direct children of pid from /proc/<pid>/task/*/children ([] once it is gone)."""
    out: list[int] = []
    try:
        for task in (PROC / str(pid) / "task").iterdir():
            try:
                out += [int(c) for c in (task / "children").read_text().split()]
            except OSError:
                continue
    except OSError:
        return []
    return out


def _read(path: Path) -> str:
    try:
        return path.read_text()
    except OSError:  # the process ended between listing and reading
        return ""


def tree_sample_kib(root: int, children_of: Callable[[int], Iterable[int]] = proc_children,
                    read: Callable[[Path], str] = _read) -> tuple[int, int, dict[int, int]]:
    """(sum of VmRSS, sum of Pss, {pid: VmHWM}) over root's live process tree, in KiB."""
    rss = pss = 0
    hwm: dict[int, int] = {}
    for pid in tree_pids(root, children_of):
        status = read(PROC / str(pid) / "status")
        one = status_field_kib(status, "VmRSS")
        if one:
            rss += one
            pss += status_field_kib(read(PROC / str(pid) / "smaps_rollup"), "Pss") or one
            hwm[pid] = max(one, status_field_kib(status, "VmHWM"))
    return rss, pss, hwm


@dataclass
class Peaks:
    """The largest sums seen over all samples, and each process's own high-water mark (KiB)."""

    rss_kib: int = 0
    pss_kib: int = 0
    procs: int = 0
    samples: int = 0
    hwm: dict[int, int] = field(default_factory=dict)

    def add(self, rss: int, pss: int, hwm: dict[int, int]) -> None:
        self.rss_kib = max(self.rss_kib, rss)
        self.pss_kib = max(self.pss_kib, pss)
        self.procs = max(self.procs, len(hwm))
        for pid, kib in hwm.items():
            self.hwm[pid] = max(self.hwm.get(pid, 0), kib)
        self.samples += 1


@dataclass
class Measured:
    """One run of a command: wall time, exit code and its memory peaks in MiB."""

    seconds: float
    returncode: int
    tree_rss_mib: float  # peak of the sum of VmRSS over the live process tree, as sampled
    tree_pss_mib: float  # peak of the sum of Pss (shared pages split between their sharers)
    hwm_sum_mib: float  # every process's own peak (VmHWM) added up: an upper bound that no sampling gap can miss
    largest_process_mib: float  # the largest VmHWM of one process
    procs: int
    samples: int

    @property
    def peak_mib(self) -> float:
        """The headline peak: the sampled sum, never below the largest single process."""
        return max(self.tree_rss_mib, self.largest_process_mib)


def run_measured(argv: list[str], env: dict[str, str] | None = None, interval: float = 0.1,
                 cwd: str | None = None) -> Measured:
    """Run argv (output discarded) while a thread samples its process tree every `interval` seconds.

    Not wait4's ru_maxrss: Linux carries the high-water mark of the address space a child had
    before exec (the bench process itself, when it forks) into it, so a small command would show
    the bench's own size.
    """
    peaks = Peaks()
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=cwd)
    done = threading.Event()

    def sample() -> None:
        n = 0
        while not done.is_set():
            peaks.add(*tree_sample_kib(proc.pid))
            n += 1
            done.wait(0.01 if n < 50 else interval)  # dense at first: a short command gets samples too

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    returncode = proc.wait()
    seconds = time.perf_counter() - t0
    done.set()
    sampler.join()
    return Measured(seconds=seconds, returncode=returncode,
                    tree_rss_mib=peaks.rss_kib / 1024, tree_pss_mib=peaks.pss_kib / 1024,
                    hwm_sum_mib=sum(peaks.hwm.values()) / 1024,
                    largest_process_mib=max(peaks.hwm.values(), default=0) / 1024,
                    procs=peaks.procs, samples=peaks.samples)
