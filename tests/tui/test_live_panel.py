"""Live panels: the chair's panel view shows a submission made elsewhere without a key press.

Another program (a panelist's laptop) writes through its own connection to
the same store; the panel view polls a cheap change marker off the interface
thread and reads itself again when it moves.
"""

from __future__ import annotations

from pathlib import Path

from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store.panel_reading import panel_marker
from formers_tui.store.store import Store
from formers_tui.tui.screens.panel import PanelScreen
from tests.tui import panel_stores as ps
from tests.tui.harness import wait_until
from tests.tui.test_panel_screen import SMALL, PanelHarness, panel_open, plain


def _progress(screen: PanelScreen) -> dict[str, list[str]]:
    from textual.widgets import DataTable

    table = screen.query_one("#progress-table", DataTable)
    return {
        str(table.coordinate_to_cell_key((i, 0)).row_key.value): [
            plain(c).strip() for c in table.get_row_at(i)
        ]
        for i in range(table.row_count)
    }


async def _submission_arrives(store: Store, elsewhere: Store, iid: str) -> None:
    async with PanelHarness(store, iid).run_test(size=SMALL) as pilot:
        screen = await panel_open(pilot)
        assert _progress(screen)["two"][1:] == ["·", "✓ submitted", "·"]
        ps.rate(elsewhere, iid, {ps.PAT: {"TWO-1": 2}}, {ps.PAT: ("two",)})
        await wait_until(
            pilot,
            lambda: _progress(screen)["two"][1:] == ["·", "✓ submitted", "✓ submitted"],
            "Pat's submission to show without a key press",
        )
        assert _progress(screen)["-total"][1:] == ["0/3", "3/3", "2/3"]


async def test_a_submission_from_another_program_shows_without_a_key_press(
    mini_protocol: LoadedProtocol, tmp_path: Path
) -> None:
    store = Store.open(tmp_path / "store.db")
    elsewhere = Store.open(tmp_path / "store.db")  # its own connections, as another window
    try:
        iid = ps.partly_submitted(store, mini_protocol)
        await _submission_arrives(store, elsewhere, iid)
    finally:
        elsewhere.close()
        store.close()


async def test_on_a_server_a_submission_from_another_laptop_shows(
    mini_protocol: LoadedProtocol, pg_url: str
) -> None:
    store = Store.open(pg_url)
    elsewhere = Store.open(pg_url)  # another laptop: its own engine and connections
    try:
        iid = ps.partly_submitted(store, mini_protocol)
        await _submission_arrives(store, elsewhere, iid)
    finally:
        elsewhere.close()
        store.close()


def test_typing_notes_does_not_move_the_marker_but_a_draft_rating_does(
    mini_protocol: LoadedProtocol, tmp_path: Path
) -> None:
    from formers_tui.store import capture

    store = Store.open(tmp_path / "store.db")
    try:
        iid = ps.partly_submitted(store, mini_protocol)
        before = panel_marker(store, iid)
        with store.session() as session:
            capture.save_note(
                session, interview_id=iid, indicator_id="ONE-1", text="typing", actor="t"
            )
            session.commit()
        assert panel_marker(store, iid) == before
        ps.rate(store, iid, {ps.PAT: {"TWO-1": 1}}, {})
        assert panel_marker(store, iid) != before
    finally:
        store.close()
