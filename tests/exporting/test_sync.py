"""``formers sync``: settled interviews go to the server, asked-for ones come back."""

from __future__ import annotations

import sqlite3
from typing import Any

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from formers_tui.cli import app
from formers_tui.exporting.interview_merge import stored_document
from formers_tui.exporting.sync import settled_ids, sync
from formers_tui.store import capture
from formers_tui.store.models import Interview, Note, Status
from formers_tui.store.store import Store

runner = CliRunner()


def _run(laptop: Store, server: Store, *args: str) -> Any:
    return runner.invoke(
        app, ["--db", str(laptop.path), "sync", "--server", str(server.path), *args]
    )


def _documents(store: Store) -> dict[str, dict[str, Any]]:
    with store.session() as session:
        out = {}
        for interview in session.exec(select(Interview)):
            doc = stored_document(session, interview)
            doc.pop("candidate")  # identifying details stay on the laptop
            out[interview.id] = doc
        return out


def _ids(store: Store) -> tuple[str, str]:
    with store.session() as session:
        final = session.exec(select(Interview).where(Interview.status == Status.finalized)).one()
        open_ = session.exec(select(Interview).where(Interview.status == Status.consensus)).one()
        return final.id, open_.id


def test_sync_twice_sends_once_then_says_nothing_changed(
    rich_store: Store, empty_store: Store
) -> None:
    first = _run(rich_store, empty_store)
    assert first.exit_code == 0, first.output
    assert first.output.count("to the server: new there.") == 2
    assert "Sent 2 interviews." in first.output
    assert _documents(empty_store) == _documents(rich_store)
    with empty_store.session() as session:
        identity = session.exec(select(Note)).first()
        assert identity is not None
    before = _documents(empty_store)
    again = _run(rich_store, empty_store)
    assert again.exit_code == 0, again.output
    assert again.output.strip() == (
        "Nothing to sync: the server and this store already agree on 2 interviews."
    )
    assert _documents(empty_store) == before


def test_the_server_never_gets_identifying_details(rich_store: Store, empty_store: Store) -> None:
    assert _run(rich_store, empty_store).exit_code == 0
    with empty_store.engine.connect() as connection:
        rows = connection.exec_driver_sql("SELECT count(*) FROM candidate_identity").scalar()
    assert rows == 0


def test_a_conflicting_edit_is_named_and_nothing_is_overwritten(
    rich_store: Store, empty_store: Store
) -> None:
    _final, open_id = _ids(rich_store)
    assert _run(rich_store, empty_store).exit_code == 0
    for store, text in ((rich_store, "Laptop's version."), (empty_store, "Server's version.")):
        with store.session() as session:
            capture.save_note(
                session, interview_id=open_id, indicator_id="ONE-1", text=text, actor="t"
            )
            session.commit()
    with rich_store.session() as session:
        capture.save_note(
            session, interview_id=open_id, indicator_id="TWO-1", text="Only here.", actor="t"
        )
        session.commit()
    result = _run(rich_store, empty_store)
    assert result.exit_code == 1
    assert (
        f"Conflict, interview {open_id[:8]} (PM-EXPORT-02) (the server keeps its own): the note "
        "on ONE-1 differs from this store's; this store's is kept." in result.output
    )
    assert "1 interview not fully synced (above); nothing was overwritten." in result.output
    notes = {n["indicator_id"]: n["text"] for n in _documents(empty_store)[open_id]["notes"]}
    assert notes["ONE-1"] == "Server's version."
    assert notes["TWO-1"] == "Only here."  # what the server lacked still came across
    again = _run(rich_store, empty_store)
    assert again.exit_code == 1
    assert "the note on ONE-1 differs" in again.output


@pytest.mark.parametrize("direction", ["push", "pull"])
def test_a_record_changed_outside_the_app_is_refused(
    rich_store: Store, empty_store: Store, direction: str
) -> None:
    final_id, open_id = _ids(rich_store)
    source, target = (rich_store, empty_store) if direction == "push" else (empty_store, rich_store)
    if direction == "pull":  # the server has them, the laptop does not
        assert _run(rich_store, empty_store).exit_code == 0
        with rich_store.session() as session:
            before = settled_ids(session)
    with sqlite3.connect(source.path) as connection:  # a SQL shell, not the app
        connection.execute(
            "UPDATE rating SET value = CASE WHEN value = 3 THEN 2 ELSE 3 END "
            "WHERE interview_id = ? AND rowid = (SELECT min(rowid) FROM rating "
            "WHERE interview_id = ?)",
            (open_id, open_id),
        )
    before_target = _documents(target)
    with source.session() as one, target.session() as two:
        if direction == "push":
            report = sync(one, two)
        else:
            report = sync(two, one, pull=[open_id])
    refused = [o for o in report.outcomes if o.result == "refused"]
    assert [o.interview_id for o in refused] == [open_id]
    sentence = refused[0].sentences[0]
    assert "rating" in sentence and "(value)" in sentence
    assert "changed outside the app, so it was not synced" in sentence
    if direction == "push":
        assert set(_documents(target)) == {final_id}
    else:
        assert _documents(target) == before_target
        with rich_store.session() as session:
            assert settled_ids(session) == before


