"""The panel view and blind rating, driven from the keyboard against real store files.

Store templates for each stage of scoring are built once per module and
copied for each test: PIN hashing is deliberately slow.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from rich.console import Console
from rich.text import Text
from sqlmodel import select
from textual.app import App
from textual.content import Content
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import DataTable, Input, Static, TextArea

from formers_tui.protocol.loader import load_path
from formers_tui.store.models import Determination, DomainSubmission, Outcome, Rating
from formers_tui.store.panel_view import consensus_entries, suggestion
from formers_tui.store.store import Store
from formers_tui.tui.app import make_app
from formers_tui.tui.dialogs.addendum import AddendumDialog
from formers_tui.tui.dialogs.consensus import ConsensusDialog
from formers_tui.tui.dialogs.determination import DeterminationDialog
from formers_tui.tui.dialogs.pin import PinDialog
from formers_tui.tui.dialogs.rating import RatingDialog
from formers_tui.tui.dialogs.reveal import RevealDialog
from formers_tui.tui.dialogs.sign_off import SignOffDialog
from formers_tui.tui.dialogs.submit import SubmitDialog
from formers_tui.tui.screens.panel import LOCKED, PanelScreen
from formers_tui.tui.widgets.indicator_view import IndicatorView
from formers_tui.tui.widgets.rating_matrix import RatingMatrix
from tests.conftest import FIXTURES
from tests.tui import panel_stores as ps
from tests.tui.harness import InterviewHarness, opened, settled, wait_until

SMALL = (80, 24)
LARGE = (120, 40)


# ------------------------------------------------------------------------ stores


@dataclass(frozen=True)
class Templates:
    """One store file per stage, built once (the same interview id in each)."""

    partial: Path
    rated: Path
    agreed: Path
    """Consensus on every indicator, no determination yet."""
    decided: Path
    finalized: Path
    partial_id: str
    iid: str


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> Templates:
    folder = tmp_path_factory.mktemp("panel-stages")
    mini = load_path(FIXTURES / "mini-protocol.toml")
    store = Store.open(folder / "partial.db")
    try:
        partial_id = ps.partly_submitted(store, mini)
    finally:
        store.close()
    store = Store.open(folder / "rated.db")
    try:
        iid = ps.all_submitted(store, mini)
    finally:
        store.close()
    stages: list[tuple[str, Any]] = [
        ("agreed", lambda s: ps.agree(s, iid)),
        ("decided", lambda s: ps.decide(s, iid)),
        ("finalized", lambda s: ps.sign(s, iid, [ps.ADA, ps.SAM, ps.PAT])),
    ]
    previous = folder / "rated.db"
    for name, step in stages:
        path = ps.copy_store(previous, folder / f"{name}.db")
        store = Store.open(path)
        try:
            step(store)
        finally:
            store.close()
        previous = path
    return Templates(
        folder / "partial.db",
        folder / "rated.db",
        folder / "agreed.db",
        folder / "decided.db",
        folder / "finalized.db",
        partial_id,
        iid,
    )


def stage(templates: Templates, name: str, tmp_path: Path) -> Iterator[Store]:
    opened_store = Store.open(ps.copy_store(getattr(templates, name), tmp_path / "store.db"))
    yield opened_store
    opened_store.close()


@pytest.fixture
def partial(templates: Templates, tmp_path: Path) -> Iterator[Store]:
    yield from stage(templates, "partial", tmp_path)


@pytest.fixture
def rated(templates: Templates, tmp_path: Path) -> Iterator[Store]:
    yield from stage(templates, "rated", tmp_path)


@pytest.fixture
def agreed(templates: Templates, tmp_path: Path) -> Iterator[Store]:
    yield from stage(templates, "agreed", tmp_path)


@pytest.fixture
def decided(templates: Templates, tmp_path: Path) -> Iterator[Store]:
    yield from stage(templates, "decided", tmp_path)


@pytest.fixture
def finalized(templates: Templates, tmp_path: Path) -> Iterator[Store]:
    yield from stage(templates, "finalized", tmp_path)


def member_id(store: Store, iid: str, name: str) -> str:
    with store.session() as session:
        return ps.members(session, iid)[name].id


# ------------------------------------------------------------------------ harness


class PanelHarness(App[None]):
    """Shows the panel view of one interview, nothing else."""

    def __init__(self, store: Store, interview_id: str, viewer_id: str | None = None) -> None:
        super().__init__()
        self._store = store
        self._interview_id = interview_id
        self._viewer_id = viewer_id

    def on_mount(self) -> None:
        self.push_screen(PanelScreen(self._store, self._interview_id, viewer_id=self._viewer_id))

    @property
    def panel(self) -> PanelScreen:
        return next(s for s in self.screen_stack if isinstance(s, PanelScreen))


async def panel_open(pilot: Pilot[Any]) -> PanelScreen:
    """Wait until the panel view is read and shown."""
    app = pilot.app
    await wait_until(
        pilot,
        lambda: any(isinstance(s, PanelScreen) and s.is_loaded for s in app.screen_stack),
        "the panel view",
    )
    screen = next(s for s in app.screen_stack if isinstance(s, PanelScreen))
    await pilot.pause()
    return screen


async def reloaded(pilot: Pilot[Any], screen: PanelScreen) -> None:
    """Wait for the store work and the panel view's reading after it."""
    for _ in range(3):
        await wait_until(
            pilot, lambda: all(w.is_finished for w in pilot.app.workers), "workers to finish"
        )
        await pilot.pause()


