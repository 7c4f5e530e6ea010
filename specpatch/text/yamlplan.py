"""Apply a plan to YAML text one Want at a time through the splice editor."""

from __future__ import annotations

from specpatch.model import InputError
from specpatch.plan import FixError, Plan, Want


def _newline(text: str) -> str:
    return "\r\n" if "\r\n" in text else "\n"


def append_document(text: str, doc_text: str) -> str:
    """A new `---` document at the end, in the file's line-ending style, bytes before it untouched."""
    nl = _newline(text)
    body = doc_text.replace("\n", nl)
    sep = "" if text.endswith(("\n", "\r")) or not text else nl
    return f"{text}{sep}---{nl}{body}"


def apply_want(text: str, want: Want, path: str, annotate: bool = False) -> str:
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


def apply_plan(text: str, path: str, plan: Plan, annotate: bool = False) -> str:
    for want in plan.wants:
        text = apply_want(text, want, path, annotate)
    return text
