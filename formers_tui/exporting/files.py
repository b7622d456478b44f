"""Private, atomic output files and folders.

Every export holds confidential data, so each file is created 0600 (folders
0700) whatever the umask, is written under a temporary name in the folder it
will live in, and only takes its final name (``os.replace``) once it is
complete and flushed to disk. A crash or a full disk therefore never leaves a
half-written export behind, and an existing export is replaced only when the
caller asked for it.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import IO

from formers_tui.errors import FormersError
from formers_tui.paths import PRIVATE_DIR_MODE, PRIVATE_FILE_MODE

REPLACEABLE_SUFFIXES = (".csv", ".json")
"""What an export folder may contain for ``--force`` to replace it.

Replacing a folder deletes it, so a folder holding anything an export would
not have written (a home directory, a project) is never replaced.
"""


class ExportTargetError(FormersError):
    """The output path cannot be used."""


def check_target(path: Path, *, force: bool, folder: bool = False) -> None:
    """Refuse an output path that exists (unless ``force``) or cannot be replaced.

    Args:
        path: the file or folder about to be written.
        force: replace an existing export of the same kind.
        folder: the export is a folder of files rather than one file.

    Raises:
        ExportTargetError: the path exists and ``force`` is false, exists as the
            other kind, is a folder holding more than a previous export, or its
            parent folder is missing.
    """
    if not path.parent.is_dir():
        raise ExportTargetError(f"The folder {path.parent} does not exist.")
    if not (path.exists() or path.is_symlink()):
        return
    if not force:
        raise ExportTargetError(f"{path} already exists; use --force to replace it.")
    if path.is_symlink():
        raise ExportTargetError(f"{path} is a symbolic link; choose another path.")
    if folder and not path.is_dir():
        raise ExportTargetError(f"{path} is a file; this export writes a folder.")
    if not folder and path.is_dir():
        raise ExportTargetError(f"{path} is a folder; this export writes a file.")
    if folder:
        strays = [
            child.name
            for child in path.iterdir()
            if not (child.is_file() and child.suffix in REPLACEABLE_SUFFIXES)
        ]
        if strays:
            raise ExportTargetError(
                f"{path} holds other files ({strays[0]}); it does not look like an "
                "export, so it is not replaced."
            )


def _temp_name(path: Path) -> Path:
    return path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:  # pragma: no cover - platforms without directory fds
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover - some file systems refuse
        pass
    finally:
        os.close(fd)


def _open_new(path: Path) -> int:
    fd = os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
    os.fchmod(fd, PRIVATE_FILE_MODE)  # a umask can only remove bits; make sure anyway
    return fd


def create_private_text(path: Path) -> IO[str]:
    """Open a new UTF-8 text file at ``path``, mode 0600, failing if it exists.

    Newlines are written as given (``newline=""``) so the csv module controls them.
    """
    return os.fdopen(_open_new(path), "w", encoding="utf-8", newline="")


def create_private_binary(path: Path) -> IO[bytes]:
    """Open a new binary file at ``path``, mode 0600, failing if it exists."""
    return os.fdopen(_open_new(path), "wb")


@contextlib.contextmanager
def atomic_text(path: Path, *, force: bool) -> Iterator[IO[str]]:
    """Write a text file (UTF-8) that appears at ``path`` only when complete.

    Raises:
        ExportTargetError: see :func:`check_target`.
    """
    check_target(path, force=force)
    temp = _temp_name(path)
    handle = create_private_text(temp)
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
        _fsync_dir(path.parent)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_bytes(path: Path, *, force: bool) -> Iterator[IO[bytes]]:
    """Write a binary file that appears at ``path`` only when complete.

    Raises:
        ExportTargetError: see :func:`check_target`.
    """
    check_target(path, force=force)
    temp = _temp_name(path)
    handle = create_private_binary(temp)
    try:
        with handle:
            yield handle
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temp, path)
        _fsync_dir(path.parent)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise


@contextlib.contextmanager
def atomic_folder(path: Path, *, force: bool) -> Iterator[Path]:
    """Build a folder of files that appears at ``path`` only when complete.

    The caller writes into the yielded temporary folder (with
    :func:`create_private_text`); on success it is renamed to ``path``. An existing
    export is moved aside first and deleted only after the new one is in place.

    Raises:
        ExportTargetError: see :func:`check_target`.
    """
    check_target(path, force=force, folder=True)
    temp = _temp_name(path)
    os.mkdir(temp, PRIVATE_DIR_MODE)
    os.chmod(temp, PRIVATE_DIR_MODE)
    try:
        yield temp
        for child in temp.iterdir():
            with open(child, "rb") as handle:
                os.fsync(handle.fileno())
        old: Path | None = None
        if path.exists():
            old = _temp_name(path)
            os.replace(path, old)
        os.replace(temp, path)
        _fsync_dir(path.parent)
        if old is not None:
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(temp, ignore_errors=True)
        raise
