"""Drawn rows are freed when replaced: no strip keeps itself alive, and nothing else changes."""

from __future__ import annotations

import sys

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.segment import Segment
from rich.style import Style
from textual.strip import Strip

from formers_tui.tui import strips

strips.install()

PAD = Style(bgcolor="#1e1e1e")
words = st.lists(st.text("ab é字", min_size=1, max_size=6), min_size=1, max_size=5)


def strip_of(parts: list[str]) -> Strip:
    return Strip([Segment(part, Style(bold=index % 2 == 0)) for index, part in enumerate(parts)])


def test_a_row_divided_whole_or_kept_whole_does_not_refer_to_itself() -> None:
    strips.install()  # twice: nothing changes
    assert strips.installed()
    row = strip_of(["one ", "two ", "three"])
    references = sys.getrefcount(row)
    whole = row.divide([row.cell_length])
    assert list(whole) == [row]
    del whole
    assert row.crop_extend(0, row.cell_length, PAD) is row
    assert sys.getrefcount(row) == references  # no cache holds the row itself


@settings(max_examples=60, deadline=None)
@given(parts=words, cuts=st.lists(st.integers(0, 40), max_size=4), start=st.integers(-2, 40))
def test_division_and_cropping_give_what_textual_gives(
    parts: list[str], cuts: list[int], start: int
) -> None:
    row = strip_of(parts)
    ordered = sorted(set(cuts)) + [row.cell_length]
    assert [s.text for s in row.divide(ordered)] == [
        s.text for s in strips._divide(strip_of(parts), ordered)
    ]
    for end in (row.cell_length, row.cell_length + 3, max(0, start + 2)):
        mine = row.crop_extend(start, end, PAD)
        theirs = strips._crop_extend(strip_of(parts), start, end, PAD)
        assert (mine.text, mine.cell_length) == (theirs.text, theirs.cell_length)
        assert list(mine) == list(theirs)
