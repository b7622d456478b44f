"""Deriving an encrypted store's key on another thread while the program starts.

Argon2id is slow on purpose (about a quarter of a second and 64 MiB), and
argon2-cffi releases the interpreter lock while it works. Started before the
interface and the store's modules are imported, the derivation runs on a
second core meanwhile and is usually done by the time the store is opened,
so an encrypted store opens about as fast as a plain one.

Nothing here imports SQLAlchemy: it runs before the first frame.
"""

from __future__ import annotations

from pathlib import Path

from formers_tui.background import InBackground
from formers_tui.store import crypto
from formers_tui.store.errors import StoreError

PendingKey = InBackground[crypto.StoreKey]
"""A key being derived; ``result()`` waits for it (or raises ``OSError``)."""


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
    return InBackground("key", crypto.key_for_existing, path, passphrase)
