"""Fixes for kops clusters defined with the kops Terraform provider: the kops planner's Wants,
spelled in the provider's snake_case and spliced into the .tf text with hcledit (comments,
blank lines and `terraform fmt` alignment kept), then re-parsed and re-linted before anyone sees them."""

from __future__ import annotations

from typing import Any

from specpatch.model import FAIL, FilePatch
from specpatch.options import Options
from specpatch.plan import FixError, Plan, Want
from specpatch.terraform.hclalign import line_ending
from specpatch.text.verify import changed_paths


def _hcl_path(w: Want) -> list[str]:
    """['spec', 'kubeAPIServer', 'anonymousAuth'] -> ['kube_api_server', 'anonymous_auth', 'value']."""
    from specpatch.terraform.names import hcl_names, provider_names

    names = w.path[1:] if w.path[:1] == ["spec"] else list(w.path)
    out = hcl_names(names)
    if names and names[-1] in provider_names()["nullable"]:
        out.append("value")
    return out


def _resource(target, doc: int) -> tuple[str, str, str]:
    """(type, name, file) of the resource a Want's document stands for."""
    if doc == 0:
        return "kops_cluster", target.resource.name, target.resource.path
    g = target.groups[doc - 1]
    return "kops_instance_group", g.name, g.path


def _apply_want(text: str, w: Want, res: tuple[str, str], filename: str, comment: str | None,
                unsets: list[list[str]] = ()) -> str:
    from specpatch.terraform import add_to_list, apply_edits, remove_attribute, set_attribute

    path = _hcl_path(w)
    if w.action == "set" and isinstance(w.value, dict):
        if w.value:
            raise FixError(f"{w.check}: cannot write a block with settings as one edit")
        return _ensure_block(text, res, path, filename, unsets)
    if w.action == "set":
        at, value = _through_missing_map(text, res, w, path, filename)
        edits = set_attribute(text, res, at, value, comment=comment, filename=filename)
    elif w.action == "add" and all(isinstance(v, dict) for v in w.value):
        return _add_blocks(text, res, path, w.value, filename)
    elif w.action == "add":
        edits = add_to_list(text, res, path, w.value, comment=comment, filename=filename)
    elif w.action == "unset":
        edits = remove_attribute(text, res, path, filename=filename)
    elif w.action == "remove":
        edits = _remove_items(text, res, path, w.value, filename, comment)
    else:
        raise FixError(f"{w.check}: a {w.action} edit has no Terraform form")
    return apply_edits(text, edits)


def _through_missing_map(text: str, res, w: Want, path: list[str], filename: str) -> tuple[list[str], Any]:
    """A key of a map field that the resource does not have yet (`feature_gates`): the provider
    takes the map as an attribute (`feature_gates = { ... }`), so the whole map is written, never a block."""
    from specpatch.terraform.names import map_key_start
    from specpatch.terraform import parse_tf

    names = w.path[1:] if w.path[:1] == ["spec"] else list(w.path)
    i = map_key_start(names)
    if i is None or len(path) != len(names):
        return path, w.value
    body = next((r.body for r in parse_tf(text, filename).resources if (r.type, r.name) == tuple(res)), None)
    if body is None or _node_at(body, path[:i]) is not None:
        return path, w.value
    value: Any = w.value
    for key in reversed(path[i:]):
        value = {key: value}
    return path[:i], value


