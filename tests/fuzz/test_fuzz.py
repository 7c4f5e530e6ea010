"""Mutation fuzzing over the real corpus: no internal error, no hang, no multi-line error, ever.

`make test` runs a few dozen fixed cases per input kind (seconds); `make fuzz` sets FUZZ_EXAMPLES
so that the three kinds together run well over 10,000 random cases.
"""

from __future__ import annotations

import collections
import json
import os

import pytest
from hypothesis import HealthCheck, given, settings

from tests.fuzz import harness
from tests.fuzz.corpus import kops_seeds, kubebench_seeds, kubespray_seeds
from tests.fuzz.strategies import hostile

LONG = "FUZZ_EXAMPLES" in os.environ
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,  # the harness has its own 10 s hang limit per case
    derandomize=not LONG,  # `make test` sees the same cases every run; `make fuzz` explores
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)
COUNTS: collections.Counter = collections.Counter()


def _record(kind: str, result: str) -> None:
    COUNTS[(kind, result)] += 1
    out = os.environ.get("FUZZ_COUNTS")
    if out:  # `make fuzz` sums these files to print how many cases ran
        with open(f"{out}.{os.getpid()}", "w") as fh:
            json.dump({f"{k}:{r}": n for (k, r), n in COUNTS.items()}, fh)


@pytest.mark.parametrize("kind,seeds,fn", [
    ("kops", kops_seeds, harness.kops_case),
    ("kubespray", kubespray_seeds, harness.kubespray_case),
    ("kube-bench", kubebench_seeds, harness.kubebench_case),
])
def test_fuzz(kind, seeds, fn):
    if not seeds():
        pytest.skip(f"no {kind} seeds")

    @FUZZ
    @given(hostile(seeds()))
    def one(case):
        _record(kind, harness.outcome(fn, case.data, f"{kind} {case!r}"))

    one()
