"""A kubespray inventory's variables, resolved the way Ansible resolves them for one kind of host.

Layers, lowest first: kubespray role defaults (profiles/kubespray/defaults.yaml, per kubespray
release), group_vars/all, then the host's other groups in Ansible's order (same depth, so by name:
etcd, k8s_cluster, kube_control_plane, kube_node), then `-e @file` extra vars. Lists and dicts
replace, never merge. Every variable keeps the file and node it came from, so findings can say
file:line and fixes can edit that file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from typing import Any

from specpatch.benchmarks import profiles
from specpatch import versions
from specpatch.model import ORIGIN_SPEC, ORIGIN_TARGET_DEFAULT, InputError, Location, PNode

# Host kinds and the groups whose variables reach them, in Ansible's precedence order.
SCOPES: dict[str, tuple[str, ...]] = {
    "control-plane": ("all", "k8s_cluster", "kube_control_plane"),
    "nodes": ("all", "k8s_cluster", "kube_node"),
    # Members of the etcd group; in kubespray's sample inventory they are the control-plane hosts.
    "etcd": ("all", "etcd", "k8s_cluster", "kube_control_plane"),
}
GROUPS = ("all", "etcd", "k8s_cluster", "kube_control_plane", "kube_node")
VARS_EXTENSIONS = ("", ".yml", ".yaml", ".json")
VAULT_HEADER = "$ANSIBLE_VAULT;"
MAX_BYTES = 8 * 1024 * 1024


def jinja(value: Any) -> str | None:
    """The first Jinja expression inside a value (scalars, lists, dicts), or None."""
    if isinstance(value, str):
        return value.strip() if ("{{" in value or "{%" in value) else None
    if isinstance(value, list):
        for v in value:
            e = jinja(v)
            if e:
                return e
    if isinstance(value, dict):
        for v in value.values():
            e = jinja(v)
            if e:
                return e
    return None


@dataclass(slots=True)
class VarsFile:
    """One group_vars (or extra vars) file: its text, its top mapping, and what loading it noticed."""

    path: str
    group: str
    text: str
    root: PNode | None = None
    doc: int = 0
    vault: bool = False
    notes: list[str] = field(default_factory=list)

    def keys(self) -> dict[str, PNode]:
        if self.root is None or self.root.kind != "map" or not self.root.keys:
            return {}
        return self.root.keys


@dataclass(frozen=True, slots=True)
class Var:
    """A variable's effective value and where it came from (a file, or the kubespray defaults)."""

    name: str
    value: Any
    origin: str
    file: VarsFile | None = None
    key: PNode | None = None
    node: PNode | None = None
    expr: str | None = None

    @property
    def location(self) -> Location | None:
        if self.file is None or self.key is None:
            return None
        return Location(self.file.path, self.key.line, self.key.column)

    def where(self) -> str:
        loc = self.location
        return f"{loc.path}:{loc.line}" if loc else "kubespray default"


# -- kubespray defaults ------------------------------------------------------------------------


def kubespray_versions() -> list[str]:
    """Modelled kubespray releases, newest first."""
    return [str(v["version"]) for v in profiles.load_data("kubespray/defaults.yaml")["versions"]]


def pick_version(requested: str | None) -> str:
    """The modelled release for --kubespray-version (2.27, v2.27.1, ...); the newest by default."""
    known = kubespray_versions()
    if not requested:
        return known[0]
    want = versions.parse_minor(str(requested).lstrip("v"))
    if want is None:
        raise InputError("--kubespray-version", None, f"not a kubespray version: {requested!r}")
    key = f"{want[0]}.{want[1]}"
    if key in known:
        return key
    if want > versions.parse_minor(known[0]):  # type: ignore[operator]
        return known[0]
    raise InputError("--kubespray-version", None, f"kubespray {requested} is not modelled (known: {', '.join(known)})")


