"""The interview screen driven from the keyboard, checked against a real store."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

import pytest
from sqlmodel import select
from textual import events
from textual.pilot import Pilot
from textual.widgets import Input, Static, TextArea

from formers_tui.errors import FormersError, ValidationError
from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store import capture, fields, ratings
from formers_tui.store.models import FlagKind, Interview, Panelist, Status
from formers_tui.store.rules.writes import UNIDENTIFIED
from formers_tui.store.store import Store
from formers_tui.tui.dialogs.evidence import EvidenceDialog
from formers_tui.tui.dialogs.flag import FlagDialog
from formers_tui.tui.dialogs.jump import JumpDialog
from formers_tui.tui.dialogs.pin import PinDialog
from formers_tui.tui.dialogs.quote import QuoteDialog
from formers_tui.tui.dialogs.rating import RatingDialog
from formers_tui.tui.dialogs.resolve_flag import ResolveFlagDialog
from formers_tui.tui.dialogs.timeline import TimelineDialog
from formers_tui.tui.screens.interview import InterviewScreen
from formers_tui.tui.widgets import autosave
from formers_tui.tui.widgets.autosave import Batch, Write, describe_failure
from formers_tui.tui.widgets.indicator_view import IndicatorView
from formers_tui.tui.widgets.navigator import Mark, Navigator
from formers_tui.tui.widgets.notes_editor import NotesEditor
from formers_tui.tui.widgets.status_line import SaveState, StatusLine
from tests.tui.harness import FIXED_NOW, InterviewHarness, frozen, opened, settled

SIZE = (80, 24)


def view_text(screen: InterviewScreen) -> str:
    return screen.query_one(IndicatorView).plain_text


def status_of(screen: InterviewScreen) -> StatusLine:
    return screen.query_one(StatusLine)


def stored_notes(store: Store, interview_id: str) -> dict[str, str]:
    with store.session() as session:
        return capture.notes_of(session, interview_id)


def panelist(store: Store, interview_id: str, name: str) -> Panelist:
    with store.session() as session:
        return session.exec(
            select(Panelist).where(Panelist.interview_id == interview_id, Panelist.name == name)
        ).one()


async def test_cursor_starts_in_the_notes_of_the_first_indicator(
    store: Store, interview_id: str
) -> None:
    async with InterviewHarness(store, interview_id).run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        editor = pilot.app.focused
        assert isinstance(editor, NotesEditor)
        assert editor.indicator_id == "DIS-1"
        assert not editor.read_only
        text = view_text(screen)
        assert text.index("ASK") < text.index("A READY CANDIDATE")  # prompts come first
        assert "Walk us through the timeline" in text


async def test_typing_is_saved_without_a_save_key(store: Store, interview_id: str) -> None:
    async with InterviewHarness(store, interview_id).run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        await pilot.press("L")
        assert status_of(screen).state is SaveState.saving
        await pilot.press(*"eft the group in 2016.")
        await pilot.pause(1.5)
        assert stored_notes(store, interview_id) == {"DIS-1": "Left the group in 2016."}
        assert status_of(screen).state is SaveState.saved
        assert screen.query_one(Navigator).mark("DIS-1") is Mark.notes


async def test_continuous_typing_is_saved_at_least_every_second(
    store: Store, interview_id: str
) -> None:
    async with InterviewHarness(store, interview_id).run_test(size=SIZE) as pilot:
        await opened(pilot)
        for word in ["one ", "two ", "three ", "four ", "five ", "six ", "seven ", "eight "]:
            await pilot.press(*word)
            await pilot.pause(0.25)  # never quiet long enough for the debounce alone
        saved_while_typing = stored_notes(store, interview_id).get("DIS-1", "")
        assert saved_while_typing.startswith("one two three")


async def test_closing_saves_what_was_just_typed(store: Store, interview_id: str) -> None:
    async with InterviewHarness(store, interview_id).run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press(*"last words")
    assert stored_notes(store, interview_id) == {"DIS-1": "last words"}


async def test_reopening_resumes_at_the_same_indicator(store: Store, interview_id: str) -> None:
    async with InterviewHarness(store, interview_id).run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("ctrl+n", "ctrl+n")
        await pilot.pause(0.3)
    with store.session() as session:
        assert session.get(Interview, interview_id).current_indicator == "DIS-3"  # type: ignore[union-attr]
    async with InterviewHarness(store, interview_id).run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        assert screen.query_one(NotesEditor).indicator_id == "DIS-3"
        assert "DIS-3 ·" in view_text(screen)


async def test_next_previous_and_jump(store: Store, interview_id: str) -> None:
    async with InterviewHarness(store, interview_id).run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        editor = screen.query_one(NotesEditor)
        await pilot.press("ctrl+n")
        assert editor.indicator_id == "DIS-2"
        await pilot.press("alt+down", "alt+down")
        assert editor.indicator_id == "DIS-4"
        await pilot.press("ctrl+o")
        assert editor.indicator_id == "DIS-3"
        await pilot.press("alt+up", "alt+up", "alt+up")  # stops at the first
        assert editor.indicator_id == "DIS-1"
        await pilot.press("ctrl+g")
        assert isinstance(pilot.app.screen, JumpDialog)
        await pilot.press(*"prosocial roles", "enter")
        assert editor.indicator_id == "REI-2"
        assert pilot.app.focused is editor
        assert "REI-2 · Prosocial roles in society" in view_text(screen)


async def test_keys_typed_ahead_stay_in_order(store: Store, interview_id: str) -> None:
    """A burst of keys (a busy laptop) ends up where it was typed, not after a jump."""
    async with InterviewHarness(store, interview_id).run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        for key, char in [("a", "a"), ("b", "b"), ("c", "c"), ("ctrl+n", None)]:
            pilot.app.post_message(events.Key(key, char))
        await pilot.pause(0.3)
        editor = screen.query_one(NotesEditor)
        assert editor.indicator_id == "DIS-2"
        assert editor.text == ""
        await pilot.press("ctrl+o")
        assert editor.text == "abc"
        await pilot.press("ctrl+t")
        assert isinstance(pilot.app.screen, QuoteDialog)
        for key in ["w", "o", "r", "d", "s", "ctrl+s"]:
            pilot.app.post_message(events.Key(key, None if key == "ctrl+s" else key))
        await settled(pilot)
    with store.session() as session:
        (quote,) = capture.quotes_of(session, interview_id)
    assert quote.text == "words"


async def test_notes_stay_with_their_indicator(store: Store, interview_id: str) -> None:
    async with InterviewHarness(store, interview_id).run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        editor = screen.query_one(NotesEditor)
        await pilot.press(*"first", "ctrl+n", *"second", "ctrl+o")
        assert editor.text == "first"
        await pilot.press("ctrl+n")
        assert editor.text == "second"
        await pilot.pause(1.5)
    assert stored_notes(store, interview_id) == {"DIS-1": "first", "DIS-2": "second"}


async def test_navigator_choice_moves_to_the_indicator(store: Store, interview_id: str) -> None:
    async with InterviewHarness(store, interview_id).run_test(size=(120, 40)) as pilot:
        screen = await opened(pilot)
        navigator = screen.query_one(Navigator)
        navigator.focus()
        await pilot.press("down", "enter")
        assert screen.query_one(NotesEditor).indicator_id == "DIS-2"
        assert pilot.app.focused is screen.query_one(NotesEditor)


async def test_flag_raised_while_typing_then_resolved(store: Store, interview_id: str) -> None:
    async with frozen(store, interview_id).run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        await pilot.press(*"He said he still", "ctrl+f")
        dialog = pilot.app.screen
        assert isinstance(dialog, FlagDialog)
        assert "duty to warn" in str(dialog.query_one("#flag-guidance Static", Static).content)
        await pilot.press("down", "tab", *"threatened a former friend", "ctrl+s")
        await settled(pilot)
        assert pilot.app.screen is screen
        banner = screen.query_one("#flags", Static)
        assert banner.display
        assert "OPEN SAFETY FLAG" in str(banner.content)
        assert "Threat of violence" in str(banner.content)
        with store.session() as session:
            (flag,) = capture.flags_of(session, interview_id, open_only=True)
        assert flag.kind is FlagKind.threat_of_violence
        assert flag.note == "threatened a former friend"
        assert flag.indicator_id == "DIS-1"
        assert flag.raised_by == UNIDENTIFIED  # nobody identified with a PIN: not the chair
        assert flag.raised_at.replace(tzinfo=None) == FIXED_NOW.replace(tzinfo=None)
        assert stored_notes(store, interview_id) == {"DIS-1": "He said he still"}
        assert screen.query_one(Navigator).mark("DIS-1") is Mark.flagged

        await pilot.press("f10")
        assert isinstance(pilot.app.screen, ResolveFlagDialog)
        await pilot.press("ctrl+s")  # no action described yet
        assert isinstance(pilot.app.screen, ResolveFlagDialog)
        assert "action taken" in str(pilot.app.screen.query_one("#dialog-error", Static).content)
        await pilot.press(*"Consulted the psychologist; safety plan made", "ctrl+s")
        await settled(pilot)
        assert pilot.app.screen is screen
        assert not banner.display
        with store.session() as session:
            assert capture.flags_of(session, interview_id, open_only=True) == []
            (closed,) = capture.flags_of(session, interview_id)
        assert closed.action_taken == "Consulted the psychologist; safety plan made"


async def test_evidence_linked_to_two_indicators(store: Store, interview_id: str) -> None:
    async with InterviewHarness(store, interview_id).run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        await pilot.press("ctrl+l")
        dialog = pilot.app.screen
        assert isinstance(dialog, EvidenceDialog)
        dialog.query_one("#evidence-informant", Input).value = "Officer J. Doe"
        dialog.query_one("#evidence-date", Input).value = "2026-10-01"
        dialog.query_one("#evidence-summary", TextArea).load_text(
            "No violations in four years of supervision."
        )
        links = dialog.query_one("#evidence-links")
        links.focus()
        await pilot.press("down", "down", "space")  # also DIS-3
        await pilot.press("ctrl+s")
        await settled(pilot)
        assert pilot.app.screen is screen
        with store.session() as session:
            ((item, linked),) = capture.evidence_of(session, interview_id)
        assert linked == ["DIS-1", "DIS-3"]
        assert item.informant == "Officer J. Doe"
        assert item.obtained_on == date(2026, 10, 1)
        assert "No violations in four years" in view_text(screen)
        assert "also linked to DIS-3" in view_text(screen)
        await pilot.press("ctrl+n", "ctrl+n")
        assert "No violations in four years" in view_text(screen)
        await pilot.press("ctrl+n")
        assert "No violations in four years" not in view_text(screen)


async def test_evidence_with_a_bad_date_stays_open_with_the_error(
    store: Store, interview_id: str
) -> None:
    async with InterviewHarness(store, interview_id).run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("ctrl+l")
        dialog = pilot.app.screen
        dialog.query_one("#evidence-date", Input).value = "01/10/2026"
        dialog.query_one("#evidence-summary", TextArea).load_text("Employer reference")
        await pilot.press("ctrl+s")
        assert pilot.app.screen is dialog
        error = str(dialog.query_one("#dialog-error", Static).content)
        assert "is not a date (use YYYY-MM-DD)" in error
        assert dialog.query_one("#evidence-summary", TextArea).text == "Employer reference"


async def test_quote_capture(store: Store, interview_id: str) -> None:
    async with frozen(store, interview_id).run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        await pilot.press("ctrl+t")
        assert isinstance(pilot.app.screen, QuoteDialog)
        await pilot.press(*"I had to walk away from all of it", "ctrl+s")
        await settled(pilot)
        with store.session() as session:
            (quote,) = capture.quotes_of(session, interview_id, "DIS-1")
        assert quote.text == "I had to walk away from all of it"
        assert quote.speaker == "PM-TEST-01"
        assert quote.spoken_at.replace(tzinfo=None) == FIXED_NOW.replace(tzinfo=None)
        assert "I had to walk away from all of it” — PM-TEST-01, " in view_text(screen)
        assert stored_notes(store, interview_id) == {}  # quotes are kept apart from notes


async def test_quote_starts_from_the_text_selected_in_the_notes(
    store: Store, interview_id: str
) -> None:
    async with InterviewHarness(store, interview_id).run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press(*"it was never about them", "f7", "ctrl+t")
        dialog = pilot.app.screen
        assert isinstance(dialog, QuoteDialog)
        assert dialog.query_one("#quote-text", TextArea).text == "it was never about them"
        await pilot.press("tab", "down", "down", "ctrl+s")  # the candidate, the chair, then Sam
        await settled(pilot)
    with store.session() as session:
        (quote,) = capture.quotes_of(session, interview_id)
    assert quote.speaker == "Sam Sample"


async def test_rating_for_the_chosen_panelist_including_omit(
    store: Store, interview_id: str
) -> None:
    chair = panelist(store, interview_id, "Dr. Ada Example")
    sam = panelist(store, interview_id, "Sam Sample")
    async with InterviewHarness(store, interview_id).run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        assert "F6 to say who you are" in view_text(screen)
        await pilot.press("ctrl+r")  # nobody rates before saying who they are
        assert isinstance(pilot.app.screen, PinDialog)
        await pilot.press("enter", *"1111", "enter", *"1111", "enter")  # a first PIN, twice
        await until(pilot, lambda: isinstance(pilot.app.screen, RatingDialog))
        await pilot.press("2", *"Specific dates, matches records", "ctrl+s")
        await settled(pilot)
        assert "Dr. Ada Example: 2 · Largely evident" in view_text(screen)
        assert screen.query_one(Navigator).mark("DIS-1") is Mark.rated

        await pilot.press("f6")  # pass the laptop to Sam
        assert isinstance(pilot.app.screen, PinDialog)
        await pilot.press("down", "enter", *"2222", "enter", *"2222", "enter")
        await until(pilot, lambda: pilot.app.screen is screen)
        await settled(pilot)
        text = view_text(screen)
        assert "Not yet rated by Sam Sample" in text
        assert "Specific dates" not in text  # the chair's rating is not on screen
        await pilot.press("ctrl+r")
        dialog = pilot.app.screen
        assert isinstance(dialog, RatingDialog)
        assert dialog.query_one("#rating-rationale", TextArea).text == ""
        await pilot.press("o", *"Not asked yet", "ctrl+s")
        await settled(pilot)
        text = view_text(screen)
        assert "Sam Sample: omitted" in text
        assert "Dr. Ada Example:" not in text
        assert "Specific dates" not in text
    with store.session() as session:
        by_chair = ratings.ratings_by(session, interview_id, chair.id)
        by_sam = ratings.ratings_by(session, interview_id, sam.id)
    assert (by_chair["DIS-1"].value, by_chair["DIS-1"].rationale) == (
        2,
        "Specific dates, matches records",
    )
    assert (by_sam["DIS-1"].value, by_sam["DIS-1"].omitted) == (None, True)


async def test_rating_needs_a_level(store: Store, interview_id: str) -> None:
    chair = panelist(store, interview_id, "Dr. Ada Example")
    harness = InterviewHarness(store, interview_id, panelist_id=chair.id)
    async with harness.run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("ctrl+r", "ctrl+s")
        dialog = pilot.app.screen
        assert isinstance(dialog, RatingDialog)
        assert "Pick a level" in str(dialog.query_one("#dialog-error", Static).content)


async def test_timeline_shows_proportionality_live_and_keeps_a_bad_date(
    store: Store, interview_id: str
) -> None:
    async with InterviewHarness(store, interview_id).run_test(size=SIZE) as pilot:
        await opened(pilot)
        await pilot.press("f8")
        dialog = pilot.app.screen
        assert isinstance(dialog, TimelineDialog)
        result = dialog.query_one("#timeline-result", Static)
        assert "Enter both dates" in str(result.content)
        dialog.query_one("#fact-involvement_start", Input).focus()
        await pilot.press(*"2016-11-01")
        dialog.query_one("#fact-disengaged_on", Input).focus()
        await pilot.press(*"2022-11-02")
        await pilot.pause()
        assert str(result.content) == (
            "Involved 6 y, disengaged 4 y: below the guideline (2 y to go)."
        )
        await pilot.press(*("backspace",) * 10, *"2022-13-40")
        await pilot.pause()
        error = str(dialog.query_one("#error-disengaged_on", Static).content)
        assert "'2022-13-40' has no month 13" in error
        assert "Enter both dates" in str(result.content)
        await pilot.press("escape")
        await pilot.pause(1.5)
        with store.session() as session:
            stored = capture.timeline_of(session, interview_id)
        assert stored["involvement_start"] == "2016-11-01"
        await pilot.press("f8")
        dialog = pilot.app.screen
        assert isinstance(dialog, TimelineDialog)
        assert dialog.query_one("#fact-disengaged_on", Input).value == "2022-13-40"


async def until(pilot: Pilot[None], condition: Callable[[], bool], seconds: float = 10) -> None:
    """Let the app run until ``condition`` holds (fails the test after ``seconds``)."""
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await pilot.pause(0.05)
    raise AssertionError("condition not reached in time")


async def test_a_failed_save_keeps_the_text_and_retries(
    store: Store, interview_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(autosave, "RETRY_SECONDS", 1.0)
    real = capture.save_note
    calls = {"n": 0}

    def failing_once(*args: object, **kwargs: object) -> object:
        calls["n"] += 1
        if calls["n"] == 1:
            raise FormersError("The store is locked by another program.")
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(capture, "save_note", failing_once)
    async with InterviewHarness(store, interview_id).run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        await pilot.press(*"do not lose this")
        status = status_of(screen)
        await until(pilot, lambda: status.state is SaveState.failed)
        problem = str(status.query_one("#save-problem", Static).content)
        assert problem.startswith("NOT SAVED — The store is locked by another program; retrying")
        assert screen.query_one(NotesEditor).text == "do not lose this"
        assert stored_notes(store, interview_id) == {}
        await until(pilot, lambda: status.state is SaveState.saved)
        assert stored_notes(store, interview_id) == {"DIS-1": "do not lose this"}
        assert calls["n"] == 2
        assert not screen.has_unsaved_changes


async def test_a_refused_note_is_kept_and_does_not_block_the_rest(
    store: Store, interview_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(fields, "MAX_TEXT", 10)
    async with InterviewHarness(store, interview_id).run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        status = status_of(screen)
        await pilot.press(*"far too long a note", "ctrl+n", *"short")
        await until(pilot, lambda: status.state is SaveState.failed)
        problem = str(status.query_one("#save-problem", Static).content)
        assert "Notes of DIS-1: The note is too long" in problem
        assert "edit them to save" in problem
        await until(pilot, lambda: stored_notes(store, interview_id).get("DIS-2") == "short")
        assert status.state is SaveState.failed  # DIS-1 is still not saved, and says so
        await pilot.press("ctrl+o", *["backspace"] * 12)
        await until(pilot, lambda: status.state is SaveState.saved)
        assert stored_notes(store, interview_id) == {"DIS-1": "far too", "DIS-2": "short"}


async def test_a_refused_capture_is_reported_with_its_content(
    store: Store, interview_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> object:
        raise ValidationError("A quote needs its words.")

    monkeypatch.setattr(capture, "add_quote", refuse)
    async with InterviewHarness(store, interview_id).run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        shown: list[str] = []
        monkeypatch.setattr(pilot.app, "notify", lambda message, **kw: shown.append(message))
        await pilot.press(*"notes", "ctrl+t", *"the words", "ctrl+s")
        status = status_of(screen)
        await until(pilot, lambda: status.state is SaveState.saved)
        assert stored_notes(store, interview_id) == {"DIS-1": "notes"}
        assert any("the words" in m and "not saved" in m for m in shown)


async def test_finalized_interview_opens_read_only(store: Store, interview_id: str) -> None:
    with store.session() as session:
        interview = session.get(Interview, interview_id)
        assert interview is not None
        interview.status = Status.finalized
        session.add(interview)
        session.commit()
    async with InterviewHarness(store, interview_id).run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        line = screen.query_one("#read-only-line", Static)
        assert line.display
        assert "read-only" in str(line.content)
        editor = screen.query_one(NotesEditor)
        assert editor.read_only
        await pilot.press(*"typing does nothing", "ctrl+f", "ctrl+t", "ctrl+r")
        assert pilot.app.screen is screen
        assert editor.text == ""
        assert screen.check_action("flag", ()) is False
        await pilot.press("ctrl+n")  # reading on is still possible
        assert editor.indicator_id == "DIS-2"


async def test_a_refusal_on_a_finalized_interview_is_said_then_cleared(
    store: Store, interview_id: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from formers_tui.tui.screens import interview as interview_module

    monkeypatch.setattr(interview_module, "REFUSED_SECONDS", 0.2)
    with store.session() as session:
        interview = session.get(Interview, interview_id)
        assert interview is not None
        interview.status = Status.finalized
        session.add(interview)
        session.commit()
    async with InterviewHarness(store, interview_id).run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        line = screen.query_one("#read-only-line", Static)
        await pilot.press("ctrl+t")
        assert str(line.content).startswith("Refused")
        assert "rated" not in str(screen.query_one("#progress", Static).content)  # nobody rates
        await until(pilot, lambda: str(line.content).startswith("Finalized"))


async def test_screen_bindings_are_in_the_command_palette(store: Store, interview_id: str) -> None:
    from formers_tui.tui.widgets.screen_commands import ScreenBindingCommands

    async with InterviewHarness(store, interview_id).run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        provider = ScreenBindingCommands(screen)
        names = [name for name, _, _ in provider._commands()]
        assert {
            "Raise a safety flag",
            "Capture a verbatim quote",
            "Next indicator",
            "Previous indicator",
            "Go to any indicator",
            "Rate this indicator",
            "Add collateral evidence",
            "Timeline facts",
            "Save now",
        } <= set(names)
        assert "Resolve a safety flag" not in names  # nothing to resolve yet


async def test_unknown_interview_is_reported_inline(store: Store, interview_id: str) -> None:
    async with InterviewHarness(store, "ffffffff").run_test(size=SIZE) as pilot:
        screen = pilot.app.screen
        assert isinstance(screen, InterviewScreen)
        await until(pilot, lambda: "could not be opened" in view_text(screen))


@pytest.fixture
def mini_interview(store: Store, mini_protocol: LoadedProtocol) -> str:
    from tests.conftest import make_interview

    return make_interview(store, mini_protocol, code="PM-MINI")


async def test_works_with_another_protocol(store: Store, mini_interview: str) -> None:
    async with InterviewHarness(store, mini_interview).run_test(size=SIZE) as pilot:
        screen = await opened(pilot)
        assert "ONE-1 · First indicator" in view_text(screen)
        await pilot.press("ctrl+g", *"fourth", "enter")
        assert screen.query_one(NotesEditor).indicator_id == "THREE-1"


def test_failures_are_described_in_one_sentence() -> None:
    from sqlite3 import OperationalError as SqliteError

    from sqlalchemy.exc import OperationalError

    def wrapped(reason: str) -> OperationalError:
        return OperationalError("INSERT ...", {}, SqliteError(reason))

    assert describe_failure(wrapped("database is locked")) == (
        "The store is busy or locked by another program"
    )
    assert describe_failure(wrapped("attempt to write a readonly database")) == (
        "The store file is read-only"
    )
    assert describe_failure(wrapped("database or disk is full")) == "The disk is full"
    assert describe_failure(FormersError("One sentence.")) == "One sentence."
    assert describe_failure(OSError(28, "No space left on device")) == (
        "The disk could not be written (No space left on device)"
    )


def test_a_batch_put_back_keeps_order_and_newest_text() -> None:
    first = Batch(notes={"A": "old", "B": "b"}, seconds={"d": 2.0}, current="A")
    first.writes.append(Write("Quote", "q1", lambda session: None))
    newer = Batch(notes={"A": "new"}, seconds={"d": 1.0, "e": 3.0})
    newer.writes.append(Write("Quote", "q2", lambda session: None))
    merged = first.then(newer)
    assert merged.notes == {"A": "new", "B": "b"}
    assert merged.seconds == {"d": 3.0, "e": 3.0}
    assert merged.current == "A"
    assert [w.detail for w in merged.writes] == ["q1", "q2"]
    assert not merged.empty and merged.changes_records