def plain(visual: object) -> str:
    """What a widget holds, as text (rich renderables rendered at a generous width)."""
    if isinstance(visual, str | Content):
        return str(visual)
    if isinstance(visual, Text):
        return visual.plain
    console = Console(width=200, record=True, file=io.StringIO())
    console.print(visual)
    return console.export_text()


def everything_on(app: App[Any]) -> str:
    """All the text every screen holds: statics, every table cell, fields, the visible screen."""
    parts: list[str] = []
    for screen in app.screen_stack:
        for static in screen.query(Static):
            parts.append(plain(static.content))
        for table in screen.query(DataTable):
            for index in range(table.row_count):
                parts.extend(plain(cell) for cell in table.get_row_at(index))
        for box in screen.query(Input):
            parts.append(box.value)
        for area in screen.query(TextArea):
            parts.append(area.text)
    parts.append(app.export_screenshot())
    return "\n".join(parts)


def error_line(screen: Screen[Any]) -> str:
    selector = "#panel-error" if isinstance(screen, PanelScreen) else "#dialog-error"
    return plain(screen.query_one(selector, Static).content)


def matrix_rows(screen: PanelScreen) -> dict[str, list[str]]:
    """Indicator id -> the stripped text of its cells."""
    table = screen.query_one("#matrix", RatingMatrix)
    rows = {}
    for index in range(table.row_count):
        cells = [plain(c).strip() for c in table.get_row_at(index)]
        key = table.coordinate_to_cell_key((index, 0)).row_key.value
        if key and not key.startswith("domain:"):
            rows[key] = cells
    return rows


async def type_pin(pilot: Pilot[Any], *pins: str) -> None:
    """Type each PIN into the next field (Enter moves on; after the last it confirms)."""
    for pin in pins:
        await pilot.press(*pin, "enter")


# ------------------------------------------------------------------ blind rating


async def test_before_everyone_submits_only_progress_is_shown(
    partial: Store, templates: Templates
) -> None:
    async with PanelHarness(partial, templates.partial_id).run_test(size=SMALL) as pilot:
        screen = await panel_open(pilot)
        assert screen.data is not None and screen.data.report is None  # nothing was read
        assert screen.query_one("#panel-tabs").active == "progress"  # type: ignore[attr-defined]
        table = screen.query_one("#progress-table", DataTable)
        rows = {
            table.coordinate_to_cell_key((i, 0)).row_key.value: [
                plain(c).strip() for c in table.get_row_at(i)
            ]
            for i in range(table.row_count)
        }
        assert rows["one"][1:] == ["·", "✓ submitted", "✓ submitted"]
        assert rows["two"][1:] == ["·", "✓ submitted", "·"]
        assert rows["-total"][1:] == ["0/3", "3/3", "1/3"]
        assert rows["-pin"][1:] == ["set", "set", "not yet"]
        text = everything_on(pilot.app)
        assert "-SAYS-" not in text  # no rationale, no rating, anywhere
        assert "(1 of 3 have)" in text
        await pilot.press("2")
        assert not screen.query_one("#matrix").display
        await pilot.press("c")
        assert "Not every panelist has submitted every domain yet (1 of 3 have)" in error_line(
            screen
        )