def defaults_for(version: str) -> dict[str, Any]:
    """Role defaults of one kubespray release: the newest base plus every older release's changes down to it."""
    data = profiles.load_data("kubespray/defaults.yaml")
    out = dict(data["base"])
    for entry in data["versions"]:
        out.update(entry.get("vars") or {})
        if str(entry["version"]) == version:
            break
    return out


# -- loading files ---------------------------------------------------------------------------


class FileView:
    """The disk, seen through in-memory replacements: a fix re-lints its patched and new files
    before anything is written."""

    def __init__(self, overlay: dict[str, str] | None = None) -> None:
        self.overlay = {os.path.normpath(p): t for p, t in (overlay or {}).items()}

    def read(self, path: str) -> bytes:
        text = self.overlay.get(os.path.normpath(path))
        if text is not None:
            return text.encode("utf-8")
        with open(path, "rb") as fh:
            return fh.read(MAX_BYTES + 1)

    def isfile(self, path: str) -> bool:
        return os.path.normpath(path) in self.overlay or os.path.isfile(path)

    def isdir(self, path: str) -> bool:
        prefix = os.path.normpath(path) + os.sep
        return os.path.isdir(path) or any(p.startswith(prefix) for p in self.overlay)

    def exists(self, path: str) -> bool:
        return self.isfile(path) or self.isdir(path)

    def listdir(self, path: str) -> list[str]:
        names = set(os.listdir(path)) if os.path.isdir(path) else set()
        prefix = os.path.normpath(path) + os.sep
        for p in self.overlay:
            if p.startswith(prefix):
                names.add(p[len(prefix):].split(os.sep)[0])
        return sorted(names)


DISK = FileView()


def load_vars_file(path: str, group: str, fs: FileView = DISK) -> VarsFile:
    """Parse one vars file. Empty and comment-only files are fine; vault files are skipped with a note."""
    from specpatch.text.reading import decode
    from specpatch.text.yamlpos import compose_documents

    try:
        data = fs.read(path)
    except OSError as e:
        raise InputError(path, None, e.strerror or str(e)) from None
    if len(data) > MAX_BYTES:
        raise InputError(path, None, "file too large for a vars file")
    text = decode(data, path) if data.strip() else data.decode("utf-8", "replace")
    vf = VarsFile(path=path, group=group, text=text)
    if text.lstrip().startswith(VAULT_HEADER):
        vf.vault = True
        vf.notes.append(f"{path}: vault-encrypted file skipped; its variables are not evaluated")
        return vf
    if not text.strip():
        return vf
    docs = compose_documents(text, path)
    # A document of only comments (after `---`) is a null scalar: nothing to load, like Ansible.
    real = [(i, d) for i, d in enumerate(docs) if d is not None and not (d.kind == "scalar" and d.value is None)]
    if len(docs) > 1 and len(real) > 1:
        raise InputError(path, real[1][1].line, "more than one YAML document: Ansible expects a single document in a vars file")
    if not real:
        return vf
    vf.doc, vf.root = real[0]
    if vf.root.kind != "map":
        raise InputError(path, vf.root.line, "a vars file must hold a mapping of variable names to values")
    from specpatch.text.yamlpos import duplicate_records

    for d in duplicate_records(text, path):  # top-level variables and keys inside their values alike
        where = "in this file" if d.top else f"in one mapping (first at line {d.first_line})"
        vf.notes.append(f"warning: {path}:{d.line}: {d.key} is set twice {where}; Ansible keeps the last value")
    return vf


def _dir_files(folder: str, fs: FileView = DISK, depth: int = 0) -> list[str]:
    """Files Ansible loads from a group_vars/<group>/ folder: sorted, recursive, no dotfiles or backups."""
    out: list[str] = []
    if depth > 20:
        return out
    try:
        names = fs.listdir(folder)
    except OSError:
        return out
    for name in names:
        if name.startswith(".") or name.endswith("~"):
            continue
        full = os.path.join(folder, name)
        ext = os.path.splitext(name)[1]
        if fs.isdir(full):
            if not ext:
                out += _dir_files(full, fs, depth + 1)
        elif fs.isfile(full) and (not ext or ext in VARS_EXTENSIONS):
            out.append(full)
    return out


