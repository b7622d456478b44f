"""Every CLI command and its errors, through Typer's CliRunner."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest
from typer.testing import CliRunner

from formers_tui.cli import app

ROOT = Path(__file__).resolve().parents[2]
runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def new(code: str = "PM-1", *extra: str) -> str:
    exit_code, out, err = run(
        "new",
        "--candidate",
        code,
        "--panelist",
        "Ann Lee:psychologist",
        "--panelist",
        "Bo Ray:probation",
        "--consent",
        *extra,
    )
    assert exit_code == 0, err
    return out.strip()


def test_new_list_show_round_trip() -> None:
    iid = new()
    assert len(iid) == 32
    exit_code, out, _ = run("list", "--json")
    assert exit_code == 0
    (row,) = json.loads(out)
    assert row["id"] == iid and row["candidate"] == "PM-1" and row["status"] == "draft"
    assert row["indicators"] == 25  # new interviews use the current protocol, 1.1.0
    exit_code, out, _ = run("show", iid[:8], "--json")
    doc = json.loads(out)
    assert doc["candidate"] == {"code": "PM-1"}
    assert [p["name"] for p in doc["panel"]] == ["Ann Lee", "Bo Ray"]
    assert doc["panel"][0]["is_chair"] and doc["consent"]["given"]
    assert "pin_hash" not in doc["panel"][0]
    exit_code, out, _ = run("show", iid[:8])
    assert exit_code == 0 and "PM-1" in out and "Ann Lee" in out
    exit_code, out, _ = run("list")
    assert exit_code == 0 and iid[:8] in out


def test_new_json_and_chair_option() -> None:
    exit_code, out, _ = run(
        "new",
        "--candidate",
        "PM-9",
        "--panelist",
        "A B:other",
        "--panelist",
        "C D:peer",
        "--chair",
        "C D",
        "--consent",
        "--json",
    )
    assert exit_code == 0
    iid = json.loads(out)["id"]
    doc = json.loads(run("show", iid, "--json")[1])
    assert [p["is_chair"] for p in doc["panel"]] == [False, True]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["show", "deadbeef"], "No interview with id 'deadbeef'"),
        (["new", "--candidate", "X", "--panelist", "A:wizard"], "Unknown role 'wizard'"),
        (["new", "--candidate", "X", "--panelist", "no colon"], "Name:role"),
        (
            ["new", "--candidate", "X", "--panelist", "A:other", "--protocol", "nope"],
            "No protocol with id 'nope'",
        ),
        (["new", "--candidate", "X"], "for each of at least two"),
        (["new", "--candidate", "X", "--panelist", "A:other", "--consent"], "panel of one"),
        (
            ["new", "--candidate", "X", "--panelist", "A:other", "--panelist", "B:other"],
            "informed consent",
        ),
        (
            ["new", "--candidate", "X", "--panelist", "A:other", "--date", "2026-13-01"],
            "not a date",
        ),
        (
            ["new", "--candidate", "X", "--panelist", "A:other", "--chair", "Z"],
            "not among the panelists",
        ),
        (["list", "--status", "weird"], "Unknown status 'weird'"),
        (["protocol", "show", "nope"], "No protocol with id 'nope'"),
    ],
)
def test_errors_are_one_line_and_exit_2(args: list[str], message: str) -> None:
    new("PM-ERR")
    exit_code, out, err = run(*args)
    assert exit_code == 2
    assert message in err
    assert err.startswith("Error: ") and err.count("\n") == 1


def test_duplicate_open_candidate_is_refused() -> None:
    iid = new("PM-DUP")
    exit_code, _, err = run(
        "new", "--candidate", "PM-DUP", "--panelist", "A:other", "--panelist", "B:other",
        "--consent",
    )  # fmt: skip
    assert exit_code == 2 and f"already has an open interview ({iid[:8]})" in err


def test_show_on_a_missing_store_does_not_create_it(tmp_path: Path) -> None:
    target = tmp_path / "nothing-here.db"
    exit_code, _, err = run("--db", str(target), "show", "abcd")
    assert exit_code == 2 and "No store at" in err
    assert not target.exists()


def test_db_option_and_env_pick_the_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    chosen = tmp_path / "chosen.db"
    assert run("--db", str(chosen), "db", "path")[1].strip() == str(chosen)
    monkeypatch.setenv("FORMERS_DB", str(tmp_path / "env.db"))
    assert run("db", "path")[1].strip() == str(tmp_path / "env.db")


def test_db_check_and_backup(tmp_path: Path) -> None:
    new()
    exit_code, out, _ = run("db", "check", "--json")
    report = json.loads(out)
    assert exit_code == 0 and report["ok"] and report["integrity"] == ["ok"]
    target = tmp_path / "b.db"
    exit_code, out, _ = run("db", "backup", str(target))
    assert exit_code == 0 and target.exists() and out.strip() == str(target)
    exit_code, _, err = run("db", "backup", str(target))
    assert exit_code == 2 and "already exists" in err
    exit_code, out, _ = run("db", "backup")
    assert exit_code == 0 and "backups" in out


def test_db_check_reports_a_broken_chain(tmp_path: Path) -> None:
    import sqlite3

    from formers_tui.paths import store_path

    new()
    with sqlite3.connect(store_path()) as connection:
        connection.execute("DROP TRIGGER audit_entry_no_delete")
        connection.execute("DELETE FROM audit_entry WHERE seq = 2")
    exit_code, out, err = run("db", "check")
    assert exit_code == 1
    assert "entry 3" in out and "did not pass" in err


def test_protocol_list_show_and_json() -> None:
    exit_code, out, _ = run("protocol", "list", "--json")
    data = json.loads(out)
    assert exit_code == 0
    listed = [(p["id"], p["version"], p["current"]) for p in data["protocols"]]
    assert listed == [
        ("peer-mentor-readiness", "1.1.0", True),
        ("peer-mentor-readiness", "1.0.0", False),
    ]
    exit_code, out, _ = run("protocol", "show", "peer-mentor-readiness")
    assert exit_code == 0 and "DIS-1" in out and "Omit" in out
    exit_code, out, _ = run("protocol", "show", "peer-mentor-readiness", "--json")
    assert json.loads(out)["id"] == "peer-mentor-readiness"


def test_user_protocols_are_found_and_broken_ones_reported(private_home: Path) -> None:
    folder = private_home / "protocols"
    folder.mkdir(parents=True)
    shutil.copy(ROOT / "tests" / "fixtures" / "mini-protocol.toml", folder / "mini.toml")
    (folder / "broken.toml").write_text("id = \n", encoding="utf-8")
    data = json.loads(run("protocol", "list", "--json")[1])
    assert sorted({p["id"] for p in data["protocols"]}) == ["mini", "peer-mentor-readiness"]
    assert data["broken"][0]["path"].endswith("broken.toml")


def test_protocol_validate_exit_codes(tmp_path: Path) -> None:
    good = ROOT / "interviews" / "peer-mentor-readiness.toml"
    exit_code, out, _ = run("protocol", "validate", str(good))
    assert exit_code == 0 and "ok" in out
    bad = tmp_path / "bad.toml"
    bad.write_text('id = "x"\n[scale\n', encoding="utf-8")
    exit_code, out, err = run("protocol", "validate", str(good), str(bad))
    assert exit_code == 1
    assert "line 2" in err and "1 of 2 files invalid" in err
    exit_code, _, err = run("protocol", "validate", str(tmp_path / "missing.toml"))
    assert exit_code == 1 and "cannot be read" in err


def test_version_and_help() -> None:
    assert run("--version")[1].startswith("formers-tui ")
    exit_code, out, _ = run("--help")
    assert exit_code == 0 and "protocol" in out and "demo" in out


def test_demo_seed_fills_every_part(tmp_path: Path) -> None:
    from formers_tui.demo import seed_demo
    from formers_tui.exporting.document import interview_document
    from formers_tui.store.store import Store

    iid = seed_demo(tmp_path / "demo.db")
    store = Store.open(tmp_path / "demo.db")
    try:
        with store.session() as session:
            doc = interview_document(session, iid)
    finally:
        store.close()
    assert doc["status"].value == "in_progress"
    assert doc["notes"] and doc["quotes"] and doc["evidence"] and doc["ratings"]
    assert doc["safety_flags"] and doc["proportionality"]["met"] is True
    assert doc["current_indicator"] == "DIS-4"


def test_list_at_80_columns_cuts_no_code_id_or_date() -> None:
    ids = [new("PM-2026-LONG-CODE-0042"), new("PM-2")]
    result = runner.invoke(app, ["list"], env={"COLUMNS": "80"})
    assert result.exit_code == 0
    lines = result.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    for iid, code in zip(ids, ("PM-2026-LONG-CODE-0042", "PM-2"), strict=True):
        row = next(line for line in lines if iid[:8] in line)
        assert code in row and "…" not in row.split(code)[0]
        assert re.search(r"\b\d{4}-\d\d-\d\d\b", row)
    assert "flags" in lines[2]  # every heading whole
    wide = runner.invoke(app, ["list"], env={"COLUMNS": "120"}).stdout
    assert "protocol" in wide  # left out only when there is no room for it
