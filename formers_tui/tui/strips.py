"""Drawn lines that do not keep themselves alive.

Textual draws every row of the screen as a ``Strip``, and a strip caches
the results of its own operations on itself. Two of them can answer with
the strip itself: ``divide`` when the only cut is the end of the line (the
compositor divides nearly every row of every widget on every update, and
for most rows nothing covers them), and ``crop_extend`` when nothing is
cropped or added. Cached, the answer makes the strip refer to itself: a
reference cycle, so the strip, its seven caches and the strips made from
it are freed only by the cycle collector, never when the row is replaced.
Typing into the notes made about 280 such objects per keystroke; left to
pile up, they are what made the slow garbage collections.

:func:`install` makes those two answers uncached (there is nothing to
save: the answer is the strip itself). Every other answer, and everything
the strip draws, is unchanged.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence

from rich.style import Style
from textual.strip import Strip

_divide: Callable[[Strip, Iterable[int]], Sequence[Strip]] = Strip.divide
_crop_extend: Callable[[Strip, int, int, Style | None], Strip] = Strip.crop_extend


def _divide_acyclic(self: Strip, cuts: Iterable[int]) -> Sequence[Strip]:
    cell_length = self.cell_length
    kept = [cut for cut in cuts if cut <= cell_length]
    if kept == [cell_length]:
        return [self]
    return _divide(self, kept)


def _crop_extend_acyclic(self: Strip, start: int, end: int, style: Style | None) -> Strip:
    if start <= 0 and end == self.cell_length:
        return self
    return _crop_extend(self, start, end, style)


def install() -> None:
    """Stop strips caching themselves (idempotent; for the whole process)."""
    Strip.divide = _divide_acyclic  # type: ignore[method-assign]
    Strip.crop_extend = _crop_extend_acyclic  # type: ignore[method-assign]


def installed() -> bool:
    """Whether :func:`install` has run."""
    return Strip.divide is _divide_acyclic
