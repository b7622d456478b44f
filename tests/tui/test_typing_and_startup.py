"""Typing stays cheap on the interface thread, nothing typed is lost, and start-up is lean."""

from __future__ import annotations

import gc
import os
import subprocess
import sys
from datetime import datetime, timezone
from pathlib import Path

from textual import events
from textual.app import App, ComposeResult
from textual.cache import FIFOCache, LRUCache
from textual.pilot import Pilot
from textual.strip import Strip
from textual.widgets import TextArea
from textual.widgets.text_area import Selection

from formers_tui.store import capture
from formers_tui.store.store import Store
from formers_tui.tui.strips import install as install_acyclic_strips
from formers_tui.tui.widgets.notes_editor import NotesEditor
from formers_tui.tui.widgets.status_line import SaveState, StatusLine
from tests.tui.harness import InterviewHarness, opened

ROOT = Path(__file__).resolve().parents[2]
PARAGRAPH = "The candidate described the years after leaving, and who helped. " * 30


def stored_notes(store: Store, interview_id: str) -> dict[str, str]:
    with store.session() as session:
        return capture.notes_of(session, interview_id)


async def test_notes_typed_then_screen_left_at_once_are_saved(
    store: Store, interview_id: str
) -> None:
    async with InterviewHarness(store, interview_id).run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)
        await pilot.press(*"left in 2016")
        assert screen.has_unsaved_changes  # still inside the debounce
        await pilot.app.pop_screen()
        await pilot.pause()
        assert stored_notes(store, interview_id) == {"DIS-1": "left in 2016"}
        assert screen.final_save_error is None


async def test_save_state_changes_touch_no_css_class_until_a_write_fails(
    store: Store, interview_id: str
) -> None:
    async with InterviewHarness(store, interview_id).run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)
        status = screen.query_one(StatusLine)
        classes = set(status.classes)
        seen = []
        status.show_saving()
        seen.append(status.state)
        status.show_saved(datetime(2026, 1, 1, tzinfo=timezone.utc))  # noqa: UP017
        seen.append(status.state)
        assert seen == [SaveState.saving, SaveState.saved]
        assert set(status.classes) == classes  # no stylesheet pass per save
        status.show_failed("The disk is full")
        assert status.has_class("-failed")  # the problem row is shown
        status.show_saved(datetime(2026, 1, 1, tzinfo=timezone.utc))  # noqa: UP017
        assert not status.has_class("-failed")


class SideBySide(App[None]):
    """The notes editor beside a plain text area holding the same long paragraph."""

    def compose(self) -> ComposeResult:
        notes = NotesEditor(id="notes")
        plain = TextArea(
            "", id="plain", soft_wrap=True, tab_behavior="focus", show_line_numbers=False
        )
        for area in (notes, plain):
            area.styles.width = 40
            area.styles.height = 12
        yield notes
        yield plain


async def test_long_paragraph_rows_match_a_plain_text_area() -> None:
    app = SideBySide()
    async with app.run_test(size=(90, 30)) as pilot:
        notes = app.query_one(NotesEditor)
        plain = app.query_one("#plain", TextArea)
        notes.hold("DIS-1", PARAGRAPH, read_only=False)
        plain.load_text(PARAGRAPH)
        for area in (notes, plain):
            area.move_cursor((0, 400))
            area.scroll_to(y=8, animate=False)
        await pilot.pause()

        def rows(area: TextArea) -> list[str]:
            return [area.render_line(y).text for y in range(area.content_size.height)]

        assert rows(notes) == rows(plain)
        assert any("helped" in row for row in rows(notes))
        notes.insert("NEW WORDS ", (0, 0))
        plain.insert("NEW WORDS ", (0, 0))
        await pilot.pause()
        assert rows(notes) == rows(plain)


def test_formers_without_arguments_starts_the_app_without_typer_or_pydantic(
    tmp_path: Path,
) -> None:
    code = (
        "import sys\n"
        "from formers_tui.tui import app as tui_app\n"
        "def run(self, **kwargs):\n"
        "    print(self.store_path)\n"
        "    print(sorted(m for m in ('typer', 'pydantic', 'sqlalchemy', 'sqlmodel')"
        " if m in sys.modules))\n"
        "tui_app.FormersApp.run = run\n"
        "sys.argv = ['formers']\n"
        "from formers_tui.cli import main\n"
        "main()\n"
    )
    store = tmp_path / "store.db"
    env = {**os.environ, "FORMERS_DB": str(store), "FORMERS_HOME": str(tmp_path / "home")}
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [str(store), "[]"]


