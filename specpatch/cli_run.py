"""What a command does once its arguments are parsed, shared by the typer app and the fast parser.

Both ways into `lint` and `fix` call the same body here, so they cannot drift apart; this module
imports neither typer nor click. Every way out of a body goes through `finish`: a usage error, bad
input or a closed pipe is one line on stderr and exit 2, never a traceback.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from typing import Any


def echo_err(message: str) -> None:
    """One line on stderr exactly as click.echo(message, err=True) writes it (ANSI stripped off a terminal)."""
    import codecs

    stream = sys.stderr
    if stream is None:
        return
    if codecs.lookup(getattr(stream, "encoding", None) or "ascii").name == "ascii":  # click rewraps such a stream
        import click

        click.echo(message, err=True)
        return
    out = message + "\n"
    if "\033" in out:
        try:
            tty = stream.isatty()
        except Exception:  # noqa: BLE001 - click treats a stream that cannot tell as no terminal
            tty = False
        if not tty:
            import re

            out = re.sub(r"\033\[[;?0-9]*[a-zA-Z]", "", out)  # click's strip_ansi
    stream.write(out)
    stream.flush()


def finish(body: Callable[[], int]) -> int:
    """Run a command body and return its exit code; expected failures become one line and exit 2."""
    from specpatch.commands.common import UsageError
    from specpatch.model import InputError

    try:
        code = body()
        sys.stdout.flush()
    except (UsageError, InputError) as e:
        echo_err(str(e))
        code = 2
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)  # nothing more can reach the reader; keep exit quiet
        os.dup2(devnull, sys.stdout.fileno())
        echo_err("specpatch: output closed before the report was complete (broken pipe)")
        code = 2
    return code


def unknown_prerequisites(values: list[str] | None) -> tuple[set[str], list[str]]:
    """(the --assume names, those no `needs` edit knows); the caller decides how to complain."""
    names = {x.strip() for v in values or [] for x in v.split(",") if x.strip()}
    if not names:
        return names, []
    from specpatch.plan import PREREQUISITES

    return names, sorted(names - set(PREREQUISITES))


def _paths(paths: list[str] | None, state: str | None, name: str | None) -> list[str]:
    from specpatch.commands.kops_source import resolve_paths

    return resolve_paths(paths, state, name)


Assume = Callable[[Any], set]


def lint(p: dict[str, Any], assume: Assume) -> int:
    """`specpatch lint` with its parameters as the typer function receives them."""
    from specpatch.commands.lint import run_lint

    return finish(lambda: run_lint(
        _paths(p["paths"], p["state"], p["name"]), format=p["format"], output=p["output"], color=p["color"],
        verbose=p["verbose"], fail_on=p["fail_on"], no_waivers=p["no_waivers"], baseline=p["baseline"],
        skip_other=p["skip_other"], benchmark=p["benchmark"], kops_version=p["kops_version"],
        kubespray_version=p["kubespray_version"], extra_vars=p["extra_vars"], only=p["only"], skip=p["skip"],
        profile=p["profile"], values=p["values"], template_vars=p["template_vars"], config=p["config"], root=p["root"],
        include=p["include"], predict=p["predict"], unsafe_fixes=p["unsafe_fixes"], assume=assume(p["assume"])))


def fix(p: dict[str, Any], assume: Assume) -> int:
    """`specpatch fix` with its parameters as the typer function receives them."""
    from specpatch.commands.fix import run_fix

    return finish(lambda: run_fix(
        _paths(p["paths"], p["state"], p["name"]), in_place=p["in_place"], check_only=p["check_only"],
        skip_other=p["skip_other"], only=p["only"], skip=p["skip"], benchmark=p["benchmark"],
        kops_version=p["kops_version"], kubespray_version=p["kubespray_version"], extra_vars=p["extra_vars"],
        vars_file=p["vars_file"], fix_all=p["fix_all"], spec=p["spec"], annotate=p["annotate"], profile=p["profile"],
        values=p["values"], template_vars=p["template_vars"], unsafe_fixes=p["unsafe_fixes"], assume=assume(p["assume"]),
        out_format=p["format"]))


BODIES: dict[str, Callable[[dict[str, Any], Assume], int]] = {"lint": lint, "fix": fix}
