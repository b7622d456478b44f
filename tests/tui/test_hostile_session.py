"""A shared laptop in a tense room: lock from anywhere, no screenshots, no markup from user text."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Input, Static

from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store import capture
from formers_tui.store.models import Bearing, EvidenceSource, FlagKind, Reliability
from formers_tui.store.store import Store
from formers_tui.tui.app import make_app
from formers_tui.tui.dialogs.choice import ChoiceDialog
from formers_tui.tui.screens.lock import LockScreen
from formers_tui.tui.widgets import autosave
from formers_tui.tui.widgets.notes_editor import NotesEditor
from formers_tui.tui.widgets.status_line import SaveState, StatusLine
from tests.conftest import make_interview
from tests.tui.test_live_interview import open_interview, settle


async def test_f11_locks_from_an_open_dialog_and_keeps_what_was_typed(
    tmp_path: Path, shipped_protocol: LoadedProtocol
) -> None:
    path = tmp_path / "s.db"
    store = Store.open(path)
    make_interview(store, shipped_protocol)
    store.close()
    app = make_app(store_path=path, lock_minutes=10)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_interview(pilot, app)
        await pilot.press("f3")
        await settle(pilot)
        dialog = app.screen
        await pilot.press(*"HalfTypedQuote")
        await pilot.press("f11")
        await settle(pilot)
        assert isinstance(app.screen, LockScreen)
        assert "HalfTypedQuote" not in app.export_screenshot()
        await pilot.press("enter")  # a plaintext store: Enter unlocks
        await settle(pilot)
        if app.screen is not dialog:  # "who is rating now?" comes first
            await pilot.press("escape")
            await settle(pilot)
        assert app.screen is dialog
        assert "HalfTypedQuote" in app.export_screenshot()


async def test_the_palette_offers_no_screenshot(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_DOWNLOAD_DIR", str(tmp_path / "Downloads"))
    app = make_app(store_path=tmp_path / "s.db", encrypt_new_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        titles = [c.title for c in app.get_system_commands(app.screen)]
        assert "Screenshot" not in titles and "Lock" in titles
        app.deliver_screenshot()
        await settle(pilot)
    assert not list(tmp_path.rglob("*.svg"))


async def test_markup_and_controls_in_stored_text_are_shown_as_text(
    tmp_path: Path, shipped_protocol: LoadedProtocol
) -> None:
    path = tmp_path / "s.db"
    store = Store.open(path)
    iid = make_interview(store, shipped_protocol, code="C-[/]")
    with store.session() as session:
        capture.save_note(
            session, interview_id=iid, indicator_id="DIS-1", text="said [bold]x[/] [/]",
            actor="t",
        )  # fmt: skip
        capture.add_quote(
            session, interview_id=iid, indicator_id="DIS-1", text="[red]words[/red] [/]",
            speaker="Ana [/b]", actor="t",
        )  # fmt: skip
        capture.add_evidence(
            session,
            interview_id=iid,
            item=capture.EvidenceIn(
                EvidenceSource.reference, "Mary [/]", None, Reliability.high,
                "[bold]summary[/] [/]", Bearing.mixed, ("DIS-1",),
            ),
            actor="t",
        )  # fmt: skip
        capture.raise_flag(
            session, interview_id=iid, kind=FlagKind.other, note="[/] flag [red]", actor="t",
            indicator_id="DIS-1",
        )  # fmt: skip
        session.commit()
    store.close()
    with sqlite3.connect(path) as db:  # a hand-edited store
        db.execute(
            "UPDATE panelist SET name = ? WHERE name = 'Sam Sample'", ("Sam [/]\x1b]52;c;eA==\x07",)
        )
        for table, column in (("note", "text"), ("quote", "text"), ("evidence", "summary")):
            db.execute(f"UPDATE {table} SET {column} = {column} || ?", ("\x1b[2J\x9b1m",))
        db.execute("UPDATE safety_flag SET note = note || ?", ("\x1b[8m",))
    app = make_app(store_path=path, lock_minutes=0)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = await open_interview(pilot, app)
        shot = app.export_screenshot()
        assert "C-[/]" in shot.replace("&#160;", " ")
        assert "\x1b" not in shot
        await pilot.press("f10")  # resolve a flag: the open flags, their notes
        await settle(pilot)
        assert "[/] flag [red]" in app.export_screenshot().replace("&#160;", " ")
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f6")  # who is rating: the panel's names
        await settle(pilot)
        assert "Sam [/]" in app.export_screenshot().replace("&#160;", " ")
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is screen
        await pilot.press("ctrl+b")  # the panel view
        await settle(pilot)
        app.notify("Could not save Ana [/b] \x1b[2J")  # a sentence that repeats user text
        await settle(pilot)
        shot = app.export_screenshot()
        assert "\x1b" not in shot  # and no markup error stopped the app


async def test_a_second_window_on_the_same_interview_is_read_only(
    tmp_path: Path, shipped_protocol: LoadedProtocol
) -> None:
    path = tmp_path / "s.db"
    store = Store.open(path)
    iid = make_interview(store, shipped_protocol)
    store.close()
    first = make_app(store_path=path, lock_minutes=0)
    second = make_app(store_path=path, lock_minutes=0)
    async with first.run_test(size=(80, 24)) as one:
        editing = await open_interview(one, first)
        await one.press(*"first window")
        async with second.run_test(size=(80, 24)) as two:
            shown = await open_interview(two, second)
            line = str(shown.query_one("#read-only-line", Static).content)
            assert "open in another window" in line and "read-only" in line
            await two.press(*"second window")
            await settle(two)
            assert "second window" not in shown.query_one(NotesEditor).text
        await settle(one)
        assert "first window" in editing.query_one(NotesEditor).text
    store = Store.open(path)
    with store.session() as session:
        assert capture.notes_of(session, iid) == {"DIS-1": "first window"}
    store.close()
    third = make_app(store_path=path, lock_minutes=0)
    async with third.run_test(size=(80, 24)) as pilot:  # both closed: editable again
        again = await open_interview(pilot, third)
        assert not str(again.query_one("#read-only-line", Static).content)


PASSPHRASE = "correct horse battery staple"


def refuse_writes(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every write fails as on a read-only folder."""
    from sqlalchemy.exc import OperationalError

    def read_only(*args: object, **kwargs: object) -> None:
        raise OperationalError("INSERT ...", {}, Exception("attempt to write a readonly database"))

    monkeypatch.setattr(autosave, "write_batch", read_only)