async def test_switching_panelist_needs_their_own_pin(partial: Store, templates: Templates) -> None:
    iid = templates.partial_id
    async with PanelHarness(partial, iid).run_test(size=SMALL) as pilot:
        screen = await panel_open(pilot)
        await pilot.press("p")
        dialog = pilot.app.screen
        assert isinstance(dialog, PinDialog)
        await pilot.press("down", "enter")  # Sam Sample
        await type_pin(pilot, "9999")
        await wait_until(pilot, lambda: bool(error_line(dialog)), "the PIN check")
        assert error_line(dialog) == "Wrong PIN for Sam Sample."
        assert pilot.app.screen is dialog and screen.viewer_id is None
        dialog.query_one("#pin", Input).value = ""
        await type_pin(pilot, "2222")
        await wait_until(pilot, lambda: pilot.app.screen is screen, "the PIN to be accepted")
        await reloaded(pilot, screen)
        assert screen.viewer_id == member_id(partial, iid, ps.SAM)
        rows = matrix_rows(screen)
        # Columns: indicator, title, Ada, Sam, Pat, consensus, discuss.
        assert rows["ONE-1"][2:5] == ["—", "1", "3"]  # Ada's draft is hers alone
        assert rows["TWO-1"][2:5] == ["—", "3", "—"]

        # Pat has no PIN yet: chooses one, typed the same way twice.
        await pilot.press("p")
        dialog = pilot.app.screen
        assert isinstance(dialog, PinDialog)
        await pilot.press("down", "down", "enter")
        await type_pin(pilot, "3333", "3334")
        assert error_line(dialog) == "The two PINs differ; type the new PIN the same way twice."
        dialog.query_one("#pin-again", Input).value = ""
        dialog.query_one("#pin-again", Input).focus()
        await type_pin(pilot, "3333")
        await wait_until(pilot, lambda: pilot.app.screen is screen, "the new PIN")
        await reloaded(pilot, screen)
        rows = matrix_rows(screen)
        assert rows["ONE-1"][2:5] == ["—", "1", "3"]  # domain one: Pat has submitted it
        assert rows["TWO-1"][2:5] == ["hidden", "hidden", "—"]
        assert "SAMPLE-SAYS-TWO-1" not in everything_on(pilot.app)
    with partial.session() as session:
        from formers_tui.store.panel import verify_pin

        pat = ps.members(session, iid)[ps.PAT]
        assert verify_pin(session, interview_id=iid, panelist_id=pat.id, pin="3333")


async def test_a_panelist_who_has_not_submitted_never_sees_others_ratings(
    partial: Store, templates: Templates
) -> None:
    """Ada has submitted nothing: on the panel view and the interview screen she sees only hers."""
    iid = templates.partial_id
    ada = member_id(partial, iid, ps.ADA)
    secrets = [ps.secret(name, i) for name in (ps.SAM, ps.PAT) for i in ("ONE-1", "ONE-2")]
    async with PanelHarness(partial, iid, viewer_id=ada).run_test(size=SMALL) as pilot:
        screen = await panel_open(pilot)
        rows = matrix_rows(screen)
        assert rows["ONE-1"][2:5] == ["2 ✎", "hidden", "hidden"]
        assert all(cells[3:5] == ["hidden", "hidden"] for cells in rows.values())
        matrix = screen.query_one("#matrix", RatingMatrix)
        for index in range(matrix.row_count):  # every detail line, every tab
            matrix.move_cursor(row=index)
            await pilot.pause()
            text = everything_on(pilot.app)
            assert not any(s in text for s in secrets)
        for tab in "345":
            await pilot.press(tab)
            assert not any(s in everything_on(pilot.app) for s in secrets)
        agreement = plain(screen.query_one("#agreement-body", Static).content)
        assert "hidden until you submit your own ratings here" in agreement
    harness = InterviewHarness(partial, iid, panelist_id=ada)
    async with harness.run_test(size=SMALL) as pilot:
        interview = await opened(pilot)
        for _ in range(4):
            text = everything_on(pilot.app) + interview.query_one(IndicatorView).plain_text
            assert not any(s in text for s in secrets)
            await pilot.press("ctrl+n")
            await pilot.pause()


