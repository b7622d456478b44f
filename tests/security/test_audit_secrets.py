"""PIN hashes and sealed keys stay in the audit log and leave the store through no output.

The log keeps them so ``audit verify`` catches a hash swapped for another
panelist's; every command that prints or writes audit values (or records)
shows at most whether they were set or changed. The walk below runs every
such path with PINs set and looks for the secrets, and for any 16-character
piece of them, in what came out.
"""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from formers_tui.cli import app
from formers_tui.exporting import bundle
from formers_tui.store import audit
from formers_tui.store.models import Panelist
from formers_tui.store.panel import find_panelist, set_pin
from formers_tui.store.registry import SECRET, audited
from formers_tui.store.store import Store

runner = CliRunner()
PINS = {"Ann Lee": "1111", "Bo Ray": "4242"}
PIECE = 16


def run(*args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    """Exit code and standard output, then standard error."""
    result = runner.invoke(app, list(args), env=env)
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.stdout + "\n" + result.stderr


def make_store(db: Path) -> tuple[str, list[str]]:
    """A store with one interview whose two panelists have PINs; its id and their secrets."""
    code, out = run(
        "--db", str(db), "new", "--candidate", "C-1",
        "--panelist", "Ann Lee:psychologist", "--panelist", "Bo Ray:social_worker", "--consent",
    )  # fmt: skip
    assert code == 0, out
    iid = out.strip().splitlines()[0]
    store = Store.open(db)
    try:
        with store.session() as session:
            for name, pin in PINS.items():
                who = find_panelist(session, iid, name)
                set_pin(session, interview_id=iid, panelist_id=who.id, pin=pin, actor=name)
            session.commit()
            secrets = [
                value
                for p in session.exec(select(Panelist))
                for value in (p.pin_hash, p.sealed_key)
                if value is not None
            ]
    finally:
        store.close()
    assert len(secrets) == 4
    return iid, secrets


def leaks(text: str, secrets: list[str]) -> list[str]:
    """Every 16-character piece of a secret found in ``text``."""
    return [
        secret[i : i + PIECE]
        for secret in secrets
        for i in range(len(secret) - PIECE + 1)
        if secret[i : i + PIECE] in text
    ]


def files_text(path: Path) -> str:
    """A file's text, or every file's under a folder."""
    if path.is_dir():
        return "\n".join(files_text(p) for p in sorted(path.rglob("*")) if p.is_file())
    return path.read_bytes().decode("utf-8", errors="replace")


def test_secret_columns_are_audited_columns() -> None:
    tables = audited()
    for table, column in SECRET:
        assert column in tables[table].columns, "a secret must still be compared by verify"


def test_the_log_keeps_them_and_no_output_shows_them(tmp_path: Path) -> None:
    db = tmp_path / "store.db"
    iid, secrets = make_store(db)
    store = Store.open(db)
    try:
        with store.session() as session:
            logged = "".join(f"{e.old}{e.new}" for e in audit.history(session, iid))
    finally:
        store.close()
    assert all(secret in logged for secret in secrets), "the log keeps them for verify"

    outputs: dict[str, str] = {}

    def out(name: str, *args: str, code: int = 0, env: dict[str, str] | None = None) -> None:
        got, text = run("--db", str(db), *args, env=env)
        assert got == code, (name, text)
        outputs[name] = text

    out("audit show", "audit", "show", iid)
    out("audit show --json", "audit", "show", iid, "--json")
    shown = json.loads(outputs["audit show --json"])
    panel_rows = [
        e for e in shown if e["entity"] == "panelist" and (e["new"] or {}).get("pin_hash")
    ]
    assert {e["new"]["pin_hash"] for e in panel_rows} == {audit.SECRET_SET}
    assert {e["new"]["sealed_key"] for e in panel_rows} == {audit.SECRET_SET}
    out("show", "show", iid)
    out("show --json", "show", iid, "--json")
    out("db check", "db", "check", "--json")
    for fmt, target in [
        ("json", "all.json"),
        ("csv", "csv"),
        ("datapackage", "package"),
        ("md", "report.md"),
        ("html", "report.html"),
    ]:
        out(f"export {fmt}", "export", iid, "--format", fmt, "--out", str(tmp_path / target))
        outputs[f"file {fmt}"] = files_text(tmp_path / target)
        deidentified = tmp_path / f"deid-{target}"
        out(f"export {fmt} --deidentify", "export", iid, "--format", fmt, "--deidentify",
            "--out", str(deidentified))  # fmt: skip
        outputs[f"file {fmt} --deidentify"] = files_text(deidentified)

    ratings = tmp_path / "bo.bundle"
    out("bundle export --panelist", "bundle", "export", iid, "--panelist", "Bo Ray",
        "-o", str(ratings), env={"FORMERS_PIN": PINS["Bo Ray"]})  # fmt: skip
    outputs["file panelist bundle"] = files_text(ratings)
    whole = tmp_path / "whole.bundle"
    out("bundle export", "bundle", "export", iid, "-o", str(whole))
    # A whole-interview bundle carries each panelist's sealed key on purpose (so they can
    # sign on another laptop), in the panel entry and nowhere else; never a PIN hash.
    raw_bundle = files_text(whole)
    for member in bundle.unseal(whole.read_bytes())["interview"]["panel"]:
        assert "pin_hash" not in member
        assert raw_bundle.count(member["sealed_key"]) == 1
        raw_bundle = raw_bundle.replace(member["sealed_key"], "")
    outputs["file whole bundle, keys aside"] = raw_bundle

    laptop = tmp_path / "laptop.db"
    got, text = run("--db", str(laptop), "bundle", "import", str(whole), "--json")
    assert got == 0, text
    outputs["bundle import"] = text
    got, text = run("--db", str(laptop), "audit", "show", iid, "--json")
    assert got == 0, text
    outputs["laptop audit show --json"] = text

    # Bo's PIN hash swapped for Ann's behind the app's back: verify names the field only.
    with sqlite3.connect(db) as raw:
        raw.execute(
            "UPDATE panelist SET pin_hash = (SELECT pin_hash FROM panelist WHERE name = ?) "
            "WHERE name = ?",
            ("Ann Lee", "Bo Ray"),
        )
    raw.close()
    out("audit verify", "audit", "verify", code=1)
    assert "pin_hash" in outputs["audit verify"]
    out("audit verify --json", "audit", "verify", iid, "--json", code=1)
    found = json.loads(outputs["audit verify --json"].rsplit("\n", 2)[0])
    assert ["pin_hash"] in [m["fields"] for m in found["record_mismatches"]]
    out("audit show after the swap", "audit", "show", iid)

    for name, text in outputs.items():
        assert not leaks(text, secrets), f"{name} shows a PIN hash or sealed key"


@pytest.mark.parametrize(
    ("old", "new", "shown"),
    [
        (None, {"pin_hash": "h1"}, (None, {"pin_hash": "set"})),
        ({"pin_hash": None}, {"pin_hash": "h1"}, ({"pin_hash": None}, {"pin_hash": "set"})),
        ({"pin_hash": "h1"}, {"pin_hash": "h2"}, ({"pin_hash": "set"}, {"pin_hash": "changed"})),
        ({"pin_hash": "h1"}, {"pin_hash": "h1"}, ({"pin_hash": "set"}, {"pin_hash": "set"})),
        ({"pin_hash": "h1"}, {"pin_hash": None}, ({"pin_hash": "set"}, {"pin_hash": None})),
        ({"sealed_key": "k1"}, None, ({"sealed_key": "set"}, None)),
    ],
)
def test_markers_say_set_or_changed(
    old: dict[str, str | None] | None,
    new: dict[str, str | None] | None,
    shown: tuple[object, object],
) -> None:
    assert audit.hide_secrets("panelist", old, new) == shown
    assert audit.hide_secrets("panelist (note)", old, new) == shown


def test_other_tables_pass_unchanged() -> None:
    values = {"pin_hash": "not a panelist's", "text": "x"}
    assert audit.hide_secrets("note", values, values) == (values, values)
