"""The passphrase policy, in one place for every path that reads or sets one.

* **Form.** A passphrase is compared and stretched in Unicode NFC, so "é"
  typed as one character or as "e" plus an accent opens the same store. A
  store whose passphrase was set in NFC text (every store made by a release
  before this rule, from any keyboard that composes accents) opens as it did;
  a store made from decomposed text is still tried with the text as typed.
* **Length.** A new passphrase (a new store, ``db encrypt``, ``db rekey``)
  has at least :data:`MIN_LENGTH` characters.
* **Environment.** Scripts pass passphrases in ``FORMERS_PASSPHRASE``,
  ``FORMERS_NEW_PASSPHRASE`` and ``FORMERS_BUNDLE_PASSPHRASE``. When the
  program starts it takes them out of its environment
  (:func:`take_from_environment`): they are removed from ``os.environ`` and
  from the C library's environment, so child processes do not inherit them,
  and on Linux their bytes in the block the kernel shows as
  ``/proc/PID/environ`` are overwritten. What cannot be undone: the shell
  that started the program still has the variable, and the text is in this
  process's memory while it is needed (as any typed passphrase is).
* **Encoding.** A variable holding bytes that are not UTF-8 text gets one
  sentence, not a traceback.

Nothing here imports SQLAlchemy: it runs before the first frame.
"""

from __future__ import annotations

import os
import sys
import unicodedata

from formers_tui.errors import ValidationError

MIN_LENGTH = 8
STORE_ENV = "FORMERS_PASSPHRASE"
NEW_ENV = "FORMERS_NEW_PASSPHRASE"
BUNDLE_ENV = "FORMERS_BUNDLE_PASSPHRASE"
NAMES = (STORE_ENV, NEW_ENV, BUNDLE_ENV)

_taken: dict[str, str] = {}
"""Values taken out of the environment at start-up, by variable name."""


class PassphraseError(ValidationError):
    """A passphrase that cannot be used (too short, not repeated, not text)."""


def normalized(passphrase: str) -> str:
    """The form a passphrase is compared and stretched in (Unicode NFC)."""
    return unicodedata.normalize("NFC", passphrase)


def encoded(passphrase: str) -> bytes:
    """The bytes a key is derived from: the NFC text in UTF-8."""
    return normalized(passphrase).encode("utf-8")


def check_text(passphrase: str, where: str = "The passphrase") -> str:
    """Refuse a passphrase that is not text (bytes that were not UTF-8 when read).

    Raises:
        PassphraseError: naming ``where`` it came from.
    """
    try:
        passphrase.encode("utf-8")
    except UnicodeEncodeError:
        raise PassphraseError(
            f"{where} holds bytes that are not UTF-8 text; set it again from a UTF-8 terminal."
        ) from None
    return passphrase


def check_new(passphrase: str, again: str | None = None) -> str:
    """Refuse a new passphrase that is too short or was not repeated exactly.

    Args:
        passphrase: the new passphrase.
        again: its repetition, when it was typed twice.

    Returns:
        The passphrase, unchanged.

    Raises:
        PassphraseError: with the reason.
    """
    check_text(passphrase)
    if again is not None and normalized(passphrase) != normalized(again):
        raise PassphraseError("The two passphrases differ.")
    if len(normalized(passphrase)) < MIN_LENGTH:
        raise PassphraseError(f"The passphrase needs at least {MIN_LENGTH} characters.")
    return passphrase


def from_environment(name: str = STORE_ENV) -> str | None:
    """The passphrase a script gave in environment variable ``name``, or ``None``.

    Taken at start-up (see :func:`take_from_environment`) or, when the program
    is run from inside Python (tests), read from ``os.environ``.

    Raises:
        PassphraseError: the variable holds bytes that are not UTF-8 text.
    """
    value = _taken.get(name)
    if value is None:
        value = os.environ.get(name)
    if value is None:
        return None
    return check_text(value, name)


def take_from_environment() -> None:
    """Move the passphrase variables out of the process environment into memory.

    Called once by the program's entry point, before anything else reads
    them. See the module notes for what this can and cannot hide.
    """
    for name in NAMES:
        value = os.environ.get(name)
        if value is None:
            continue
        _taken[name] = value
        _overwrite_initial(name)
        del os.environ[name]  # also unsetenv(): children do not inherit it


def forget_taken() -> None:
    """Drop what :func:`take_from_environment` kept (a test's clean slate)."""
    _taken.clear()


def _overwrite_initial(name: str) -> None:
    """Overwrite ``NAME=value`` in the C environment, where ``/proc/PID/environ`` reads it.

    Best effort and Linux only: the kernel shows the environment block the
    process started with, which ``unsetenv`` leaves in place. Any failure
    leaves things as they were.
    """
    if not sys.platform.startswith("linux"):
        return
    try:
        import ctypes

        libc = ctypes.CDLL(None)
        environ = ctypes.POINTER(ctypes.c_void_p).in_dll(libc, "environ")
        prefix = name.encode() + b"="
        index = 0
        while environ[index]:
            address = environ[index]
            assert address is not None
            entry = ctypes.string_at(address)
            if entry.startswith(prefix):
                start = address + len(prefix)
                ctypes.memset(start, 0, len(entry) - len(prefix))
            index += 1
    except (OSError, ValueError, AttributeError):
        return
