"""Character-level scanning for the HCL parser: positions, whitespace and comments, quoted
strings, heredocs, and finding where an expression we do not evaluate ends.

Why apart: the parser (`hclparse`) builds bodies and values on top of these scanners; keeping
them here keeps each module small and lets `hclexpr` reuse them to check expressions.
"""

from __future__ import annotations

import bisect
import re

from specpatch.model import InputError

_IDENT = re.compile(r"[^\W\d][\w-]*")  # HCL identifiers: Unicode letters, digits, '_' and '-'
_IDENT_CHAR = re.compile(r"[\w-]")
_NUMBER = re.compile(r"-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?")
_HEREDOC = re.compile(r"<<(-?)([A-Za-z_][A-Za-z0-9_-]*)[ \t]*\r?\n")
_PLAIN_STR = re.compile(r'[^"\\$%\n]+')
_HSPACE = " \t\r"
_CLOSE_OF = {"(": ")", "[": "]", "{": "}"}
MAX_DEPTH = 64  # blocks, collections and templates nested deeper than any real file: refused, not a RecursionError


class Lexer:
    """The text being parsed, its line starts, and the scanners every parse step uses."""

    def __init__(self, text: str, path: str) -> None:
        self.t = text
        self.n = len(text)
        self.path = path
        self.starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.comments: set[int] = set()
        self.legacy: list[int] = []  # lines of HCL1-only syntax that was read (see hclparse.body_node)
        self.depth = 0

    def nest(self, pos: int) -> None:
        """One level deeper (the caller undoes it with `self.depth -= 1` in a finally)."""
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise self.err(pos, f"nested more than {MAX_DEPTH} levels deep")

    # -- positions and errors -------------------------------------------------------------
    def lc(self, pos: int) -> tuple[int, int]:
        line = bisect.bisect_right(self.starts, pos)
        return line, pos - self.starts[line - 1] + 1

    def err(self, pos: int, msg: str) -> InputError:
        return InputError(self.path, self.lc(min(pos, self.n))[0], msg)

    # -- whitespace and comments ----------------------------------------------------------
    def skip_block_comment(self, i: int) -> int:
        j = self.t.find("*/", i + 2)
        if j < 0:
            raise self.err(i, "unterminated /* comment")
        return j + 2

    def skip_line_comment(self, i: int) -> int:
        """From `#` or `//` to the newline (not consumed); remembers where it started."""
        self.comments.add(i)
        j = self.t.find("\n", i)
        return self.n if j < 0 else j

    def is_line_comment(self, i: int) -> bool:
        t = self.t
        return i < self.n and (t[i] == "#" or t.startswith("//", i))

    def skip_hspace(self, i: int) -> int:
        """Spaces, tabs, CR and /* */ comments; stops at newline and line comments."""
        t, n = self.t, self.n
        while i < n:
            c = t[i]
            if c in _HSPACE:
                i += 1
            elif c == "/" and t.startswith("/*", i):
                i = self.skip_block_comment(i)
            else:
                break
        return i

    def skip_ws(self, i: int) -> int:
        """All whitespace, newlines and comments."""
        t, n = self.t, self.n
        while i < n:
            c = t[i]
            if c in _HSPACE or c == "\n":
                i += 1
            elif c == "#" or t.startswith("//", i):
                i = self.skip_line_comment(i)
            elif t.startswith("/*", i):
                i = self.skip_block_comment(i)
            else:
                break
        return i

    # -- strings, heredocs, expressions -----------------------------------------------------
    def parse_string(self, i: int) -> tuple[str, int, bool]:
        """A quoted string at i: (unescaped value, end offset, has a ${}/%{} template)."""
        t, n = self.t, self.n
        out: list[str] = []
        template = False
        j = i + 1
        while True:
            if j >= n or t[j] == "\n":
                raise self.err(i, "unterminated string")
            m = _PLAIN_STR.match(t, j)
            if m:
                out.append(m.group())
                j = m.end()
                continue
            c = t[j]
            if c == '"':
                return "".join(out), j + 1, template
            if c == "\\":
                e = t[j + 1 : j + 2]
                simple = {"n": "\n", "t": "\t", "r": "\r", '"': '"', "\\": "\\"}
                if e in simple:
                    out.append(simple[e])
                    j += 2
                elif e in ("u", "U"):
                    width = 4 if e == "u" else 8
                    hexs = t[j + 2 : j + 2 + width]
                    if len(hexs) != width or not re.fullmatch(r"[0-9A-Fa-f]+", hexs):
                        raise self.err(j, f"bad \\{e} escape in string")
                    out.append(chr(int(hexs, 16)))
                    j += 2 + width
                else:
                    raise self.err(j, f"invalid escape \\{e} in string")
                continue
            if t.startswith("$${", j) or t.startswith("%%{", j):
                out.append(c + "{")
                j += 3
                continue
            if t.startswith("${", j) or t.startswith("%{", j):
                template = True
                j = self.skip_interp(j + 2)
                continue
            out.append(c)
            j += 1

    def skip_interp(self, j: int) -> int:
        """From inside `${` to just after its matching `}` (strings and braces nested)."""
        t, n = self.t, self.n
        depth = 0
        start = j
        self.nest(j)
        try:
            while j < n:
                c = t[j]
                if c == '"':
                    j = self.parse_string(j)[1]
                    continue
                if c == "{":
                    depth += 1
                elif c == "}":
                    if depth == 0:
                        return j + 1
                    depth -= 1
                j += 1
        finally:
            self.depth -= 1
        raise self.err(start, "unterminated ${ interpolation")

    def parse_heredoc(self, i: int) -> tuple[str, int, bool]:
        """`<<EOF` / `<<-EOF`: (value with the final newline, offset just after the closing
        marker, has a template). `<<-` removes the smallest indentation of the content lines."""
        t = self.t
        m = _HEREDOC.match(t, i)
        if not m:
            raise self.err(i, "malformed heredoc (expected <<MARKER and a new line)")
        strip, marker = m.group(1) == "-", m.group(2)
        j = m.end()
        lines: list[str] = []
        while True:
            if j >= self.n:
                raise self.err(i, f"heredoc is never closed (missing {marker})")
            e = t.find("\n", j)
            e = self.n if e < 0 else e
            raw = t[j:e]
            stripped = raw.strip(" \t\r")
            if stripped == marker:
                end = j + raw.index(marker) + len(marker)
                break
            lines.append(raw)
            j = e + 1
        if strip:
            widths = [len(ln) - len(ln.lstrip(" \t")) for ln in lines if ln.strip(" \t\r")]
            cut = min(widths) if widths else 0
            lines = [ln[cut:] for ln in lines]
        body = "".join(ln + "\n" for ln in lines)
        template = bool(re.search(r"(?<![$%])[$%]\{", body.replace("$${", "").replace("%%{", "")))
        return body.replace("$${", "${").replace("%%{", "%{"), end, template

    def scan_expr(self, i: int, ctx: str) -> int:
        """End offset of an expression we do not evaluate: up to a newline (attr/object ctx),
        a ',' (list/object ctx) or an unmatched closing bracket, outside brackets."""
        t, n = self.t, self.n
        stack: list[tuple[str, int]] = []
        j = i
        last = i
        while j < n:
            c = t[j]
            if c in _HSPACE:
                j += 1
                continue
            if c == "\n":
                if not stack and ctx != "list":
                    break
                j += 1
                continue
            if c == "#" or t.startswith("//", j):
                j = self.skip_line_comment(j)
                continue
            if t.startswith("/*", j):
                j = self.skip_block_comment(j)
                continue
            if c == '"':
                j = last = self.parse_string(j)[1]
                continue
            if t.startswith("<<", j) and _HEREDOC.match(t, j):
                j = last = self.parse_heredoc(j)[1]
                continue
            if c in "([{":
                stack.append((_CLOSE_OF[c], j))
            elif c in ")]}":
                if not stack:
                    break
                want, at = stack.pop()
                if want != c:
                    raise self.err(at, f"{t[at]!r} is never closed (found {c!r} before {want!r})")
            elif c == "," and not stack:
                if ctx == "attr":
                    raise self.err(j, "unexpected ','")
                break
            elif c == "=" and not stack and t[j - 1] not in "=!<>" and t[j + 1 : j + 2] not in ("=", ">"):
                raise self.err(j, "unexpected '=' (one attribute per line)")
            j += 1
            last = j
        if stack:
            raise self.err(stack[-1][1], f"{t[stack[-1][1]]!r} is never closed (missing {stack[-1][0]!r})")
        if last == i:
            raise self.err(i, "expected a value")
        return last
