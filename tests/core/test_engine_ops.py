"""Table tests for the test operators and version predicates: the engine's smallest parts."""

import pytest

from specpatch import versions
from specpatch.engine import run_test
from specpatch.model import Setting
from specpatch.benchmarks.profiles import Test


def s(value, origin="spec"):
    return Setting("kube-apiserver", "x", value, origin)


@pytest.mark.parametrize(
    "op,want,value,origin,expected",
    [
        ("present", None, "/p", "spec", True),
        ("present", None, None, "unset", False),
        ("present", None, "12500", "component-default", False),  # a binary default is not "set"
        ("present", None, "/x", "forced", True),
        ("absent", None, None, "unset", True),
        ("absent", None, "0.0.0.0", "component-default", True),
        ("absent", None, "x", "kops-default", False),
        ("eq", "false", "false", "spec", True),
        ("eq", "false", "False", "spec", True),
        ("eq", "false", "true", "component-default", False),
        ("eq", "0", None, "unset", False),
        ("noteq", "0", "4h0m0s", "spec", True),
        ("noteq", "0", "0", "spec", False),
        ("has", "NodeRestriction", "NamespaceLifecycle,NodeRestriction", "spec", True),
        ("has", "Node", "RBAC,NodeRestriction", "spec", False),  # elements, not substrings
        ("has", "127.0.0.1", "127.0.0.1:10249", "spec", True),  # a host matches host:port
        ("has", "127.0.0.1", "0.0.0.0:10249", "spec", False),
        ("nothave", "AlwaysAllow", "Node,RBAC", "spec", True),
        ("nothave", "AlwaysAllow", "AlwaysAllow", "kops-default", False),
        ("nothave", "RotateKubeletServerCertificate=false", "A=true,RotateKubeletServerCertificate=false", "spec", False),
        ("gte", "30", "30", "spec", True),
        ("gte", "30", "7", "spec", False),
        ("gte", "30", "5m", "spec", False),
        ("lte", "5", "3", "spec", True),
        ("valid_elements", ["A", "B"], "A,B", "spec", True),
        ("valid_elements", ["A", "B"], "A,C", "spec", False),
        ("valid_elements", ["A"], "", "spec", False),
        ("regex", "^127\\.", "127.0.0.1", "spec", True),
    ],
)
def test_operators(op, want, value, origin, expected):
    assert run_test(Test(flag="x", op=op, value=want), s(value, origin)) is expected


def test_unknown_op_is_an_error():
    with pytest.raises(ValueError):
        run_test(Test(flag="x", op="bogus"), s("1"))


@pytest.mark.parametrize(
    "text,expected",
    [("1.32.4", (1, 32)), ("v1.28.0", (1, 28)), ("1.30", (1, 30)), ("stable", None), (None, None),
     ("https://storage.googleapis.com/kubernetes-release/release/v1.29.3/", (1, 29))],
)
def test_parse_minor(text, expected):
    assert versions.parse_minor(text) == expected


@pytest.mark.parametrize(
    "spec,v,expected",
    [(">=1.23", (1, 23), True), (">=1.23", (1, 22), False), ("<1.19", (1, 18), True), ("1.19-1.22", (1, 22), True),
     ("1.19-1.22", (1, 23), False), ("1.25", (1, 25), True), (">1.2", (1, 10), True)],
)
def test_version_predicates(spec, v, expected):
    assert versions.matches(spec, v) is expected


def test_when_unknown_k8s_is_newest():
    assert versions.when_holds({"k8s": ">=1.20"}, (1, 37), None)
    assert not versions.when_holds({"k8s": "<1.20"}, (1, 37), None)


@pytest.mark.parametrize(
    "op,want,value,expected",
    [("noteq", "0", "0s", False), ("noteq", "0", "4h0m0s", True), ("eq", "0", "0h0m0s", False is False), ("noteq", "0", "5m", True)],
)
def test_durations_compare_by_length(op, want, value, expected):
    assert run_test(Test(flag="x", op=op, value=want), s(value)) is expected
