"""Encryption at rest: SQLCipher keyed with an Argon2id-derived raw key.

The passphrase is stretched once per opening with Argon2id (memory-hard, so
a stolen laptop's store resists guessing), and the resulting 256-bit key is
handed to SQLCipher as a *raw* key: SQLCipher then skips its own per-connection
PBKDF2, so every pooled connection opens instantly.

The Argon2 salt is SQLCipher's file salt (the first 16 bytes of the file),
supplied explicitly when the store is created; nothing about the key lives
outside the encrypted file.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from formers_tui.store.errors import StoreError
from formers_tui.store.passphrase import MIN_LENGTH, check_new, check_text, encoded

SALT_BYTES = 16
KEY_BYTES = 32
SQLITE_HEADER = b"SQLite format 3\x00"
# Argon2id cost: about a quarter of a second on a modest laptop.
KDF_TIME_COST = 3
KDF_MEMORY_KIB = 64 * 1024
KDF_PARALLELISM = 1
MIN_PASSPHRASE = MIN_LENGTH


class StoreFileError(StoreError):
    """The store path is not a readable file."""


@dataclass(frozen=True)
class StoreKey:
    """A derived raw key and the salt it was derived with."""

    raw: bytes
    salt: bytes

    def pragma(self) -> str:
        """The value for ``PRAGMA key`` / ``ATTACH ... KEY``: raw key plus explicit salt."""
        return f"\"x'{self.raw.hex()}{self.salt.hex()}'\""

    def __repr__(self) -> str:  # never print key material
        return "StoreKey(<hidden>)"


def derive_key(passphrase: str, salt: bytes, *, as_typed: bool = False) -> StoreKey:
    """Stretch ``passphrase`` with Argon2id into a SQLCipher raw key.

    Args:
        passphrase: the passphrase; stretched in Unicode NFC (see
            :mod:`formers_tui.store.passphrase`).
        salt: the store's salt.
        as_typed: stretch the text exactly as given, for a store whose
            passphrase was set in decomposed form.

    Raises:
        PassphraseError: the passphrase is not text (undecodable bytes).
    """
    from argon2.low_level import Type, hash_secret_raw

    check_text(passphrase)
    raw = hash_secret_raw(
        passphrase.encode("utf-8") if as_typed else encoded(passphrase),
        salt,
        time_cost=KDF_TIME_COST,
        memory_cost=KDF_MEMORY_KIB,
        parallelism=KDF_PARALLELISM,
        hash_len=KEY_BYTES,
        type=Type.ID,
    )
    return StoreKey(raw=raw, salt=salt)


def new_key(passphrase: str) -> StoreKey:
    """A key for a new store, with a fresh random salt."""
    return derive_key(passphrase, os.urandom(SALT_BYTES))


def is_plaintext(path: Path) -> bool:
    """Whether ``path`` is an ordinary (unencrypted) SQLite file or empty/missing."""
    try:
        with path.open("rb") as handle:
            head = handle.read(len(SQLITE_HEADER))
    except FileNotFoundError:
        return True
    except IsADirectoryError:
        raise StoreFileError(f"{path} is a folder, not a store file.") from None
    except OSError as exc:
        reason = (exc.strerror or type(exc).__name__).lower()
        raise StoreFileError(f"Cannot read the store at {path} ({reason}).") from None
    return head == b"" or head == SQLITE_HEADER


def key_for_existing(path: Path, passphrase: str, *, as_typed: bool = False) -> StoreKey:
    """Derive the key of an existing encrypted store from its file salt."""
    with path.open("rb") as handle:
        salt = handle.read(SALT_BYTES)
    return derive_key(passphrase, salt, as_typed=as_typed)


def strength_hint(passphrase: str) -> str | None:
    """A one-line hint if ``passphrase`` is weak, else ``None``."""
    if len(passphrase) < MIN_PASSPHRASE:
        return f"Use at least {MIN_PASSPHRASE} characters."
    kinds = sum(
        any(test(c) for c in passphrase)
        for test in (str.islower, str.isupper, str.isdigit, lambda c: not c.isalnum())
    )
    if len(passphrase) < 14 and kinds < 3:
        return "Longer is stronger: try four or more unrelated words."
    return None


def check_new_passphrase(passphrase: str, again: str) -> None:
    """Refuse a new passphrase that is too short or was not repeated exactly.

    Raises:
        ValidationError: with the reason.
    """
    check_new(passphrase, again)
