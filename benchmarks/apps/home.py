"""The real app on its home screen: time to the first page of the list, and filter latency.

Usage: ``python -m benchmarks.apps.home STORE COUNT [FILTER ...]``. Runs the
app headless under the test pilot (120x40) on STORE, which holds COUNT
interviews, and prints one line of milliseconds:

* from the start of this process until the list's first page is on screen;
* from the moment the store is opened until then;
* for each FILTER, typed one key after another into the filter: the time
  from the last key until the narrowed list is on screen (the keys before
  it are typed and settled first, unmeasured).

"On screen" means a frame the app sent to the terminal contains it: every
frame is rendered to text and searched. The first page is there when a
frame holds the first row's candidate code (for an empty store, the hint
to start the first interview); a filter has been applied when a frame holds
the new count line above the table, which the screen writes together with
the table's rows. The benchmark picks filters that change the count.
"""

from __future__ import annotations

import time

START = time.perf_counter()

import asyncio  # noqa: E402
import re  # noqa: E402
import sys  # noqa: E402
from collections.abc import Callable  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

TIMEOUT = 60.0
"""Seconds to wait for any one thing to reach the screen before giving up."""

ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


class Frames:
    """Watches every frame the app displays for a piece of text."""

    def __init__(self) -> None:
        self.want: Callable[[], str | None] | None = None
        """Returns the text to look for, or ``None`` while it cannot be on screen yet."""
        self.seen_at: float | None = None
        """When a frame first held the wanted text."""

    def install(self) -> None:
        from textual.app import App

        original = App._display
        frames = self

        def display(app: App[Any], screen: Any, renderable: Any) -> None:
            original(app, screen, renderable)
            want = frames.want
            if want is None or frames.seen_at is not None or renderable is None:
                return
            text = want()
            if text is None:
                return
            rendered = ESCAPES.sub("", renderable.render_segments(app.console))
            if text in rendered:
                frames.seen_at = time.perf_counter()

        App._display = display  # type: ignore[method-assign, assignment]

    def expect(self, want: Callable[[], str | None]) -> None:
        self.want = want
        self.seen_at = None

    async def wait(self, pilot: Any) -> float:
        began = time.perf_counter()
        while self.seen_at is None:
            if time.perf_counter() - began > TIMEOUT:
                raise RuntimeError("the expected text never reached the screen")
            await pilot.pause(0.002)
        self.want = None
        return self.seen_at


async def main(store: Path, count: int, filters: list[str]) -> None:
    from textual.widgets import DataTable, Input, Static

    from formers_tui.tui.app import make_app
    from formers_tui.tui.screens.home import HomeScreen

    frames = Frames()
    frames.install()
    opened: list[float] = []
    original_opened = HomeScreen.store_opened

    def store_opened(self: HomeScreen, *args: Any) -> None:
        opened.append(time.perf_counter())
        original_opened(self, *args)

    HomeScreen.store_opened = store_opened  # type: ignore[method-assign, assignment]

    from formers_tui.store import quick

    original_page = quick.first_page

    def first_page_read(*args: Any) -> Any:
        opened.append(time.perf_counter())  # the list is read before the store opens
        return original_page(*args)

    quick.first_page = first_page_read  # type: ignore[assignment]

    app = make_app(store_path=store, encrypt_new_store=False)

    def first_page() -> str | None:
        if not app.is_running or not app.home.is_mounted:
            return None
        if count == 0:
            empty = app.home.query_one("#empty", Static)
            return "Press n to start" if empty.has_class("-shown") else None
        table = app.home.query_one("#interviews", DataTable)
        return str(table.get_row_at(0)[0]) if table.row_count else None

    frames.expect(first_page)
    results: list[float] = []
    async with app.run_test(size=(120, 40)) as pilot:
        shown = await frames.wait(pilot)
        results += [(shown - START) * 1000, (shown - opened[0]) * 1000]
        await app.workers.wait_for_complete()
        await pilot.pause(0.3)
        status = app.home.query_one("#status", Static)
        field = app.home.query_one("#filter", Input)
        for text in filters:
            app.home.set_focus(field)
            field.value = ""
            await pilot.pause(0.5)
            for char in text[:-1]:
                await pilot.press(char)
                await pilot.pause(0.5)
            before = str(status.content)

            def narrowed(before: str = before) -> str | None:
                now = str(status.content)
                return now if now != before else None

            frames.expect(narrowed)
            typed = time.perf_counter()
            await pilot.press(text[-1])
            shown = await frames.wait(pilot)
            results.append((shown - typed) * 1000)
        await pilot.press("escape")
    print(" ".join(f"{value:.3f}" for value in results))


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), int(sys.argv[2]), sys.argv[3:]))
