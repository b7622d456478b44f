"""The running-notes area: a plain TextArea that knows which indicator it holds."""

from __future__ import annotations

from textual.widgets import TextArea

TYPE_HERE = "Running notes: type here; they save themselves."


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

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Leave F6 and ctrl+u to the interview screen (switch panelist, submit a domain).

        TextArea gives them to "select line" and "delete to the start of the
        line"; shift with the arrows selects, and backspace deletes.
        """
        if action in ("select_line", "delete_to_start_of_line"):
            return False
        return super().check_action(action, parameters)

    def hold(self, indicator_id: str, text: str, *, read_only: bool) -> None:
        """Load the notes of ``indicator_id`` with the cursor at the end, ready to type."""
        self.indicator_id = indicator_id
        self.read_only = read_only
        self.placeholder = "No notes were taken here." if read_only else TYPE_HERE
        self.load_text(text)
        self.move_cursor(self.document.end)
        self.border_title = f"Notes · {indicator_id}"