async def test_submit_a_domain_from_the_interview_refused_then_accepted(
    partial: Store, templates: Templates
) -> None:
    iid = templates.partial_id
    ada = member_id(partial, iid, ps.ADA)
    harness = InterviewHarness(partial, iid, panelist_id=ada)
    async with harness.run_test(size=SMALL) as pilot:
        interview = await opened(pilot)
        assert "ctrl+u submits Domain one" in interview.query_one(IndicatorView).plain_text
        await pilot.press("ctrl+u")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, SubmitDialog), "submit")
        dialog = pilot.app.screen
        await wait_until(pilot, lambda: "ONE-2" in everything_on(pilot.app), "own ratings")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: bool(error_line(dialog)), "the refusal")
        assert error_line(dialog) == (
            "Rate or omit every indicator of Domain one before submitting (not yet: ONE-2)."
        )
        await pilot.press("escape", "ctrl+n", "ctrl+r")
        assert isinstance(pilot.app.screen, RatingDialog)
        await pilot.press("o", *"Not asked", "ctrl+s", "ctrl+u")
        await wait_until(pilot, lambda: isinstance(pilot.app.screen, SubmitDialog), "submit")
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: pilot.app.screen is interview, "the submission")
        await settled(pilot)
        assert "Domain one submitted" in interview.query_one(IndicatorView).plain_text

        # Now the others' submitted ratings of domain one show, and nothing else.
        await pilot.press("ctrl+b")
        panel = await panel_open(pilot)
        rows = matrix_rows(panel)
        assert rows["ONE-1"][2:5] == ["2", "1", "3"]
        assert rows["TWO-1"][2:5] == ["—", "hidden", "hidden"]
        assert ps.secret(ps.SAM, "TWO-1") not in everything_on(pilot.app)
    with partial.session() as session:
        done = session.exec(
            select(DomainSubmission.domain_id).where(DomainSubmission.panelist_id == ada)
        ).all()
    assert done == ["one"]


async def test_reveal_by_the_chair_with_a_reason_and_pin(
    partial: Store, templates: Templates
) -> None:
    async with PanelHarness(partial, templates.partial_id).run_test(size=SMALL) as pilot:
        screen = await panel_open(pilot)
        await pilot.press("r")
        dialog = pilot.app.screen
        assert isinstance(dialog, RevealDialog)
        assert "Dr. Ada Example (0 of 3 domains)" in everything_on(pilot.app)
        await pilot.press("ctrl+s")
        assert error_line(dialog).startswith("Say why the ratings are revealed")
        await pilot.press(*"Pat left", "tab", *"1112", "ctrl+s")
        await wait_until(pilot, lambda: "Wrong" in error_line(dialog), "the PIN check")
        assert error_line(dialog) == "Wrong PIN for Dr. Ada Example."
        dialog.query_one("#pin", Input).value = "1111"
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: pilot.app.screen is screen, "the reveal")
        await reloaded(pilot, screen)
        text = plain(screen.query_one("#panel-state", Static).content)
        assert text == "Revealed early by Dr. Ada Example: Pat left"
        rows = matrix_rows(screen)  # the whole panel's submitted ratings, drafts still private
        assert rows["ONE-1"][2:5] == ["—", "1", "3"]
        assert rows["TWO-1"][2:5] == ["—", "3", "—"]
        await pilot.press("r")
        assert error_line(screen) == "Dr. Ada Example has already revealed the ratings."