def _ensure_block(text: str, res, path: list[str], filename: str, unsets: list[list[str]] = ()) -> str:
    """An empty block such as `authorization { rbac {} }`. An empty sibling block the plan removes
    anyway (`always_allow {}`) is renamed in place; otherwise the block is written through a
    placeholder attribute, which is then removed, leaving `name {}`."""
    from specpatch.model import Edit
    from specpatch.terraform import apply_edits, remove_attribute, set_attribute
    from specpatch.terraform.hclpos import Block, parse_hcl

    body = parse_hcl(text, filename)
    if _find_block(body, res, path) is not None:
        return text
    parent = _find_block(body, res, path[:-1])
    if parent is not None:
        for it in parent.body.items:
            if (isinstance(it, Block) and path[:-1] + [it.type] in unsets and not it.labels
                    and not it.body.items and text[it.body.open + 1 : it.body.close].strip() == ""):
                return apply_edits(text, [Edit(it.start, it.start + len(it.type), path[-1])])
    marked = apply_edits(text, set_attribute(text, res, path + ["specpatch_placeholder"], True, filename=filename))
    out = apply_edits(marked, remove_attribute(marked, res, path + ["specpatch_placeholder"], filename=filename))
    made = _find_block(parse_hcl(out, filename), res, path)
    if made is not None and not made.body.items and out[made.body.open + 1 : made.body.close].strip() == "":
        out = apply_edits(out, [Edit(made.body.open, made.body.close + 1, "{}")])
    return out


def _find_block(body, res, path: list[str]):
    from specpatch.terraform.hclpos import Block

    for it in body.items:
        if isinstance(it, Block) and it.type == "resource" and it.labels == list(res):
            cur = it
            for name in path:
                found = [b for b in cur.body.items if isinstance(b, Block) and b.type == name]
                if not found:
                    return None
                cur = found[0]
            return cur
    return None


def _add_blocks(text: str, res, path: list[str], items: list[dict], filename: str) -> str:
    """Repeated blocks (`file_assets { ... }`): created when the resource has none of them yet."""
    from specpatch.terraform import apply_edits, set_attribute
    from specpatch.terraform.hclpos import parse_hcl

    if _find_block(parse_hcl(text, filename), res, path) is not None:
        raise FixError(f"add a {path[-1]} block by hand (the resource already has some; one more cannot be placed as a minimal edit)")
    if len(items) != 1:
        raise FixError(f"add the {path[-1]} blocks by hand")
    for k, v in items[0].items():
        if _heredoc_ok(v):
            text = apply_edits(text, set_attribute(text, res, path + [k], HEREDOC_MARK, filename=filename))
            text = _as_heredoc(text, v)
        else:
            text = apply_edits(text, set_attribute(text, res, path + [k], v, filename=filename))
    return text


HEREDOC_MARK = "specpatch-heredoc-placeholder"


def _heredoc_ok(value) -> bool:
    """A multi-line string reads better as `<<-EOT` (a policy file): when it has no blank or
    whitespace-only lines (they would upset `<<-` indentation), no template markers and no EOT line."""
    if not isinstance(value, str) or "\n" not in value.rstrip("\n") or not value.endswith("\n"):
        return False
    lines = value[:-1].split("\n")
    return (all(ln.strip() for ln in lines) and "${" not in value and "%{" not in value
            and "\r" not in value and "\t" not in value and not any(ln.strip() == "EOT" for ln in lines))


def _as_heredoc(text: str, value: str) -> str:
    """Swap the quoted placeholder for an indented `<<-EOT` heredoc holding value."""
    quoted = f'"{HEREDOC_MARK}"'
    at = text.index(quoted)
    line_start = text.rfind("\n", 0, at) + 1
    indent = text[line_start:at][: len(text[line_start:at]) - len(text[line_start:at].lstrip(" \t"))]
    nl = line_ending(text, at)  # a CRLF line gets CRLF heredoc lines
    body = "".join(f"{indent}  {ln}{nl}" for ln in value[:-1].split("\n"))
    return text[:at] + "<<-EOT" + nl + body + indent + "EOT" + text[at + len(quoted):]


def _node_at(body, path: list[str]):
    """The PNode at path in a resource body (the first of repeated blocks), or None."""
    node = body
    for name in path:
        if node is None or node.kind != "map":
            return None
        node = node.value.get(name)
        if node is not None and node.kind == "seq" and node.style == "blocks":
            node = node.value[0] if node.value else None
    return node


def _expression_at(body, path: list[str]) -> str | None:
    """The expression text of the attribute at path, if it holds one (var.x, local.y, a function)."""
    node = _node_at(body, path)
    return node.expr if node is not None else None


