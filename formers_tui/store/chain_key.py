"""The audit log's key: made once per store, kept wrapped by the store key.

Entries are MACed (HMAC-SHA256) with a random 256-bit key made when the log
is first keyed. In an encrypted store the key is stored XORed with a pad
derived from the store key (HMAC of a fixed label under SQLCipher's raw
key), so reading it takes the passphrase; changing the passphrase re-wraps
it and the log stays valid. In a plaintext store the key is stored as it is:
anyone who can read the file can read it, so there it protects nothing a
chain head kept elsewhere does not (see the README's threat model).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import sqlite3
from typing import Any

from formers_tui.store.crypto import StoreKey
from formers_tui.store.engine import StoreError

KEY_BYTES = 32
WRAP_LABEL = b"formers-tui audit log key wrap v1"
CHECK_LABEL = b"formers-tui audit log key check v1"
STORE_KEY = "store-key"
NO_WRAP = "none"


def mac(key: bytes, message: str) -> str:
    """HMAC-SHA256 of ``message`` under ``key``, hex."""
    return hmac.new(key, message.encode("utf-8"), hashlib.sha256).hexdigest()


def _pad(store_key: StoreKey) -> bytes:
    return hmac.new(store_key.raw, WRAP_LABEL, hashlib.sha256).digest()


def _xor(left: bytes, right: bytes) -> bytes:
    return bytes(a ^ b for a, b in zip(left, right, strict=True))


def wrap(key: bytes, store_key: StoreKey | None) -> tuple[str, str]:
    """``(key_wrapped, key_wrap)`` to store for ``key``."""
    if store_key is None:
        return key.hex(), NO_WRAP
    return _xor(key, _pad(store_key)).hex(), STORE_KEY


def unwrap(wrapped: str, how: str, check: str, store_key: StoreKey | None) -> bytes:
    """The log key from its stored form.

    Raises:
        StoreError: the stored key does not unwrap to a key matching its check
            (the seal was edited, or the file was re-encrypted by other means).
    """
    raw = bytes.fromhex(wrapped)
    if how == STORE_KEY:
        if store_key is None:
            raise StoreError("The audit log's key is wrapped, but the store is not encrypted.")
        raw = _xor(raw, _pad(store_key))
    elif how != NO_WRAP:
        raise StoreError(f"The audit log's key is stored in an unknown way ({how}).")
    if not hmac.compare_digest(mac(raw, CHECK_LABEL.decode()), check):
        raise StoreError("The audit log's key does not match its check; the seal was altered.")
    return raw


def seal_of(key: bytes, legacy_until: int, tip_seq: int, tip_hash: str) -> str:
    """The MAC that seals the log's tip."""
    return mac(key, f"seal\0{legacy_until}\0{tip_seq}\0{tip_hash}")


def new_seal(
    store_key: StoreKey | None, *, legacy_until: int, tip_seq: int, tip_hash: str
) -> tuple[bytes, dict[str, Any]]:
    """A fresh log key and the ``audit_seal`` row holding it."""
    key = os.urandom(KEY_BYTES)
    wrapped, how = wrap(key, store_key)
    return key, {
        "id": 1,
        "key_wrapped": wrapped,
        "key_wrap": how,
        "key_check": mac(key, CHECK_LABEL.decode()),
        "legacy_until": legacy_until,
        "tip_seq": tip_seq,
        "tip_hash": tip_hash,
        "seal": seal_of(key, legacy_until, tip_seq, tip_hash),
    }


def rewrap(connection: Any, old: StoreKey | None, new: StoreKey | None) -> None:
    """Re-wrap the log key of an open DB-API connection from ``old`` to ``new`` store key.

    Used on the copy ``db rekey`` and ``db encrypt`` (and the re-encrypted
    backups) make, before it replaces anything. A store without a seal (an
    old backup) is left as it is; it is keyed when next opened.
    """
    try:
        row = connection.execute(
            "SELECT key_wrapped, key_wrap, key_check FROM audit_seal WHERE id = 1"
        ).fetchone()
    except (sqlite3.OperationalError, Exception) as exc:  # noqa: BLE001 - sqlcipher's own class
        if "no such table" in str(exc):
            return
        raise
    if row is None:
        return
    key = unwrap(row[0], row[1], row[2], old)
    wrapped, how = wrap(key, new)
    connection.execute(
        "UPDATE audit_seal SET key_wrapped = ?, key_wrap = ? WHERE id = 1", (wrapped, how)
    )
    connection.commit()
