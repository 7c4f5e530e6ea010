"""Apply a plan to YAML text one Want at a time through the splice editor."""

from __future__ import annotations

from dataclasses import replace

from specpatch.model import InputError
from specpatch.plan import FixError, Plan, Want


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def append_document(text: str, doc_text: str) -> str:
    """A new `---` document at the end, in the file's line-ending style, bytes before it untouched.
    (apply_plan seals a text without a final newline first, and takes the newline off again after.)"""
    nl = _newline(text)
    body = doc_text.replace("\n", nl)
    sep = "" if text.endswith(("\n", "\r")) or not text else nl
    return f"{text}{sep}---{nl}{body}"


def _block_scalar_at_end(text: str) -> int | None:
    """Offset of the indicator (`|` or `>`) of a block scalar that runs to the end of text, if any."""
    from specpatch.text.yamlpos import compose_documents

    try:
        docs = compose_documents(text)
    except (InputError, ValueError):
        return None
    stack = [d for d in docs[-1:] if d is not None]
    while stack:
        n = stack.pop()
        if n.kind == "map":
            stack.extend(n.value.values())
        elif n.kind == "seq":
            stack.extend(n.value)
        elif n.style in ("|", ">") and n.end >= len(text.rstrip(" \t")) and text[n.start:n.start + 1] == n.style:
            return n.start
    return None


def seal(text: str) -> tuple[str, int | None]:
    """A text without a final newline, given one in a way that keeps every value: a block scalar that ends
    the file gets strip chomping (`|` -> `|-`), since a newline after it would otherwise join its value.
    Returns (sealed text, offset of the inserted chomping indicator or None)."""
    if not text or text.endswith(("\n", "\r")):
        return text, None
    at = _block_scalar_at_end(text)
    nl = _newline(text)
    if at is None:
        return text + nl, None
    head = at + 1
    while head < len(text) and text[head].isdigit():
        head += 1
    if head < len(text) and text[head] == "-":
        return text + nl, None
    if head < len(text) and text[head] == "+":
        return text[:head] + "-" + text[head + 1:] + nl, head
    return text[:head] + "-" + text[head:] + nl, head


def unseal(original: str, sealed: str, mark: int | None, out: str) -> str:
    """Undo seal() on the patched text: where the sealed tail is still at the end, the original tail
    comes back byte for byte; otherwise only the final newline goes (a file without one stays so)."""
    if sealed is original:
        return out
    if mark is not None:
        tail = sealed[mark:]
        if out.endswith(tail):
            return out[: len(out) - len(tail)] + original[mark:]
    nl = _newline(original)
    return out[: -len(nl)] if out.endswith(nl) else out


def apply_want(text: str, want: Want, path: str, annotate: bool = False) -> str:
    """One Want; a byte-order mark, a missing final newline (and a block scalar at the very end) survive.
    Offsets are those of the text without the mark, as the parser reports them."""
    if text.startswith("\ufeff"):
        return "\ufeff" + apply_want(text[1:], want, path, annotate)
    sealed, mark = seal(text)
    return unseal(text, sealed, mark, _apply_one(sealed, want, path, annotate))


def _apply_one(text: str, want: Want, path: str, annotate: bool = False) -> str:
    from specpatch.text import yamledit

    comment = f"CIS {want.check}" if annotate else None
    try:
        if want.action == "set":
            edits = yamledit.set_value(text, want.doc, want.path, want.value, comment=comment)
        elif want.action == "add":
            edits = yamledit.add_to_list(text, want.doc, want.path, want.value, comment=comment)
        elif want.action == "remove":
            edits = yamledit.remove_items(text, want.doc, want.path, want.value)
        elif want.action == "unset":
            edits = yamledit.remove_key(text, want.doc, want.path)
        elif want.action == "append_doc":
            return append_document(text, want.value)
        else:
            raise FixError(f"unknown edit action {want.action}")
        return yamledit.apply_edits(text, edits)
    except (InputError, ValueError, KeyError, IndexError) as e:
        raise FixError(f"{path}: check {want.check}: cannot edit {'.'.join(want.path)}: {e}") from None


def _doc_spans(text: str) -> dict[int, tuple[int, int]] | None:
    """Document index -> (start, end) of the text that holds it: from the start of the line where its root
    begins to where the next document's begins. None when the text does not parse (the editor says why)."""
    from specpatch.text.yamlpos import compose_documents

    try:
        docs = compose_documents(text)
    except (InputError, ValueError):
        return None
    starts = [(i, text.rfind("\n", 0, d.start) + 1) for i, d in enumerate(docs) if d is not None]
    return {i: (s, starts[k + 1][1] if k + 1 < len(starts) else len(text)) for k, (i, s) in enumerate(starts)}


def apply_plan(text: str, path: str, plan: Plan, annotate: bool = False) -> str:
    """Every Want in order; the file's mark, final newline and closing block scalar survive (sealed once,
    so a block scalar one Want adds at the end is not sealed again for the next).

    A file of many clusters (`kops get clusters -o yaml` of a fleet) is parsed once for its document
    spans; each Want then edits only its own document's text, so the work grows with the document, not
    with the file (40 clusters in one file were quadratic before)."""
    if text.startswith("\ufeff"):
        return "\ufeff" + apply_plan(text[1:], path, plan, annotate)
    sealed, mark = seal(text)
    out = sealed
    spans = _doc_spans(out) if len(plan.wants) > 1 else None
    if spans is not None and len(spans) < 2:
        spans = None  # one document: slicing saves nothing, and the spans would only be parsed again
    for want in plan.wants:
        span = spans.get(want.doc) if spans is not None and want.action != "append_doc" else None
        if span is None:
            out = _apply_one(out, want, path, annotate)
            if spans is not None:  # a whole-text edit moved things: find the documents again
                spans = None if want.action == "append_doc" else _doc_spans(out)
            continue
        start, end = span
        piece = out[start:end]
        local = replace(want, doc=0)
        edited = _apply_one(piece, local, path, annotate)
        out = out[:start] + edited + out[end:]
        delta = len(edited) - len(piece)
        spans = {i: ((s + delta, e + delta) if s >= end else (s, e + delta) if i == want.doc else (s, e))
                 for i, (s, e) in spans.items()}
    return unseal(text, sealed, mark, out)

