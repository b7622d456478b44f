"""The reliability screen: from the list by a key and the palette; snapshots at two sizes."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.app import App
from textual.pilot import Pilot

from formers_tui.protocol.loader import load_path
from formers_tui.store.store import Store
from formers_tui.tui.app import make_app
from formers_tui.tui.screens.reliability import ReliabilityScreen
from tests.conftest import ROOT
from tests.tui import panel_stores as ps
from tests.tui.harness import wait_until

SIZES = [(80, 24), (120, 40)]
IDS = ["80x24", "120x40"]


@pytest.fixture(scope="module")
def programme(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Three settled interviews on protocol 1.0.0, agreed at 2 everywhere."""
    path = tmp_path_factory.mktemp("reliability") / "store.db"
    store = Store.open(path)
    try:
        shipped = load_path(ROOT / "interviews" / "peer-mentor-readiness.toml")
        for n in range(3):
            iid = ps.all_submitted(store, shipped, code=f"PM-REL-{n}")
            ps.agree(store, iid)
    finally:
        store.close()
    return path


class ReliabilityHarness(App[None]):
    """Shows the reliability screen of one store, nothing else."""

    def __init__(self, store: Store) -> None:
        super().__init__()
        self._store = store

    def on_mount(self) -> None:
        self.push_screen(ReliabilityScreen(self._store))


@pytest.fixture
def opened(programme: Path, tmp_path: Path) -> Iterator[Store]:
    store = Store.open(ps.copy_store(programme, tmp_path / "copy.db"))
    yield store
    store.close()


async def shown(pilot: Pilot[Any]) -> ReliabilityScreen:
    app = pilot.app
    await wait_until(
        pilot,
        lambda: any(
            isinstance(s, ReliabilityScreen) and s.found is not None for s in app.screen_stack
        ),
        "the reliability figures",
    )
    return next(s for s in app.screen_stack if isinstance(s, ReliabilityScreen))


async def test_the_list_opens_it_with_ctrl_r_and_from_the_palette(opened: Store) -> None:
    app = make_app(store_path=opened.path, encrypt_new_store=False, lock_minutes=0)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_until(pilot, lambda: app.home.rows is not None, "the interview list")
        titles = [c.title for c in app.get_system_commands(app.home)]
        assert "Reliability across interviews" in titles
        await pilot.press("ctrl+r")
        screen = await shown(pilot)
        assert screen.found is not None
        (item,) = screen.found
        assert item.interviews == 3
        assert {r.rater for r in item.raters} == {ps.ADA, ps.SAM, ps.PAT}
        await pilot.press("escape")
        await pilot.pause()
        assert app.screen is app.home
        command = next(
            c for c in app.get_system_commands(app.home) if c.title.startswith("Reliability")
        )
        command.callback()
        await shown(pilot)


async def test_an_empty_programme_says_there_is_nothing_to_pool(tmp_path: Path) -> None:
    store = Store.open(tmp_path / "empty.db")
    try:
        async with ReliabilityHarness(store).run_test(size=(80, 24)) as pilot:
            screen = await shown(pilot)
            assert screen.found == []
            body = str(screen.query_one("#reliability-body").render())
            assert "nothing to pool" in body
    finally:
        store.close()


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_snapshot_in_the_app(snap_compare: Any, programme: Path, tmp_path: Path, size: Any) -> None:
    """The real app with its stylesheet, from the list by ctrl+r."""
    path = ps.copy_store(programme, tmp_path / "copy.db")
    app = make_app(store_path=path, encrypt_new_store=False, lock_minutes=0)

    async def run_before(pilot: Pilot[Any]) -> None:
        await wait_until(pilot, lambda: app.home.rows is not None, "the interview list")
        await pilot.press("ctrl+r")
        await shown(pilot)
        await pilot.pause()

    assert snap_compare(app, terminal_size=size, run_before=run_before)
