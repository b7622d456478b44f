"""The real app with one interview open, for memory and typing-stall figures.

Usage: ``python -m benchmarks.apps.interview STORE INTERVIEW_ID MODE`` where
MODE is ``typing``: type 2,000 characters into the notes and print, as one
line of JSON, the milliseconds of every screen update (``paints``, and the
processor time the interface thread spent in each, ``paint_cpu``: the
difference is time the system gave to other processes), the generation of
every garbage collection that ran inside one (``collections``), the
milliseconds of every message the interface thread handled (``messages``),
and the peak RSS in KiB. Screen updates (layout and painting) run from a timer, not as
messages, so they are timed separately: a slow paint is felt just the same.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path


async def main(store: Path, interview_id: str, mode: str) -> None:
    import gc
    import json

    from textual.screen import Screen

    from benchmarks.apps.measure import peak_rss_kib
    from formers_tui.tui.app import make_app

    painting = [False]
    paints: list[float] = []
    paint_cpu: list[float] = []
    collections: list[int] = []
    """Generation of each garbage collection that ran during a screen update."""
    in_paint = [False]
    paint = Screen._on_timer_update

    def timed_paint(self: Screen[object]) -> None:
        began, cpu = time.perf_counter(), time.thread_time()
        in_paint[0] = True
        try:
            paint(self)
        finally:
            in_paint[0] = False
            if painting[0]:
                paints.append((time.perf_counter() - began) * 1000)
                paint_cpu.append((time.thread_time() - cpu) * 1000)

    def collected(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and in_paint[0] and painting[0]:
            collections.append(info["generation"])

    gc.callbacks.append(collected)

    # Before the app starts: each screen binds its update timer when mounted.
    Screen._on_timer_update = timed_paint  # type: ignore[method-assign]
    app = make_app(store_path=store, open_interview=interview_id, encrypt_new_store=False)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(200):
            await pilot.pause(0.05)
            if app.screen.__class__.__name__ == "InterviewScreen":
                break
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        messages: list[float] = []
        if mode == "typing":
            from textual.message_pump import MessagePump

            original = MessagePump._dispatch_message

            async def timed(self: MessagePump, message: object) -> None:
                began = time.perf_counter()
                try:
                    await original(self, message)  # type: ignore[arg-type]
                finally:
                    messages.append((time.perf_counter() - began) * 1000)

            text = ("The candidate described the years after leaving. " * 60)[:2000]
            keys = [char if char != " " else "space" for char in text]
            MessagePump._dispatch_message = timed  # type: ignore[method-assign]
            painting[0] = True
            try:
                for begin in range(0, len(keys), 100):
                    await pilot.press(*keys[begin : begin + 100])
                await pilot.pause(1.5)  # let autosave run
            finally:
                MessagePump._dispatch_message = original  # type: ignore[method-assign]
                painting[0] = False
            from formers_tui.tui.widgets.notes_editor import NotesEditor

            typed = app.screen.query_one(NotesEditor).text
            if text not in typed:  # the keys went somewhere else: the figures mean nothing
                raise SystemExit(f"the notes did not receive the typing: {typed[-80:]!r}")
        rss = peak_rss_kib()
    print(
        json.dumps(
            {
                "paints": paints,
                "paint_cpu": paint_cpu,
                "collections": collections,
                "messages": messages,
                "peak_rss_kib": rss,
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), sys.argv[2], sys.argv[3]))
