"""The panel dialogs on their own, and the small functions the panel view is drawn with."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.screen import Screen
from textual.widgets import Input, Label, Static, TextArea

from formers_tui.errors import ValidationError
from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.protocol.model import Protocol
from formers_tui.scoring.agreement import NO_PAIRS, Agreement
from formers_tui.scoring.matrix import (
    Cell,
    CellState,
    ConsensusEntry,
    Disagreement,
    Dissent,
    MatrixRow,
)
from formers_tui.scoring.suggestion import Suggested
from formers_tui.scoring.summary import HIDDEN, PanelistInfo
from formers_tui.store.models import Outcome
from formers_tui.store.panel import verify_pin
from formers_tui.store.panel_actions import ConsensusIn, DeterminationIn
from formers_tui.store.panel_view import DeterminationView
from formers_tui.store.store import Store
from formers_tui.tui.dialogs.consensus import ConsensusDialog
from formers_tui.tui.dialogs.determination import DeterminationDialog, parse_review_date
from formers_tui.tui.dialogs.pin import PanelistChoice, PinDialog, PinEntry
from formers_tui.tui.screens.panel import alpha_note
from formers_tui.tui.widgets.rating_matrix import (
    cell_text,
    consensus_text,
    discuss_text,
    initials,
    layout_for,
)
from tests.tui import panel_stores as ps
from tests.tui.harness import wait_until

MEETING = date(2026, 11, 2)


class Host(App[None]):
    """Opens one dialog and keeps what it returns."""

    def __init__(self, dialog: Screen[Any]) -> None:
        super().__init__()
        self.dialog = dialog
        self.results: list[Any] = []

    def on_mount(self) -> None:
        self.push_screen(self.dialog, callback=self.results.append)


def error_of(screen: Screen[Any]) -> str:
    return str(screen.query_one("#dialog-error", Static).content)


def kept(value: Any) -> Any:
    """A stand-in for the store: accepts the change as it is."""
    return value


CHAIR = PanelistChoice("a", "Dr. Ada Example", has_pin=True, is_chair=True)
CHAIR_PIN = PinEntry("a", "1111")
"""What the chair types: consensus and determination are recorded on the chair's PIN."""

PANEL = (
    PanelistInfo("a", "Dr. Ada Example", "psychologist", True),
    PanelistInfo("s", "Sam Sample", "social_worker"),
    PanelistInfo("p", "Pat Placeholder", "probation_parole"),
)


# ------------------------------------------------------------------ drawing helpers


def test_initials_skip_honorifics_and_never_clash() -> None:
    assert initials(["Dr. Ada Example", "Sam Sample", "Pat Placeholder"]) == ["AE", "SS", "PP"]
    assert initials(["Sam Sample", "Sue Smith", "Cher"]) == ["SS", "SS2", "C"]
    assert initials(["Rev. Dr. Jo  Bloggs-Smith"]) == ["JB"]


def test_matrix_columns_abbreviate_at_80_and_use_names_at_120() -> None:
    rows = [
        MatrixRow("APP-CARE-1", "t", "d", "p", True, (), None, None),
    ]
    small = layout_for(80, PANEL, rows)
    assert small.abbreviated and small.labels == ("AE", "SS", "PP")
    assert small.title_width >= 14
    wide = layout_for(120, PANEL, rows)
    assert not wide.abbreviated and wide.labels == tuple(p.name for p in PANEL)
    crowd = [PanelistInfo(str(n), f"Panelist Number{n}", "other") for n in range(7)]
    assert layout_for(120, crowd, rows).abbreviated


def test_cells_read_without_colour() -> None:
    assert cell_text(Cell(CellState.rated, 2, "", True)) == "2"
    assert cell_text(Cell(CellState.rated, 2, "", False)) == "2 ✎"
    assert cell_text(Cell(CellState.omitted, None, "", True)) == "omit"
    assert cell_text(Cell(CellState.empty)) == "—"
    assert cell_text(Cell(CellState.hidden)) == "hidden"
    assert consensus_text(None) == ""
    assert consensus_text(ConsensusEntry("X", None)) == "omit"
    assert consensus_text(ConsensusEntry("X", 3, "", (Dissent("p", "Pat", "why"),))) == "3 †"
    both = Disagreement("X", 2, 2, 1, "")
    assert discuss_text(both, short=False) == "≠ 2 apart·omit"
    assert discuss_text(Disagreement("X", 0, 2, 1, ""), short=False) == "≠ 1 omit"
    assert discuss_text(both, short=True) == "≠"
    assert discuss_text(None, short=False) == ""


