"""The map of the interview: parts, domains and indicators, each with its state.

A glance at the navigator tells the chair what is still untouched: every
indicator carries a glyph and a colour (empty, has notes, rated by the active
panelist, has an open safety flag), so shape and colour both carry the meaning.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from rich.style import Style
from rich.text import Text
from textual import on
from textual.message import Message
from textual.widgets import Tree
from textual.widgets.tree import TreeNode

from formers_tui.protocol.model import Protocol


class Mark(enum.Enum):
    """What has been captured for an indicator, most urgent last."""

    empty = "empty"
    notes = "notes"
    rated = "rated"
    flagged = "flagged"


GLYPHS: dict[Mark, str] = {
    Mark.empty: "○",
    Mark.notes: "◐",
    Mark.rated: "●",
    Mark.flagged: "⚑",
}
"""One glyph per mark, so the state reads without colour too."""

MARK_WORDS: dict[Mark, str] = {
    Mark.empty: "nothing yet",
    Mark.notes: "notes",
    Mark.rated: "rated",
    Mark.flagged: "open safety flag",
}


def mark_of(*, has_notes: bool, rated: bool, flagged: bool) -> Mark:
    """The mark to show: a flag outranks a rating, a rating outranks notes."""
    if flagged:
        return Mark.flagged
    if rated:
        return Mark.rated
    if has_notes:
        return Mark.notes
    return Mark.empty


class Navigator(Tree[str]):
    """Parts, domains and indicators of a protocol; leaves carry indicator ids."""

    COMPONENT_CLASSES = {
        "navigator--empty",
        "navigator--notes",
        "navigator--rated",
        "navigator--flagged",
    }

    DEFAULT_CSS = """
    Navigator {
        width: 34;
        height: 1fr;
        border-right: vkey $foreground 20%;
        padding: 0;
        overflow-x: hidden;
        scrollbar-size-vertical: 1;
        & > .navigator--empty { color: $text-muted; }
        & > .navigator--notes { color: $warning; }
        & > .navigator--rated { color: $success; text-style: bold; }
        & > .navigator--flagged { color: $error; text-style: bold; }
    }
    """

    @dataclass
    class Chosen(Message):
        """The chair picked an indicator in the tree."""

        navigator: Navigator
        indicator_id: str
        """Id of the chosen indicator."""

        @property
        def control(self) -> Navigator:
            return self.navigator

    def __init__(self, protocol: Protocol, *, id: str | None = None) -> None:
        super().__init__(protocol.title, id=id)
        self.show_root = False
        self.guide_depth = 2
        self._leaves: dict[str, TreeNode[str]] = {}
        self._marks: dict[str, Mark] = {}
        for part in protocol.parts:
            part_node = self.root.add(part.title, expand=True)
            for domain in part.domains:
                domain_node = part_node.add(domain.title, expand=True)
                for indicator in domain.indicators:
                    label = Text(indicator.title)
                    self._leaves[indicator.id] = domain_node.add_leaf(label, data=indicator.id)

    def set_mark(self, indicator_id: str, mark: Mark) -> None:
        """Show ``mark`` beside an indicator (repaints only when it changed)."""
        if self._marks.get(indicator_id, Mark.empty) == mark:
            return
        self._marks[indicator_id] = mark
        node = self._leaves.get(indicator_id)
        if node is not None:
            node.refresh()

    def mark(self, indicator_id: str) -> Mark:
        """The mark currently shown beside an indicator."""
        return self._marks.get(indicator_id, Mark.empty)

    def show_indicator(self, indicator_id: str) -> None:
        """Put the cursor on an indicator without announcing a choice."""
        node = self._leaves.get(indicator_id)
        if node is None:
            return
        parent = node.parent
        while parent is not None:
            parent.expand()
            parent = parent.parent
        self.move_cursor(node)

    def render_label(self, node: TreeNode[str], base_style: Style, style: Style) -> Text:
        """Prefix indicator labels with the glyph of their mark, in its colour."""
        label = super().render_label(node, base_style, style)
        if node.data is None:
            label.stylize("bold")
            return label
        mark = self._marks.get(node.data, Mark.empty)
        glyph = Text(
            GLYPHS[mark] + " ", style=self.get_component_rich_style(f"navigator--{mark.value}")
        )
        return Text.assemble(glyph, label)

    @on(Tree.NodeSelected)
    def _chosen(self, event: Tree.NodeSelected[str]) -> None:
        if event.node.data is not None:
            event.stop()
            self.post_message(self.Chosen(self, event.node.data))
