"""A batch of captures written in one transaction: what autosave holds until it is saved.

The interview screen collects what the chair types and captures in a
:class:`Batch`; its autosave widget hands the batch to :func:`write_batch`
off the UI thread. Each change goes through the store's own capture
functions (fields, the lock, signatures), so a batch obeys the same rules
as any other path; a single change the store refuses comes back as
:class:`Rejected` so the rest can still be saved.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from sqlmodel import Session

from formers_tui.errors import FormersError, ValidationError
from formers_tui.store import capture
from formers_tui.store.store import Store


@dataclass(frozen=True)
class Write:
    """One discrete change waiting to be written (a quote, a flag, a rating...)."""

    what: str
    """What it is, for messages (``Quote``)."""
    detail: str
    """Its content in a few words, so a refused write is shown, not silently lost."""
    apply: Callable[[Session], object]
    """Makes the change in the session it is given (the caller commits)."""


class Rejected(Exception):
    """A single change the store refuses outright (retrying cannot help)."""

    def __init__(self, kind: str, key: str, error: FormersError) -> None:
        super().__init__(str(error))
        self.kind = kind
        """``note``, ``timeline`` or ``write``."""
        self.key = key
        """Indicator id, fact id, or the index of the write in its batch."""
        self.error = error


@dataclass
class Batch:
    """Changes not yet in the store."""

    notes: dict[str, str] = field(default_factory=dict)
    current: str | None = None
    seconds: dict[str, float] = field(default_factory=dict)
    timeline: dict[str, str] = field(default_factory=dict)
    writes: list[Write] = field(default_factory=list)
    claimed: bool = False
    """Set (under the write lock) by whoever writes the batch, so it is written once."""
    done: bool = False
    """Set once the batch is committed."""

    @property
    def empty(self) -> bool:
        return not (self.notes or self.current or self.seconds or self.timeline or self.writes)

    @property
    def changes_records(self) -> bool:
        """Whether captures other than notes changed (the screen re-reads them)."""
        return bool(self.writes or self.timeline)

    def then(self, newer: Batch) -> Batch:
        """This (older) batch followed by ``newer``; the newer text wins."""
        merged = Batch(
            notes={**self.notes, **newer.notes},
            current=newer.current or self.current,
            seconds=dict(self.seconds),
            timeline={**self.timeline, **newer.timeline},
            writes=[*self.writes, *newer.writes],
        )
        for domain_id, seconds in newer.seconds.items():
            merged.seconds[domain_id] = merged.seconds.get(domain_id, 0.0) + seconds
        return merged

    def drop(self, rejected: Rejected) -> str:
        """Remove the change the store refused; return what it was, in words."""
        if rejected.kind == "note":
            self.notes.pop(rejected.key, None)
            return f"Notes of {rejected.key}"
        if rejected.kind == "timeline":
            value = self.timeline.pop(rejected.key, "")
            return f"Timeline {rejected.key} = {value!r}"
        item = self.writes.pop(int(rejected.key))
        return f"{item.what}: {item.detail}"


def _refuse(kind: str, key: str, write: Callable[[], object]) -> None:
    try:
        write()
    except ValidationError as err:
        raise Rejected(kind, key, err) from err


def write_batch(store: Store, interview_id: str, batch: Batch, *, actor: str) -> None:
    """Write ``batch`` in one transaction.

    Raises:
        Rejected: one change broke a rule of the store (nothing was written).
        Exception: anything else that stopped the write (locked, read-only, disk full).
    """
    with store.session() as session:
        for indicator_id, text in batch.notes.items():
            _refuse(
                "note",
                indicator_id,
                lambda: capture.save_note(
                    session,
                    interview_id=interview_id,
                    indicator_id=indicator_id,  # noqa: B023 - called at once
                    text=text,  # noqa: B023 - called at once
                    actor=actor,
                ),
            )
        if batch.current:
            capture.set_current_indicator(
                session, interview_id=interview_id, indicator_id=batch.current
            )
        for domain_id, seconds in batch.seconds.items():
            capture.add_domain_time(
                session, interview_id=interview_id, domain_id=domain_id, seconds=seconds
            )
        for fact_id, value in batch.timeline.items():
            _refuse(
                "timeline",
                fact_id,
                lambda: capture.set_timeline(
                    session,
                    interview_id=interview_id,
                    fact_id=fact_id,  # noqa: B023 - called at once
                    value=value,  # noqa: B023 - called at once
                    actor=actor,
                ),
            )
        for index, item in enumerate(batch.writes):
            _refuse("write", str(index), lambda: item.apply(session))  # noqa: B023
        session.commit()
