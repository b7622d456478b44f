"""Where a store is: a SQLite file (the default) or a PostgreSQL server.

``--db`` and ``FORMERS_DB`` take either a file path or a ``postgresql://``
URL. This module is the one place that tells them apart; everything else
asks :func:`is_server_url` (``Store.open`` branches on it and nowhere else
decides). A URL is kept exactly as typed and handed to libpq, so its own
``~/.pgpass``, service files (``postgresql://?service=x``) and ``PGSSLMODE``
work as PostgreSQL documents them; no password is ever asked for or stored
by this program.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

from formers_tui.store.errors import StoreError

SERVER_SCHEMES = ("postgresql://", "postgres://")
"""The URL schemes libpq accepts; anything else is a file path."""

Location = Path | str
"""A store's location: a file path, or a server URL (a ``str``)."""


def is_server_url(text: str | os.PathLike[str]) -> bool:
    """Whether ``text`` names a PostgreSQL server rather than a SQLite file.

    Only the scheme decides (case-insensitive), so a file that happens to be
    called ``postgresql`` stays a file.
    """
    if isinstance(text, os.PathLike):
        return False
    return text.strip().lower().startswith(SERVER_SCHEMES)


def store_location(override: str | os.PathLike[str] | None = None) -> Location:
    """The store to open: ``override``, else ``FORMERS_DB``, else the default file.

    A ``postgresql://`` URL stays a ``str``; anything else is the file path
    :func:`formers_tui.paths.store_path` gives.
    """
    from formers_tui.paths import store_path

    chosen = override if override is not None else os.environ.get("FORMERS_DB")
    if chosen and is_server_url(chosen):
        return str(chosen).strip()
    return store_path(override)


def resolve(text: str | os.PathLike[str]) -> Location:
    """``text`` as a location: the URL unchanged, or the expanded file path."""
    if is_server_url(text):
        return str(text).strip()
    return Path(text).expanduser()


class ServerStoreRefused(StoreError):
    """A command that works on a store file was given a server."""


def file_only(location: Location, refusal: str) -> Path:
    """``location`` as a file path, or one sentence when it is a server.

    Args:
        location: where the store is.
        refusal: what to do instead on PostgreSQL, completing "The store at
            URL is a PostgreSQL database: …" (for example "back it up with
            pg_dump or pg_basebackup").

    Raises:
        ServerStoreRefused: ``location`` is a server URL.
    """
    if isinstance(location, Path):
        return location
    raise ServerStoreRefused(
        f"The store at {shown(location)} is a PostgreSQL database: {refusal.rstrip('.')}."
    )


def shown(location: Location) -> str:
    """How a location is named in messages: a URL as typed, less any password in it."""
    if isinstance(location, Path):
        return str(location)
    return _PASSWORD_PARAM.sub(r"\1***", _PASSWORD.sub(r"\1:***@", location))


_PASSWORD = re.compile(r"^([a-zA-Z]+://[^:/@?]*):[^@/?]*@")
"""``user:password@`` at the start of a URL's authority."""
_PASSWORD_PARAM = re.compile(r"([?&]password=)[^&]*", re.IGNORECASE)
"""A ``password=`` parameter (libpq accepts one in the query string too)."""
