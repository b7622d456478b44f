"""Deriving an encrypted store's key on another thread while the program starts.

Argon2id is slow on purpose (about a quarter of a second and 64 MiB), and
argon2-cffi releases the interpreter lock while it works. Started before the
interface and the store's modules are imported, the derivation runs on a
second core meanwhile and is usually done by the time the store is opened,
so an encrypted store opens about as fast as a plain one.

Nothing here imports SQLAlchemy: it runs before the first frame.
"""

from __future__ import annotations

import threading
from pathlib import Path

from formers_tui.store import crypto
from formers_tui.store.errors import StoreError


class PendingKey:
    """The key of an encrypted store, being derived on a thread of its own."""

    def __init__(self, path: Path, passphrase: str) -> None:
        """Start deriving the key of the store at ``path`` from ``passphrase``."""
        self.path = path
        self._key: crypto.StoreKey | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._derive, args=(passphrase,), name="formers-key", daemon=True
        )
        self._thread.start()

    def _derive(self, passphrase: str) -> None:
        try:
            self._key = crypto.key_for_existing(self.path, passphrase)
        except BaseException as exc:  # handed to whoever waits for the key
            self._error = exc

    def result(self) -> crypto.StoreKey:
        """Wait for the key.

        Raises:
            OSError: the store file could not be read.
        """
        self._thread.join()
        if self._error is not None:
            raise self._error
        assert self._key is not None
        return self._key

    def __repr__(self) -> str:  # never print key material
        return f"PendingKey({self.path})"


def derive_early(path: Path, passphrase: str | None) -> PendingKey | None:
    """Start deriving the key of the store at ``path`` if it is encrypted.

    Whether it is encrypted is read from its file header. A missing, empty,
    plaintext or unreadable file gets ``None``: opening it decides, and says
    what is wrong.
    """
    if passphrase is None:
        return None
    try:
        if crypto.is_plaintext(path):
            return None
    except StoreError:
        return None
    return PendingKey(path, passphrase)