def test_missing_alpha_is_said_plainly() -> None:
    def missing(reason: str) -> Agreement:
        return Agreement(None, reason, 0, 0, None, None)

    assert alpha_note(missing(NO_PAIRS)) == NO_PAIRS
    assert alpha_note(missing("no variation: every paired rating is 2")) == (
        "too little data: no variation: every paired rating is 2"
    )
    assert alpha_note(missing(HIDDEN)) == "hidden until you submit your own ratings here"
    assert alpha_note(Agreement(0.8, "", 6, 2, 0.5, 1.0)) == ""


def test_review_dates() -> None:
    assert parse_review_date("", MEETING) is None
    assert parse_review_date(" 2027-05-03 ", MEETING) == date(2027, 5, 3)
    with pytest.raises(ValidationError, match=r"as YYYY-MM-DD, e\.g\. 2027-11-01"):
        parse_review_date("3 May", MEETING)
    with pytest.raises(ValidationError, match="after the interview date"):
        parse_review_date("2026-11-02", MEETING)


# ------------------------------------------------------------------ determination


def determination_dialog(current: DeterminationView | None = None) -> DeterminationDialog:
    return DeterminationDialog(
        suggested=Suggested.not_yet_ready,
        interview_date=MEETING,
        current=current,
        chair=CHAIR,
        apply=kept,
    )


def type_chair_pin(dialog: Screen[Any]) -> None:
    dialog.query_one("#pin", Input).value = CHAIR_PIN.pin


async def test_not_yet_ready_needs_what_to_work_on_and_a_real_date() -> None:
    dialog = determination_dialog()
    host = Host(dialog)
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert not dialog.query_one("#group-work").display or dialog.query_one(
            "#group-work"
        ).has_class("-hidden")
        await pilot.press("down", "down", "down", "enter")  # not yet ready = the suggestion
        assert not dialog.query_one("#group-work").has_class("-hidden")
        assert dialog.query_one("#group-differs").has_class("-hidden")
        await pilot.press(*"Too recent", "ctrl+s")
        assert error_of(dialog) == "A 'not yet ready' determination needs what to work on."
        await pilot.press("tab", *"Housing", "tab", *"May", "ctrl+s")
        assert error_of(dialog) == "Write the review date as YYYY-MM-DD, e.g. 2027-11-01."
        date_box = dialog.query_one("#determination-date", Input)
        date_box.value = "2026-10-01"
        await pilot.press("ctrl+s")
        assert error_of(dialog) == "The review date must be after the interview date."
        date_box.value = "2027-05-03"
        await pilot.press("ctrl+s")
        assert error_of(dialog) == "Type the PIN."
        type_chair_pin(dialog)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: host.results, "the result")
    assert host.results == [
        DeterminationIn(
            Outcome.not_yet_ready,
            "Too recent",
            work_on="Housing",
            review_date=date(2027, 5, 3),
            pin=CHAIR_PIN,
        )
    ]


async def test_changing_the_outcome_keeps_what_was_typed() -> None:
    dialog = determination_dialog()
    host = Host(dialog)
    async with host.run_test(size=(120, 40)) as pilot:
        await pilot.pause()
        await pilot.press("down", "down", "enter", *"Good", "tab", *"Weekly supervision")
        await pilot.press("shift+tab", "shift+tab", "up")  # back to the list: ready
        assert dialog.query_one("#group-conditions").has_class("-hidden")
        assert not dialog.query_one("#group-differs").has_class("-hidden")
        await pilot.press("down")
        area = dialog.query_one("#determination-conditions", TextArea)
        assert area.text == "Weekly supervision"
        dialog.query_one("#determination-differs", TextArea).load_text(
            "Supervision covers the gap the suggestion points at."
        )
        type_chair_pin(dialog)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: host.results, "the result")
    (result,) = host.results
    assert result.outcome is Outcome.ready_with_conditions
    assert (result.conditions, result.work_on) == ("Weekly supervision", "")


async def test_a_recorded_determination_is_filled_in_to_revise() -> None:
    current = DeterminationView(
        outcome="ready_with_conditions",
        suggested_outcome="not_yet_ready",
        rationale="Mostly strong.",
        differs_because="The one gap is covered by supervision.",
        conditions="Co-mentor for six months.",
        work_on="",
        review_date=None,
        recorded_at=ps.FIXED,
    )
    dialog = determination_dialog(current)
    async with Host(dialog).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert dialog.outcome() is Outcome.ready_with_conditions
        assert dialog.query_one("#determination-rationale", TextArea).text == "Mostly strong."
        assert dialog.query_one("#determination-conditions", TextArea).text.startswith("Co-")


# ---------------------------------------------------------------------- consensus


