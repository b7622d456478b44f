"""A tick box whose state reads in its characters, not only in its colours.

Textual's checkbox draws the same ``X`` ticked or not and tells the two
apart by colour alone, and so does its selection list. On a monochrome
terminal, with ``NO_COLOR``, in a screen reader or a copied screen, an
unticked consent box then reads as ticked. These draw the ``X`` only when
ticked.
"""

from __future__ import annotations

from rich.segment import Segment
from textual.content import Content
from textual.strip import Strip
from textual.widgets import Checkbox, SelectionList
from textual.widgets._toggle_button import ToggleButton


class TickBox(Checkbox):
    """A checkbox showing ``X`` when ticked and a blank when not."""

    @property
    def _button(self) -> Content:
        # The parent reads BUTTON_INNER while building the button; an instance
        # attribute set just before shadows the class's fixed "X".
        self.BUTTON_INNER = "X" if self.value else " "
        return super()._button


class TickList(SelectionList[str]):
    """A selection list whose boxes show ``X`` only beside the chosen options."""

    def render_line(self, y: int) -> Strip:
        line = super().render_line(y)
        index = self.scroll_offset.y + y
        if index >= self.option_count:
            return line
        if self.get_option_at_index(index).value in self._selected:
            return line
        segments = list(line)
        if len(segments) < 2 or segments[1].text != ToggleButton.BUTTON_INNER:
            return line  # not a line with a box (the list's own padding)
        segments[1] = Segment(" ", segments[1].style)
        return Strip(segments, line.cell_length)
