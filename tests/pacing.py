"""How a pilot paces its keys: the next one as soon as the app has finished the last.

After every key (and in ``pilot.pause()``) Textual's pilot sleeps in steps
of 20 ms until one step passes with the process nearly idle (under 1 ms of
CPU), so each key costs at least 40 ms: most of a pilot test's time. Here the
steps are 5 ms with the same share of CPU as the idle mark (0.25 ms). On a
busy machine a process waiting for a core also looks idle, and 5 ms is less
than a frame, so the wait goes on while the app has a message not yet
handled (in any widget of any open screen), a redraw or an after-redraw
callback pending, or a worker (a store read or write, a PIN check) still
running, up to the same second Textual allows. That is what the idle mark
stands for, checked directly.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

from textual import _wait
from textual import app as textual_app
from textual import pilot as textual_pilot
from textual._context import active_app
from textual.app import App

STEP = 0.005
"""Seconds per idle check (Textual: 0.02)."""
IDLE_CPU = STEP / 20
"""CPU seconds within a step that still count as idle (Textual: the same share)."""

Waiter = Callable[[float, float], Awaitable[None]]


def busy(app: App[Any]) -> bool:
    """Whether ``app`` has messages, callbacks or a redraw waiting, or workers running."""
    if any(not worker.is_finished for worker in app.workers):
        return True
    screen = app.screen
    if (
        screen._layout_required
        or screen._scroll_required
        or screen._repaint_required
        or screen._recompose_required
        or screen._dirty_widgets
        or screen._callbacks
    ):
        return True  # drawn on the next frame, and what waits for that frame runs then
    pumps: list[Any] = [app]
    for screen in app.screen_stack:
        pumps.extend(screen.walk_children(with_self=True))
    return any(
        pump.message_queue_size or pump._pending_message is not None or pump._next_callbacks
        for pump in pumps
    )


def _thorough(idle: Waiter) -> Waiter:
    async def wait_for_idle(min_sleep: float = STEP, max_sleep: float = 1) -> None:
        start = time.monotonic()
        await idle(min_sleep, max_sleep)
        try:
            app = active_app.get()
        except LookupError:
            return
        while busy(app) and time.monotonic() - start < max_sleep:
            await asyncio.sleep(STEP)

    return wait_for_idle


@contextmanager
def brisk() -> Iterator[None]:
    """Pace every pilot as the module docstring says, then restore Textual's pacing."""
    before = _wait.SLEEP_GRANULARITY, _wait.SLEEP_IDLE, _wait.wait_for_idle
    _wait.SLEEP_GRANULARITY, _wait.SLEEP_IDLE = STEP, IDLE_CPU
    paced = _thorough(before[2])
    users = (_wait, textual_app, textual_pilot)
    for module in users:
        module.wait_for_idle = paced  # type: ignore[attr-defined]
    try:
        yield
    finally:
        _wait.SLEEP_GRANULARITY, _wait.SLEEP_IDLE = before[:2]
        for module in users:
            module.wait_for_idle = before[2]  # type: ignore[attr-defined]
