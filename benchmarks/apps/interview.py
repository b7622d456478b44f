"""The real app with one interview open, for memory and typing-stall figures.

Usage: ``python -m benchmarks.apps.interview STORE INTERVIEW_ID MODE`` where
MODE is ``memory`` (print peak RSS once the interview is on screen) or
``typing`` (type 2,000 characters into the notes and print the longest time
the interface thread spent handling one message, in milliseconds: a stall the
typist would feel; then peak RSS; then the longest screen update, also in
milliseconds). Screen updates (layout and painting) run from a timer, not as
messages, so they are timed separately: a slow paint is felt just the same.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path


async def main(store: Path, interview_id: str, mode: str) -> None:
    from textual.screen import Screen

    from benchmarks.apps.measure import peak_rss_kib
    from formers_tui.tui.app import make_app

    painting = [False]
    worst_paint = [0.0]
    paint = Screen._on_timer_update

    def timed_paint(self: Screen[object]) -> None:
        began = time.perf_counter()
        try:
            paint(self)
        finally:
            if painting[0]:
                worst_paint[0] = max(worst_paint[0], time.perf_counter() - began)

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
        stall = 0.0
        if mode == "typing":
            from textual.message_pump import MessagePump

            worst = [0.0]
            original = MessagePump._dispatch_message

            async def timed(self: MessagePump, message: object) -> None:
                began = time.perf_counter()
                try:
                    await original(self, message)  # type: ignore[arg-type]
                finally:
                    worst[0] = max(worst[0], time.perf_counter() - began)

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
            stall = worst[0] * 1000
        rss = peak_rss_kib()
    print(f"{stall:.3f} {rss} {worst_paint[0] * 1000:.3f}")


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), sys.argv[2], sys.argv[3]))
