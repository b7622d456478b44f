"""Panelists' signing keys: proof of who wrote the ratings a bundle carries.

A panelist who rates on their own laptop sends the chair a bundle; anyone who
can edit a file could otherwise write ratings in their name. Each panelist
therefore has an Ed25519 key pair:

* The **public key** (32 bytes, base64) sits in the interview's panel record
  and travels with the interview in whole-interview bundles; a store checks
  a panelist bundle's signature against it.
* The **private key** is sealed under the panelist's PIN and stored beside
  it: ``key = scrypt(PIN, salt, n, r, p)`` with the PIN hash's own cost
  (:data:`~formers_tui.store.panel.SCRYPT_N`), then AES-256-GCM over the
  32-byte private key with a fresh 16-byte salt and 12-byte nonce. The
  associated data binds the sealed key to the panelist's id and public key,
  so it cannot be moved to another panelist or paired with another public
  key. A wrong PIN fails the authentication tag. The stored form is
  ``v1$n$r$p$salt$nonce$ciphertext`` (base64 parts).

Keys are made when a panelist first sets a PIN (or, for panelists from
before keys existed, the next time they enter it). Changing the PIN reseals
the same key; a chair's reset of a forgotten PIN makes a new pair, because
the old one cannot be opened. A sealed key is only as strong as the PIN
against someone holding the file: whole-interview bundles carry it (so the
panelist can sign on the laptop that receives the interview), which is one
reason to encrypt bundles that leave your hands.

Each function changes the panelist row and leaves the commit to the caller.
"""

from __future__ import annotations

import base64
import hashlib
import os

from formers_tui.errors import FormersError
from formers_tui.store.models import Panelist

SEAL_VERSION = "v1"
SCRYPT_N = 2**14
"""The PIN hash's cost: 16 MiB and about 50 ms, paid once per signature or PIN change."""
SCRYPT_R = 8
SCRYPT_P = 1
SALT_BYTES = 16
NONCE_BYTES = 12
SEAL_CONTEXT = b"formers-tui signing key v1\n"
SIGNATURE_ALGORITHM = "Ed25519"


class SigningKeyError(FormersError):
    """A signing key that cannot be opened or used."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)


def _stretch(pin: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(pin.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=32)


def _context(panelist_id: str, public_key: str) -> bytes:
    return SEAL_CONTEXT + panelist_id.encode("ascii") + b"\n" + public_key.encode("ascii")


def _seal(panelist_id: str, public_key: str, private: bytes, pin: str) -> str:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce = os.urandom(SALT_BYTES), os.urandom(NONCE_BYTES)
    key = _stretch(pin, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    sealed = AESGCM(key).encrypt(nonce, private, _context(panelist_id, public_key))
    parts = (SEAL_VERSION, str(SCRYPT_N), str(SCRYPT_R), str(SCRYPT_P))
    return "$".join((*parts, _b64(salt), _b64(nonce), _b64(sealed)))


def _private_bytes(panelist: Panelist, pin: str) -> bytes:
    """The panelist's raw private key, opened with ``pin``.

    Raises:
        SigningKeyError: no key, a damaged one, or a PIN that does not open it.
    """
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if panelist.sealed_key is None or panelist.public_key is None:
        raise SigningKeyError(f"{panelist.name} has no signing key yet; it is made with their PIN.")
    try:
        version, n, r, p, salt, nonce, sealed = panelist.sealed_key.split("$")
        if version != SEAL_VERSION:
            raise ValueError(version)
        key = _stretch(pin, _unb64(salt), int(n), int(r), int(p))
        return AESGCM(key).decrypt(
            _unb64(nonce), _unb64(sealed), _context(panelist.id, panelist.public_key)
        )
    except InvalidTag:
        raise SigningKeyError(f"Wrong PIN for {panelist.name}'s signing key.") from None
    except (ValueError, MemoryError):
        raise SigningKeyError(f"{panelist.name}'s signing key is damaged.") from None


def opens(panelist: Panelist, pin: str) -> bool:
    """Whether ``pin`` opens the panelist's sealed key."""
    try:
        _private_bytes(panelist, pin)
    except SigningKeyError:
        return False
    return True


def make_keys(panelist: Panelist, pin: str) -> None:
    """Give the panelist a new key pair, the private key sealed under ``pin``."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
    from cryptography.hazmat.primitives.serialization import (
        Encoding,
        NoEncryption,
        PrivateFormat,
        PublicFormat,
    )

    private = Ed25519PrivateKey.generate()
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    public = _b64(private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw))
    panelist.public_key = public
    panelist.sealed_key = _seal(panelist.id, public, raw, pin)


def reseal(panelist: Panelist, old_pin: str, new_pin: str) -> None:
    """Seal the panelist's key under a new PIN, keeping the pair.

    Raises:
        SigningKeyError: ``old_pin`` does not open the key.
    """
    assert panelist.public_key is not None
    raw = _private_bytes(panelist, old_pin)
    panelist.sealed_key = _seal(panelist.id, panelist.public_key, raw, new_pin)


def message(kind: str, canonical_payload: bytes) -> bytes:
    """The bytes a signature covers: a fixed context naming ``kind``, then the payload."""
    return b"formers-tui " + kind.encode("ascii") + b" v1\n" + canonical_payload


def sign(panelist: Panelist, pin: str, data: bytes) -> dict[str, str]:
    """Sign ``data`` with the panelist's key, opened with ``pin``.

    Returns:
        ``{"algorithm", "public_key", "value"}``, the signature as base64.

    Raises:
        SigningKeyError: no key, or a PIN that does not open it.
    """
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.from_private_bytes(_private_bytes(panelist, pin))
    assert panelist.public_key is not None
    return {
        "algorithm": SIGNATURE_ALGORITHM,
        "public_key": panelist.public_key,
        "value": _b64(private.sign(data)),
    }


def valid_public_key(public_key: str) -> bool:
    """Whether ``public_key`` is a well-formed Ed25519 public key (base64)."""
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        Ed25519PublicKey.from_public_bytes(_unb64(public_key))
    except ValueError:
        return False
    return True


def verify(public_key: str, data: bytes, signature: str) -> bool:
    """Whether ``signature`` (base64) is ``public_key``'s signature of ``data``."""
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    try:
        key = Ed25519PublicKey.from_public_bytes(_unb64(public_key))
        key.verify(_unb64(signature), data)
    except (InvalidSignature, ValueError):
        return False
    return True
