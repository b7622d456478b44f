"""A minimal app that opens one interview, for pilot and snapshot tests of the interview screen."""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timezone
from typing import Any

from textual.app import App
from textual.pilot import Pilot

from formers_tui.store.store import Store
from formers_tui.tui.screens.interview import InterviewScreen

FIXED_NOW = datetime(2026, 11, 2, 14, 3, 22, tzinfo=timezone.utc)  # noqa: UP017
"""The time every snapshot shows."""


class InterviewHarness(App[None]):
    """Pushes :class:`InterviewScreen` for a store and interview, nothing else."""

    def __init__(
        self,
        store: Store,
        interview_id: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),  # noqa: UP017
        panelist_id: str = "",
    ) -> None:
        super().__init__()
        self._store = store
        self._interview_id = interview_id
        self._clock = clock
        self._now = now
        self._panelist_id = panelist_id

    def on_mount(self) -> None:
        self.push_screen(
            InterviewScreen(
                self._store,
                self._interview_id,
                clock=self._clock,
                now=self._now,
                panelist_id=self._panelist_id,
            )
        )

    @property
    def interview(self) -> InterviewScreen:
        screen = self.screen_stack[1] if len(self.screen_stack) > 1 else self.screen
        assert isinstance(screen, InterviewScreen)
        return screen


def frozen(store: Store, interview_id: str, panelist_id: str = "") -> InterviewHarness:
    """A harness whose timers and clock never move, for deterministic snapshots.

    ``panelist_id`` rates from the start, as if their PIN had been typed.
    """
    return InterviewHarness(
        store, interview_id, clock=lambda: 0.0, now=lambda: FIXED_NOW, panelist_id=panelist_id
    )


async def opened(pilot: Pilot[None]) -> InterviewScreen:
    """Wait until the interview is read and shown; return the screen."""
    app = pilot.app
    assert isinstance(app, InterviewHarness)
    for _ in range(200):
        await pilot.pause()
        screen = app.interview if len(app.screen_stack) > 1 else None
        if screen is not None and screen.is_loaded:
            await pilot.pause()
            return screen
    raise AssertionError("the interview screen did not finish opening")


async def settled(pilot: Pilot[None]) -> None:
    """Wait until everything captured is in the store and the screen has read it back."""
    app = pilot.app
    assert isinstance(app, InterviewHarness)
    for _ in range(400):
        await pilot.pause(0.05)
        busy = any(not worker.is_finished for worker in app.workers)
        if not busy and not app.interview.has_unsaved_changes:
            await pilot.pause()
            return
    raise AssertionError("the interview screen did not settle")


async def wait_until(pilot: Pilot[Any], condition: Callable[[], object], what: str = "") -> None:
    """Pause until ``condition()`` holds (store work in workers takes a moment)."""
    for _ in range(300):
        if condition():
            await pilot.pause()
            return
        await pilot.pause(0.02)
    raise AssertionError(f"timed out waiting for {what or condition}")
