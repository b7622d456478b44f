"""What every command shares: settings, store opening, and error reporting."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec, TypeVar

import typer

if TYPE_CHECKING:
    from formers_tui.store.store import Store

P = ParamSpec("P")
R = TypeVar("R")


@dataclass
class Settings:
    """Options given before the command (``formers --db PATH ...``)."""

    db: Path | None = None

    def store_path(self) -> Path:
        from formers_tui.paths import store_path

        return store_path(self.db)

    def open_store(self, *, create: bool = True) -> Store:
        from formers_tui.store.store import Store

        return Store.open(self.store_path(), create=create)


def settings_of(ctx: typer.Context) -> Settings:
    """The settings stored by the root callback (defaults if run standalone)."""
    obj = ctx.find_root().obj
    return obj if isinstance(obj, Settings) else Settings()


def fail(message: str, code: int = 2) -> typer.Exit:
    """Print ``message`` as one line on stderr and return the Exit to raise."""
    typer.echo(f"Error: {message}", err=True)
    return typer.Exit(code)


def friendly(func: Callable[P, R]) -> Callable[P, R]:
    """Turn a :class:`FormersError` (or an OS error) into one line and a non-zero exit."""

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