async def wait_for(pilot: Any, condition: Any) -> None:
    for _ in range(300):
        if condition():
            return
        await pilot.pause(0.02)
    raise AssertionError("condition not reached in time")


async def test_quitting_with_unsaved_text_asks_and_the_recovery_file_brings_it_back(
    tmp_path: Path, shipped_protocol: LoadedProtocol, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.db"
    store = Store.open(path, passphrase=PASSPHRASE)
    iid = make_interview(store, shipped_protocol)
    store.close()
    app = make_app(store_path=path, passphrase=PASSPHRASE, lock_minutes=0)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_interview(pilot, app)
        with monkeypatch.context() as patch:
            refuse_writes(patch)
            await pilot.press(*"UnsavedWords in the room")
            await wait_for(pilot, lambda: screen.query_one(StatusLine).state is SaveState.failed)
            await pilot.press("ctrl+q")
            await settle(pilot)
            assert isinstance(app.screen, ChoiceDialog)  # asked, not lost
            await pilot.press("enter")  # keep trying: the safest answer comes first
            await settle(pilot)
            assert app.screen is screen and app.is_running
            await pilot.press("ctrl+q")
            await settle(pilot)
            await pilot.press("down", "enter")  # quit, keeping the text in a recovery file
            await settle(pilot)
        assert not app.is_running
    kept = list((tmp_path / "s.db.recovery").iterdir())
    assert len(kept) == 1 and b"UnsavedWords" not in kept[0].read_bytes()  # encrypted
    again = make_app(store_path=path, passphrase=PASSPHRASE, lock_minutes=0)
    async with again.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        await wait_for(pilot, lambda: isinstance(again.screen, ChoiceDialog))
        assert "DIS-1" in str(again.screen.query_one("#choice-question", Static).content)
        await pilot.press("enter")  # restore
        await settle(pilot)
    assert not list((tmp_path / "s.db.recovery").iterdir())
    store = Store.open(path, passphrase=PASSPHRASE)
    with store.session() as session:
        assert capture.notes_of(session, iid) == {"DIS-1": "UnsavedWords in the room"}
    store.close()


async def test_discarding_on_quit_writes_nothing(
    tmp_path: Path, shipped_protocol: LoadedProtocol, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "s.db"
    store = Store.open(path)
    make_interview(store, shipped_protocol)
    store.close()
    app = make_app(store_path=path, lock_minutes=0)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_interview(pilot, app)
        refuse_writes(monkeypatch)
        await pilot.press(*"gone")
        await wait_for(pilot, lambda: screen.query_one(StatusLine).state is SaveState.failed)
        await pilot.press("ctrl+q")
        await settle(pilot)
        await pilot.press("down", "down", "enter")
        await settle(pilot)
        assert not app.is_running
    assert not (tmp_path / "s.db.recovery").exists()


async def test_an_error_that_repeats_what_was_typed_is_shown_as_text(
    tmp_path: Path, shipped_protocol: LoadedProtocol
) -> None:
    path = tmp_path / "s.db"
    store = Store.open(path)
    make_interview(store, shipped_protocol)
    store.close()
    app = make_app(store_path=path, lock_minutes=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_interview(pilot, app)
        await pilot.press("f8")
        await settle(pilot)
        app.screen.query_one("#fact-involvement_start", Input).focus()
        await pilot.press(*"[/]x")
        await settle(pilot)
        error = str(app.screen.query_one("#error-involvement_start", Static).content)
        assert "'[/]x' is not a date" in error