# ------------------------------------------------------------------- the matrix


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=["80x24", "120x40"])
async def test_matrix_marks_disagreements_and_agreement(
    rated: Store, templates: Templates, size: tuple[int, int]
) -> None:
    async with PanelHarness(rated, templates.iid).run_test(size=size) as pilot:
        screen = await panel_open(pilot)
        rows = matrix_rows(screen)
        assert rows["ONE-1"][2:5] == ["3", "1", "3"]
        assert rows["ONE-1"][-1].startswith("≠")
        assert rows["THREE-1"][2:5] == ["1", "omit", "1"]
        assert rows["THREE-1"][-1].startswith("≠")
        assert rows["ONE-2"][-1] == ""
        assert rows["ONE-1"][-1].startswith("≠")
        legend = plain(screen.query_one("#matrix-legend", Static).content)
        header = [
            plain(c.label) for c in screen.query_one("#matrix", RatingMatrix).columns.values()
        ]
        if size == SMALL:
            assert "AE Dr. Ada Example · SS Sam Sample · PP Pat Placeholder" in legend
            assert header[2:5] == ["AE", "SS", "PP"]
        else:
            assert header[2:5] == [ps.ADA, ps.SAM, ps.PAT]
            assert rows["ONE-1"][-1] == "≠ 2 apart"
            assert rows["THREE-1"][-1] == "≠ 1 omit"
        detail = plain(screen.query_one("#matrix-detail", Static).content)
        assert "≠ ratings range from Emerging (1) to Clearly evident (3)" in detail
        pilot.app.theme = "textual-light"  # the cells are drawn again in the new colours
        await pilot.pause()
        assert matrix_rows(screen)["ONE-1"][2:5] == ["3", "1", "3"]
        await pilot.press("3")
        agreement = plain(screen.query_one("#agreement-body", Static).content)
        assert "Overall" in agreement and "Units" in agreement and "95% interval" in agreement
        assert "α is not shown over fewer than 20 units" in agreement
        assert "Exact: share of compared indicators on which every rater chose" in agreement
        await pilot.press("4")
        advice = plain(screen.query_one("#suggestion-body", Static).content)
        assert advice.startswith("Computed suggestion: Insufficient information")
        assert "the panel decides" in advice
        assert "? missing" in advice


async def test_consensus_is_recorded_with_dissent_beside_the_ratings(
    rated: Store, templates: Templates
) -> None:
    iid = templates.iid
    pat = member_id(rated, iid, ps.PAT)
    everyone = select(Rating)
    with rated.session() as session:
        before = sorted((r.panelist_id, r.indicator_id, r.value) for r in session.exec(everyone))
    async with PanelHarness(rated, iid).run_test(size=SMALL) as pilot:
        screen = await panel_open(pilot)
        assert screen.query_one("#matrix", RatingMatrix).current_key() == "ONE-1"
        await pilot.press("enter")
        dialog = pilot.app.screen
        assert isinstance(dialog, ConsensusDialog)
        text = everything_on(pilot.app)
        assert "Sam Sample: 1 Emerging — SAMPLE-SAYS-ONE-1" in text  # originals beside it
        assert "≠ To discuss: ratings range from Emerging (1) to Clearly evident (3)" in text
        await pilot.press("ctrl+s")
        assert error_line(dialog) == "Choose the consensus level (0/1/2/3) or o to omit."
        await pilot.press("2", "ctrl+s")
        assert error_line(dialog) == "Give the panel's reason for the consensus rating."
        await pilot.press(*"Two examples")
        dialog.query_one(f"#dissent-{pat}", Input).focus()
        await pilot.press(*"Too recent", "ctrl+s")
        assert error_line(dialog) == "Type the PIN."
        dialog.query_one("#pin", Input).value = ps.PINS[ps.SAM]
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: error_line(dialog) != "Type the PIN.", "the check")
        assert error_line(dialog) == f"Wrong PIN for {ps.ADA}."  # the chair's, nobody else's
        dialog.query_one("#pin", Input).value = ps.PINS[ps.ADA]
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: "Wrong PIN" not in error_line(dialog), "the check")
        # Sam rated the critical ONE-1 at 1: the consensus must say how that was weighed.
        assert error_line(dialog) == (
            "Sam Sample rated critical indicator ONE-1 below Largely evident: name them in the "
            "rationale and say how the panel weighed it, or record their dissent."
        )
        dialog.query_one("#consensus-rationale").focus()
        await pilot.press("end", *"; Sam Sample's one is older", "ctrl+s")
        await wait_until(pilot, lambda: pilot.app.screen is screen, "the consensus")
        await reloaded(pilot, screen)
        rows = matrix_rows(screen)
        assert rows["ONE-1"][5] == "2 †"
        assert rows["ONE-1"][2:5] == ["3", "1", "3"]  # originals untouched
        assert screen.query_one("#matrix", RatingMatrix).current_key() == "ONE-2"  # next one
    with rated.session() as session:
        entry = consensus_entries(session, iid)["ONE-1"]
        after = sorted((r.panelist_id, r.indicator_id, r.value) for r in session.exec(everyone))
    assert (entry.value, entry.rationale) == (2, "Two examples; Sam Sample's one is older")
    assert [(d.name, d.reason) for d in entry.dissent] == [(ps.PAT, "Too recent")]
    assert after == before


