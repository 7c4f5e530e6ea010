"""The console entry point: `lint` and `fix` start without typer; everything else goes to the typer app.

specpatch/cli_fast.py parses the common command lines of lint and fix from a table generated from
the typer app; whatever it does not fully understand (help, version, a bad option or value,
completion) goes to specpatch/cli_app.py unchanged, so output and exit codes are typer's.
SPECPATCH_TYPER=1 (or SPECPATCH_DEBUG) sends every command line to typer.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from specpatch import cli_run


def _typer_only() -> bool:
    return bool(os.environ.get("SPECPATCH_TYPER") or os.environ.get("SPECPATCH_DEBUG")) or any(
        k.startswith("_") and k.endswith("_COMPLETE") for k in os.environ)  # click's shell completion


def _abort() -> int:
    """What typer prints for an EOFError in a command (rare: imports typer)."""
    import click
    import typer.core

    click.echo(file=sys.stderr)
    if typer.core.HAS_RICH and typer.core.DEFAULT_MARKUP_MODE is not None:
        from typer import rich_utils

        rich_utils.rich_abort_error()
    else:
        click.echo("Aborted!", file=sys.stderr)
    return 1


def _fast(argv: list[str]) -> int | None:
    """The exit code of a lint or fix run without typer, or None when typer must see the command line."""
    if _typer_only():
        return None
    from specpatch import cli_fast

    parsed = cli_fast.parse(argv)
    if parsed is None:
        return None
    command, params = parsed
    call = cli_fast.call_args(params)
    names, bad = cli_run.unknown_prerequisites(call["assume"])
    if bad:
        return None  # typer's "Invalid value for --assume"
    try:
        return cli_run.BODIES[command](call, lambda _values: names)
    except EOFError:
        return _abort()
    except KeyboardInterrupt:
        return 130  # typer: exit 130, nothing printed
    except OSError as e:
        import errno

        if e.errno != errno.EPIPE:
            raise
        from click.utils import PacifyFlushWrapper  # as click leaves a closed pipe: quiet, exit 1

        sys.stdout = PacifyFlushWrapper(sys.stdout)  # type: ignore[assignment]
        sys.stderr = PacifyFlushWrapper(sys.stderr)  # type: ignore[assignment]
        return 1


def _leave(code: int) -> None:
    """Exit without the interpreter's last full garbage collection, which walks every object still alive
    (about 5% of a one-file lint): they are frozen first. No specpatch object needs a finalizer at exit;
    files are closed by `with` blocks and stdout is flushed by cli_run.finish."""
    import gc

    gc.freeze()
    sys.exit(code)


def main() -> None:
    """Console entry point: the last line of defence against tracebacks."""
    from specpatch.model import InputError

    try:
        code = _fast(sys.argv[1:])
        if code is not None:
            _leave(code)
        from specpatch.cli_app import app

        app()
    except InputError as e:
        cli_run.echo_err(str(e))
        sys.exit(2)
    except KeyboardInterrupt:
        sys.exit(130)
    except Exception as e:  # noqa: BLE001
        from specpatch.text.errors import boundary_line

        line = None if os.environ.get("SPECPATCH_DEBUG") else boundary_line(e)
        if line is not None:  # the input's or the machine's fault (full disk, read-only folder): not a bug
            cli_run.echo_err(line)
            sys.exit(2)
        if os.environ.get("SPECPATCH_DEBUG"):
            raise
        cli_run.echo_err(f"specpatch: internal error: {type(e).__name__}: {e} (set SPECPATCH_DEBUG=1 for details)")
        sys.exit(2)


def __getattr__(name: str) -> Any:
    """`specpatch.cli.app` still names the typer app (imported only when asked for)."""
    if name == "app":
        from specpatch.cli_app import app

        return app
    raise AttributeError(name)


if __name__ == "__main__":
    main()
