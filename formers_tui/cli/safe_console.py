"""The Rich console behind :func:`formers_tui.cli.output.console` (imported only to print)."""

from __future__ import annotations

from typing import Any

from rich.console import Console, ConsoleOptions, ConsoleRenderable, RenderHook, RenderResult
from rich.measure import Measurement
from rich.segment import Segment
from rich.text import Text

from formers_tui.sanitize import clean_text


class _Cleaned:
    """A renderable whose text segments are passed through :func:`clean_text`."""

    def __init__(self, inner: ConsoleRenderable) -> None:
        self.inner = inner

    def __rich_console__(self, console: Console, options: ConsoleOptions) -> RenderResult:
        for segment in console.render(self.inner, options):
            if segment.control or not segment.text:
                yield segment
            else:
                yield Segment(clean_text(segment.text), segment.style)

    def __rich_measure__(self, console: Console, options: ConsoleOptions) -> Measurement:
        return Measurement.get(console, options, self.inner)


class _CleanHook(RenderHook):
    def process_renderables(self, renderables: list[ConsoleRenderable]) -> list[ConsoleRenderable]:
        return [_Cleaned(r) for r in renderables]


class SafeConsole(Console):
    """A Rich console that reads no markup and shows control characters as text.

    Strings (``print("...")``, table cells, titles) are cleaned before Rich
    measures them, so columns line up; anything else, such as a ``Text``
    built by a command, is cleaned segment by segment on the way out.
    """

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("markup", False)
        kwargs.setdefault("highlight", False)
        kwargs.setdefault("emoji", False)
        super().__init__(**kwargs)
        self.push_render_hook(_CleanHook())

    def render_str(self, text: str, **kwargs: Any) -> Text:
        kwargs["markup"] = False
        kwargs["emoji"] = False
        return super().render_str(clean_text(text), **kwargs)
