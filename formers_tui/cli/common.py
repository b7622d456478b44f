"""What every command shares: settings, store opening, and error reporting."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import typer

from formers_tui.cli import output

if TYPE_CHECKING:
    from formers_tui.store.store import Store

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class Settings:
    """Options given before the command (``formers --db PATH|URL ...``)."""

    db: str | Path | None = None

    def location(self) -> Path | str:
        """The store: a file path, or a ``postgresql://`` URL (a ``str``).

        Raises:
            StoreError: the path is a folder.
        """
        from formers_tui.store.engine import StoreError
        from formers_tui.store.location import store_location

        found = store_location(self.db)
        if isinstance(found, Path) and found.is_dir():
            raise StoreError(f"{found} is a folder, not a store file.")
        return found

    def store_path(self, refusal: str = "this command works on a store file only") -> Path:
        """The store file, for commands that work on the file itself.

        Args:
            refusal: the PostgreSQL way to do it, said when the store is a server.

        Raises:
            ServerStoreRefused: the store is a server (one sentence with ``refusal``).
        """
        from formers_tui.store.location import file_only

        return file_only(self.location(), refusal)

    def open_store(self, *, create: bool = True, daily: bool = True) -> Store:
        """Open the store, asking for its passphrase when it is encrypted.

        ``FORMERS_PASSPHRASE`` answers for scripts. A new store is created
        encrypted when a passphrase is given (or typed, in a terminal);
        otherwise it is created unencrypted with a warning. Commands that
        only read pass ``daily=False``: they never write, not even the day's
        backup.
        """
        from formers_tui.store.engine import StoreError
        from formers_tui.store.store import Store

        location = self.location()
        if isinstance(location, str):  # a server: libpq finds the credentials itself
            return Store.open(location, create=create)
        path = location
        if not create and not path.exists():
            raise StoreError(f"No store at {path}.")
        return Store.open(path, passphrase=store_passphrase(path), create=create, daily=daily)


def interactive() -> bool:
    """Whether a person is at the terminal to answer a prompt."""
    return sys.stdin.isatty() and sys.stderr.isatty()


def ask_new_passphrase(what: str = "the new store") -> str:
    """Prompt twice for a new passphrase, with a strength hint, until it is acceptable."""
    from formers_tui.errors import ValidationError
    from formers_tui.store.crypto import check_new_passphrase, strength_hint

    while True:
        first = typer.prompt(f"Passphrase for {what}", hide_input=True, err=True)
        hint = strength_hint(first)
        if hint:
            output.echo(f"Hint: {hint}", err=True)
        again = typer.prompt("Repeat the passphrase", hide_input=True, err=True)
        try:
            check_new_passphrase(first, again)
        except ValidationError as exc:
            output.echo(str(exc), err=True)
            continue
        return str(first)


def store_passphrase(path: Path) -> str | None:
    """The passphrase for the store at ``path``: environment, prompt, or none.

    Raises:
        PassphraseNeeded: the store is encrypted and nobody can be asked.
    """
    from formers_tui.store.passphrase import from_environment
    from formers_tui.store.store import PassphraseNeeded, is_encrypted

    given = from_environment()
    if given is not None:
        return given
    if is_encrypted(path):
        if not interactive():
            raise PassphraseNeeded(
                f"The store at {path} is encrypted; set FORMERS_PASSPHRASE or run in a terminal."
            )
        return str(typer.prompt("Store passphrase", hide_input=True, err=True))
    if not path.exists() or path.stat().st_size == 0:
        if interactive():
            output.echo(f"Creating a new encrypted store at {path}.", err=True)
            return ask_new_passphrase()
        output.echo(
            f"Warning: creating an unencrypted store at {path} "
            "(set FORMERS_PASSPHRASE to encrypt it).",
            err=True,
        )
    return None


def settings_of(ctx: typer.Context) -> Settings:
    """The settings stored by the root callback (defaults if run standalone)."""
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Settings) else Settings()


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``message`` as one line on stderr and return the Exit to raise."""
    output.echo(f"Error: {message}", err=True)
    return typer.Exit(code)


def friendly(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a :class:`FormersError`, an OS error or a store failure into one line and an exit code.

    A failure of the store or the disk (a read-only folder, a full disk, a
    locked file) gets its sentence from :mod:`formers_tui.store.failures`;
    anything else is a bug and keeps its traceback.
    """

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        from formers_tui.errors import FormersError

        try:
            return func(*args, **kwargs)
        except FormersError as exc:
            raise fail(str(exc), exc.exit_code) from None
        except OSError as exc:
            where = f" ({exc.filename})" if exc.filename else ""
            raise fail(f"{exc.strerror or exc}{where}.", 1) from None
        except Exception as exc:
            from formers_tui.store.failures import describe_store_failure

            sentence = describe_store_failure(exc)
            if sentence is None:
                raise
            raise fail(sentence.rstrip(".") + ".", 1) from None

    return wrapper


def print_json(data: Any) -> None:
    """Write ``data`` as JSON to stdout (dates as ISO text)."""
    import json
    from datetime import date, datetime
    from enum import Enum

    def default(value: Any) -> Any:
        if isinstance(value, datetime | date):
            return value.isoformat()
        if isinstance(value, Enum):
            return value.value
        raise TypeError(type(value).__name__)

    sys.stdout.write(json.dumps(data, indent=2, ensure_ascii=False, default=default) + "\n")


PIN_ENV = "FORMERS_PIN"
"""Answers the PIN question of ``--as PANELIST`` for scripts."""


def reader_of(session: Any, interview_id: str, who: str | None, pin: str | None) -> str | None:
    """The panelist a command reads as (``--as``), once their PIN is confirmed; ``None``: nobody.

    Without ``--as``, on a server store, the connected person reads as
    themselves: the panelist their database role is on this panel, if any.

    The PIN comes from ``--pin``, else ``FORMERS_PIN``, else a hidden prompt
    on stderr (so stdout stays clean JSON).

    Raises:
        typer.Exit: ``--pin`` without ``--as``.
        NotFoundError: no such panelist.
        PinError: no PIN set, or a wrong one.
    """
    from formers_tui.store.rules.visibility import confirm_reader

    if who is None:
        if pin is not None:
            raise fail("--pin goes with --as PANELIST.")
        from formers_tui.store.server.people import connected_reader

        return connected_reader(session, interview_id)
    pin = panelist_pin(session, interview_id, who, pin)
    return confirm_reader(session, interview_id, who, pin)


def panelist_pin(session: Any, interview_id: str, who: str, pin: str | None) -> str:
    """The PIN given for panelist ``who``: ``--pin``, else ``FORMERS_PIN``, else asked on stderr.

    Raises:
        NotFoundError: no such panelist.
    """
    from formers_tui.store.panel import find_panelist

    if pin is None:
        pin = os.environ.get(PIN_ENV) or None
    if pin is not None:
        return pin
    panelist = find_panelist(session, interview_id, who)
    return str(typer.prompt(f"PIN for {panelist.name}", hide_input=True, err=True))


AS_HELP = (
    "Read as this panelist (name or id); asks for their PIN. Before finalization others' "
    "ratings show only where this panelist may see them."
)
PIN_HELP = (
    f"The panelist's PIN (leave it out to be asked, or set {PIN_ENV}; asking keeps it out of "
    "the shell history)."
)
