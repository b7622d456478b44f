"""The passphrase policy holds on every path: length, Unicode form, encoding, environment."""

from __future__ import annotations

import os
import subprocess
import sys
import unicodedata
from pathlib import Path

import pytest
from typer.testing import CliRunner

from formers_tui.cli import app
from formers_tui.errors import ValidationError
from formers_tui.store import crypto
from formers_tui.store.engine import StoreError
from formers_tui.store.passphrase import MIN_LENGTH, check_new
from formers_tui.store.store import Store

runner = CliRunner()
COMPOSED = unicodedata.normalize("NFC", "crème brûlée à Noël")
DECOMPOSED = unicodedata.normalize("NFD", COMPOSED)
NEW = [
    "new", "--candidate", "PM-1", "--panelist", "Ann:psychologist", "--panelist", "Bo:other",
    "--consent",
]  # fmt: skip


@pytest.mark.parametrize("short", ["", "x", "1234567", DECOMPOSED[:0] + "e\u0301" * 7])
def test_a_new_store_needs_eight_characters(
    short: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "new.db"
    with pytest.raises(ValidationError, match=f"at least {MIN_LENGTH} characters"):
        Store.open(path, passphrase=short)
    assert not path.exists()
    monkeypatch.setenv("FORMERS_PASSPHRASE", short)
    result = runner.invoke(app, ["--db", str(path), *NEW])
    assert result.exit_code == 2 and "at least 8 characters" in result.stderr, result.output
    assert "Traceback" not in result.output and not path.exists()


def test_db_encrypt_and_rekey_keep_the_same_rule() -> None:
    check_new("eight ch")
    with pytest.raises(ValidationError, match="differ"):
        check_new(COMPOSED, COMPOSED + "!")
    check_new(COMPOSED, DECOMPOSED)  # the same text, typed two ways


def test_nfc_and_nfd_open_the_same_store(tmp_path: Path) -> None:
    path = tmp_path / "s.db"
    Store.open(path, passphrase=COMPOSED).close()
    Store.open(path, passphrase=DECOMPOSED).close()
    with pytest.raises(StoreError, match="Wrong passphrase"):
        Store.open(path, passphrase=COMPOSED + "x")


def test_a_store_keyed_from_decomposed_text_still_opens(tmp_path: Path) -> None:
    """Before passphrases were compared in NFC, a store took the bytes as typed."""
    path = tmp_path / "old.db"
    salt = os.urandom(crypto.SALT_BYTES)
    Store.open(path, key=crypto.derive_key(DECOMPOSED, salt, as_typed=True)).close()
    Store.open(path, passphrase=DECOMPOSED).close()
    # and a store made in NFC text (every older store typed on a composing keyboard)
    nfc_path = tmp_path / "nfc.db"
    Store.open(nfc_path, key=crypto.derive_key(COMPOSED, salt, as_typed=True)).close()
    Store.open(nfc_path, passphrase=COMPOSED).close()
    Store.open(nfc_path, passphrase=DECOMPOSED).close()


@pytest.mark.parametrize("variable", ["FORMERS_PASSPHRASE", "FORMERS_NEW_PASSPHRASE"])
def test_undecodable_environment_gets_one_sentence(
    variable: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.db"
    Store.open(path, passphrase=COMPOSED).close()
    monkeypatch.setenv("FORMERS_PASSPHRASE", COMPOSED)
    monkeypatch.setenv(variable, "caf\udce9 au lait")  # the byte 0xE9 from a Latin-1 shell
    args = ["list"] if variable == "FORMERS_PASSPHRASE" else ["db", "rekey"]
    result = runner.invoke(app, ["--db", str(path), *args])
    assert result.exit_code == 2, result.output
    assert "not UTF-8 text" in result.stderr and len(result.stderr.splitlines()) == 1
    assert "Traceback" not in result.output


CHILD = """
import os, subprocess, sys
sys.argv = ["formers", "db", "path"]
from formers_tui.cli import main
try:
    main()
except SystemExit:
    pass
from formers_tui.store.passphrase import from_environment
with open("/proc/self/environ", "rb") as handle:
    initial = handle.read()
child = subprocess.run(["env"], capture_output=True, text=True).stdout
print(from_environment() == "canary-7d1f secret", "FORMERS_PASSPHRASE" in os.environ,
      b"canary-7d1f" in initial, "canary-7d1f" in child)
"""


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="Linux /proc only")
def test_the_program_takes_the_passphrase_out_of_its_environment(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "FORMERS_PASSPHRASE": "canary-7d1f secret",
        "FORMERS_DB": str(tmp_path / "s.db"),
    }
    done = subprocess.run(
        [sys.executable, "-c", CHILD], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[-1].split() == ["True", "False", "False", "False"], done.stdout