def consensus_dialog(protocol: Protocol, entry: ConsensusEntry | None = None) -> ConsensusDialog:
    cells = (
        Cell(CellState.rated, 3, "Clear examples", True),
        Cell(CellState.omitted, None, "Not asked", True),
        Cell(CellState.rated, 2, "", True),
    )
    row = MatrixRow(
        "DIS-1", "Proportionate", "disengagement", "readiness", False, cells, entry, None
    )
    return ConsensusDialog(
        indicator=protocol.indicator("DIS-1"),
        row=row,
        panelists=PANEL,
        scale=protocol.scale,
        chair=CHAIR,
        apply=kept,
    )


async def test_consensus_o_omits_and_digits_in_text_stay_text(
    shipped_protocol: LoadedProtocol,
) -> None:
    dialog = consensus_dialog(shipped_protocol.protocol)
    host = Host(dialog)
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        ratings = str(dialog.query_one("#consensus-ratings", Static).content)
        assert "Dr. Ada Example: 3 Clearly and consistently evident — Clear examples" in ratings
        assert "Sam Sample: omit — Not asked" in ratings
        await pilot.press("o")
        anchor = str(dialog.query_one("#consensus-anchor", Static).content)
        assert anchor.startswith("Omit: Not enough was learned")
        await pilot.press(*"Only 2 of 3 asked")
        type_chair_pin(dialog)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: host.results, "the result")
    assert host.results == [ConsensusIn("DIS-1", None, "Only 2 of 3 asked", (), CHAIR_PIN)]


async def test_recorded_consensus_and_dissent_are_filled_in(
    shipped_protocol: LoadedProtocol,
) -> None:
    entry = ConsensusEntry("DIS-1", 2, "Agreed.", (Dissent("p", "Pat Placeholder", "Too soon"),))
    dialog = consensus_dialog(shipped_protocol.protocol, entry)
    host = Host(dialog)
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        assert dialog.query_one("#consensus-rationale", TextArea).text == "Agreed."
        assert dialog.query_one("#dissent-p", Input).value == "Too soon"
        assert dialog.query_one("#dissent-s", Input).value == ""
        type_chair_pin(dialog)
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: host.results, "the result")
    (result,) = host.results
    assert (result.value, [(d.panelist_id, d.reason) for d in result.dissent]) == (
        2,
        [("p", "Too soon")],
    )


# ---------------------------------------------------------------------------- PINs


@pytest.fixture
def partial(tmp_path: Path, mini_protocol: LoadedProtocol) -> Iterator[tuple[Store, str]]:
    store = Store.open(tmp_path / "pins.db")
    iid = ps.partly_submitted(store, mini_protocol)
    yield store, iid
    store.close()


def choices(store: Store, iid: str) -> list[PanelistChoice]:
    with store.session() as session:
        return [
            PanelistChoice(p.id, p.name, p.pin_hash is not None, p.is_chair)
            for p in ps.members(session, iid).values()
        ]


async def test_the_chair_resets_a_forgotten_pin(partial: tuple[Store, str]) -> None:
    store, iid = partial
    panel = choices(store, iid)
    sam = next(p for p in panel if p.name == ps.SAM)
    dialog = PinDialog(store, iid, panel=panel, preselect=sam.id)
    host = Host(dialog)
    async with host.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        label = str(dialog.query_one("#pin-label", Label).content)
        assert label == "PIN for Sam Sample"
        assert "ctrl+r" in str(dialog.query_one("#pin-hint", Static).content)
        await pilot.press("ctrl+r")
        assert dialog.query_one("#chair-pin", Input).has_focus
        await pilot.press(*"1111", "enter", *"7777", "enter", *"7777", "enter")
        await wait_until(pilot, lambda: host.results, "the reset")
    assert [r.name for r in host.results] == [ps.SAM]
    with store.session() as session:
        assert verify_pin(session, interview_id=iid, panelist_id=sam.id, pin="7777")
        assert not verify_pin(session, interview_id=iid, panelist_id=sam.id, pin="2222")


async def test_only_the_chair_resets_and_not_their_own(partial: tuple[Store, str]) -> None:
    store, iid = partial
    panel = choices(store, iid)
    dialog = PinDialog(store, iid, panel=panel)
    async with Host(dialog).run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        await pilot.press("ctrl+r")  # the chair is highlighted first
        assert error_of(dialog).startswith("Only the chair can set a new PIN")
        await pilot.press("down", "down")  # Pat: no PIN yet, so a first one is chosen
        label = str(dialog.query_one("#pin-label", Label).content)
        assert label.startswith("Pat Placeholder has no PIN yet: choose one")
        assert dialog.query_one("#pin-again").display
        await pilot.press("enter", *"12", "enter", *"12", "enter")
        await wait_until(pilot, lambda: "characters" in error_of(dialog), "the PIN rule")
        assert error_of(dialog) == "A PIN needs 4 to 64 characters."
