"""Pieces of the interview screen on their own: the clock, the capture strip, errors in view."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from textual.app import App
from textual.widgets import Label

from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store.models import Evidence, EvidenceSource, FlagKind, Quote, SafetyFlag
from formers_tui.tui.dialogs.evidence import EvidenceDialog
from formers_tui.tui.widgets.capture_strip import NOTHING_YET, capture_summary
from formers_tui.tui.widgets.domain_clock import DomainClock


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_the_clock_counts_the_running_domain_and_banks_it() -> None:
    clock = Clock()
    time = DomainClock(clock, {"one": 60.0})
    time.run("one")
    clock.now = 30
    assert time.total() == 90 and time.of("one") == 90
    assert time.run("two") == ("one", 30)  # moving on banks the slice
    clock.now = 45
    assert time.of("two") == 15 and time.total() == 105
    assert time.bank() == ("two", 15) and time.bank() is None


def test_a_finalized_interview_stops_the_clock_where_it_stood() -> None:
    """The clock once jumped back by the time not yet written when the record was finalized."""
    clock = Clock()
    time = DomainClock(clock, {"one": 420.0})
    time.run("one")
    clock.now = 135
    shown = time.total()
    time.stop()
    clock.now = 500
    assert time.total() == shown == 555
    assert time.bank() is None  # nothing more is written
    assert time.run("two") is None and time.total() == shown


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.floats(0, 100), st.booleans()), max_size=20))
def test_the_total_never_goes_back(steps: list[tuple[str, float, bool]]) -> None:
    clock = Clock()
    time = DomainClock(clock)
    shown = time.total()
    for domain, later, bank in steps:
        clock.now += later
        if bank:
            time.bank()
        else:
            time.run(domain)
        assert time.total() >= shown - 1e-6  # as much as before, but for rounding
        shown = time.total()
    time.stop()
    assert time.total() == pytest.approx(shown)


def test_the_strip_says_what_was_captured_quote_last() -> None:
    quote = Quote(interview_id="i", indicator_id="X-1", text="I  walked\\naway.", speaker="c")
    evidence = Evidence(interview_id="i", source_type=EvidenceSource.court_record)
    flag = SafetyFlag(interview_id="i", kind=FlagKind.other)
    assert capture_summary([], [], []) == NOTHING_YET
    assert capture_summary([quote], [evidence], [flag]) == (
        "Captured: ⚑ 1 open flag · 1 evidence · 1 quote, latest “I walked\\naway.”"
    )
    assert capture_summary([quote, quote], [], []).startswith("Captured: 2 quotes, latest")


class Host(App[None]):
    def __init__(self, dialog: EvidenceDialog) -> None:
        super().__init__()
        self.dialog = dialog

    def on_mount(self) -> None:
        self.push_screen(self.dialog)


async def test_a_refusal_is_in_view_at_80x24(shipped_protocol: LoadedProtocol) -> None:
    """A form taller than the terminal: the error under it is scrolled into view."""
    indicators = list(shipped_protocol.protocol.indicators())
    dialog = EvidenceDialog(indicators=indicators, current=indicators[0].id)
    async with Host(dialog).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+s")
        await pilot.pause(0.3)
        error = dialog.query_one("#dialog-error", Label)
        assert "needs a summary" in str(error.content)
        assert dialog.screen.region.contains_region(error.region)
        assert error.region.height >= 1
        assert pilot.app.screen is dialog  # it stays open with what was typed
