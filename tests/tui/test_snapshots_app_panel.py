"""The panel view and its dialogs as users see them: the real app, its stylesheet, keys only.

Stores at each stage of scoring are built once per module through the store's
own functions and copied per test; each picture starts from the interview list,
opens the panel view with ``v`` and reaches the view or dialog by keys.
Nothing here shows a clock, so the pictures change only when the screens do.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, TextArea

from formers_tui.protocol.loader import load_path
from formers_tui.store.store import Store
from formers_tui.tui.app import FormersApp, make_app
from formers_tui.tui.screens.panel import PanelScreen
from tests.conftest import FIXTURES, ROOT
from tests.tui import panel_stores as ps
from tests.tui.harness import wait_until

SIZES = [(80, 24), (120, 40)]
IDS = ["80x24", "120x40"]


@dataclass(frozen=True)
class Stages:
    """Template stores, one interview each, at successive stages of scoring."""

    partial: Path
    rated: Path
    agreed: Path
    decided: Path
    final: Path


@pytest.fixture(scope="module")
def stages(tmp_path_factory: pytest.TempPathFactory) -> Stages:
    folder = tmp_path_factory.mktemp("panel-app-snapshots")
    store = Store.open(folder / "partial.db")
    try:
        ps.partly_submitted(store, load_path(FIXTURES / "mini-protocol.toml"))
    finally:
        store.close()
    store = Store.open(folder / "rated.db")
    try:
        shipped = load_path(ROOT / "interviews" / "peer-mentor-readiness.toml")
        iid = ps.all_submitted(store, shipped, code="PM-2026-014")
    finally:
        store.close()
    for stage, source, build in (
        ("agreed", "rated", ps.agree),
        ("decided", "agreed", ps.decide),
        ("final", "decided", lambda s, i: ps.sign(s, i, (ps.ADA, ps.SAM, ps.PAT))),
    ):
        store = Store.open(ps.copy_store(folder / f"{source}.db", folder / f"{stage}.db"))
        try:
            build(store, iid)
        finally:
            store.close()
    return Stages(*(folder / f"{n}.db" for n in ("partial", "rated", "agreed", "decided", "final")))


@pytest.fixture
def app_on(tmp_path: Path) -> Callable[[Path], FormersApp]:
    """The app, made by its factory, on a copy of a template store."""

    def build(source: Path) -> FormersApp:
        path = ps.copy_store(source, tmp_path / "store.db")
        return make_app(store_path=path, encrypt_new_store=False, lock_minutes=0)

    return build


def steps(*keys: str) -> Callable[[Pilot[Any]], Any]:
    """From the list, open the panel view with ``v``, press ``keys``; steady cursors."""

    async def run_before(pilot: Pilot[Any]) -> None:
        app = pilot.app
        assert isinstance(app, FormersApp)
        await wait_until(pilot, lambda: bool(app.home.rows), "the interview list")
        await pilot.press("v")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, PanelScreen) and app.screen.is_loaded,
            "the panel view",
        )
        for key in keys:
            await pilot.press(key)
            await pilot.pause(0.05)
        await pilot.pause(0.2)
        for screen in app.screen_stack:
            for field in screen.query(Input):
                field.cursor_blink = False
            for area in screen.query(TextArea):
                area.cursor_blink = False
                area.notify_style_update()
                area.refresh()
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_progress_in_the_app(snap_compare: Any, stages: Stages, app_on: Any, size: Any) -> None:
    assert snap_compare(app_on(stages.partial), terminal_size=size, run_before=steps())


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_reveal_in_the_app(snap_compare: Any, stages: Stages, app_on: Any, size: Any) -> None:
    assert snap_compare(app_on(stages.partial), terminal_size=size, run_before=steps("r"))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_matrix_in_the_app(snap_compare: Any, stages: Stages, app_on: Any, size: Any) -> None:
    keys = ("down", "down")
    assert snap_compare(app_on(stages.rated), terminal_size=size, run_before=steps(*keys))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_pin_in_the_app(snap_compare: Any, stages: Stages, app_on: Any, size: Any) -> None:
    assert snap_compare(app_on(stages.rated), terminal_size=size, run_before=steps("p"))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_consensus_in_the_app(snap_compare: Any, stages: Stages, app_on: Any, size: Any) -> None:
    assert snap_compare(app_on(stages.rated), terminal_size=size, run_before=steps("enter"))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_agreement_in_the_app(snap_compare: Any, stages: Stages, app_on: Any, size: Any) -> None:
    assert snap_compare(app_on(stages.rated), terminal_size=size, run_before=steps("3"))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_suggestion_in_the_app(snap_compare: Any, stages: Stages, app_on: Any, size: Any) -> None:
    assert snap_compare(app_on(stages.agreed), terminal_size=size, run_before=steps("4"))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_determination_in_the_app(
    snap_compare: Any, stages: Stages, app_on: Any, size: Any
) -> None:
    keys = ("d", "2", *"Strong")
    assert snap_compare(app_on(stages.agreed), terminal_size=size, run_before=steps(*keys))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_sign_off_in_the_app(snap_compare: Any, stages: Stages, app_on: Any, size: Any) -> None:
    assert snap_compare(app_on(stages.decided), terminal_size=size, run_before=steps("s"))


@pytest.mark.parametrize("size", SIZES, ids=IDS)
def test_addendum_in_the_app(snap_compare: Any, stages: Stages, app_on: Any, size: Any) -> None:
    assert snap_compare(app_on(stages.final), terminal_size=size, run_before=steps("a"))