def _remove_items(text: str, res, path: list[str], items: list, filename: str, comment: str | None) -> list:
    """Take items out of a literal list attribute (an admission plugin the benchmark forbids): the
    attribute is written again without them; an expression list cannot be edited this way."""
    from specpatch.terraform import parse_tf, set_attribute

    body = next((r.body for r in parse_tf(text, filename).resources if (r.type, r.name) == tuple(res)), None)
    node = _node_at(body, path) if body is not None else None
    if node is None:
        return []
    if node.kind != "seq" or node.expr is not None or any(v.kind != "scalar" or v.expr is not None for v in node.value):
        raise FixError(f"{'.'.join(path)} is not a list of literal strings; remove {', '.join(map(str, items))} by hand")
    kept = [v.value for v in node.value if v.value not in items]
    if len(kept) == len(node.value):
        return []
    return set_attribute(text, res, path, kept, comment=comment, filename=filename)


def _resource_trees(text: str, path: str) -> dict[str, Any]:
    from specpatch.terraform import parse_tf

    return {r.address: r.body.plain() for r in parse_tf(text, path).resources}


def _unapplicable(target, w: Want) -> str | None:
    """Why this Want cannot go into the .tf text at all (before trying), or None."""
    if w.action == "append_doc":
        return ("the kops provider has no field for a KubeSchedulerConfiguration; kube-scheduler profiling stays as kops "
                "renders it (keep this setting in a kops spec file, or waive the check)")
    body = target.resource.body if w.doc == 0 else target.groups[w.doc - 1].body
    expr = _expression_at(body, _hcl_path(w))
    if expr is not None:
        rtype, rname, _ = _resource(target, w.doc)
        where = f"{rtype}.{rname}.{'.'.join(_hcl_path(w))} = {expr}"
        if expr in getattr(target, "resolved", {}).values():  # lint read it through the variable or local
            source = "a locals block" if expr.startswith("local.") else "a variable default or a .tfvars file"
            return f"the value comes from {expr} ({source}); change it there (it must give {w.value!r}); {where} stays as written"
        return f"{where} is an expression lint cannot read; change the value it refers to (it must give {w.value!r})"
    return None


def _splice(target, plan: Plan, opts: Options) -> tuple[dict[str, str], dict[str, list[tuple]], dict[int, str]]:
    """Apply the admitted Wants to the .tf texts: (texts, intended paths per file, failures by Want id)."""
    from specpatch.text import reading as local

    cluster = target.cluster
    texts: dict[str, str] = {}
    intended: dict[str, list[tuple]] = {}
    failed: dict[int, str] = {}
    unsets = {d: [_hcl_path(u) for u in plan.wants if u.action == "unset" and u.doc == d] for d in {w.doc for w in plan.wants}}
    for w in plan.wants:
        rtype, rname, file = _resource(target, w.doc)
        if file not in texts:
            texts[file] = cluster.text if file == cluster.path else local.read_file(file).text
        comment = f"CIS {w.check}" if opts.annotate else None
        try:
            texts[file] = _apply_want(texts[file], w, (rtype, rname), file, comment, unsets.get(w.doc, []))
        except FixError as e:
            failed[id(w)] = str(e)
            continue
        except ValueError as e:  # hcledit.UneditableError: an expression or a dynamic block in the way
            failed[id(w)] = f"{'.'.join(_hcl_path(w))} cannot be edited in place ({e}); change it by hand"
            continue
        intended.setdefault(file, []).append((f"{rtype}.{rname}", *_hcl_path(w)))
    return texts, intended, failed


