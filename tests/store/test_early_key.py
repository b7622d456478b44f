"""Deciding from the file header, and deriving the key on a thread of its own."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from formers_tui.store.crypto import key_for_existing
from formers_tui.store.early_key import derive_early
from formers_tui.store.store import Store

PASSPHRASE = "correct horse battery staple"


@pytest.fixture(scope="module")
def encrypted(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("early") / "locked.db"
    Store.open(path, passphrase=PASSPHRASE, daily=False).close()
    return path


def test_the_key_derived_early_opens_the_store(encrypted: Path) -> None:
    pending = derive_early(encrypted, PASSPHRASE)
    assert pending is not None
    key = pending.result()
    assert key == key_for_existing(encrypted, PASSPHRASE)
    assert "correct" not in repr(pending) and key.raw.hex() not in repr(pending)
    Store.open(encrypted, key=key, daily=False).close()


def test_nothing_is_derived_without_an_encrypted_file(tmp_path: Path) -> None:
    plain = tmp_path / "plain.db"
    Store.open(plain, daily=False).close()
    empty = tmp_path / "empty.db"
    empty.touch()
    assert derive_early(plain, PASSPHRASE) is None
    assert derive_early(empty, PASSPHRASE) is None
    assert derive_early(tmp_path / "missing.db", PASSPHRASE) is None
    assert derive_early(tmp_path, PASSPHRASE) is None  # a folder: opening says so


def test_no_passphrase_derives_nothing(encrypted: Path) -> None:
    assert derive_early(encrypted, None) is None


def test_the_header_check_imports_no_database_library(encrypted: Path) -> None:
    code = (
        "import sys\n"
        "from pathlib import Path\n"
        "from formers_tui.store.crypto import is_plaintext\n"
        "from formers_tui.store.early_key import derive_early\n"
        f"assert not is_plaintext(Path({str(encrypted)!r}))\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in ('sqlalchemy', 'sqlmodel'))\n"
        "print(heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