def test_formers_with_arguments_still_goes_through_the_commands() -> None:
    from typer.testing import CliRunner

    from formers_tui.cli import app

    result = CliRunner().invoke(app, ["--version"])
    assert result.exit_code == 0
    assert "formers-tui" in result.output


async def typed(pilot: Pilot[None], keys: list[str], editor: NotesEditor, length: int) -> None:
    """Send keys as a fast typist does, with no pause between them, until they are all in.

    ``pilot.press`` waits for the interface to go idle after every key, which
    made the 800 keys below take a minute. Each key is still handled on its
    own, so every new wrapped row still goes through the editor's resize.
    """
    for key in keys:
        pilot.app.post_message(events.Key(key, key if len(key) == 1 else None))
    for _ in range(400):
        if len(editor.text) == length:
            break
        await pilot.pause(0.05)
    await pilot.pause()
    assert len(editor.text) == length


async def test_a_new_wrapped_row_of_notes_lays_out_nothing_but_still_scrolls(
    store: Store, interview_id: str
) -> None:
    async with InterviewHarness(store, interview_id).run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)
        editor = screen.query_one(NotesEditor)
        await pilot.press(*"x" * 40)
        await pilot.pause()
        layouts = []
        original = editor.refresh

        def refresh(*args: object, **kwargs: object) -> object:
            if kwargs.get("layout"):
                layouts.append(editor.wrapped_document.height)
            return original(*args, **kwargs)  # type: ignore[arg-type]

        editor.refresh = refresh  # type: ignore[method-assign]
        rows = editor.wrapped_document.height
        await typed(pilot, ["y"] * 400, editor, 440)  # many new rows, past the editor's height
        assert editor.wrapped_document.height > rows + editor.scrollable_content_region.height
        assert editor.virtual_size.height == editor.wrapped_document.height
        assert len(layouts) <= 1  # only when the scrollbar appeared
        assert editor.show_vertical_scrollbar
        assert editor.scroll_y == editor.max_scroll_y > 0  # the cursor stays in view
        assert editor.vertical_scrollbar.window_virtual_size == editor.virtual_size.height
        await typed(pilot, ["backspace"] * 400, editor, 40)
        assert editor.virtual_size.height == editor.wrapped_document.height == rows
        assert editor.scroll_y == 0


async def test_typing_leaves_no_drawn_row_in_a_reference_cycle(
    store: Store, interview_id: str
) -> None:
    """Rows replaced as the notes change are freed at once, not by the cycle collector."""
    install_acyclic_strips()
    async with InterviewHarness(store, interview_id).run_test(size=(80, 24)) as pilot:
        screen = await opened(pilot)
        editor = screen.query_one(NotesEditor)
        await pilot.press(*"x" * 10)
        gc.collect()
        gc.set_debug(gc.DEBUG_SAVEALL)  # keep what the collector finds, to look at it
        try:
            await typed(pilot, [*("word " * 16)], editor, 90)
            gc.collect()
            found = list(gc.garbage)
        finally:
            gc.set_debug(0)
            gc.garbage.clear()
        cyclic_rows = [o for o in found if isinstance(o, Strip | LRUCache | FIFOCache)]
        assert cyclic_rows == []


async def test_kept_rows_look_exactly_as_freshly_drawn_ones() -> None:
    """Every row the notes keep between keystrokes equals the row drawn anew, styles included."""
    app = SideBySide()
    async with app.run_test(size=(90, 30)) as pilot:
        notes = app.query_one(NotesEditor)
        notes.hold("DIS-1", PARAGRAPH, read_only=False)
        notes.focus()
        await pilot.pause()

        async def same(step: str) -> None:
            await pilot.pause()
            for y in range(notes.content_size.height):
                kept, fresh = notes.render_line(y), TextArea.render_line(notes, y)
                assert list(kept) == list(fresh), (step, y)

        await same("loaded, cursor at the end")
        await pilot.press(*"and more", "space")
        await same("typed at the end")
        notes.move_cursor((0, 300))
        await same("cursor moved up into the paragraph")
        await pilot.press(*"INSERTED ")
        await same("typed in the middle: the rows after it move")
        await pilot.press("left", "left", "up")
        await same("cursor moved by keys")
        notes.selection = Selection((0, 250), (0, 330))
        await same("a selection")
        notes.selection = Selection.cursor((0, 20))
        notes.scroll_to(y=3, animate=False)
        await same("scrolled")
        app.query_one("#plain", TextArea).focus()
        await same("focus elsewhere")
        notes.focus()
        app.theme = "textual-light"
        await same("another theme")
        notes.hold("DIS-2", "", read_only=False)
        await same("empty: the placeholder")
        await pilot.press(*"short")
        await same("a short line")
