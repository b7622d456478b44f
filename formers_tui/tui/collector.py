"""Garbage collection kept out of typing bursts, and run when the typist pauses.

Textual leaves every freshly drawn line of text in a reference cycle (each
line's caches refer back to it), so drawing the notes while someone types
makes a few hundred cyclic objects per keystroke, which only the cycle
collector frees. Left alone it runs whenever enough have piled up: the
young generations often (a millisecond or so), the older ones rarely but
for tens of milliseconds, which lands in the middle of typing as a stutter.

So while keys arrive, only the youngest generation is collected (it holds
almost all of those cycles, and is small); the older generations wait until
nobody has pressed a key for :data:`QUIET_SECONDS`, and are collected then,
in full. Textual does the same around smooth scrolling.
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
"""Threshold of the older generations during a burst: never reached."""


class _Timer(Protocol):
    def stop(self) -> None: ...


class BurstCollector:
    """Holds back the older generations' collections while keys arrive.

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
        """Whether a burst is under way (older generations held back)."""
        return self._saved is not None

    def key_pressed(self) -> None:
        """A key arrived: start holding back, or go on holding."""
        self._last_key = self._clock()
        if self._saved is not None:
            return
        self._saved = gc.get_threshold()
        gc.set_threshold(self._saved[0], HELD, HELD)
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
            gc.collect()
