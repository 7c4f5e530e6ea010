"""Is this kops file a template, and of which kind? And the one line to print when it cannot be read.

Kinds: "go" (`kops toolbox template`), "templatefile" (Terraform, `${x}` and `%{ }`), "envsubst"
(`${VAR}`), and two we do not render, "mustache" and "jinja". A file counts as a template when its
name says so (`*.yaml.template`, `*.tmpl`, `*.tpl`, `*.gotmpl`) or when placeholders stand in its
YAML values; `{{ }}` inside a block scalar (a fileAssets script) does not make a spec a template.
"""

from __future__ import annotations

import re

TEMPLATE_SUFFIXES = (".template", ".tmpl", ".tpl", ".gotmpl", ".tftpl")
FOLDER_SUFFIXES = (".yaml.template", ".yml.template", ".tmpl", ".tpl", ".gotmpl", ".tmpl.yaml", ".tpl.yaml", ".tftpl")

_GO = re.compile(r"\{\{-?\s*(?:[.$]|(?:if|range|with|end|else|template|define)\b|/\*)")
_MUSTACHE = re.compile(r"\{\{[#^{]|\{\{/(?!\*)")
_JINJA = re.compile(r"\{%|\{\{\s*[A-Za-z_][\w.]*\s*\|\s*[a-z_]+\s*(?:\(|\}\})")
_DIRECTIVE = re.compile(r"%\{~?\s*(?:if|for|else|endif|endfor)\b")
_INTERP = re.compile(r"(?<!\$)\$\{[^}]+\}")
_BARE = re.compile(r"(?<![\$\w])\$[A-Z_][A-Z0-9_]*\b")

NAMES = {
    "go": "a Go template for `kops toolbox template`",
    "templatefile": "a Terraform templatefile source",
    "envsubst": "a file with ${VAR} placeholders (envsubst)",
    "mustache": "a mustache template",
    "jinja": "a Jinja template",
}


def named_template(path: str) -> bool:
    return path.lower().endswith(TEMPLATE_SUFFIXES) or any(s in path.lower() for s in (".tmpl.", ".tpl."))


def _outside_block_scalars(text: str) -> str:
    """The text without the bodies of `|` and `>` block scalars (script and file contents)."""
    out: list[str] = []
    block_indent: int | None = None
    for line in text.split("\n"):
        indent = len(line) - len(line.lstrip(" "))
        if block_indent is not None:
            if not line.strip() or indent > block_indent:
                out.append("")
                continue
            block_indent = None
        out.append(line)
        if re.search(r":\s*[|>][-+0-9]*\s*(#.*)?$", line) or re.match(r"\s*-\s+[|>][-+0-9]*\s*$", line):
            block_indent = indent
    return "\n".join(out)


def detect(text: str, path: str) -> str | None:
    """The template kind of a kops file, or None for plain YAML."""
    named = named_template(path)
    if not named and "{{" not in text and "{%" not in text and "%{" not in text and "${" not in text:
        return None  # every placeholder pattern below needs one of these; most specs have none
    body = text if named else _outside_block_scalars(text)
    if _JINJA.search(body) and not _GO.search(body):
        return "jinja"
    if _MUSTACHE.search(body):
        return "mustache"
    if _GO.search(body):
        return "go"
    if named and "{{" in body and "}}" in body:
        return "mustache"
    if _DIRECTIVE.search(body):
        return "templatefile"
    if _INTERP.search(body):
        return "templatefile" if path.lower().endswith((".tpl", ".tftpl")) or re.search(r"\$\{[a-z]", body) else "envsubst"
    if named and _BARE.search(body):
        return "envsubst"
    return None


def how_to_lint(kind: str, path: str) -> str:
    """What to run instead, for the message of a template that cannot be read."""
    if kind == "go":
        return (f"lint it with --values FILE (the values kops toolbox template takes), or render it first: "
                f"kops toolbox template --template {path} --values FILE | specpatch lint -")
    if kind in ("templatefile", "envsubst"):
        return (f"give its placeholders with --var NAME=VALUE, or render it first "
                f"({'terraform console / templatefile()' if kind == 'templatefile' else 'envsubst < ' + path} | specpatch lint -)")
    return f"specpatch does not render {kind} templates: render it with the tool your pipeline uses and lint the output with `| specpatch lint -`"
