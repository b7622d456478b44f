"""The running-notes area: a plain TextArea that knows which indicator it holds."""

from __future__ import annotations

from collections.abc import Iterable

from rich.containers import Lines
from rich.text import Text
from textual.cache import FIFOCache
from textual.geometry import Size
from textual.strip import Strip
from textual.widget import Widget
from textual.widgets import TextArea

from formers_tui.sanitize import clean_text

TYPE_HERE = "Running notes: type here; they save themselves."
ROWS_KEPT = 256
"""Drawn rows kept by what they show: a few screens of notes."""


class _Line(Text):
    """A notes line that divides into its wrapped rows once per look, not once per row.

    Running notes are mostly one long paragraph: a single document line that
    wraps onto every visible row. The text area paints each row by styling
    the whole line and dividing it at every wrap point, then keeping one
    piece, so a keystroke in a 2,000-character paragraph cut it up a dozen
    times over (a row for each visible line), all on the interface thread.
    Every row of one paint asks for the same division of the same styled
    line, so the last one is kept and handed out again; the pieces are only
    read (their ``end`` is set to ``""``, the same each time).
    """

    def __init__(self, text: str, editor: NotesEditor) -> None:
        super().__init__(text, end="", no_wrap=True)
        self._editor = editor

    def divide(self, offsets: Iterable[int]) -> Lines:
        offsets = tuple(offsets)
        if "\t" in self.plain:  # tabs are expanded in place, piece by piece
            return super().divide(offsets)
        key = (self.plain, tuple(self._spans), offsets, self.style, self.end)
        last = self._editor._last_division
        if last is not None and last[0] == key:
            return Lines(last[1])
        lines = super().divide(offsets)
        self._editor._last_division = (key, tuple(lines))
        return lines


