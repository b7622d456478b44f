"""Snapshots of the panel view and its consensus and determination dialogs, 80x24 and 120x40.

The stores are built from fixed data on the shipped protocol, and nothing on
these screens shows a clock, so the pictures change only when the screens do.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from formers_tui.protocol.loader import load_path
from formers_tui.store.store import Store
from tests.conftest import FIXTURES, ROOT
from tests.tui import panel_stores as ps
from tests.tui.test_panel_screen import PanelHarness, panel_open

SIZES = [(80, 24), (120, 40)]
IDS = ["80x24", "120x40"]


@dataclass(frozen=True)
class Stores:
    partial: Path
    partial_id: str
    rated: Path
    agreed: Path
    iid: str


@pytest.fixture(scope="module")
def stores(tmp_path_factory: pytest.TempPathFactory) -> Stores:
    folder = tmp_path_factory.mktemp("panel-snapshots")
    store = Store.open(folder / "partial.db")
    try:
        partial_id = ps.partly_submitted(store, load_path(FIXTURES / "mini-protocol.toml"))
    finally:
        store.close()
    store = Store.open(folder / "rated.db")
    try:
        shipped = load_path(ROOT / "interviews" / "peer-mentor-readiness.toml")
        iid = ps.all_submitted(store, shipped, code="PM-2026-014")
    finally:
        store.close()
    store = Store.open(ps.copy_store(folder / "rated.db", folder / "agreed.db"))
    try:
        ps.agree(store, iid)
    finally:
        store.close()
    return Stores(folder / "partial.db", partial_id, folder / "rated.db", folder / "agreed.db", iid)


@pytest.fixture
def opened_stores() -> Iterator[list[Store]]:
    """Stores opened for a snapshot, closed after it."""
    stores: list[Store] = []
    yield stores
    for store in stores:
        store.close()


@pytest.fixture
def app_for(tmp_path: Path, opened_stores: list[Store]) -> Callable[[Path, str], PanelHarness]:
    """The panel view of a copy of a template store."""

    def build(source: Path, interview_id: str) -> PanelHarness:
        store = Store.open(ps.copy_store(source, tmp_path / "store.db"))
        opened_stores.append(store)
        return PanelHarness(store, interview_id)

    return build


def steps(*keys: str) -> Callable[[Pilot[Any]], Any]:
    """Wait for the panel view, press ``keys``, and hold every cursor still."""

    async def run_before(pilot: Pilot[Any]) -> None:
        await panel_open(pilot)
        for key in keys:
            await pilot.press(key)
        await pilot.pause()
        for screen in pilot.app.screen_stack:
            for field in screen.query(Input):
                field.cursor_blink = False
            for area in screen.query(TextArea):
                area.cursor_blink = False
                area.notify_style_update()
                area.refresh()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_progress_before_the_ratings_are_open(
    snap_compare: Any, stores: Stores, app_for: Any, size: Any
) -> None:
    app = app_for(stores.partial, stores.partial_id)
    assert snap_compare(app, terminal_size=size, run_before=steps())


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_matrix(snap_compare: Any, stores: Stores, app_for: Any, size: Any) -> None:
    app = app_for(stores.rated, stores.iid)
    assert snap_compare(app, terminal_size=size, run_before=steps("down", "down"))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_agreement(snap_compare: Any, stores: Stores, app_for: Any, size: Any) -> None:
    app = app_for(stores.rated, stores.iid)
    assert snap_compare(app, terminal_size=size, run_before=steps("3"))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_suggestion(snap_compare: Any, stores: Stores, app_for: Any, size: Any) -> None:
    app = app_for(stores.agreed, stores.iid)
    assert snap_compare(app, terminal_size=size, run_before=steps("4"))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_consensus_dialog(snap_compare: Any, stores: Stores, app_for: Any, size: Any) -> None:
    app = app_for(stores.rated, stores.iid)
    assert snap_compare(app, terminal_size=size, run_before=steps("enter"))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_determination_dialog(snap_compare: Any, stores: Stores, app_for: Any, size: Any) -> None:
    app = app_for(stores.agreed, stores.iid)
    keys = ("d", "2", *"Strong")
    assert snap_compare(app, terminal_size=size, run_before=steps(*keys))
