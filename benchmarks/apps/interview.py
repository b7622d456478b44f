"""The real app with one interview open, for memory and typing-stall figures.

Usage: ``python -m benchmarks.apps.interview STORE INTERVIEW_ID MODE`` where
MODE is ``typing``: type 2,000 characters into the notes and print, as one
line of JSON, the milliseconds of every screen update (``paints``), of the
processor time the interface thread spent in each (``paint_cpu``) and of the
time it spent in each waiting for a core while runnable (``paint_wait``, from
the kernel's scheduler statistics, where it keeps them: the machine's other
processes had the cores), the generation of every garbage collection that
ran inside one (``collections``), the generation, milliseconds and
processor milliseconds of every collection on the interface thread while
typing and just after, the ones at the pauses included (``gc``; the text is
typed in bursts of 500 characters with a pause of 1.5 s after each), the
milliseconds of every message the interface thread handled and of its wait
for a core in each (``messages``, ``message_wait``), and the peak RSS in
KiB. Screen updates (layout and
painting) run from a timer, not as messages, so they are timed separately: a
slow paint is felt just the same.
"""

from __future__ import annotations

import asyncio
import sys
import time
from pathlib import Path


def _schedstat() -> Path | None:
    """The interface thread's scheduler statistics, if this kernel keeps them."""
    path = Path("/proc/thread-self/schedstat")
    try:
        return path if len(path.read_text().split()) >= 2 else None
    except OSError:
        return None


PAUSE_EVERY = 500
"""Characters typed between two pauses..."""
PAUSE_SECONDS = 1.5
"""...each long enough for the collection held back during a burst to run."""
SETTLED_SECONDS = 1.0
"""The screen is taken as opened once it has not been laid out for this long."""


async def main(store: Path, interview_id: str, mode: str) -> None:
    import gc
    import json
    import threading

    from textual.screen import Screen

    from benchmarks.apps.measure import peak_rss_kib
    from formers_tui.tui.app import make_app

    stat = _schedstat()

    def waited_ms() -> float:
        """Time this thread has spent runnable but not running, in ms (0 if unknown)."""
        return int(stat.read_text().split()[1]) / 1e6 if stat is not None else 0.0

    painting = [False]
    paints: list[float] = []
    paint_cpu: list[float] = []
    paint_wait: list[float] = []
    pauses: list[tuple[int, float, float]] = []
    """Generation, milliseconds and processor milliseconds of each collection
    on the interface thread."""
    gc_began = [0.0, 0.0]
    ui_thread = threading.main_thread()
    collections: list[int] = []
    """Generation of each garbage collection that ran during a screen update."""
    in_paint = [False]
    paint = Screen._on_timer_update
    layout = Screen._refresh_layout
    last_layout = [time.perf_counter()]

    def timed_layout(self: Screen[object], *args: object, **kwargs: object) -> None:
        last_layout[0] = time.perf_counter()
        layout(self, *args, **kwargs)  # type: ignore[arg-type]

    def timed_paint(self: Screen[object]) -> None:
        wait = waited_ms()
        began, cpu = time.perf_counter(), time.thread_time()
        in_paint[0] = True
        try:
            paint(self)
        finally:
            in_paint[0] = False
            if painting[0]:
                paints.append((time.perf_counter() - began) * 1000)
                paint_cpu.append((time.thread_time() - cpu) * 1000)
                paint_wait.append(waited_ms() - wait)

    def collected(phase: str, info: dict[str, int]) -> None:
        if phase == "start" and in_paint[0] and painting[0]:
            collections.append(info["generation"])
        if threading.current_thread() is not ui_thread:
            return
        if phase == "start":
            gc_began[:] = [time.perf_counter(), time.thread_time()]
        elif painting[0]:
            pauses.append(
                (
                    info["generation"],
                    (time.perf_counter() - gc_began[0]) * 1000,
                    (time.thread_time() - gc_began[1]) * 1000,
                )
            )

    gc.callbacks.append(collected)

    # Before the app starts: each screen binds its update timer when mounted.
    Screen._on_timer_update = timed_paint  # type: ignore[method-assign]
    Screen._refresh_layout = timed_layout  # type: ignore[method-assign]
    app = make_app(store_path=store, open_interview=interview_id, encrypt_new_store=False)
    async with app.run_test(size=(120, 40)) as pilot:
        for _ in range(200):
            await pilot.pause(0.05)
            if app.screen.__class__.__name__ == "InterviewScreen":
                break
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
        if mode == "typing":
            # Typing starts once the screen has finished opening (its footer,
            # tree and prompts laid out, the list under it read): keys that
            # land during that second share their updates with the opening.
            for _ in range(300):
                await app.workers.wait_for_complete()
                if time.perf_counter() - last_layout[0] >= SETTLED_SECONDS:
                    break
                await pilot.pause(0.05)
        messages: list[float] = []
        message_wait: list[float] = []
        if mode == "typing":
            from textual.message_pump import MessagePump

            original = MessagePump._dispatch_message

            async def timed(self: MessagePump, message: object) -> None:
                wait = waited_ms()
                began = time.perf_counter()
                try:
                    await original(self, message)  # type: ignore[arg-type]
                finally:
                    messages.append((time.perf_counter() - began) * 1000)
                    message_wait.append(waited_ms() - wait)

            text = ("The candidate described the years after leaving. " * 60)[:2000]
            keys = [char if char != " " else "space" for char in text]
            MessagePump._dispatch_message = timed  # type: ignore[method-assign]
            painting[0] = True
            try:
                for begin in range(0, len(keys), 100):
                    await pilot.press(*keys[begin : begin + 100])
                    typed = begin + 100
                    if typed % PAUSE_EVERY == 0 and typed < len(keys):
                        await pilot.pause(PAUSE_SECONDS)  # the typist stops to listen
                await pilot.pause(2.0)  # let autosave run, and the collection at the pause
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
                "paint_wait": paint_wait if stat is not None else [],
                "collections": collections,
                "gc": pauses,
                "messages": messages,
                "message_wait": message_wait if stat is not None else [],
                "peak_rss_kib": rss,
            }
        )
    )


if __name__ == "__main__":
    asyncio.run(main(Path(sys.argv[1]), sys.argv[2], sys.argv[3]))
