"""The bottom line: whether everything is saved, progress, and elapsed time.

The save state is stated honestly in words: "Saving…" while anything is not
yet on disk, "Saved 14:03:22" once it is, and a full-width "NOT SAVED" row
naming the problem while writes fail (the screen keeps the text and retries).
"""

from __future__ import annotations

import enum
from datetime import datetime

from textual.app import ComposeResult
from textual.containers import Horizontal
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
        & #save-state { width: 1fr; padding: 0 1; color: $text-muted; }
        & #progress { width: auto; padding: 0 1; }
        & #elapsed { width: auto; padding: 0 1; color: $text-muted; }
        &.-saving #save-state { color: $warning; }
        &.-saved #save-state { color: $success; }
        &.-failed #save-state { color: $error; text-style: bold; }
    }
    """

    state: reactive[SaveState] = reactive(SaveState.idle)
    """Save state shown at the left of the line."""

    def compose(self) -> ComposeResult:
        yield Static(id="save-problem")
        with Horizontal():
            yield Static("Opening…", id="save-state")
            yield Static(id="progress")
            yield Static(id="elapsed")

    def watch_state(self, old: SaveState, new: SaveState) -> None:
        self.remove_class(f"-{old.value}")
        self.add_class(f"-{new.value}")

    def _say(self, text: str) -> None:
        self.query_one("#save-state", Static).update(text)

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
        self.query_one("#progress", Static).update(text)

    def show_elapsed(self, text: str) -> None:
        """Interview and domain timers."""
        self.query_one("#elapsed", Static).update(text)
