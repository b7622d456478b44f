"""One line above the notes: what has been captured for the indicator on screen.

Quotes, evidence and flags are listed in full further down the prompt pane,
which the chair rarely scrolls while the candidate talks; the strip says at
a glance that the quote just taken is there, and what else is.
"""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Static

from formers_tui.store.models import Evidence, Quote, SafetyFlag
from formers_tui.tui.widgets.formatting import one_line

NOTHING_YET = "Nothing captured here yet · ctrl+t quote · ctrl+l evidence · ctrl+f flag"


def _count(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def capture_summary(
    quotes: Sequence[Quote], evidence: Sequence[Evidence], flags: Sequence[SafetyFlag]
) -> str:
    """The strip's text: counts, the latest quote's opening words last (cut first).

    Args:
        quotes: the indicator's quotes, oldest first.
        evidence: evidence items linked to the indicator.
        flags: open safety flags raised on the indicator.
    """
    parts = []
    if flags:
        parts.append(f"⚑ {_count(len(flags), 'open flag')}")
    if evidence:
        parts.append(f"{len(evidence)} evidence")
    if quotes:
        latest = one_line(quotes[-1].text, 10_000)
        parts.append(f"{_count(len(quotes), 'quote')}, latest “{latest}”")
    if not parts:
        return NOTHING_YET
    return "Captured: " + " · ".join(parts)


class CaptureStrip(Static):
    """A single line, cut with an ellipsis when the terminal is narrow."""

    DEFAULT_CSS = """
    CaptureStrip {
        height: 1;
        padding: 0 1;
        color: $text-muted;
        text-wrap: nowrap;
        text-overflow: ellipsis;
        &.-some { color: $text; background: $accent 15%; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__("", id=id, markup=False)
        self._shown: str | None = None

    def show(
        self, quotes: Sequence[Quote], evidence: Sequence[Evidence], flags: Sequence[SafetyFlag]
    ) -> None:
        """Show what is captured; repainted only when it changed."""
        text = capture_summary(quotes, evidence, flags)
        if text == self._shown:
            return
        self._shown = text
        self.set_class(text != NOTHING_YET, "-some")
        self.update(Content(text))
