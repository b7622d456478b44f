"""The ``formers`` command line.

``formers`` with no arguments, which opens the app, is how the program is
started every day, and everything done before the app's first frame is time
the panel waits. So that case does not go through Typer: parsing even an
empty command line with it builds a pydantic validator for ``--db`` (about a
tenth of a second of imports and work on a laptop) before the app could
start. Every other use is parsed by the Typer app in :mod:`.root`, which is
also importable from here as ``app``.
"""

from __future__ import annotations

import os
import sys
from typing import Any


def main() -> None:
    """Console-script entry point."""
    if len(sys.argv) > 1:
        from formers_tui.cli.root import app

        app()
        return
    raise SystemExit(open_app())


def open_app() -> int:
    """Open the interview app on the default store, as the root command does; return the exit code.

    Errors that stop the app before it starts (an unusable store path) are
    reported in one line, as every command reports them.
    """
    from formers_tui.errors import FormersError

    os.umask(0o077)  # everything this program writes is confidential
    try:
        from formers_tui.paths import store_path
        from formers_tui.tui.app import make_app

        make_app(store_path=store_path(None)).run()
    except FormersError as exc:
        return _fail(str(exc), exc.exit_code)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        return _fail(f"{exc.strerror or exc}{where}.", 1)
    return 0


def _fail(message: str, code: int) -> int:
    from formers_tui.sanitize import clean_text

    sys.stderr.write(f"Error: {clean_text(message)}\n")
    return code


def __getattr__(name: str) -> Any:
    """``app``, ``run_app`` and the rest of :mod:`.root`, imported only when asked for."""
    if name.startswith("__") or name == "root":
        raise AttributeError(name)
    import importlib

    return getattr(importlib.import_module("formers_tui.cli.root"), name)
