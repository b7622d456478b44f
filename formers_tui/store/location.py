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
from pathlib import Path

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


def resolve(text: str | os.PathLike[str]) -> Location:
    """``text`` as a location: the URL unchanged, or the expanded file path."""
    if is_server_url(text):
        return str(text).strip()
    return Path(text).expanduser()


def shown(location: Location) -> str:
    """How a location is named in messages: a URL without any password in it."""
    if isinstance(location, Path):
        return str(location)
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        return make_url(location).render_as_string(hide_password=True)
    except ArgumentError:
        return location.split("@")[-1] if "@" in location else location
