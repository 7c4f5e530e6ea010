"""`.specpatch.yaml` (or `[tool.specpatch]` in pyproject.toml), found from the current folder upward,
or named with `--config PATH`.

Holds the team's defaults (benchmark, fail_on, only, skip) and its waivers. Validated on load:
a wrong key or type is an InputError with the file and line.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field
from typing import Any

from specpatch.model import InputError

KEYS = {"benchmark", "fail_on", "only", "skip", "waivers", "profile", "values"}  # values: read by kops/template_target
WAIVER_KEYS = {"check", "target", "reason", "expires", "owner"}


@dataclass(frozen=True, slots=True)
class Waiver:
    """One waiver of the config: a check (or SARIF rule) left as it is, with the reason and its expiry."""

    check: str
    reason: str
    target: str = "*"
    expires: dt.date | None = None
    owner: str | None = None
    source: str = ""  # file:line, for messages
    inline: bool = False
    path: str | None = None  # inline waivers: the file and line they sit on
    line: int | None = None
    base: str = ""  # config waivers: the folder of the config file; `target` globs are relative to it


@dataclass(slots=True)
class Config:
    """A .specpatch.yaml as the commands use it (every field optional)."""

    path: str | None = None
    benchmark: str | None = None
    fail_on: str | None = None
    only: list[str] = field(default_factory=list)
    skip: list[str] = field(default_factory=list)
    waivers: list[Waiver] = field(default_factory=list)
    profile: Any = None  # an OrgProfile (specpatch.benchmarks.org_profile), or None

    @property
    def default_benchmark(self) -> str | None:
        """`benchmark:` wins over the profile's `extends:`."""
        return self.benchmark or (self.profile.extends if self.profile is not None else None)


def find(start: str = ".") -> str | None:
    """The nearest .specpatch.yaml, or a pyproject.toml with [tool.specpatch], from start upward."""
    here = os.path.abspath(start)
    while True:
        for name in (".specpatch.yaml", ".specpatch.yml"):
            cand = os.path.join(here, name)
            if os.path.isfile(cand):
                return cand
        py = os.path.join(here, "pyproject.toml")
        if os.path.isfile(py):
            with open(py, "rb") as fh:
                if b"[tool.specpatch" in fh.read():
                    return py
        parent = os.path.dirname(here)
        if parent == here:
            return None
        here = parent


def load(start: str = ".", path: str | None = None) -> Config:
    """The config named by path (`--config`), else the nearest one from start upward."""
    if path is not None:
        if not os.path.isfile(path):
            raise InputError(path, None, "--config: no such file")
    else:
        path = find(start)
    if path is None:
        return Config()
    if path.endswith(".toml"):
        import tomllib

        with open(path, "rb") as fh:
            try:
                data = tomllib.load(fh).get("tool", {}).get("specpatch", {})
            except tomllib.TOMLDecodeError as e:
                raise InputError(path, None, f"not valid TOML: {e}") from None
        return _build(data, path, lambda *keys: None)
    from specpatch.text.yamlpos import compose_documents

    with open(path, encoding="utf-8") as fh:
        text = fh.read()
    docs = compose_documents(text, path)
    root = docs[0] if docs else None
    if root is None:
        return Config(path=path)
    if root.kind != "map":
        raise InputError(path, root.line, "configuration must be a mapping")

    def line_of(*keys):
        node = root
        for k in keys:
            if node is None:
                return None
            if isinstance(k, int):
                node = node.value[k] if node.kind == "seq" and k < len(node.value) else None
            else:
                node = node.get(k)
        return node.line if node is not None else None

    return _build(root.plain(), path, line_of)


def _build(data: dict, path: str, line_of) -> Config:
    cfg = Config(path=path)
    for key in data:
        if key not in KEYS:
            raise InputError(path, line_of(key), f"unknown key {key!r} (allowed: {', '.join(sorted(KEYS))})")
    if data.get("fail_on") not in (None, "fail", "warn"):
        raise InputError(path, line_of("fail_on"), "fail_on must be fail or warn")
    cfg.benchmark = data.get("benchmark")
    cfg.fail_on = data.get("fail_on")
    for key in ("only", "skip"):
        v = data.get(key) or []
        if not isinstance(v, list):
            raise InputError(path, line_of(key), f"{key} must be a list of check ids")
        setattr(cfg, key, [str(x) for x in v])
    if data.get("profile") is not None:
        from specpatch.benchmarks.org_profile import parse

        cfg.profile = parse(data["profile"], path, line_of)
    waivers = data.get("waivers") or []
    if not isinstance(waivers, list):
        raise InputError(path, line_of("waivers"), "waivers must be a list")
    for i, w in enumerate(waivers):
        line = line_of("waivers", i)
        if not isinstance(w, dict):
            raise InputError(path, line, "a waiver must be a mapping with check and reason")
        extra = set(w) - WAIVER_KEYS
        if extra:
            raise InputError(path, line, f"unknown waiver key(s): {', '.join(sorted(extra))}")
        if not w.get("check"):
            raise InputError(path, line, "waiver without a check id")
        if not str(w.get("reason") or "").strip():
            raise InputError(path, line, f"waiver for {w['check']} has no reason")
        expires = w.get("expires")
        if expires is not None and not isinstance(expires, dt.date):
            try:
                expires = dt.date.fromisoformat(str(expires))
            except ValueError:
                raise InputError(path, line, f"expires must be a date (YYYY-MM-DD), not {expires!r}") from None
        cfg.waivers.append(Waiver(str(w["check"]), str(w["reason"]).strip(), str(w.get("target") or "*"), expires,
                                  w.get("owner"), f"{path}:{line}", base=os.path.dirname(os.path.abspath(path))))
    return cfg