def group_files(group_vars: str, group: str, fs: FileView = DISK) -> tuple[list[str], list[str]]:
    """(files Ansible loads for a group, notes about files it ignores) following find_vars_files:
    the first existing of X, X.yml, X.yaml, X.json wins, and a folder X/ wins over them all."""
    base = os.path.join(group_vars, group)
    found: list[str] = []
    notes: list[str] = []
    winner = None
    for ext in VARS_EXTENSIONS:
        cand = base + ext
        if not fs.exists(cand):
            continue
        if winner is None:
            winner = cand
            found = _dir_files(cand, fs) if fs.isdir(cand) else [cand]
        else:
            kind = "folder" if fs.isdir(winner) else "file"
            notes.append(f"warning: {cand} is ignored: Ansible loads the {kind} {winner}{'/' if kind == 'folder' else ''} instead")
    return found, notes


# -- the inventory ---------------------------------------------------------------------------


@dataclass(slots=True)
class Inventory:
    """The vars files of one inventory (or one lone vars file), plus -e extra vars files."""

    path: str  # what reports call it: the inventory folder, or the single file
    group_vars: str | None
    files: dict[str, list[VarsFile]] = field(default_factory=dict)
    extra: list[VarsFile] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    single: VarsFile | None = None
    extra_paths: list[str] = field(default_factory=list)
    inline: dict[str, list[VarsFile]] = field(default_factory=dict)  # vars set in the hosts file, per kubespray group
    hosts: str | None = None
    cluster_group: str = "k8s_cluster"  # the group_vars/ name new cluster-wide variables go under

    @property
    def name(self) -> str:
        return os.path.basename(os.path.normpath(self.path)) or self.path

    def all_files(self) -> list[VarsFile]:
        return [f for g in GROUPS for f in self.files.get(g, [])] + list(self.extra)

    def layers(self, scope: str) -> list[VarsFile]:
        """Files that set variables for this kind of host, lowest precedence first."""
        inline = [f for g in SCOPES[scope] for f in self.inline.get(g, [])]
        out = [f for g in SCOPES[scope] for f in self.files.get(g, [])]
        return inline + out + list(self.extra)

    def resolve(self, scope: str, defaults: dict[str, Any]) -> dict[str, Var]:
        """Every variable's effective value for one kind of host: later layers replace earlier ones."""
        out = {name: Var(name, value, ORIGIN_TARGET_DEFAULT) for name, value in defaults.items()}
        for vf in self.layers(scope):
            root = vf.root
            if root is None or root.kind != "map":
                continue
            for name, node in root.value.items():
                key = (root.keys or {}).get(name)
                value = node.plain() if node.kind != "map" or not unquoted_jinja(vf.text, node) else None
                expr = jinja(value) if node.kind == "scalar" else None
                if unquoted_jinja(vf.text, node):
                    expr = vf.text[node.start:].split("\n", 1)[0].strip()
                if node.tag and node.tag.lstrip("!").startswith("vault"):
                    expr = "!vault-encrypted value"
                out[name] = Var(str(name), value, ORIGIN_SPEC, vf, key, node, expr)
        return out


def unquoted_jinja(text: str, node: PNode) -> bool:
    """`x: {{ y }}` without quotes parses as a mapping inside a mapping; Ansible refuses the file."""
    return node.kind == "map" and text[node.start:node.start + 2] == "{{"


def find_root(arg: str) -> tuple[str, str | None]:
    """(inventory folder, the single file or None) for a PATH that is a folder, its group_vars/, or a file."""
    norm = os.path.normpath(arg)
    if os.path.isdir(norm):
        if os.path.basename(norm) == "group_vars":
            return os.path.dirname(norm) or ".", None
        return norm, None
    return norm, norm