def test_a_forged_log_entry_is_refused(rich_store: Store, empty_store: Store) -> None:
    _final, open_id = _ids(rich_store)
    with sqlite3.connect(rich_store.path) as connection:  # a SQL shell, not the app
        names = [
            r[0]
            for r in connection.execute(
                "SELECT name FROM sqlite_master WHERE type='trigger' AND tbl_name='audit_entry'"
            )
        ]
        for name in names:
            connection.execute(f"DROP TRIGGER {name}")
        connection.execute(
            "UPDATE audit_entry SET actor = 'someone else' WHERE seq = (SELECT max(seq) "
            "FROM audit_entry WHERE interview_id = ?)",
            (open_id,),
        )
    result = _run(rich_store, empty_store)
    assert result.exit_code == 1
    assert f"Not synced, interview {open_id[:8]}" in result.output
    assert "does not carry the log's MAC" in result.output
    assert set(_documents(empty_store)) == {_ids(rich_store)[0]}


def test_pull_a_named_interview_and_a_candidates_earlier_records(
    rich_store: Store, empty_store: Store
) -> None:
    final_id, open_id = _ids(rich_store)
    result = runner.invoke(
        app,
        [
            "--db",
            str(empty_store.path),
            "sync",
            "--server",
            str(rich_store.path),
            "--pull",
            open_id[:8],
            "--candidate",
            "PM-EXPORT-01",
        ],
    )
    assert result.exit_code == 0, result.output
    assert f"Took interview {open_id[:8]} (PM-EXPORT-02) from the server: new here." in (
        result.output
    )
    assert f"Took interview {final_id[:8]} (PM-EXPORT-01) from the server: new here." in (
        result.output
    )
    assert set(_documents(empty_store)) == {final_id, open_id}
    missing = runner.invoke(
        app,
        [
            "--db",
            str(empty_store.path),
            "sync",
            "--server",
            str(rich_store.path),
            "--candidate",
            "NOBODY-1",
        ],
    )
    assert missing.exit_code == 2
    assert "The server has no interview of candidate NOBODY-1." in missing.output


def test_a_server_that_is_not_there_is_one_sentence(rich_store: Store, tmp_path: Any) -> None:
    result = runner.invoke(
        app, ["--db", str(rich_store.path), "sync", "--server", str(tmp_path / "nope.db")]
    )
    assert result.exit_code != 0
    assert "No store at" in result.output
    assert "Traceback" not in result.output


# --------------------------------------------------------------------------- a PostgreSQL server


def _sync(laptop: Store, server: Store, *args: str) -> Any:
    assert server.url is not None
    return runner.invoke(app, ["--db", str(laptop.path), "sync", "--server", server.url, *args])


def test_sync_to_the_server_twice_then_a_conflict(rich_store: Store, pg_store: Store) -> None:
    _final, open_id = _ids(rich_store)
    first = _sync(rich_store, pg_store)
    assert first.exit_code == 0, first.output
    assert "Sent 2 interviews." in first.output
    assert _documents(pg_store) == _documents(rich_store)
    again = _sync(rich_store, pg_store)
    assert again.exit_code == 0, again.output
    assert again.output.startswith("Nothing to sync")
    for store, text in ((rich_store, "Laptop's."), (pg_store, "Server's.")):
        with store.session() as session:
            capture.save_note(
                session, interview_id=open_id, indicator_id="ONE-1", text=text, actor="t"
            )
            session.commit()
    clash = _sync(rich_store, pg_store)
    assert clash.exit_code == 1
    assert "the note on ONE-1 differs from this store's; this store's is kept." in clash.output
    notes = {n["indicator_id"]: n["text"] for n in _documents(pg_store)[open_id]["notes"]}
    assert notes["ONE-1"] == "Server's."


def test_a_server_record_changed_by_a_sql_client_is_not_pulled(
    rich_store: Store, pg_store: Store, empty_store: Store
) -> None:
    import psycopg

    _final, open_id = _ids(rich_store)
    assert _sync(rich_store, pg_store).exit_code == 0
    assert pg_store.url is not None
    with psycopg.connect(pg_store.url, autocommit=True) as connection:  # not the app
        connection.execute(
            "UPDATE note SET text = 'Rewritten behind the app.' WHERE interview_id = %s",
            (open_id,),
        )
    result = _sync(empty_store, pg_store, "--pull", open_id)
    assert result.exit_code == 1
    assert f"Not synced, interview {open_id[:8]}" in result.output
    assert "changed outside the app" in result.output
    assert _documents(empty_store) == {}


def test_json_says_what_happened_to_each_interview(rich_store: Store, empty_store: Store) -> None:
    import json

    final_id, open_id = _ids(rich_store)
    first = json.loads(_run(rich_store, empty_store, "--json").stdout)
    assert (first["sent"], first["taken"], first["conflicts"], first["changed"]) == (
        2,
        0,
        0,
        True,
    )
    assert {(i["interview_id"], i["result"]) for i in first["interviews"]} == {
        (final_id, "created"),
        (open_id, "created"),
    }
    again = json.loads(_run(rich_store, empty_store, "--json").stdout)
    assert (again["changed"], again["unchanged"]) == (False, 2)


def test_a_conflict_speaks_of_the_stores_not_of_a_bundle(
    rich_store: Store, empty_store: Store
) -> None:
    _final, open_id = _ids(rich_store)
    assert _run(rich_store, empty_store).exit_code == 0
    with sqlite3.connect(empty_store.path) as connection:  # the server loses a rating row
        first = "(SELECT min(rowid) FROM rating WHERE interview_id = ?)"
        connection.execute(
            f"DELETE FROM rating_revision WHERE rating_id = (SELECT id FROM rating "
            f"WHERE rowid = {first})",
            (open_id,),
        )
        connection.execute(f"DELETE FROM rating WHERE rowid = {first}", (open_id,))
    result = _run(rich_store, empty_store)
    assert result.exit_code == 1
    assert "1 of the sending store's ratings differ from this store's or are not in it; " in (
        result.output
    )
    assert "signed ratings (formers sync --as NAME)" in result.output
    assert "bundle" not in result.output
