"""Parse the common `lint` and `fix` command lines without importing typer or click.

Importing typer costs about as much as the rest of a one-file lint. This parser reads the options
from specpatch/cli_table.py (generated from the typer app) and understands only plain forms:
`--opt VALUE`, `--opt=VALUE`, `-o VALUE`, `--flag`, `-v`, and positional paths. Anything else
(help, version, `--`, grouped short options, an unknown option, a missing value, shell completion)
returns None and the caller hands the command line to typer unchanged, so typer's messages and exit
codes stay the only ones.
"""

from __future__ import annotations

from typing import Any

from specpatch.cli_table import COMMANDS


def parse(argv: list[str]) -> tuple[str, dict[str, Any]] | None:
    """(command, parameters as click's make_context(...).params has them), or None for typer."""
    if not argv or argv[0] not in COMMANDS:
        return None
    table = COMMANDS[argv[0]]
    by_opt = {opt: (name, kind) for name, kind, opts, _ in table for opt in opts}
    params: dict[str, Any] = {name: [] if kind in ("args", "multiple") else default for name, kind, _, default in table}
    args = next(name for name, kind, _, _ in table if kind == "args")
    rest = argv[1:]
    i = 0
    while i < len(rest):
        token = rest[i]
        i += 1
        if token[:1] != "-" or token == "-":
            params[args].append(token)
            continue
        value = None
        if token.startswith("--") and "=" in token:
            token, value = token.split("=", 1)
        found = by_opt.get(token)
        if found is None:
            return None  # --, --help, -h, -vf, an unknown option: typer says what it means
        name, kind = found
        if kind == "flag":
            if value is not None:
                return None  # --verbose=1 is click's error to report
            params[name] = True
            continue
        if value is None:
            if i == len(rest):
                return None  # the option's value is missing: click's error
            value = rest[i]
            i += 1
        if kind == "multiple":
            params[name].append(value)
        else:
            params[name] = value
    return argv[0], {k: tuple(v) if isinstance(v, list) else v for k, v in params.items()}


def call_args(params: dict[str, Any]) -> dict[str, Any]:
    """The arguments the typer function receives for these click parameters (an empty list is None)."""
    return {k: (list(v) or None) if isinstance(v, tuple) else v for k, v in params.items()}
