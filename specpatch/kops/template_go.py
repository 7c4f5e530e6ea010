"""Go text/template, as `kops toolbox template` runs it: lex, parse and render with a source map.

Only what cluster templates use: `{{ .a.b }}`, `$`, variables, pipelines, `if`/`else if`/`else`,
`range` (with `$i, $x :=`), `with`, comments, `{{-`/`-}}` trimming, and the sprig functions of
template_funcs. Rendering records, for every piece of output, the template span it came from and
whether it is literal template text, so findings can point at template lines and fixes can tell a
literal value from one an action computed. Missing keys fail, as kops's --fail-on-missing (the
default) makes them.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from specpatch.kops.template_funcs import FUNCS, TemplateError, go_str, truthy

_ACTION = re.compile(r"\{\{(-\s)?(.*?)(\s-)?\}\}", re.S)
_REF = re.compile(r"^\$?((?:\.[A-Za-z_]\w*)+)$")
KEYWORDS = ("if", "else", "end", "range", "with", "define", "template", "block", "break", "continue")


@dataclass(slots=True)
class Action:
    start: int  # span of `{{ ... }}` in the template
    end: int
    inner: str
    line: int

    @property
    def word(self) -> str:
        s = self.inner.strip()
        if s.startswith("/*"):
            return "comment"
        w = re.match(r"[A-Za-z]+", s)
        return w.group(0) if w and w.group(0) in KEYWORDS and (len(s) == len(w.group(0)) or not s[len(w.group(0))].isalnum()) else ""

    @property
    def rest(self) -> str:
        return self.inner.strip()[len(self.word):].strip()


@dataclass(slots=True)
class Node:
    kind: str  # text, action, if, range, with
    start: int = 0
    end: int = 0
    action: Action | None = None
    branches: list[tuple[Action, list["Node"]]] = field(default_factory=list)  # if / else if
    body: list["Node"] = field(default_factory=list)
    other: list["Node"] = field(default_factory=list)  # else


@dataclass(slots=True)
class Seg:
    """One piece of rendered output: where it is, where in the template it came from, what it is."""

    out_start: int
    out_end: int
    tpl_start: int
    tpl_end: int
    literal: bool
    ref: tuple[str, ...] | None = None  # a plain `{{ .a.b }}` reference to the root values
    masked: bool = False  # an action left unevaluated (no values): its output is UNDETERMINED
    cond: Action | None = None  # inside this `if`/`with` (unrendered skeleton only)


def lex(text: str) -> list[tuple[str, int, int, Action | None]]:
    """("text", start, end, None) and ("action", start, end, Action) tokens, trimming applied."""
    toks: list[list] = []
    pos = 0
    for m in _ACTION.finditer(text):
        toks.append(["text", pos, m.start(), None])
        a = Action(m.start(), m.end(), m.group(2), text.count("\n", 0, m.start()) + 1)
        if m.group(1):
            prev = toks[-1]
            while prev[2] > prev[1] and text[prev[2] - 1] in " \t\r\n":
                prev[2] -= 1
        toks.append(["action", m.start(), m.end(), a])
        pos = m.end()
        if m.group(3):
            while pos < len(text) and text[pos] in " \t\r\n":
                pos += 1
    toks.append(["text", pos, len(text), None])
    for t in toks:
        if t[0] == "text" and "{{" in text[t[1]:t[2]]:
            line = text.count("\n", 0, text.index("{{", t[1])) + 1
            raise TemplateError(line, "unclosed action: `{{` without `}}`")
    return [tuple(t) for t in toks if t[0] == "action" or t[2] > t[1]]  # type: ignore[misc]


def parse(text: str) -> list[Node]:
    """The template as a tree of text, actions and blocks."""
    toks = lex(text)
    stack: list[tuple[Node, list[Node]]] = []
    root: list[Node] = []
    cur = root
    for kind, start, end, a in toks:
        if kind == "text":
            cur.append(Node("text", start, end))
            continue
        assert a is not None
        w = a.word
        if w == "comment":
            continue
        if w in ("if", "range", "with"):
            n = Node(w, a.start, a.end, a)
            if w == "if":
                n.branches.append((a, n.body))
            stack.append((n, cur))
            cur.append(n)
            cur = n.body
        elif w == "else":
            if not stack:
                raise TemplateError(a.line, "{{ else }} outside a block")
            n = stack[-1][0]
            if a.rest.startswith("if ") and n.kind == "if":
                body: list[Node] = []
                n.branches.append((Action(a.start, a.end, a.rest, a.line), body))
                cur = body
            else:
                cur = n.other
        elif w == "end":
            if not stack:
                raise TemplateError(a.line, "{{ end }} without a block")
            n, cur = stack.pop()
            n.end = a.end
        elif w in ("define", "template", "block", "break", "continue"):
            raise TemplateError(a.line, f"{{{{ {w} }}}} is not supported; render the template with `kops toolbox template` and lint the output")
        else:
            cur.append(Node("action", a.start, a.end, a))
    if stack:
        raise TemplateError(stack[-1][0].action.line, f"{{{{ {stack[-1][0].kind} }}}} without {{{{ end }}}}")
    return root


def plain_ref(a: Action) -> tuple[str, ...] | None:
    """The key path of `{{ .a.b }}` / `{{ $.a.b }}`, or None for anything computed."""
    m = _REF.match(a.inner.strip())
    return tuple(m.group(1)[1:].split(".")) if m else None


# -- expressions -------------------------------------------------------------------------------

_TOKEN = re.compile(r'\s*(?:(?P<str>"(?:[^"\\]|\\.)*")|(?P<raw>`[^`]*`)|(?P<num>-?\d+(?:\.\d+)?)|(?P<var>\$\w*(?:\.\w+)*)'
                    r"|(?P<field>(?:\.\w+)+|\.)|(?P<ident>[A-Za-z_]\w*)|(?P<op>[|()]|:=|,|=))")


def _tokens(src: str, line: int) -> list[tuple[str, str]]:
    out, pos = [], 0
    while pos < len(src):
        if src[pos:].strip() == "":
            break
        m = _TOKEN.match(src, pos)
        if not m or m.end() == pos:
            raise TemplateError(line, f"cannot read {src.strip()!r}")
        kind = m.lastgroup or ""
        out.append((kind, m.group(kind)))
        pos = m.end()
    return out


class Scope:
    def __init__(self, root: Any) -> None:
        self.root = root
        self.vars: list[dict[str, Any]] = [{"$": root}]

    def get(self, name: str, line: int) -> Any:
        for frame in reversed(self.vars):
            if name in frame:
                return frame[name]
        raise TemplateError(line, f"undefined variable {name}")


def _field(value: Any, names: list[str], line: int, what: str) -> Any:
    for n in names:
        if isinstance(value, dict):
            if n not in value:
                raise TemplateError(line, f"map has no entry for key {n!r} ({what}); add it to the values file")
            value = value[n]
        elif value is None:
            raise TemplateError(line, f"nil value has no field {n!r} ({what})")
        else:
            raise TemplateError(line, f"{go_str(value)!r} has no field {n!r} ({what})")
    return value


def evaluate(src: str, dot: Any, scope: Scope, line: int) -> Any:
    """A pipeline's value (declarations handled by the caller)."""
    toks = _tokens(src, line)
    value, i = _pipeline(toks, 0, dot, scope, line)
    if i != len(toks):
        raise TemplateError(line, f"unexpected {toks[i][1]!r} in {src.strip()!r}")
    return value


