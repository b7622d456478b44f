"""A banner that keeps open safety flags in view until they are resolved."""

from __future__ import annotations

from collections.abc import Sequence

from textual.content import Content
from textual.widgets import Static

from formers_tui.store.capture import FLAG_LABELS
from formers_tui.store.models import SafetyFlag
from formers_tui.tui.widgets.formatting import local, one_line


class FlagBanner(Static):
    """Open safety flags, most recent last; hidden when there are none."""

    DEFAULT_CSS = """
    FlagBanner {
        display: none;
        height: auto;
        max-height: 4;
        padding: 0 1;
        background: $error;
        color: $text;
        &.-open { display: block; }
    }
    """

    def __init__(self, resolve_key: str, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._resolve_key = resolve_key

    def show_flags(self, flags: Sequence[SafetyFlag]) -> None:
        """Show ``flags`` (the open ones); an empty list hides the banner."""
        self.set_class(bool(flags), "-open")
        if not flags:
            self.update("")
            return
        count = len(flags)
        head = "OPEN SAFETY FLAG" if count == 1 else f"{count} OPEN SAFETY FLAGS"
        lines = [
            Content.from_markup(
                "[b]⚑ $head[/] — consult the team now · $key resolve",
                head=head,
                key=self._resolve_key,
            )
        ]
        for flag in flags[-2:]:
            note = f": {one_line(flag.note, 60)}" if flag.note else ""
            lines.append(
                Content.from_markup(
                    "  $time $kind$note",
                    time=local(flag.raised_at).strftime("%H:%M"),
                    kind=FLAG_LABELS[flag.kind],
                    note=note,
                )
            )
        if count > 2:
            lines.append(Content(f"  … and {count - 2} earlier"))
        self.update(Content("\n").join(lines))
