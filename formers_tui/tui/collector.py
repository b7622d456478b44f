"""Full garbage collections kept out of typing bursts, and run when the typist pauses.

A full collection walks every object the cycle collector tracks and was
made since start-up (what was alive then is frozen, see ``freeze_heap``):
tens of milliseconds, which during typing land as a stutter. So while keys
arrive, the oldest generation is held back; the young ones are collected
as usual (a fraction of a millisecond each: what the notes make per
keystroke is freed by reference counting, see :mod:`formers_tui.tui.strips`
and the notes editor's row cache, so they find almost nothing). Once nobody
has pressed a key for :data:`QUIET_SECONDS`, everything is collected, in
full. Textual does the same around smooth scrolling.

Only the oldest generation is held: holding the middle one as well kept
every young survivor uncollected for the whole burst, so the collection at
the pause grew with the burst (1.5 s after two minutes of typing).

What a screen builds while it opens (its tree, footer keys, records) comes
after the freeze at start-up, and a full collection walks it every time:
about 15 ms at each pause. :func:`freeze_at_next_pause` asks for the next
pause's collection to freeze what survives it, so later pauses cost a
couple of milliseconds. Frozen objects are never collected, so a screen that
closes asks for the freeze to be undone first (``thaw``): its own cycles
are freed at that pause (once, about 80 ms) instead of staying for good.
"""

from __future__ import annotations

import gc
import time
from collections.abc import Callable
from typing import Protocol

QUIET_SECONDS = 1.0
"""A pause this long ends a burst of typing."""

CHECK_SECONDS = 0.25
"""How often a burst is checked for having ended."""

HELD = 1_000_000
"""Threshold of the oldest generation during a burst: never reached."""


_after_pause: set[str] = set()
"""What the next pause's collection should also do: ``thaw`` first, ``freeze`` after."""


def freeze_at_next_pause(*, thaw: bool = False) -> None:
    """Freeze what survives the next pause's collection (thawing everything first if asked).

    Args:
        thaw: undo every earlier freeze first, so garbage that was frozen (a
            screen that has closed) is collected too.
    """
    _after_pause.add("freeze")
    if thaw:
        _after_pause.add("thaw")


class _Timer(Protocol):
    def stop(self) -> None: ...


class BurstCollector:
    """Holds back full collections while keys arrive.

    Args:
        set_interval: starts a repeating callback and returns its timer
            (the app's ``set_interval``); used only during a burst.
        clock: monotonic seconds (replaceable in tests).
    """

    def __init__(
        self,
        set_interval: Callable[[float, Callable[[], None]], _Timer],
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._set_interval = set_interval
        self._clock = clock
        self._last_key = 0.0
        self._saved: tuple[int, int, int] | None = None
        self._timer: _Timer | None = None

    @property
    def holding(self) -> bool:
        """Whether a burst is under way (full collections held back)."""
        return self._saved is not None

    def key_pressed(self) -> None:
        """A key arrived: start holding back, or go on holding (cheap: once per key)."""
        self._last_key = self._clock()
        if self._saved is not None:
            return
        self._saved = gc.get_threshold()
        gc.set_threshold(self._saved[0], self._saved[1], HELD)
        self._timer = self._set_interval(CHECK_SECONDS, self._check)

    def _check(self) -> None:
        if self._clock() - self._last_key >= QUIET_SECONDS:
            self.release()

    def release(self, *, collect: bool = True) -> None:
        """End the burst: restore the thresholds and (unless told not to) collect now."""
        if self._saved is None:
            return
        if self._timer is not None:
            self._timer.stop()
            self._timer = None
        gc.set_threshold(*self._saved)
        self._saved = None
        if collect:
            if "thaw" in _after_pause:
                gc.unfreeze()
            gc.collect()
            if "freeze" in _after_pause:
                gc.freeze()
        _after_pause.clear()
