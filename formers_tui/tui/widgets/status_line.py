"""The bottom line: whether everything is saved, progress, and elapsed time.

The save state is stated honestly in words: "Saving…" while anything is not
yet on disk, "Saved 14:03:22" once it is, and a full-width "NOT SAVED" row
naming the problem while writes fail (the screen keeps the text and retries).

While someone types, the state flips between "Saving…" and "Saved" about once
a second, so that flip must cost next to nothing: its colour travels in the
text itself. Changing a CSS class instead re-applies the stylesheet to the
whole line, several milliseconds on the interface thread every time. Only
the failed state, which shows an extra row, changes a class.
"""

from __future__ import annotations

import enum
from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.content import Content
from textual.reactive import reactive
from textual.widget import Widget
from textual.widgets import Static

from formers_tui.tui.widgets.formatting import clock


class SaveState(enum.Enum):
    """Where the captured text stands with respect to the store."""

    idle = "idle"
    """Opened; nothing changed yet."""
    saving = "saving"
    """Changes are waiting for, or in, a write."""
    saved = "saved"
    """Every change so far is in the store."""
    failed = "failed"
    """The last write failed; changes are held in memory and retried."""
    read_only = "read_only"
    """The interview is finalized; nothing can be written."""


STATE_STYLES: dict[SaveState, str] = {
    SaveState.saving: "$warning",
    SaveState.saved: "$success",
}
"""Colour of the words of the states that alternate while typing; the others
take the line's muted colour, or the failed row's, from the CSS."""


class StatusLine(Widget):
    """Save state, progress summary and timers, for the bottom of the screen."""

    DEFAULT_CSS = """
    StatusLine {
        height: auto;
        & > #save-problem {
            display: none;
            width: 1fr;
            padding: 0 1;
            background: $error;
            color: $text;
            text-style: bold;
        }
        &.-failed > #save-problem { display: block; }
        & > Horizontal { height: 1; background: $panel; }
        & #save-state { width: 1fr; height: 1; padding: 0 1; color: $text-muted; }
        & #progress { width: auto; padding: 0 1; }
        & #elapsed { width: auto; padding: 0 1; color: $text-muted; }
        &.-failed #save-state { color: $error; text-style: bold; }
    }
    """

    state: reactive[SaveState] = reactive(SaveState.idle)
    """Save state shown at the left of the line."""

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        # Kept by reference: updated every second or so, no query each time.
        self._state_label = Static("Opening…", id="save-state")
        self._progress = Static(id="progress")
        self._elapsed = Static(id="elapsed")
        self._shown_elapsed = ""

    def compose(self) -> ComposeResult:
        yield Static(id="save-problem")
        with Horizontal():
            yield self._state_label
            yield self._progress
            yield self._elapsed

    def watch_state(self, new: SaveState) -> None:
        self.set_class(new is SaveState.failed, "-failed")

    def _say(self, text: str) -> None:
        # One fixed-size row: no layout pass needed, only a repaint.
        style = STATE_STYLES.get(self.state)
        self._state_label.update(Content.styled(text, style) if style else text, layout=False)

    def show_idle(self) -> None:
        """Nothing to save yet."""
        self.state = SaveState.idle
        self._say("No changes yet")

    def show_saving(self) -> None:
        """Changes are pending or being written."""
        if self.state in (SaveState.failed, SaveState.saving):
            return  # keep a problem visible until a write succeeds
        self.state = SaveState.saving
        self._say("Saving…")

    def show_saved(self, at: datetime) -> None:
        """Everything is in the store as of ``at``."""
        self.state = SaveState.saved
        self._say(f"Saved {clock(at)}")

    def show_failed(self, sentence: str, *, hint: str = "retrying") -> None:
        """A write failed with ``sentence``; changes are kept in memory.

        Args:
            sentence: why, in one sentence.
            hint: what happens next (``retrying``, or what the user should do).
        """
        self.state = SaveState.failed
        self._say("NOT SAVED")
        reason = sentence.strip().rstrip(".")
        self.query_one("#save-problem", Static).update(
            f"NOT SAVED — {reason}; {hint}. Your text is kept."
        )

    def show_read_only(self) -> None:
        """Finalized: nothing is written."""
        self.state = SaveState.read_only
        self._say("Read-only")

    def show_progress(self, text: str) -> None:
        """Progress summary (notes, ratings, open flags)."""
        self._progress.update(text)

    def show_elapsed(self, text: str) -> None:
        """Interview and domain timers.

        They tick every second; the line is laid out again only when the
        text's width changes (``9:59`` to ``10:00``), otherwise just repainted.
        """
        resized = len(text) != len(self._shown_elapsed)
        self._shown_elapsed = text
        self._elapsed.update(text, layout=resized)