def _pipeline(toks, i, dot, scope, line):
    value, i, have = None, i, False
    while True:
        args, i = _command(toks, i, dot, scope, line)
        if have:
            args.append(("value", value))
        value = _call(args, line)
        have = True
        if i < len(toks) and toks[i] == ("op", "|"):
            i += 1
            continue
        return value, i


def _command(toks, i, dot, scope, line):
    args = []
    while i < len(toks) and toks[i][1] not in ("|", ")"):
        kind, text = toks[i]
        i += 1
        if kind == "op" and text == "(":
            v, i = _pipeline(toks, i, dot, scope, line)
            if i >= len(toks) or toks[i] != ("op", ")"):
                raise TemplateError(line, "missing )")
            i += 1
            args.append(("value", v))
        elif kind == "str":
            try:
                args.append(("value", json.loads(text)))  # Go's escapes are JSON's, near enough
            except ValueError:
                args.append(("value", text[1:-1]))
        elif kind == "raw":
            args.append(("value", text[1:-1]))
        elif kind == "num":
            args.append(("value", float(text) if "." in text else int(text)))
        elif kind == "var":
            name, *names = text.split(".")
            args.append(("value", _field(scope.get(name, line), names, line, text)))
        elif kind == "field":
            args.append(("value", dot if text == "." else _field(dot, text[1:].split("."), line, text)))
        elif kind == "ident":
            if text in ("true", "false"):
                args.append(("value", text == "true"))
            elif text == "nil":
                args.append(("value", None))
            else:
                args.append(("func", text))
        else:
            raise TemplateError(line, f"unexpected {text!r}")
    return args, i


