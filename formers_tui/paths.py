"""Where files live: the store, user protocols, backups, shipped resources.

Nothing here touches the disk at import time. The default store lives in the
platformdirs user data dir; ``--db PATH`` or ``FORMERS_DB`` override it, and
``FORMERS_HOME`` moves the whole data dir (used by tests and by the demo).
Folders are created private (0700) because everything under them is
confidential.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "formers-tui"
STORE_FILENAME = "formers.db"
PRIVATE_DIR_MODE = 0o700
PRIVATE_FILE_MODE = 0o600


def data_dir() -> Path:
    """The folder holding the default store, user protocols and backups."""
    home = os.environ.get("FORMERS_HOME")
    if home:
        return Path(home).expanduser()
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def store_path(override: str | os.PathLike[str] | None = None) -> Path:
    """The store file to open: ``override``, else ``FORMERS_DB``, else the default.

    For a location that may be a server, use
    :func:`formers_tui.store.location.store_location`.
    """
    chosen = override if override is not None else os.environ.get("FORMERS_DB")
    if chosen:
        return Path(chosen).expanduser()
    return data_dir() / STORE_FILENAME


def user_protocols_dir() -> Path:
    """Folder where a programme keeps its own protocol files."""
    return data_dir() / "protocols"


def backups_dir(store: Path) -> Path:
    """Folder of automatic backups, beside the store it protects."""
    return store.parent / "backups"


def shipped_dir(name: str) -> Path:
    """A resource folder shipped with the package (``interviews`` or ``data``).

    In a wheel the folders are copied into ``formers_tui/_shipped/``; in a
    source checkout they sit at the repository root.
    """
    package = Path(__file__).resolve().parent
    installed = package / "_shipped" / name
    if installed.is_dir():
        return installed
    return package.parent / name


def ensure_private_dir(path: Path) -> Path:
    """Create ``path`` (and parents) with mode 0700 if missing; return it."""
    path.mkdir(mode=PRIVATE_DIR_MODE, parents=True, exist_ok=True)
    return path
