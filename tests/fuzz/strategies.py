"""Hypothesis strategies that turn a real input into a hostile one.

Each mutation is one class of the failures issue 19 found: flipped bytes, a file cut short, a value
of the wrong type, YAML 1.1 tags and impossible dates, huge numbers, odd unicode, deep nesting and
thousands of documents. They compose: a case may apply several in a row.
"""

from __future__ import annotations

import hashlib
import re
from typing import NamedTuple

from hypothesis import strategies as st

# Values a scalar may be swapped for: other types, YAML 1.1 corner cases, tags, templates.
HOSTILE_VALUES = [
    "[]", "{}", "[1, 2]", "{a: 1}", "null", "~", "true", "yes", "off", "0", "-1", "12", "1e400", "-.inf", ".inf",
    ".nan", ".NaN", "0x1F", "0o17", "017", "1_000", "0b101", "1:20", "190:20:30", "'quoted'", '"dq"', "''",
    "2001-13-45", "2001-02-30", "2001-12-14t21:59:43.10-05:00", "2001-02-29 25:61:61", "!!timestamp 2001-13-45",
    "!!int abc", "!!int 0x", "!!int ²", "!!float abc", "!!float 1e99999", "!!bool maybe", "!!null x",
    "!!binary ===", "!!binary aGVsbG8=", "!!str 1", "!!set {a, b}", "!!omap [a]", "!!pairs [1]", "!!map [1]",
    "!!seq {a: 1}", "!!python/object/apply:os.system [echo]", "!!python/name:os.system", "!vault |\n  $ANSIBLE_VAULT;1.1;AES256\n  6162",
    "!Ref x", "!unknown {a: 1}", "&anchor 1", "*missing", '"{{ lookup(\'env\', \'X\') }}"', "{% if x %}y{% endif %}",
    "1.999999999", "1.3", "1.30", "v1.9999999999", "9" * 5000, "-" + "9" * 4400, "1." + "9" * 5000,
    "a" * 10_000, "\"\\x00\"", '"\\ud800"', "\"\\U0010FFFF\"", "|\n  block\n  text", ">-\n  folded",
]
UNICODE_BITS = ["\x85", "\u2028", "\u2029", "\ufeff", "\u202e", "\x7f", "\x1b[31m", "\t", "\r", "\r\n", "\x00",
                "\U0001F600", "\u0130", "\u00e9", "e\u0301", "\uffff", "\ufffd"]
_VALUE_LINE = re.compile(rb"^([ \t-]*[A-Za-z_][\w.-]*[ \t]*:[ \t]+)(\S[^\n]*)$", re.M)


@st.composite
def byte_flips(draw, data: bytes) -> bytes:
    """A few bytes replaced by any byte (invalid UTF-8, NUL, control characters)."""
    if not data:
        return data
    out = bytearray(data)
    for _ in range(draw(st.integers(1, 8))):
        out[draw(st.integers(0, len(out) - 1))] = draw(st.integers(0, 255))
    return bytes(out)


@st.composite
def truncations(draw, data: bytes) -> bytes:
    """The input cut off anywhere (mid-line, mid-character, mid-block)."""
    return data[: draw(st.integers(0, len(data)))]


@st.composite
def type_swaps(draw, data: bytes) -> bytes:
    """One to three `key: value` lines get a hostile value instead."""
    lines = list(_VALUE_LINE.finditer(data))
    if not lines:
        return data
    out = data
    for _ in range(draw(st.integers(1, 3))):
        lines = list(_VALUE_LINE.finditer(out))
        m = lines[draw(st.integers(0, len(lines) - 1))]
        value = draw(st.sampled_from(HOSTILE_VALUES)).encode()
        indent = len(m.group(1)) - len(m.group(1).lstrip(b" \t-"))
        value = value.replace(b"\n", b"\n" + b" " * (indent + 2))
        out = out[: m.start(2)] + value + out[m.end(2):]
    return out


@st.composite
def unicode_inserts(draw, data: bytes) -> bytes:
    """Odd characters (NEL, line separators, BOM, RTL override, emoji, random text) put anywhere."""
    bit = draw(st.one_of(st.sampled_from(UNICODE_BITS), st.text(min_size=1, max_size=20)))
    pos = draw(st.integers(0, len(data)))
    return data[:pos] + bit.encode("utf-8", "surrogatepass") + data[pos:]


@st.composite
def deep_nesting(draw, data: bytes) -> bytes:
    """A value nested hundreds to thousands deep: flow lists, flow maps or block maps."""
    depth = draw(st.integers(50, 3000))
    kind = draw(st.sampled_from(["flow-list", "flow-map", "block"]))
    if kind == "flow-list":
        deep = b"deep: " + b"[" * depth + b"]" * depth + b"\n"
    elif kind == "flow-map":
        deep = b"deep: " + b"{a: " * depth + b"1" + b"}" * depth + b"\n"
    else:
        depth = min(depth, 400)
        deep = b"".join(b"  " * i + b"a:\n" for i in range(depth)) + b"  " * depth + b"1\n"
    sep = b"" if data.endswith(b"\n") or not data else b"\n"
    return data + sep + deep


@st.composite
def many_documents(draw, data: bytes) -> bytes:
    """The input followed (or preceded) by hundreds to thousands of small documents."""
    n = draw(st.integers(100, 1000))  # 5,000 documents: tests/fuzz/test_hostile_input.py
    doc = draw(st.sampled_from([b"---\n", b"---\n# c\n", b"---\na: 1\n", b"--- x\n", b"---\nkind: ConfigMap\n"]))
    sep = b"" if data.endswith(b"\n") or not data else b"\n"
    return doc * n + data if draw(st.booleans()) else data + sep + doc * n


@st.composite
def long_numbers(draw, data: bytes) -> bytes:
    """A run of digits (a check id, a count, a port, a version) made thousands of digits long."""
    runs = list(re.finditer(rb"\d+", data))
    if not runs:
        return data
    m = runs[draw(st.integers(0, len(runs) - 1))]
    return data[: m.start()] + b"9" * draw(st.sampled_from([10, 4301, 5000, 10_000])) + data[m.end():]


@st.composite
def long_lines(draw, data: bytes) -> bytes:
    """One line made up to a megabyte long (a kube-bench title, a flag value; 3 MB in the regression tests)."""
    ends = [m.start() for m in re.finditer(rb"\n", data)]
    if not ends:
        return data + b"x" * 1_000_000
    at = ends[draw(st.integers(0, len(ends) - 1))]
    return data[:at] + b" " + b"y" * draw(st.sampled_from([100_000, 1_000_000])) + data[at:]


MUTATIONS = [long_numbers, long_lines, byte_flips, truncations, type_swaps, unicode_inserts, deep_nesting, many_documents]


class Case(NamedTuple):
    """One hostile input; its repr stays short (a failing case may hold megabytes)."""

    name: str
    data: bytes
    mutations: tuple[str, ...]

    def __repr__(self) -> str:
        digest = hashlib.sha256(self.data).hexdigest()[:12]
        return f"Case(seed={self.name!r}, mutations={self.mutations}, {len(self.data)} bytes, sha256 {digest}, starts {self.data[:120]!r})"


@st.composite
def hostile(draw, seeds: list[tuple[str, bytes]]) -> Case:
    """One real input with one to three mutations applied."""
    name, data = draw(st.sampled_from(seeds))
    applied = []
    for _ in range(draw(st.integers(1, 3))):
        mutation = draw(st.sampled_from(MUTATIONS))
        data = draw(mutation(data))
        applied.append(mutation.__name__)
    return Case(name, data, tuple(applied))
