"""Syntax check of the HCL expressions the parser keeps as source text.

Why: values the linter cannot evaluate (`var.x`, `upper("a")`, `a ? b : c`) are kept as text and
reported UNDETERMINED, but text Terraform rejects (`enable_profiling = true true`, `x = 1 +`,
`"${a b}"`) must be an input error, not an unknown value. This is a recognizer for the
expression grammar of HCL native syntax (operators, conditionals, function calls, traversals,
splats, tuples, objects, `for` expressions, string and heredoc templates); it evaluates nothing.

Newlines are ignored inside `( )`, `[ ]`, `${ }` and `for` expressions, and separate elements
inside `{ }` object constructors, as in HCL.
"""

from __future__ import annotations

import re
from typing import NoReturn

from specpatch.terraform.hcllex import _HEREDOC, _IDENT, MAX_DEPTH, Lexer

_NUM = re.compile(r"[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_DIGITS = re.compile(r"[0-9]+")
_BINARY = ("&&", "||", "==", "!=", "<=", ">=", "<", ">", "+", "-", "*", "/", "%")
_OP_START = frozenset("&|=!<>+-*/%")
_DIRECTIVES = ("if", "else", "endif", "for", "endfor")


def check_expr(lx: Lexer, start: int, end: int) -> None:
    """Raise InputError (with the line) unless text[start:end] is one HCL expression."""
    _Checker(lx, start, end, lx.depth).whole()


class _Checker:
    """A cursor over one expression's text; each grammar rule consumes what it recognizes."""

    def __init__(self, lx: Lexer, start: int, end: int, depth: int = 0, interp: bool = False) -> None:
        self.interp = interp  # inside `${ }` / `%{ }`
        self.lx = lx
        self.t = lx.t
        self.p = start
        self.end = end
        self.depth = depth

    # -- cursor ---------------------------------------------------------------------------
    def fail(self, msg: str, pos: int | None = None) -> NoReturn:
        raise self.lx.err(self.p if pos is None else pos, msg)

    def sp(self, nl: bool) -> None:
        """Skip blanks and comments; newlines too unless nl (they are significant there)."""
        t = self.t
        while self.p < self.end:
            c = t[self.p]
            if c in " \t\r":
                self.p += 1
            elif t.startswith("/*", self.p):
                self.p = min(self.lx.skip_block_comment(self.p), self.end)
            elif c == "#" or t.startswith("//", self.p):
                j = t.find("\n", self.p, self.end)
                if j < 0 and self.interp:
                    self.fail("a comment inside ${ } runs to the end of the line, past the closing '}'")
                self.p = self.end if j < 0 else j
            elif c == "\n" and not nl:
                self.p += 1
            else:
                break

    def at(self, s: str) -> bool:
        return self.p + len(s) <= self.end and self.t.startswith(s, self.p)

    def word(self) -> str | None:
        m = _IDENT.match(self.t, self.p, self.end)
        return m.group() if m else None

    def keyword(self, w: str) -> bool:
        return self.word() == w

    def what(self) -> str:
        """The next token as a reader would name it, for messages."""
        if self.p >= self.end:
            return "the end of the value"
        if self.t[self.p] == "\n":
            return "a new line"
        if self.t[self.p] == '"':
            return "a string"
        w = self.word()
        return repr(w if w else self.t[self.p])

    def expect(self, s: str, where: str) -> None:
        if not self.at(s):
            self.fail(f"expected {s!r} {where}, found {self.what()}")
        self.p += len(s)

    # -- grammar --------------------------------------------------------------------------
    def whole(self) -> None:
        self.expr(False)
        self.sp(False)
        if self.p < self.end:
            self.fail(f"unexpected {self.what()} after a complete value (an operator or a new line is missing)")

    def expr(self, nl: bool) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            self.fail(f"nested more than {MAX_DEPTH} levels deep")
        self.unary(nl)
        while True:
            self.sp(nl)
            c = self.t[self.p] if self.p < self.end else ""
            op = next((o for o in _BINARY if self.at(o)), None) if c in _OP_START else None
            if op is None:
                break
            self.p += len(op)
            self.unary(nl)
        if self.at("?"):
            self.p += 1
            self.expr(nl)
            self.sp(nl)
            self.expect(":", "in a conditional (cond ? a : b)")
            self.expr(nl)
        self.depth -= 1

    def unary(self, nl: bool) -> None:
        self.sp(nl)
        while self.at("-") or (self.at("!") and not self.at("!=")):
            self.p += 1
            self.sp(nl)
        self.term(nl)
        self.postfix(nl)

    def postfix(self, nl: bool) -> None:
        """Traversals after a term: `.name`, `.0` (legacy index), `.*`, `[expr]`, `[*]`."""
        while True:
            save = self.p
            self.sp(nl)
            if self.at(".") and not self.at(".."):
                self.p += 1
                self.sp(nl)
                if self.at("*"):
                    self.p += 1
                    continue
                m = _DIGITS.match(self.t, self.p, self.end)
                w = m.group() if m else self.word()
                if not w:
                    self.fail(f"expected an attribute name after '.', found {self.what()}")
                self.p += len(w)
            elif self.at("["):
                self.p += 1
                self.sp(False)
                if self.at("*"):
                    self.p += 1
                else:
                    self.expr(False)
                self.sp(False)
                self.expect("]", "to close the index")
            else:
                self.p = save
                return

    def term(self, nl: bool) -> None:
        t, p = self.t, self.p
        if p >= self.end or t[p] == "\n":
            self.fail(f"expected a value, found {self.what()}")
        c = t[p]
        if c == '"':
            e = self.lx.parse_string(p)[1]
            self.template(p + 1, e - 1, quoted=True)
            self.p = e
        elif t.startswith("<<", p) and _HEREDOC.match(t, p):
            m = _HEREDOC.match(t, p)
            e = self.lx.parse_heredoc(p)[1]
            assert m is not None
            self.template(m.end(), t.rfind("\n", 0, e) + 1, quoted=False)
            self.p = e
        elif c == "(":
            self.p += 1
            self.expr(False)
            self.sp(False)
            self.expect(")", "to close '('")
        elif c == "[":
            self.tuple()
        elif c == "{":
            self.object()
        elif _NUM.match(t, p, self.end):
            m = _NUM.match(t, p, self.end)
            assert m is not None
            self.p = m.end()
            if self.word() is not None:
                self.fail(f"invalid number {t[p : self.p]}{self.word()}", p)
        elif self.word():
            self.p += len(self.word() or "")
            self.call_or_name(nl)
        else:
            self.fail(f"unexpected {self.what()} where a value should be")

    def call_or_name(self, nl: bool) -> None:
        """After an identifier: a function call `f(...)` / `provider::ns::f(...)`, or a name."""
        namespaced = False
        while self.at("::"):
            self.p += 2
            w = self.word()
            if not w:
                self.fail(f"expected a function name after '::', found {self.what()}")
            self.p += len(w)
            namespaced = True
        save = self.p
        self.sp(nl)
        if not self.at("("):
            if namespaced:
                self.fail(f"expected '(' after the function name, found {self.what()}")
            self.p = save
            return
        self.p += 1
        self.sp(False)
        if self.at(")"):
            self.p += 1
            return
        while True:
            self.expr(False)
            self.sp(False)
            if self.at("..."):
                self.p += 3
                self.sp(False)
                self.expect(")", "after '...' in the function arguments")
                return
            if self.at(","):
                self.p += 1
                self.sp(False)
                if self.at(")"):
                    self.p += 1
                    return
                continue
            self.expect(")", "or ',' in the function arguments")
            return

    def tuple(self) -> None:
        self.p += 1
        self.sp(False)
        if self.keyword("for"):
            self.for_expr("]")
            return
        while True:
            self.sp(False)
            if self.at("]"):
                self.p += 1
                return
            self.expr(False)
            self.sp(False)
            if self.at(","):
                self.p += 1
            elif not self.at("]"):
                self.fail(f"expected ',' or ']' in the list, found {self.what()}")

    def object(self) -> None:
        open_ = self.p
        self.p += 1
        self.sp(False)
        if self.keyword("for"):
            self.for_expr("}")
            return
        while True:
            self.sp(False)
            if self.at("}"):
                self.p += 1
                return
            if self.p >= self.end:
                self.fail("object is never closed (missing '}')", open_)
            self.expr(True)  # the key: a name, a string, or a parenthesized expression
            self.sp(True)
            if self.at(":") or (self.at("=") and not self.at("==") and not self.at("=>")):
                self.p += 1
            else:
                self.fail(f"expected '=' after the object key, found {self.what()}")
            self.expr(True)
            self.sp(True)
            if self.at(","):
                self.p += 1
            elif not (self.at("\n") or self.at("}")):
                self.fail(f"expected ',', a new line or '}}' after the object element, found {self.what()}")

    def for_expr(self, close: str) -> None:
        """`[for k, v in coll : value if cond]` or `{for k, v in coll : key => value... if cond}`."""
        self.p += 3
        for n in range(2):
            self.sp(False)
            w = self.word()
            if not w or w == "in":
                self.fail(f"expected a variable name in the for expression, found {self.what()}")
            self.p += len(w)
            self.sp(False)
            if n or not self.at(","):
                break
            self.p += 1
        if not self.keyword("in"):
            self.fail(f"expected 'in' in the for expression, found {self.what()}")
        self.p += 2
        self.expr(False)
        self.sp(False)
        self.expect(":", "after the collection of the for expression")
        self.expr(False)
        self.sp(False)
        if close == "}":
            self.expect("=>", "between the key and the value of the for expression")
            self.expr(False)
            self.sp(False)
            if self.at("..."):
                self.p += 3
                self.sp(False)
        if self.keyword("if"):
            self.p += 2
            self.expr(False)
            self.sp(False)
        self.expect(close, "to close the for expression")

    def template(self, start: int, end: int, quoted: bool) -> None:
        """The `${ expr }` interpolations and `%{ directive }`s of a string or heredoc body."""
        t, j = self.t, start
        while j < end:
            if quoted and t[j] == "\\":
                j += 2
            elif t.startswith("$${", j) or t.startswith("%%{", j):
                j += 3
            elif t.startswith("${", j) or t.startswith("%{", j):
                close = self.lx.skip_interp(j + 2)
                s, e = j + 2, close - 1
                if t.startswith("~", s):
                    s += 1
                k = e
                while k > s and t[k - 1] in " \t\r\n":
                    k -= 1
                if k > s and t[k - 1] == "~":
                    e = k - 1
                if t[j] == "$":
                    _Checker(self.lx, s, e, self.depth + 1, interp=True).whole()
                else:
                    inner = _Checker(self.lx, s, e, self.depth + 1, interp=True)
                    inner.sp(False)
                    if inner.word() not in _DIRECTIVES:
                        self.fail("unknown template directive (expected if, else, endif, for or endfor after '%{')", j)
                j = close
            else:
                j += 1
