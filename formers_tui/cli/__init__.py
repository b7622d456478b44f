"""The ``formers`` command line.

``formers`` with no arguments, which opens the app, is how the program is
started every day, and everything done before the app's first frame is time
the panel waits. So that case, and ``formers open ID``, do not go through
Typer: parsing even an empty command line with it builds a pydantic
validator for ``--db`` (about a tenth of a second of imports and work on a
laptop) before the app could start. Every other use is parsed by the Typer
app in :mod:`.root`, which is also importable from here as ``app``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Callable

    from formers_tui.store.early_key import PendingKey


def main() -> None:
    """Console-script entry point.

    Passphrases given in the environment are taken out of it first (see
    :mod:`formers_tui.store.passphrase`), before anything can read or pass them on.
    """
    from formers_tui.store.passphrase import take_from_environment

    take_from_environment()
    args = sys.argv[1:]
    if not args:
        raise SystemExit(open_app())
    if len(args) == 2 and args[0] == "open" and not args[1].startswith("-"):
        raise SystemExit(open_app(open_interview=args[1]))
    if args == ["demo"]:
        raise SystemExit(open_demo())
    from formers_tui.cli.root import app

    app()


def open_app(open_interview: str | None = None) -> int:
    """Open the interview app on the default store, as the root command does; return the exit code.

    ``formers open ID`` comes here too, for the same reason as ``formers``.
    Errors that stop the app before it starts (an unusable store path) are
    reported in one line, as every command reports them.
    """
    return start_app(lambda: _store_path(None), open_interview=open_interview)


def open_demo() -> int:
    """``formers demo``: the app on a throwaway store holding the fictional interview.

    The store is copied from a template built once (see
    :mod:`formers_tui.demo`), on a thread of its own while the interface is
    imported and drawn; the app opens it when it is ready. The folder is
    removed when the app ends.
    """
    import tempfile

    from formers_tui.background import InBackground
    from formers_tui.demo import DEMO_NOTICE, demo_store

    os.umask(0o077)
    with tempfile.TemporaryDirectory(prefix="formers-demo-") as folder:
        path = Path(folder) / "demo.db"
        seeding = InBackground("demo", demo_store, path)
        return start_app(lambda: path, notice=DEMO_NOTICE, ready=seeding.result)


def _store_path(db: Path | None) -> Path | str:
    from formers_tui.store.location import store_location

    return store_location(db)


def start_app(
    path: Callable[[], Path | str],
    *,
    open_interview: str | None = None,
    notice: str = "",
    ready: Callable[[], str] | None = None,
) -> int:
    """Run the app on the store ``path()``; errors before it starts are one line.

    Args:
        path: gives the store file or server URL (may fail with a sentence for the user).
        open_interview: an interview id or prefix to open at once.
        notice: a line always shown on the home screen.
        ready: waits until the store exists and gives the interview to open
            (the demo); the app calls it in the background.
    """
    from formers_tui.errors import FormersError

    os.umask(0o077)  # everything this program writes is confidential
    try:
        store = path()
        early_key = derive_key_early(store) if isinstance(store, Path) else None
        from formers_tui.tui.app import make_app

        make_app(
            store_path=store,
            open_interview=open_interview,
            notice=notice,
            early_key=early_key,
            ready=ready,
            encrypt_new_store=ready is None,
        ).run()
    except FormersError as exc:
        return _fail(str(exc), exc.exit_code)
    except OSError as exc:
        where = f" ({exc.filename})" if exc.filename else ""
        return _fail(f"{exc.strerror or exc}{where}.", 1)
    return 0


def derive_key_early(path: Path) -> PendingKey | None:
    """Start deriving the store's key from ``FORMERS_PASSPHRASE``, before the slow imports.

    Argon2 then runs on another core while the interface and the store's
    modules are imported (see :mod:`formers_tui.store.early_key`).
    """
    from formers_tui.store.early_key import derive_early
    from formers_tui.store.passphrase import from_environment

    return derive_early(path, from_environment())


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