async def test_determination_is_validated_inline(agreed: Store, templates: Templates) -> None:
    iid = templates.iid
    with agreed.session() as session:
        assert suggestion(session, iid).outcome.value == "ready"
    async with PanelHarness(agreed, iid).run_test(size=SMALL) as pilot:
        screen = await panel_open(pilot)
        await pilot.press("d")
        dialog = pilot.app.screen
        assert isinstance(dialog, DeterminationDialog)
        assert "Computed suggestion: Ready." in everything_on(pilot.app)
        await pilot.press("ctrl+s")
        assert error_line(dialog).startswith("Choose the outcome")
        await pilot.press("down", "down", "enter")  # ready with conditions
        await pilot.press("ctrl+s")
        assert error_line(dialog) == "Give the rationale for the determination."
        await pilot.press(*"Strong", "tab")
        await pilot.press("ctrl+s")
        assert error_line(dialog) == (
            "A 'ready with conditions' determination needs its conditions."
        )
        await pilot.press(*"Mentor", "tab", *"too short", "ctrl+s")
        assert error_line(dialog) == (
            "The determination differs from the computed suggestion (Ready); say why it "
            "differs in at least 20 characters."
        )
        assert (
            dialog.query_one("#determination-rationale", TextArea).text == "Strong"
        )  # nothing typed is lost
        dialog.query_one("#determination-differs", TextArea).insert(": a first placement")
        dialog.query_one("#pin", Input).value = ps.PINS[ps.ADA]
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: pilot.app.screen is screen, "the determination")
        await reloaded(pilot, screen)
        decision = plain(screen.query_one("#decision-body", Static).content)
        assert "Determination: Ready with conditions" in decision
        assert "Conditions: Mentor" in decision
        assert (
            "Differs from the suggestion (Ready) because: too short: a first placement" in decision
        )
    with agreed.session() as session:
        found = session.get(Determination, iid)
    assert found is not None and found.outcome is Outcome.ready_with_conditions


async def test_determination_waits_for_every_consensus(rated: Store, templates: Templates) -> None:
    async with PanelHarness(rated, templates.iid).run_test(size=SMALL) as pilot:
        screen = await panel_open(pilot)
        await pilot.press("d")
        assert pilot.app.screen is screen
        assert error_line(screen) == (
            "Record the panel's consensus on every indicator first (4 still missing, "
            "starting with ONE-1)."
        )
        await pilot.press("s")
        assert error_line(screen) == "Record the panel's determination (d) before signing off."


# ---------------------------------------------------------- sign-off and the lock


async def test_sign_off_by_each_panelist_finalizes_and_locks(
    decided: Store, templates: Templates
) -> None:
    iid = templates.iid
    async with PanelHarness(decided, iid).run_test(size=SMALL) as pilot:
        screen = await panel_open(pilot)
        await pilot.press("s")
        dialog = pilot.app.screen
        assert isinstance(dialog, SignOffDialog)
        state = dialog.query_one("#sign-state", Static)
        assert plain(state.content) == (
            "Signed: nobody yet · waiting for: Dr. Ada Example, Sam Sample, Pat Placeholder"
        )
        await type_pin(pilot, "2222")  # Ada is first; Sam's PIN is not hers
        await wait_until(pilot, lambda: bool(error_line(dialog)), "the PIN check")
        assert error_line(dialog) == "Wrong PIN for Dr. Ada Example."
        dialog.query_one("#pin", Input).value = ""
        await type_pin(pilot, "1111")
        await wait_until(pilot, lambda: "Dr. Ada Example," not in plain(state.content), "Ada")
        assert plain(state.content) == (
            "Signed: Dr. Ada Example · waiting for: Sam Sample, Pat Placeholder"
        )
        await type_pin(pilot, "2222")
        await wait_until(pilot, lambda: "Sam Sample," not in plain(state.content), "Sam")
        await type_pin(pilot, "3333")
        await wait_until(pilot, lambda: pilot.app.screen is screen, "the last signature")
        await reloaded(pilot, screen)
        assert ps.status_of(decided, iid) == "finalized"
        await pilot.app.workers.wait_for_complete()
        from formers_tui.store.backup import list_backups

        assert any(b.stem.endswith("-finalized") for b in list_backups(decided.path))
        assert plain(screen.query_one("#panel-state", Static).content).startswith("Finalized")
        decision = plain(screen.query_one("#decision-body", Static).content)
        assert "Signed: Dr. Ada Example, Sam Sample, Pat Placeholder" in decision
        for key in ("c", "d", "s", "r", "2", "enter"):
            screen.show_error(None)
            await pilot.press(key)
            assert pilot.app.screen is screen
            if key != "2":
                assert error_line(screen) == LOCKED, key


