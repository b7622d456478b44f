"""Store size per interview, against the bytes of the data it holds.

* For each synthetic store (``benchmarks.stores.sizes()``): file size per
  interview against the payload, the summed length of every stored value.
  These stores hold finished interviews without their edit history.
* Interviews captured live through the store's own functions: notes typed
  and autosaved every few characters (as the interview screen saves while a
  person types), ratings, quotes, evidence, consensus and a determination,
  each change appended to the hash-chained audit log. The figure is the file
  growth per interview against the payload of the interview's own rows, so
  the ratio shows what the edit history costs.

The payload is measured by SQL (``SUM(LENGTH(column))`` over every column
of every table); file sizes are read after a WAL checkpoint.
"""

from __future__ import annotations

import random
import sqlite3
import tempfile
from datetime import date
from pathlib import Path

from benchmarks.common import Figure
from benchmarks.stores import sizes, synthetic_store
from benchmarks.synthetic import SENTENCES

CHAIR_PIN = "2468"
"""The chair's PIN: consensus and determination are recorded on it."""
LIVE_INTERVIEWS = 2
CHARS_PER_SAVE = 4
"""About one second of typing: the interview screen saves at least once a second."""


def _checkpointed_size(path: Path) -> int:
    connection = sqlite3.connect(path)
    try:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        page_size = connection.execute("PRAGMA page_size").fetchone()[0]
        pages = connection.execute("PRAGMA page_count").fetchone()[0]
        free = connection.execute("PRAGMA freelist_count").fetchone()[0]
    finally:
        connection.close()
    return int(page_size * (pages - free))


def _payload(path: Path, *, skip: tuple[str, ...] = ()) -> int:
    """Summed length of every value in every table (numbers by their digits)."""
    connection = sqlite3.connect(path)
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
            if name not in skip
        ]
        total = 0
        for table in tables:
            columns = [row[1] for row in connection.execute(f"PRAGMA table_info({table})")]
            if not columns:
                continue
            summed = " + ".join(f'COALESCE(SUM(LENGTH("{c}")), 0)' for c in columns)
            total += connection.execute(f'SELECT {summed} FROM "{table}"').fetchone()[0]
    finally:
        connection.close()
    return int(total)


def _synthetic_figures() -> list[Figure]:
    figures = []
    for count in sizes():
        path = synthetic_store(count)
        figures.append(
            Figure(
                f"store size per interview, {count:,} finished (no edit history)",
                _checkpointed_size(path) / count / 1024,
                "payload: summed length of its values",
                _payload(path) / count / 1024,
                unit="KiB",
            )
        )
    return figures


def _live_interview(store: object, number: int, rng: random.Random) -> None:
    """One interview captured as the app captures it, autosaves and audit entries included."""
    from formers_tui.protocol.registry import load_catalogue
    from formers_tui.store import capture, panel
    from formers_tui.store.interviews import PanelistIn, create_interview
    from formers_tui.store.models import Bearing, EvidenceSource, Outcome, Reliability, Role
    from formers_tui.store.panel_decision import record_consensus, record_determination
    from formers_tui.store.panel_view import low_critical_ratings

    loaded = load_catalogue().get("peer-mentor-readiness")
    roles = [Role.psychologist, Role.social_worker, Role.case_manager, Role.peer_mentor]
    names = [f"Panelist {n}" for n in range(len(roles))]
    with store.session() as session:  # type: ignore[attr-defined]
        iid = create_interview(
            session,
            candidate_code=f"SIZE-{number:03d}",
            protocol=loaded,
            panel=[PanelistIn(name, role) for name, role in zip(names, roles, strict=True)],
            actor="Panelist 0",
            interview_date=date(2026, 11, 2),
            consent_given=True,
        ).id
        session.commit()
    indicators = list(loaded.protocol.indicators())
    for indicator in indicators:
        note = " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(3, 8)))
        for end in [*range(CHARS_PER_SAVE, len(note), CHARS_PER_SAVE), len(note)]:
            with store.session() as session:  # type: ignore[attr-defined]
                capture.save_note(
                    session,
                    interview_id=iid,
                    indicator_id=indicator.id,
                    text=note[:end],
                    actor="Panelist 0",
                )
                session.commit()
    with store.session() as session:  # type: ignore[attr-defined]
        for _ in range(4):
            capture.add_quote(
                session,
                interview_id=iid,
                indicator_id=rng.choice(indicators).id,
                text=rng.choice(SENTENCES),
                speaker="Candidate",
                actor="Panelist 0",
            )
        for _ in range(3):
            capture.add_evidence(
                session,
                interview_id=iid,
                item=capture.EvidenceIn(
                    source_type=EvidenceSource.probation_parole,
                    informant="Supervising officer",
                    obtained_on=date(2026, 10, 1),
                    reliability=Reliability.high,
                    summary=rng.choice(SENTENCES),
                    bearing=Bearing.supports,
                    indicator_ids=(rng.choice(indicators).id,),
                ),
                actor="Panelist 0",
            )
        session.commit()
        members = [panel.find_panelist(session, iid, name) for name in names]
        for member in members:
            for domain in loaded.protocol.domains():
                for indicator in domain.indicators:
                    panel.rate(
                        session,
                        interview_id=iid,
                        panelist_id=member.id,
                        indicator_id=indicator.id,
                        value=rng.choice(list(loaded.protocol.scale.values)),
                        rationale=rng.choice(SENTENCES),
                        actor=member.name,
                    )
                panel.submit_domain(
                    session,
                    interview_id=iid,
                    panelist_id=member.id,
                    domain_id=domain.id,
                    actor=member.name,
                )
            session.commit()
        low = low_critical_ratings(session, iid, loaded.protocol)
        chair = next(m for m in members if m.is_chair)
        panel.set_pin(
            session, interview_id=iid, panelist_id=chair.id, pin=CHAIR_PIN, actor=chair.name
        )
        for indicator in indicators:
            # A low rating of a critical indicator is answered by name, as the store requires.
            weighed = f" {' and '.join(low[indicator.id])} weighed." if indicator.id in low else ""
            record_consensus(
                session,
                interview_id=iid,
                indicator_id=indicator.id,
                value=2,
                rationale=rng.choice(SENTENCES) + weighed,
                chair_pin=CHAIR_PIN,
            )
        record_determination(
            session,
            interview_id=iid,
            outcome=Outcome.ready_with_conditions,
            rationale=" ".join(SENTENCES[:4]),
            conditions=SENTENCES[5],
            chair_pin=CHAIR_PIN,
        )
        session.commit()


def _live_figure() -> Figure:
    from formers_tui.store.store import Store

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "live.db"
        Store.open(path).close()
        empty_size = _checkpointed_size(path)
        empty_payload = _payload(path)
        store = Store.open(path)
        rng = random.Random(11)
        try:
            for number in range(LIVE_INTERVIEWS):
                _live_interview(store, number, rng)
        finally:
            store.close()
        grown = (_checkpointed_size(path) - empty_size) / LIVE_INTERVIEWS
        rows = (_payload(path, skip=("audit_entry",)) - empty_payload) / LIVE_INTERVIEWS
    return Figure(
        f"store size per interview typed live (autosave every {CHARS_PER_SAVE} chars, audited)",
        grown / 1024,
        "payload of its rows, without the audit log",
        rows / 1024,
        unit="KiB",
    )


def run() -> list[Figure]:
    return [*_synthetic_figures(), _live_figure()]
