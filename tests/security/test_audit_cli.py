"""``formers audit``: edits made behind the app's back are found and named."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path

from typer.testing import CliRunner

from formers_tui.cli import app
from formers_tui.paths import store_path
from formers_tui.store import capture
from formers_tui.store.store import Store

runner = CliRunner()


def invoke(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def setup_interview() -> str:
    code, out, _ = invoke(
        "new",
        "--candidate",
        "PM-A",
        "--panelist",
        "Ann:psychologist",
        "--panelist",
        "Bo:other",
        "--consent",
    )
    assert code == 0
    iid = out.strip()
    store = Store.open(store_path())
    try:
        with store.session() as session:
            capture.save_note(
                session, interview_id=iid, indicator_id="DIS-1", text="said X", actor="Ann"
            )
            capture.save_note(
                session, interview_id=iid, indicator_id="DIS-2", text="said Y", actor="Ann"
            )
            capture.set_timeline(
                session, interview_id=iid, fact_id="depth", value="member", actor="Ann"
            )
            session.commit()
    finally:
        store.close()
    return iid


def test_clean_store_verifies() -> None:
    iid = setup_interview()
    code, out, _ = invoke("audit", "verify")
    assert code == 0 and "intact" in out
    code, out, _ = invoke("audit", "verify", iid[:8], "--json")
    report = json.loads(out)
    assert code == 0 and report["chain_breaks"] == report["record_mismatches"] == []
    assert report["guard_problems"] == []


def test_note_edited_with_a_sql_shell_is_reported() -> None:
    iid = setup_interview()
    with sqlite3.connect(store_path()) as connection:
        connection.execute("UPDATE note SET text = 'said Z' WHERE indicator_id = 'DIS-1'")
        connection.execute("DELETE FROM note WHERE indicator_id = 'DIS-2'")
        connection.execute(
            "INSERT INTO timeline_entry (interview_id, fact_id, value) "
            "VALUES (?, 'disengaged_on', '2015-01-01')",
            (iid,),
        )
    code, out, err = invoke("audit", "verify", "--json")
    assert code == 1 and "changed outside the app" in err
    found = {
        (m["entity"], m["reason"], tuple(m["fields"])) for m in json.loads(out)["record_mismatches"]
    }
    assert ("note", "differs from its last recorded value", ("text",)) in found
    assert ("note", "was removed without a record", ()) in found
    assert ("timeline_entry", "exists but was never recorded", ()) in found


def test_removed_audit_row_breaks_the_chain() -> None:
    setup_interview()
    with sqlite3.connect(store_path()) as connection:
        connection.execute("DROP TRIGGER audit_entry_no_delete")
        connection.execute("DELETE FROM audit_entry WHERE seq = 3")
    code, out, _ = invoke("audit", "verify")
    assert code == 1 and "chain: entry 4" in out


def test_show_lists_who_changed_what() -> None:
    iid = setup_interview()
    code, out, _ = invoke("audit", "show", iid[:8], "--json")
    entries = json.loads(out)
    assert code == 0
    made = [(e["action"], e["entity"]) for e in entries]
    assert made.index(("create", "interview")) < made.index(("create", "panelist"))
    note = next(e for e in entries if e["entity"] == "note")
    assert note["actor"] == "Ann" and note["new"]["text"] == "said X"
    code, out, _ = invoke("audit", "show", iid[:8])
    assert code == 0 and "create note" in out
    code, _, err = invoke("audit", "show", "zzzz")
    assert code == 2 and "No interview" in err


def test_missing_store_is_one_line(tmp_path: Path) -> None:
    code, _, err = invoke("--db", str(tmp_path / "none.db"), "audit", "verify")
    assert code == 2 and "No store" in err


def test_show_points_at_the_changed_part_of_a_long_note() -> None:
    iid = setup_interview()
    opening = "Spoke about the first year out as the hardest, with few people to call. " * 3
    store = Store.open(store_path())
    try:
        for text in (opening, opening + "Now volunteers twice a month."):
            with store.session() as session:
                capture.save_note(
                    session, interview_id=iid, indicator_id="DIS-3", text=text, actor="Ann"
                )
                session.commit()
    finally:
        store.close()
    code, out, _ = invoke("audit", "show", iid[:8])
    flat = " ".join(out.replace("│", " ").split())  # the table wraps the change over rows
    assert code == 0 and "volunteers twice a month" in flat