async def test_addendum_after_finalizing_is_shown_with_the_record(
    finalized: Store, templates: Templates
) -> None:
    async with PanelHarness(finalized, templates.iid).run_test(size=SMALL) as pilot:
        screen = await panel_open(pilot)
        await pilot.press("a")
        dialog = pilot.app.screen
        assert isinstance(dialog, AddendumDialog)
        await pilot.press("ctrl+s")
        assert error_line(dialog) == "Say why the addendum is needed."
        dialog.query_one("#addendum-reason", Input).focus()
        await pilot.press(*"Typo", "enter", *"Read 'cat'.")
        await pilot.press("ctrl+s")
        assert error_line(dialog) == "Type the PIN."
        dialog.query_one("#pin", Input).value = ps.PINS[ps.ADA]
        await pilot.press("ctrl+s")
        await wait_until(pilot, lambda: pilot.app.screen is screen, "the addendum")
        await reloaded(pilot, screen)
        decision = plain(screen.query_one("#decision-body", Static).content)
        assert "· Dr. Ada Example · why: Typo" in decision
        assert "  Read 'cat'." in decision
        assert screen.query_one("#panel-tabs").active == "decision"  # type: ignore[attr-defined]


async def test_a_finalized_interview_refuses_changes_on_the_interview_screen(
    finalized: Store, templates: Templates
) -> None:
    iid = templates.iid
    ada = member_id(finalized, iid, ps.ADA)
    harness = InterviewHarness(finalized, iid, panelist_id=ada)
    async with harness.run_test(size=SMALL) as pilot:
        interview = await opened(pilot)
        for key in ("ctrl+r", "ctrl+u", "ctrl+t"):
            await pilot.press(key)
            assert pilot.app.screen is interview, key
        line = plain(interview.query_one("#read-only-line", Static).content)
        assert line.startswith("Refused: This interview is finalized and cannot be changed")


async def test_finalizing_from_the_panel_view_makes_the_open_interview_read_only(
    decided: Store, templates: Templates
) -> None:
    iid = templates.iid
    ada = member_id(decided, iid, ps.ADA)
    harness = InterviewHarness(decided, iid, panelist_id=ada)
    async with harness.run_test(size=SMALL) as pilot:
        interview = await opened(pilot)
        await pilot.press("ctrl+b")
        panel = await panel_open(pilot)
        ps.sign(decided, iid, [ps.ADA, ps.SAM, ps.PAT])  # as if signed in the panel view
        interview._last_time_bank = 0.0  # time is due to be written the moment it is back
        await pilot.press("escape")
        interview._each_second()  # a tick before the check of the status has answered
        await wait_until(
            pilot,
            lambda: "Finalized" in plain(interview.query_one("#read-only-line", Static).content),
            "the interview to turn read-only",
        )
        assert panel is not pilot.app.screen
        await pilot.pause(1.2)  # a second tick: nothing is written, nothing fails
        await pilot.press("ctrl+r")
        assert pilot.app.screen is interview
        said = [n.message for n in pilot.app._notifications]
        assert not any("NOT SAVED" in m for m in said), said


# ------------------------------------------------------------------ entry points


async def test_home_opens_the_panel_view_with_v_and_from_the_palette(
    rated: Store, templates: Templates
) -> None:
    app = make_app(store_path=rated.path, encrypt_new_store=False, lock_minutes=0)
    async with app.run_test(size=SMALL) as pilot:
        await wait_until(pilot, lambda: app.home.rows is not None, "the interview list")
        titles = [c.title for c in app.get_system_commands(app.home)]
        assert "Panel view" in titles
        await pilot.press("v")
        screen = await panel_open(pilot)
        assert screen.data is not None and screen.data.candidate_code == "PM-PANEL-02"
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.home
