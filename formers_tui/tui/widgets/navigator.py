"""The map of the interview: its steps and indicators, each with its state.

A glance at the navigator tells the chair what is still untouched: every
indicator carries a glyph and a colour (empty, has notes, rated by the active
panelist, has an open safety flag), so shape and colour both carry the meaning.
The tree follows the protocol's order of asking when it declares one (steps,
with their role plays) and its parts and domains otherwise; the opening and
closing, which are said but never rated, sit first and last.
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

SCRIPT_PREFIX = "#"
"""Leaf data that starts with this is not an indicator (ids cannot start with it)."""
OPENING = "#opening"
CLOSING = "#closing"
ROLE_PLAY = "#role-play:"
"""Followed by the role play's id."""
SCRIPT_GLYPH = "▸"


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

    @dataclass
    class ScriptChosen(Message):
        """The chair picked the opening, the closing or a role play."""

        navigator: Navigator
        key: str
        """:data:`OPENING`, :data:`CLOSING`, or :data:`ROLE_PLAY` and the role play's id."""

        @property
        def control(self) -> Navigator:
            return self.navigator

    def __init__(self, protocol: Protocol, *, id: str | None = None) -> None:
        super().__init__(protocol.title, id=id)
        self.show_root = False
        self.guide_depth = 2
        self._leaves: dict[str, TreeNode[str]] = {}
        self._marks: dict[str, Mark] = {}
        titles = {indicator.id: indicator.title for indicator in protocol.indicators()}
        if protocol.opening is not None:
            self.root.add_leaf(Text(protocol.opening.title), data=OPENING)
        if protocol.asking:
            for stage in protocol.asking:
                stage_node = self.root.add(Text(stage.title), expand=True)
                for vignette_id in stage.vignettes:
                    title = protocol.vignette(vignette_id).title
                    stage_node.add_leaf(Text(f"Role play: {title}"), data=ROLE_PLAY + vignette_id)
                for indicator_id in stage.indicators:
                    label = Text(titles[indicator_id])
                    self._leaves[indicator_id] = stage_node.add_leaf(label, data=indicator_id)
        else:
            for part in protocol.parts:
                part_node = self.root.add(Text(part.title), expand=True)
                for domain in part.domains:
                    domain_node = part_node.add(Text(domain.title), expand=True)
                    for indicator in domain.indicators:
                        label = Text(indicator.title)
                        self._leaves[indicator.id] = domain_node.add_leaf(label, data=indicator.id)
        if protocol.closing is not None:
            self.root.add_leaf(Text(protocol.closing.title), data=CLOSING)

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
        if node.data.startswith(SCRIPT_PREFIX):
            return Text.assemble(Text(SCRIPT_GLYPH + " ", style="bold"), label)
        mark = self._marks.get(node.data, Mark.empty)
        glyph = Text(
            GLYPHS[mark] + " ", style=self.get_component_rich_style(f"navigator--{mark.value}")
        )
        return Text.assemble(glyph, label)

    @on(Tree.NodeSelected)
    def _chosen(self, event: Tree.NodeSelected[str]) -> None:
        if event.node.data is not None:
            event.stop()
            if event.node.data.startswith(SCRIPT_PREFIX):
                self.post_message(self.ScriptChosen(self, event.node.data))
            else:
                self.post_message(self.Chosen(self, event.node.data))