class NotesEditor(TextArea):
    """Multi-line notes for one indicator at a time.

    The editor does no saving itself: it only remembers which indicator its
    text belongs to, so the screen can attribute every change correctly even
    when a change message arrives after the chair has moved on.
    """

    DEFAULT_CSS = """
    NotesEditor {
        height: 1fr;
        min-height: 5;
        border: round $primary 50%;
        border-title-color: $text-muted;
        border-subtitle-color: $text-muted;
        padding: 0 1;
        &:focus {
            border: round $primary;
            border-title-color: $text;
        }
        &.-read-only { border: round $foreground 20%; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(
            "",
            id=id,
            soft_wrap=True,
            tab_behavior="focus",
            show_line_numbers=False,
            read_only=True,
            placeholder=TYPE_HERE,
        )
        self.indicator_id: str | None = None
        """The indicator whose notes are in the editor (``None`` until loaded)."""
        self._last_division: tuple[tuple[object, ...], tuple[Text, ...]] | None = None
        """The last line divided into rows, and its rows (see :class:`_Line`)."""
        # The text area keeps its drawn rows in a least-recently-used cache, a
        # ring of linked entries, and empties it on every edit by dropping the
        # ring whole: a reference cycle holding every row drawn since the last
        # keystroke, which only the cycle collector frees. A first-in-first-out
        # cache is a plain dictionary, so the rows are freed as soon as they
        # are dropped. (Rows are drawn again after every edit anyway, so
        # which ones a full cache forgets first hardly matters.)
        self._line_cache = FIFOCache[tuple[object, ...], Strip](1024)  # type: ignore[assignment]
        self._rows = FIFOCache[tuple[object, ...], Strip](ROWS_KEPT)
        """Drawn rows by what they show (see :meth:`render_line`)."""

    def _refresh_size(self) -> None:
        """Take the new height of the wrapped notes without laying out the screen.

        The text area stores its wrapped height in ``virtual_size``, a
        reactive that asks for a layout whenever it changes: with notes that
        wrap, every time a keystroke starts a new row. That layout is of the
        notes' container, which reflows the whole screen (navigator, prompts,
        status line) and repaints it: 10 to 20 ms on the interface thread,
        against 3 to 6 ms for the keystroke's own repaint. The editor's size
        is set by the stylesheet, never by its content, so only its scroll
        range and scrollbar depend on that height; they are updated here
        directly (as the layout would have done), and the scrollbar
        appearing or disappearing still lays out the screen, since that
        narrows the text.
        """
        if not self.soft_wrap:  # never the case here; kept as the text area does it
            super()._refresh_size()
            return
        size = Size(0, self.wrapped_document.height)
        if size == self.virtual_size:
            self._refresh_scrollbars()
            return
        self.set_reactive(Widget.virtual_size, size)
        self._scroll_update(size)
        self.refresh()

    def render_line(self, y: int) -> Strip:
        """Row ``y``, drawn again only when what it shows has changed.

        The text area forgets every drawn row at each edit and at each move
        of the cursor (with wrapping, the selection is part of every row's
        key), so a keystroke redrew every visible row of the paragraph being
        typed, though only the cursor's row changed: about half the
        interface thread's work per keystroke. Here a row is kept by its own
        text and everything else that decides its look (the cursor if it is
        on that row, whether its line holds the cursor, width, focus,
        theme), and a change of style empties the cache. Rows this does not
        cover (a selection on their line, the placeholder, tabs) are drawn
        by the text area as before.
        """
        key = self._row_key(y)
        if key is None:
            return super().render_line(y)
        row = self._rows.get(key)
        if row is None:
            row = self._render_line(y)
            self._rows[key] = row
        return row

    def _row_key(self, y: int) -> tuple[object, ...] | None:
        """Everything row ``y`` shows, or ``None`` if it is not worth keeping."""
        wrapped = self.wrapped_document
        scroll_x, scroll_y = self.scroll_offset
        absolute_y = scroll_y + y
        if not self.soft_wrap or self.suggestion or self.show_line_numbers:
            return None
        if absolute_y >= wrapped.height:
            return None
        document = self.document
        if document.line_count == 1 and not document.get_line(0):
            return None  # the placeholder
        line_info = wrapped._offset_to_line_info[absolute_y]
        if line_info is None:
            return None
        line_index, section = line_info
        text = document.get_line(line_index)
        if "\t" in text:
            return None
        selection = self.selection
        if selection.start != selection.end:
            top, bottom = sorted(selection)
            if top[0] <= line_index <= bottom[0]:
                return None
        offsets = wrapped.get_offsets(line_index)
        start = offsets[section - 1] if section else 0
        end = offsets[section] if section < len(offsets) else len(text) + 1
        cursor_row, cursor_column = selection.end
        cursor = (
            (cursor_column - start, self._draw_cursor)
            if cursor_row == line_index and start <= cursor_column <= end
            else None
        )
        return (
            text[start:end],
            end > len(text),
            cursor,
            cursor_row == line_index,
            self.scrollable_content_region.size,
            self.size,
            scroll_x,
            self._matching_bracket_location,
            self.match_cursor_bracket,
            self.highlight_cursor_line,
            self.show_cursor,
            self.read_only,
            self.has_focus,
            self.theme,
            self.app.theme,
        )

    def notify_style_update(self) -> None:
        """Styles changed (focus, theme): every kept row may look different."""
        self._rows.clear()
        super().notify_style_update()

    def get_line(self, line_index: int) -> Text:
        """The line as the text area's own, but sharing its division into rows."""
        return _Line(self.document.get_line(line_index), self)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Leave F6 and ctrl+u to the interview screen (switch panelist, submit a domain).

        TextArea gives them to "select line" and "delete to the start of the
        line"; shift with the arrows selects, and backspace deletes.
        """
        if action in ("select_line", "delete_to_start_of_line"):
            return False
        return super().check_action(action, parameters)

    def hold(self, indicator_id: str, text: str, *, read_only: bool) -> None:
        """Load the notes of ``indicator_id`` with the cursor at the end, ready to type.

        A control character (only a store edited by hand holds one) is shown
        as a visible stand-in, and saved so if the notes are edited.
        """
        self.indicator_id = indicator_id
        self.read_only = read_only
        self.placeholder = "No notes were taken here." if read_only else TYPE_HERE
        self.load_text(clean_text(text))
        self.move_cursor(self.document.end)
        self.border_title = f"Notes · {indicator_id}"
