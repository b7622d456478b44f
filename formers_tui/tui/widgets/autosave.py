"""Autosave: everything captured reaches the store within about a second, off the UI thread.

The chair never presses a save key, so this widget (invisible; it lives in
the DOM for its timer and workers) decides when to write:

* Changes collect in an in-memory :class:`Batch`: notes and timeline facts
  keep only their latest text, discrete captures (quotes, flags, ratings...)
  queue in order.
* A ticker writes the batch 0.5 s after the last change, or 1 s after the
  first unsaved one while changes keep coming, and at once when asked (on
  navigation, after a dialog). Each write is one short transaction in a
  thread worker with a fresh session.
* One batch is in flight at a time, so writes reach the store in the order
  they were made. A failed batch goes back in memory and is retried every
  few seconds; a single change the store refuses outright is taken out and
  reported, so it cannot block the rest.
* :meth:`Autosaver.finish` writes what is left synchronously, for closing.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass

from textual import on, work
from textual.message import Message
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from formers_tui.store.capture_batch import Batch, Rejected, Write, write_batch
from formers_tui.store.failures import describe
from formers_tui.store.store import Store

QUIET_SECONDS = 0.5
"""Write this long after the last change..."""
MAX_WAIT_SECONDS = 1.0
"""...or this long after the first unsaved one, whichever comes first."""
RETRY_SECONDS = 3.0
"""Pause between attempts while writes fail."""
TICK_SECONDS = 0.1

__all__ = ["Autosaver", "Batch", "Rejected", "Write", "describe_failure", "write_batch"]


def describe_failure(error: BaseException) -> str:
    """One sentence about why a write failed (see :mod:`formers_tui.store.failures`)."""
    return describe(error)


class Autosaver(Widget):
    """Writes an interview's changes in the background; see the module docstring."""

    DEFAULT_CSS = """
    Autosaver { display: none; }
    """

    @dataclass
    class Pending(Message):
        """Changes are waiting to be written (or being written)."""

    @dataclass
    class Saved(Message):
        """A batch is in the store."""

        batch: Batch

    @dataclass
    class Failed(Message):
        """Something is not saved; it is kept in memory."""

        sentence: str
        """Why, in one sentence."""
        hint: str = "retrying"
        """What happens next."""

    @dataclass
    class Refused(Message):
        """The store refused one change for good; it was taken out of the batch."""

        kind: str
        """``timeline`` or ``write`` (refused notes stay in memory and show as Failed)."""
        key: str
        what: str
        """The change, in words (its content, so it is not lost from sight)."""
        sentence: str
        value: str = ""
        """For a timeline fact: the value that was refused."""

    def __init__(self, store: Store, interview_id: str, *, actor: str) -> None:
        """Prepare to write one interview.

        Args:
            store: the open store.
            interview_id: the full id of the interview.
            actor: who the audit log names for captures (ratings carry their own).
        """
        super().__init__()
        self._store = store
        self._interview_id = interview_id
        self._actor = actor
        self._pending = Batch()
        self._inflight: Batch | None = None
        self._lock = threading.Lock()
        self._first_change: float | None = None
        self._last_change = 0.0
        self._asap = False
        self._retry_at: float | None = None
        self._failing = False
        self._refused: dict[str, str] = {}
        """Notes the store refused (indicator id -> reason), until they are edited."""

    def on_mount(self) -> None:
        self.set_interval(TICK_SECONDS, self._tick)

    # ------------------------------------------------------------ queueing

    @property
    def unsaved(self) -> bool:
        """Whether anything is not in the store yet."""
        return not self._pending.empty or self._inflight is not None or bool(self._refused)

    def unsaved_items(self) -> tuple[dict[str, str], dict[str, str], list[str]]:
        """What is not in the store: notes, timeline values, and other captures in words."""
        with self._lock:
            batch = self._pending
            if self._inflight is not None and not self._inflight.done:
                batch = self._inflight.then(batch)
            return (
                dict(batch.notes),
                dict(batch.timeline),
                [f"{item.what}: {item.detail}" for item in batch.writes],
            )

    def discard(self) -> None:
        """Forget everything not yet written (the panel chose to, on quitting)."""
        with self._lock:
            if self._inflight is not None:
                self._inflight.claimed = True  # a queued worker must not write it
            self._pending, self._inflight = Batch(), None
            self._refused.clear()

    def note(self, indicator_id: str, text: str) -> None:
        """The notes of an indicator are now ``text`` (debounced)."""
        self._refused.pop(indicator_id, None)
        self._pending.notes[indicator_id] = text
        self._changed()

    def current(self, indicator_id: str) -> None:
        """The chair moved to ``indicator_id`` (written at once)."""
        self._pending.current = indicator_id
        self._changed(at_once=True)

    def time_spent(self, domain_id: str, seconds: float) -> None:
        """Add time spent on a domain (written with the next save)."""
        if seconds > 0:
            self._pending.seconds[domain_id] = self._pending.seconds.get(domain_id, 0.0) + seconds
            self._changed()

    def timeline(self, fact_id: str, value: str) -> None:
        """A timeline fact has a new valid value (debounced)."""
        self._pending.timeline[fact_id] = value
        self._changed()

    def write(self, item: Write) -> None:
        """Queue a discrete change (written at once)."""
        self._pending.writes.append(item)
        self._changed(at_once=True)

    def save_now(self) -> None:
        """Write without waiting for the quiet period (or the retry pause)."""
        self._asap = True

    def _changed(self, *, at_once: bool = False) -> None:
        now = time.monotonic()
        self._last_change = now
        if self._first_change is None:
            self._first_change = now
            if not self._failing:  # once per batch, not once per keystroke
                self.post_message(self.Pending())
        if at_once:
            self._asap = True

    # -------------------------------------------------------------- writing

    def _tick(self) -> None:
        if self._pending.empty or self._inflight is not None:
            return
        now = time.monotonic()
        if self._retry_at is not None and now < self._retry_at and not self._asap:
            return
        first = self._first_change if self._first_change is not None else now
        if (
            self._asap
            or self._retry_at is not None
            or now - self._last_change >= QUIET_SECONDS
            or now - first >= MAX_WAIT_SECONDS
        ):
            self._flush()

    def _flush(self) -> None:
        batch = self._pending
        self._pending = Batch()
        self._inflight = batch
        self._first_change = None
        self._asap = False
        self._retry_at = None
        self._write(batch)

    @work(thread=True, exit_on_error=False, group="save", name="save")
    def _write(self, batch: Batch) -> None:
        # Not exclusive: cancelling a thread worker does not stop its write, so
        # batches are serialised here instead and always run to the end.
        with self._lock:
            if batch.claimed:
                return
            batch.claimed = True
            write_batch(self._store, self._interview_id, batch, actor=self._actor)
            batch.done = True
        self.post_message(self.Saved(batch))

    @on(Saved)
    def _saved(self, message: Saved) -> None:
        if message.batch is self._inflight:
            self._inflight = None
        self._failing = False
        if self._refused:
            indicator_id, sentence = next(iter(self._refused.items()))
            self.post_message(
                self.Failed(f"Notes of {indicator_id}: {sentence}", hint="edit them to save")
            )
        elif not self._pending.empty:
            self.post_message(self.Pending())

    @on(Worker.StateChanged)
    def _worker_changed(self, event: Worker.StateChanged) -> None:
        event.stop()
        if event.state != WorkerState.ERROR or self._inflight is None:
            return
        batch, self._inflight = self._inflight, None
        error = event.worker.error
        retry = Batch(
            notes=dict(batch.notes),
            current=batch.current,
            seconds=dict(batch.seconds),
            timeline=dict(batch.timeline),
            writes=list(batch.writes),
        )
        if isinstance(error, Rejected):
            # One change can never be written: set it aside, write the rest at once.
            self._set_aside(retry, error)
            self._pending = retry.then(self._pending)
            if self._pending.empty:  # nothing else was waiting: all the rest is saved
                self.post_message(self.Saved(retry))
            self._asap = True
            return
        self._pending = retry.then(self._pending)
        self._retry_at = time.monotonic() + RETRY_SECONDS
        self._failing = True
        # A connection that found the file read-only stays read-only: the retry
        # opens fresh ones, so a store made writable again is written at once.
        self._store.engine.dispose()
        self.post_message(self.Failed(describe_failure(error) if error else "Unknown error"))

    def _set_aside(self, batch: Batch, rejected: Rejected) -> None:
        sentence = str(rejected.error)
        value = batch.timeline.get(rejected.key, "") if rejected.kind == "timeline" else ""
        what = batch.drop(rejected)
        if rejected.kind == "note":
            self._refused[rejected.key] = sentence  # the text stays with the screen
        else:
            self.post_message(self.Refused(rejected.kind, rejected.key, what, sentence, value))

    def finish(self) -> str | None:
        """Write everything left, in this thread (for closing); return why it failed, if it did."""
        with self._lock:  # waits for a write in progress to finish
            batch = self._pending
            inflight = self._inflight
            if inflight is not None and not inflight.done:
                inflight.claimed = True  # a queued worker must not write it again
                batch = inflight.then(batch)
            self._pending, self._inflight = Batch(), None
            while not batch.empty:
                try:
                    write_batch(self._store, self._interview_id, batch, actor=self._actor)
                    return None
                except Rejected as rejected:  # write everything else
                    what = batch.drop(rejected)
                    self.log.error(f"Not saved on closing: {what}: {rejected.error}")
                except Exception as err:
                    self._pending = batch
                    return describe_failure(err)
        return None