def group_of(path: str) -> str:
    """The group a file under group_vars/ belongs to: group_vars/<group>.yml or group_vars/<group>/..."""
    parts = os.path.normpath(path).split(os.sep)
    if "group_vars" in parts[:-1]:
        i = len(parts) - 1 - parts[::-1].index("group_vars")
        name = parts[i + 1]
        return os.path.splitext(name)[0] if i + 2 == len(parts) else name
    return "all"


def load_inventory(arg: str, extra_vars: list[str] | None = None, fs: FileView = DISK) -> Inventory:
    """Load an inventory folder, its group_vars/, or one vars file, and the -e @file layers."""
    from specpatch.kubespray import layout

    root, single = find_root(arg)
    hosts = layout.hosts_for(root, single)
    if hosts is not None and single == hosts.path:
        root, single = os.path.dirname(single) or ".", None
    if single is not None:
        group = group_of(single)
        inv = Inventory(path=single, group_vars=None)
        vf = load_vars_file(single, group if group in GROUPS else "k8s_cluster", fs)
        inv.single = vf
        inv.files[vf.group] = [vf]
        inv.notes.append(f"only {single} is loaded (as group {group}); lint the inventory folder to resolve every group_vars file")
    else:
        gv = os.path.join(root, "group_vars")
        inv = Inventory(path=root, group_vars=gv)
        if not os.path.isdir(gv) and hosts is None:
            raise InputError(root, None, "no group_vars/ folder and no hosts file: not a kubespray inventory")
        declared = layout.legacy_declared(hosts)
        if "k8s_cluster" in declared and "k8s_cluster" not in hosts.groups:
            inv.cluster_group = declared["k8s_cluster"][0]
        for group in GROUPS:
            paths, notes = group_files(gv, group, fs)
            for old in declared.get(group, []):  # Ansible loads group_vars/k8s-cluster/ before k8s_cluster/
                old_paths, old_notes = group_files(gv, old, fs)
                paths, notes = old_paths + paths, old_notes + notes
            inv.notes += notes
            inv.files[group] = [load_vars_file(p, group, fs) for p in paths]
        inv.notes += [n for n in _legacy_notes(gv) if not any(f"/{o}" in n for olds in declared.values() for o in olds)]
        inv.notes += layout.legacy_loaded(gv, declared)
        inv.notes += _host_vars_notes(root)
        if hosts is not None:
            inv.hosts = hosts.path
            inv.inline = layout.inline_vars(hosts, VarsFile)
            inv.notes += layout.hosts_notes(hosts)
    for path in extra_vars or []:
        pairs = layout.extra_file(path, VarsFile)
        if pairs is not None:
            inv.extra.append(pairs)
            continue
        path = path[1:] if path.startswith("@") else path
        if not fs.isfile(path):
            raise InputError(path, None, "--extra-vars: no such file")
        inv.extra.append(load_vars_file(path, "extra", fs))
        inv.extra_paths.append(path)
    for vf in inv.all_files():
        inv.notes += vf.notes
    return inv


def _legacy_notes(group_vars: str) -> list[str]:
    """group_vars for group names kubespray renamed (k8s-cluster, kube-master, kube-node) load only
    when the inventory still declares those groups; kubespray itself never creates k8s-cluster."""
    legacy = profiles.load_data("kubespray/mapping.yaml").get("legacy_groups", {})
    out = []
    for old, new in legacy.items():
        for ext in VARS_EXTENSIONS:
            p = os.path.join(group_vars, old + ext)
            if os.path.exists(p):
                out.append(f"warning: {p} is for the old group name {old}; kubespray uses {new}, so these variables apply only if your inventory still declares {old}")
                break
    return out


def _host_vars_notes(root: str) -> list[str]:
    hv = os.path.join(root, "host_vars")
    if os.path.isdir(hv) and any(not n.startswith(".") for n in os.listdir(hv)):
        return [f"{hv}: host_vars are not evaluated; a per-host value there overrides what this report shows"]
    return []
