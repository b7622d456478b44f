"""The interview dialogs on their own: validation, keys, and the results they return."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest
from textual.app import App
from textual.screen import Screen
from textual.widgets import (
    Button,
    Input,
    Label,
    OptionList,
    Select,
    SelectionList,
    Static,
    TextArea,
)

from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.protocol.model import Protocol
from formers_tui.store.capture import EvidenceIn
from formers_tui.store.models import Bearing, EvidenceSource, FlagKind, Rating, Reliability
from formers_tui.tui.dialogs.evidence import EvidenceDialog
from formers_tui.tui.dialogs.flag import FlagDialog, NewFlag
from formers_tui.tui.dialogs.jump import JumpDialog, JumpTarget
from formers_tui.tui.dialogs.quote import QuoteDialog
from formers_tui.tui.dialogs.rating import NewRating, RatingDialog
from formers_tui.tui.dialogs.timeline import TimelineDialog, proportionality_line
from formers_tui.tui.widgets.navigator import Mark

WHEN = datetime(2026, 11, 2, 14, 3, 22, tzinfo=timezone.utc)  # noqa: UP017


class Host(App[None]):
    """Opens one dialog and keeps what it returns."""

    def __init__(self, dialog: Screen[Any]) -> None:
        super().__init__()
        self.dialog = dialog
        self.results: list[Any] = []

    def on_mount(self) -> None:
        self.push_screen(self.dialog, callback=self.results.append)


@pytest.fixture
def protocol(shipped_protocol: LoadedProtocol) -> Protocol:
    return shipped_protocol.protocol


def error_of(screen: Screen[Any]) -> str:
    return str(screen.query_one("#dialog-error", Static).content)


# ------------------------------------------------------------------ timeline


def test_proportionality_line(protocol: Protocol) -> None:
    rule = protocol.proportionality
    as_of = date(2026, 11, 2)
    both = {"involvement_start": "2016-11-01", "disengaged_on": "2022-11-02"}
    line, problem = proportionality_line(rule, both, as_of)
    assert line == "Involved 6 y, disengaged 4 y: below the guideline (2 y to go)."
    assert not problem
    meets = {"involvement_start": "2012-11-02", "disengaged_on": "2016-11-02"}
    assert "meets the guideline" in proportionality_line(rule, meets, as_of)[0]
    backwards = {"involvement_start": "2020-01-01", "disengaged_on": "2016-01-01"}
    assert proportionality_line(rule, backwards, as_of) == (
        "The disengagement date is before involvement began.",
        True,
    )
    one_date = {"disengaged_on": "2020-01-01"}
    assert "Enter both dates" in proportionality_line(rule, one_date, as_of)[0]
    assert "no proportionality" in proportionality_line(None, both, as_of)[0]


async def test_timeline_hands_over_valid_values_only(protocol: Protocol) -> None:
    seen: list[tuple[str, str]] = []
    dialog = TimelineDialog(
        facts=protocol.timeline,
        rule=protocol.proportionality,
        as_of=date(2026, 11, 2),
        values={"depth": "member"},
        on_valid=lambda fact, value: seen.append((fact, value)),
    )
    host = Host(dialog)
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        dialog.query_one("#fact-involvement_start", Input).focus()
        await pilot.press(*"201")
        await pilot.pause()
        assert seen == []
        assert "not a date" in str(dialog.query_one("#error-involvement_start", Static).content)
        await pilot.press(*"6-11-01")
        await pilot.pause()
        # A year, then a month, then the day: each is a valid date as it is typed.
        assert seen[-1] == ("involvement_start", "2016-11-01")
        assert str(dialog.query_one("#error-involvement_start", Static).content) == ""
        dialog.query_one("#fact-depth", Select).value = "leader"
        await pilot.pause()
        assert ("depth", "leader") in seen
        future = "2026-11-03"
        dialog.query_one("#fact-disengaged_on", Input).value = future
        await pilot.pause()
        error = str(dialog.query_one("#error-disengaged_on", Static).content)
        assert "is after the interview date" in error
        await pilot.press("escape")
    assert host.results[0]["disengaged_on"] == future  # kept as a draft, not dropped


async def test_timeline_opens_at_the_top_in_words(protocol: Protocol) -> None:
    """Its first label shows above the cursor at 80x24, and no fact is called by its id."""
    dialog = TimelineDialog(
        facts=protocol.timeline,
        rule=protocol.proportionality,
        as_of=date(2026, 11, 2),
        values={},
        on_valid=lambda fact, value: None,
    )
    async with Host(dialog).run_test(size=(80, 24)) as pilot:
        await pilot.pause(0.3)
        first = dialog.query_one(".field-first", Label)
        assert str(first.content) == protocol.timeline[0].label
        scroller = dialog.query_one("#timeline-facts")
        assert scroller.scroll_y == 0
        assert scroller.region.contains_region(first.region)
        shown = " ".join(str(s.content) for s in dialog.query(".fact-help").results(Static))
        for fact in protocol.timeline:
            assert fact.id not in shown or fact.id in fact.label


async def test_timeline_read_only_changes_nothing(protocol: Protocol) -> None:
    seen: list[tuple[str, str]] = []
    dialog = TimelineDialog(
        facts=protocol.timeline,
        rule=protocol.proportionality,
        as_of=date(2026, 11, 2),
        values={"involvement_start": "2010-01-01", "disengaged_on": "2015-01-01"},
        on_valid=lambda fact, value: seen.append((fact, value)),
        read_only=True,
    )
    async with Host(dialog).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert dialog.query_one("#fact-involvement_start", Input).disabled
        result = str(dialog.query_one("#timeline-result", Static).content)
        assert "meets the guideline" in result
    assert seen == []


# -------------------------------------------------------------------- rating


def _rating_dialog(protocol: Protocol, current: Rating | None) -> RatingDialog:
    return RatingDialog(
        indicator=protocol.indicator("DIS-1"),
        scale=protocol.scale,
        panelist_id="p1",
        panelist_name="Dr. Ada Example",
        current=current,
    )


async def test_rating_digit_picks_the_level(protocol: Protocol) -> None:
    host = Host(_rating_dialog(protocol, None))
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("3")
        assert "Level: 3 Clearly and consistently evident" in str(
            host.dialog.query_one("#rating-chosen", Static).content
        )
        assert isinstance(host.app.focused, TextArea)
        await pilot.press(*"3 or 4", "ctrl+s")  # digits in the rationale are text
    assert host.results == [NewRating(panelist_id="p1", value=3, rationale="3 or 4")]


async def test_rating_words_are_never_levels(protocol: Protocol) -> None:
    """Finding: a habitual Tab past the rationale, then words, must not change the level."""
    host = Host(_rating_dialog(protocol, None))
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("2", "tab")  # rationale, then on to Save
        assert isinstance(host.app.focused, Button)
        await pilot.press(*"o no 1", "ctrl+s")
    assert host.results == [NewRating(panelist_id="p1", value=2, rationale="o no 1")]


async def test_rating_level_is_shown_next_to_save(protocol: Protocol) -> None:
    dialog = _rating_dialog(protocol, None)
    host = Host(dialog)
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        chosen = dialog.query_one("#rating-chosen", Static)
        assert "No level chosen" in str(chosen.content)
        await pilot.press("down", "down")
        assert "Level: 1" in str(chosen.content)
        save = dialog.query_one("#dialog-submit", Button)
        assert chosen.region.y == save.region.y  # on the Save row, on screen
        assert chosen.region.right <= save.region.x
        await pilot.press("enter", *"typed", "ctrl+s")
    assert host.results == [NewRating(panelist_id="p1", value=1, rationale="typed")]


async def test_rating_is_for_the_panelist_at_the_keyboard_only(protocol: Protocol) -> None:
    mine = Rating(
        interview_id="i", indicator_id="DIS-1", panelist_id="p1", value=1, rationale="mine"
    )
    dialog = _rating_dialog(protocol, mine)
    host = Host(dialog)
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert dialog.query_one("#rating-rationale", TextArea).text == "mine"
        who = dialog.query_one("#rating-panelist", Label)
        assert "Rating as Dr. Ada Example" in str(who.content)
        assert not dialog.query(Select)  # no switching panelist here: that needs their PIN
        await pilot.press("ctrl+s")
    assert host.results == [NewRating(panelist_id="p1", value=1, rationale="mine")]


async def test_rating_omit(protocol: Protocol) -> None:
    host = Host(_rating_dialog(protocol, None))
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("o", "ctrl+s")
    assert host.results == [NewRating(panelist_id="p1", value=None, rationale="")]


# ------------------------------------------------------------------ evidence


async def test_evidence_result_and_refusals(protocol: Protocol) -> None:
    dialog = EvidenceDialog(indicators=list(protocol.indicators()), current="RES-2")
    host = Host(dialog)
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s")
        assert "needs a summary" in error_of(dialog)
        dialog.query_one("#evidence-summary", TextArea).load_text("Completed restitution.")
        dialog.query_one("#evidence-date", Input).value = (
            date.today() + timedelta(days=1)
        ).isoformat()
        await pilot.press("ctrl+s")
        assert "cannot be in the future" in error_of(dialog)
        dialog.query_one("#evidence-date", Input).value = "2026-01-15"
        dialog.query_one("#evidence-source", Select).value = EvidenceSource.court_record
        dialog.query_one("#evidence-reliability", Select).value = Reliability.high
        dialog.query_one("#evidence-bearing", Select).value = Bearing.mixed
        await pilot.press("ctrl+s")
    assert host.results == [
        EvidenceIn(
            source_type=EvidenceSource.court_record,
            informant="",
            obtained_on=date(2026, 1, 15),
            reliability=Reliability.high,
            summary="Completed restitution.",
            bearing=Bearing.mixed,
            indicator_ids=("RES-2",),
        )
    ]


async def test_evidence_needs_a_linked_indicator(protocol: Protocol) -> None:
    dialog = EvidenceDialog(indicators=list(protocol.indicators()), current="DIS-1")
    async with Host(dialog).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        dialog.query_one("#evidence-summary", TextArea).load_text("Letter from employer.")
        links = dialog.query_one("#evidence-links", SelectionList)
        links.focus()
        await pilot.pause()
        row = links.highlighted
        assert row is not None

        def box() -> str:  # the characters of the current row's tick box, colours aside
            return links.render_line(row - links.scroll_offset.y).text[:3]

        assert box() == "▐X▌"
        await pilot.press("space")  # untick the current indicator
        await pilot.pause()
        assert box() == "▐ ▌"
        await pilot.press("ctrl+s")
        assert "at least one indicator" in error_of(dialog)


# ------------------------------------------------------------ flag and quote


async def test_flag_defaults_and_kind(protocol: Protocol) -> None:
    dialog = FlagDialog(guidance=protocol.guidance["safety"], raised_at=WHEN, indicator_id=None)
    host = Host(dialog)
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("down", "down", "enter", *"disclosed a child at risk", "ctrl+s")
    assert host.results == [
        NewFlag(kind=FlagKind.abuse_neglect, note="disclosed a child at risk", raised_at=WHEN)
    ]


async def test_flag_without_protocol_guidance_still_guides() -> None:
    dialog = FlagDialog(guidance="", raised_at=WHEN, indicator_id="DIS-1")
    async with Host(dialog).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        guidance = str(dialog.query_one("#flag-guidance Static", Static).content)
        assert "Consult the team" in guidance


async def test_quote_needs_words() -> None:
    dialog = QuoteDialog(indicator_id="DIS-1", speakers=["PM-1", "Dr. A"], spoken_at=WHEN)
    host = Host(dialog)
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s")
        assert "words of the quote" in error_of(dialog)
        await pilot.press("escape")
    assert host.results == [None]


# ---------------------------------------------------------------------- jump


async def test_jump_filters_by_words_in_any_order() -> None:
    targets = [
        JumpTarget("DIS-1", "Proportionate time disengaged", "Disengagement"),
        JumpTarget("RES-2", "Accountability, amends, legal duties", "Responsibility"),
        JumpTarget("REI-2", "Prosocial roles in society", "Reintegration"),
    ]
    dialog = JumpDialog(targets, {"RES-2": Mark.notes}, current="DIS-1")
    host = Host(dialog)
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press(*"amends respons")
        await pilot.pause()
        options = dialog.query_one("#jump-list", OptionList)
        assert options.option_count == 1
        await pilot.press("enter")
    assert host.results == ["RES-2"]


async def test_jump_arrow_keys_then_enter() -> None:
    targets = [JumpTarget(f"X-{n}", f"Item {n}", "D") for n in range(1, 4)]
    host = Host(JumpDialog(targets, {}, current="X-1"))
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("down", "down", "up", "enter")
    assert host.results == ["X-2"]