def _call(args, line):
    if not args:
        raise TemplateError(line, "empty command")
    if args[0][0] == "func":
        name = args[0][1]
        fn = FUNCS.get(name)
        if fn is None:
            raise TemplateError(line, f"function {name!r} is not supported here; render with `kops toolbox template` and lint the output")
        return fn(*[v for _, v in args[1:]])
    if len(args) > 1:
        raise TemplateError(line, "can't give an argument to a non-function")
    return args[0][1]


# -- rendering ---------------------------------------------------------------------------------


@dataclass(slots=True)
class Rendered:
    """Output text, its source map, and the template spans of blocks (if/range/with, `%{ }`)."""

    text: str
    segs: list[Seg]
    blocks: list[tuple[int, int, Action]] = field(default_factory=list)
    conditional: list[tuple[int, int, Action]] = field(default_factory=list)  # if/with bodies


def block_spans(tree: list[Node]) -> list[tuple[int, int, Action]]:
    """(start, end, opening action) of every block, nested ones included."""
    out: list[tuple[int, int, Action]] = []
    for n in tree:
        if n.kind in ("if", "range", "with"):
            out.append((n.start, n.end, n.action))
            for _, body in n.branches:
                out += block_spans(body)
            out += block_spans(n.body if n.kind != "if" else []) + block_spans(n.other)
    return out


def render(text: str, values: dict[str, Any]) -> Rendered:
    """The template rendered with values, and the source map of every output piece."""
    tree = parse(text)
    out: list[str] = []
    segs: list[Seg] = []
    size = 0

    def emit(s: str, seg: Seg) -> None:
        nonlocal size
        if not s:
            return
        seg.out_start, seg.out_end = size, size + len(s)
        out.append(s)
        segs.append(seg)
        size += len(s)

    def run(nodes: list[Node], dot: Any, scope: Scope, at_root: bool) -> None:
        for n in nodes:
            if n.kind == "text":
                emit(text[n.start:n.end], Seg(0, 0, n.start, n.end, True))
            elif n.kind == "action":
                a = n.action
                src, var = _declaration(a.inner)
                v = evaluate(src, dot, scope, a.line)
                if var:
                    scope.vars[-1][var[0]] = v
                    continue
                ref = plain_ref(a)
                if ref is not None and not at_root and not a.inner.strip().startswith("$"):
                    ref = None
                emit(go_str(v), Seg(0, 0, a.start, a.end, False, ref))
            elif n.kind == "if":
                for a, body in n.branches:
                    if truthy(evaluate(a.rest, dot, scope, a.line)):
                        run(body, dot, scope, at_root)
                        break
                else:
                    run(n.other, dot, scope, at_root)
            elif n.kind == "with":
                v = evaluate(n.action.rest, dot, scope, n.action.line)
                run(n.body, v, scope, False) if truthy(v) else run(n.other, dot, scope, at_root)
            elif n.kind == "range":
                _range(n, dot, scope, at_root)

    def _range(n: Node, dot: Any, scope: Scope, at_root: bool) -> None:
        a = n.action
        src, names = _declaration(a.rest)
        v = evaluate(src, dot, scope, a.line)
        if isinstance(v, dict):
            items = [(k, v[k]) for k in sorted(v)]
        elif isinstance(v, (list, tuple)):
            items = list(enumerate(v))
        elif isinstance(v, int) and not isinstance(v, bool):
            items = [(i, i) for i in range(v)]
        elif v is None:
            items = []
        else:
            raise TemplateError(a.line, f"range can't iterate over {go_str(v)!r}")
        if not items:
            run(n.other, dot, scope, at_root)
        for k, item in items:
            frame: dict[str, Any] = {}
            if len(names) == 1:
                frame[names[0]] = item
            elif len(names) == 2:
                frame[names[0]], frame[names[1]] = k, item
            scope.vars.append(frame)
            run(n.body, item, scope, False)
            scope.vars.pop()

    run(tree, values, Scope(values), True)
    return Rendered("".join(out), segs, block_spans(tree))


def _declaration(src: str) -> tuple[str, list[str]]:
    """(`pipeline`, [variables]) of `$x := pipeline` or `$i, $x := pipeline`."""
    m = re.match(r"\s*(\$\w+)\s*(?:,\s*(\$\w+)\s*)?:=(.*)$", src, re.S)
    if not m:
        return src, []
    return m.group(3), [v for v in (m.group(1), m.group(2)) if v]


def actions(text: str) -> list[Action]:
    """Every `{{ ... }}` of a template, comments included."""
    return [t[3] for t in lex(text) if t[0] == "action"]