def provider_plan(target, opts: Options, report=None) -> tuple[Plan, dict[str, str], dict[str, list[tuple]]]:
    """The settled plan for a kops_cluster resource, with the texts it gives. An edit that cannot be spliced
    (a dynamic block, an expression) blocks its checks and its whole group, and the rest is spliced again."""
    from specpatch.kops.api import lint_cluster, plan_cluster, present_prerequisites
    from specpatch.plan import block, settle
    from specpatch import versions

    cluster = target.cluster
    if report is None:
        report = lint_cluster(cluster, benchmark=opts.benchmark, kops_version=opts.kops_version)
    raw: Plan = plan_cluster(cluster, report.findings, opts, settled=False)
    for w in raw.wants:
        why = _unapplicable(target, w)
        if why is not None:
            block(raw, w, why)
    kv = versions.parse_minor(opts.kops_version) if opts.kops_version else None
    present = present_prerequisites(cluster, kv) | set(opts.assume)  # None: the release lint assumes
    for w in raw.wants:  # the provider's own way to the nodes comes first (kops.md §6.2)
        if w.rollout and not w.rollout.startswith("terraform"):
            w.rollout = f"terraform apply; then a kops_cluster_updater resource, if the module has one, or: {w.rollout}"
    for _ in range(len(raw.wants) + 1):
        plan = settle(raw, opts.unsafe_fixes, present)
        texts, intended, failed = _splice(target, plan, opts)
        if not failed:
            return plan, texts, intended
        for w in plan.wants:
            if id(w) in failed:
                block(raw, w, failed[id(w)])
    for w in raw.wants:  # not reached in practice: each round blocks at least one more Want
        block(raw, w, "the Terraform edits did not settle; edit by hand")
    return settle(raw, opts.unsafe_fixes, present), {}, {}


def fix_provider(target, opts: Options, relint_folder) -> list[FilePatch]:
    """Lint, plan (the kops planner, settled), splice each Want into its .tf file, verify, return the patches."""
    from specpatch.text import reading as local

    cluster = target.cluster
    plan, texts, intended = provider_plan(target, opts)
    notes = list(dict.fromkeys(plan.notes))
    checks = list(plan.checks)
    patches = []
    for file, after in texts.items():
        before = cluster.text if file == cluster.path else local.read_file(file).text
        _verify(before, after, file, intended.get(file, []))
        mine = [w for w in plan.wants if _resource(target, w.doc)[2] == file]
        patches.append(FilePatch(file, before, after, checks, [], mine))
    if not patches:
        patches.append(FilePatch(cluster.path, cluster.text, cluster.text, [], []))
    patches[0].notes = notes
    _relint(target, patches, checks, opts, relint_folder)
    return patches


def _verify(before: str, after: str, path: str, intended: list[tuple]) -> None:
    """The patched file parses, and only the intended attributes of the intended resources changed."""
    from specpatch.model import InputError

    try:
        old, new = _resource_trees(before, path), _resource_trees(after, path)
    except InputError as e:
        raise FixError(f"{path}: the patched Terraform does not parse ({e.message}); nothing written") from None
    for p in changed_paths(old, new):
        if not any(p[: len(i)] == i or i[: len(p)] == p for i in intended):
            raise FixError(f"{path}: the fix also changed {'.'.join(map(str, p))}; nothing written")


def _relint(target, patches: list[FilePatch], checks: list[str], opts: Options, relint_folder) -> None:
    """Lint the patched folder again: every fixed check must pass now."""
    import os
    import tempfile

    if not checks:
        return
    src = os.path.dirname(target.path) or "."
    with tempfile.TemporaryDirectory() as tmp:
        for name in os.listdir(src):
            p = os.path.join(src, name)
            if os.path.isfile(p) and name.endswith((".tf", ".tfvars")):
                with open(p, encoding="utf-8", newline="") as fh:
                    text = fh.read()
                for patch in patches:
                    if os.path.abspath(patch.path) == os.path.abspath(p):
                        text = patch.after
                with open(os.path.join(tmp, name), "w", encoding="utf-8", newline="") as fh:
                    fh.write(text)
        again = [t for t in relint_folder(tmp) if t.resource.name == target.resource.name]
        if not again:
            raise FixError(f"{target.path}: the patched Terraform lost kops_cluster.{target.resource.name}")
        report = again[0].lint(opts)
    still = sorted({f.check for f in report.findings if f.status == FAIL and f.check in checks and f.fixable})
    if still:
        raise FixError(f"{target.path}: after the patch, check(s) {', '.join(still)} still fail; nothing written")
