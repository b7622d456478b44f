"""The indicator column lays out its own rows: bodies wrap beside their marks."""

from __future__ import annotations

from textual.content import Content

from formers_tui.tui.widgets.indicator_view import Heading, Item, laid_out


def test_an_item_body_wraps_under_itself_not_under_its_mark() -> None:
    lines = [line.plain for line in laid_out([Item("1.", Content("alpha beta gamma delta"))], 14)]
    assert lines == ["1. alpha beta", "   gamma delta"]


def test_a_wide_mark_widens_its_own_gutter() -> None:
    lines = [line.plain for line in laid_out([Item("10.", Content("alpha beta gamma"))], 14)]
    assert lines == ["10. alpha beta", "    gamma"]


def test_a_heading_follows_a_blank_line_and_plain_rows_wrap_to_the_width() -> None:
    blocks = [Content("one two three four"), Heading("ASK"), Content("x")]
    assert [line.plain for line in laid_out(blocks, 9)] == [
        "one two",
        "three",
        "four",
        "",
        "ASK",
        "x",
    ]


def test_markup_in_a_body_stays_literal() -> None:
    (line,) = laid_out([Item("•", Content("[b]not bold[/b]"))], 60)
    assert "[b]not bold[/b]" in line.plain
