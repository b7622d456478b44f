"""Build realistic stores of many interviews fast, for export benchmarks.

The store is created and migrated by the application (so the schema and its
guards are the real ones), then filled with raw SQL in one transaction:
going through the store's functions would take minutes for ten thousand
interviews and measure the capture path rather than the export.

Every interview has 4 to 6 panelists, a rating per panelist and indicator of
the shipped protocol (about 5% omitted, some revised with history), domain
submissions, notes of a few hundred characters on every indicator, quotes,
collateral evidence linked to indicators, safety flags, timeline facts,
consensus, a determination and sign-offs. Most interviews are finalized,
the way an archive looks. Values follow the models' rules (omit has no
value, enums by name, UTC timestamps), so the exporters see nothing they
would not see in a real store. Fixed seeds make runs comparable.

Usage: ``python -m benchmarks.synthetic PATH N``.
"""

from __future__ import annotations

import random
import sqlite3
import sys
import uuid
from datetime import date, datetime, timedelta
from pathlib import Path

SENTENCES = (
    "Described the slow drift out of the group after a friend's arrest.",
    "Spoke about the first year out as the hardest, with few people to call.",
    "Gave specific examples of turning down invitations from old contacts.",
    "Probation officer's letter is consistent with the account given.",
    "Acknowledged the harm caused by the flyers and the online posts.",
    "Volunteers twice a month with a victim-support charity.",
    "Works full time and has been promoted to shift lead.",
    "Talked about the pull of old content when tired or stressed.",
    "Has a partner and a small circle of friends outside the movement.",
    "Could name two people to call before things escalate.",
    "Was careful not to make the story about himself.",
    "Some uncertainty about the dates in the second year; follow up with records.",
    "Reflected on how the group used grievance to recruit young people.",
    "Clear that violence was never justified, with a concrete example.",
    "Reads widely now and joined a book club at the library.",
)
NAMES = (
    "Avery Stone", "Jordan Pike", "Morgan Hale", "Riley Frost", "Casey Lund", "Quinn Marsh",
    "Reese Vale", "Skyler Bram", "Drew Ellis", "Harper Cole", "Rowan Ash", "Emerson Tate",
)  # fmt: skip
ROLES = (
    "psychologist",
    "social_worker",
    "case_manager",
    "probation_parole",
    "faith_community_leader",
    "peer_mentor",
)
SOURCES = ("court_record", "probation_parole", "treatment_provider", "employer", "reference")
RELIABILITY = ("high", "moderate", "low", "unknown")
BEARING = ("supports", "contradicts", "mixed")
FLAGS = ("suicide_self_harm", "threat_of_violence", "abuse_neglect", "other")
OUTCOMES = ("ready", "ready_with_conditions", "not_yet_ready")


def _stamp(moment: datetime) -> str:
    """A timestamp as SQLAlchemy stores it in SQLite (UTC, no offset)."""
    return moment.strftime("%Y-%m-%d %H:%M:%S.%f")


def _text(rng: random.Random, low: int, high: int) -> str:
    return " ".join(rng.choice(SENTENCES) for _ in range(rng.randint(low, high)))


def _id(rng: random.Random) -> str:
    return uuid.UUID(int=rng.getrandbits(128), version=4).hex


def build(path: Path, count: int, *, seed: int = 7) -> Path:
    """Create a store at ``path`` holding ``count`` synthetic interviews; return ``path``."""
    from formers_tui.protocol.registry import load_catalogue
    from formers_tui.store.store import Store

    Store.open(path).close()  # the real schema, migrations and guards
    loaded = load_catalogue().get("peer-mentor-readiness")
    protocol = loaded.protocol
    indicators = [i.id for i in protocol.indicators()]
    domains = [d.id for d in protocol.domains()]
    levels = list(protocol.scale.values)
    rng = random.Random(seed)
    connection = sqlite3.connect(path, isolation_level=None)
    try:
        connection.execute("PRAGMA foreign_keys = ON")
        connection.execute("BEGIN")
        connection.execute(
            "INSERT OR IGNORE INTO protocol_snapshot (sha256, text) VALUES (?, ?)",
            (loaded.sha256, loaded.text),
        )
        finalized: list[tuple[str, str]] = []
        for number in range(count):
            _interview(
                connection, rng, number, loaded.sha256, protocol.id,
                protocol.version, indicators, domains, levels, finalized,
            )  # fmt: skip
        connection.executemany(
            "UPDATE interview SET status = 'finalized', finalized_at = ? WHERE id = ?", finalized
        )
        connection.execute("COMMIT")
    finally:
        connection.close()
    return path


def _interview(
    db: sqlite3.Connection,
    rng: random.Random,
    number: int,
    protocol_hash: str,
    protocol_id: str,
    protocol_version: str,
    indicators: list[str],
    domains: list[str],
    levels: list[int],
    finalized: list[tuple[str, str]],
) -> None:
    day = date(2024, 1, 1) + timedelta(days=rng.randint(0, 900))
    start = datetime(day.year, day.month, day.day, 9, 30)
    candidate, iid = _id(rng), _id(rng)
    db.execute(
        "INSERT INTO candidate (id, code, created_at) VALUES (?, ?, ?)",
        (candidate, f"PM-{number:06d}", _stamp(start - timedelta(days=30))),
    )
    if rng.random() < 0.5:
        db.execute(
            "INSERT INTO candidate_identity VALUES (?, ?, ?, ?, ?)",
            (candidate, rng.choice(NAMES), "1985-06-01", "phone on file", ""),
        )
    status = "consensus" if rng.random() < 0.8 else "rating"
    db.execute(
        "INSERT INTO interview (id, candidate_id, status, protocol_id, protocol_version, "
        "protocol_hash, interview_date, consent_given, consent_date, "
        "current_indicator, created_at, updated_at, started_at, finalized_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, 1, ?, ?, ?, ?, ?, NULL)",
        (
            iid, candidate, status, protocol_id, protocol_version, protocol_hash,
            day.isoformat(), (day - timedelta(days=10)).isoformat(), indicators[-1],
            _stamp(start), _stamp(start + timedelta(hours=3)), _stamp(start),
        ),
    )  # fmt: skip
    size = rng.randint(4, 6)
    names = rng.sample(NAMES, size)
    panel = [(_id(rng), name) for name in names]
    db.executemany(
        "INSERT INTO panelist (id, interview_id, name, role, is_chair, position, pin_hash) "
        "VALUES (?, ?, ?, ?, ?, ?, NULL)",
        [(pid, iid, name, ROLES[i % len(ROLES)], i == 0, i) for i, (pid, name) in enumerate(panel)],
    )
    enter = date(2005, 1, 1) + timedelta(days=rng.randint(0, 2000))
    leave = enter + timedelta(days=rng.randint(300, 3000))
    db.executemany(
        "INSERT INTO timeline_entry VALUES (?, ?, ?)",
        [
            (iid, "involvement_start", enter.isoformat()),
            (iid, "depth", rng.choice(("peripheral", "member", "recruiter", "leader"))),
            (iid, "disengaged_on", leave.isoformat()),
            (iid, "involvement_notes", _text(rng, 1, 3)),
        ],
    )
    minute = timedelta(minutes=1)
    db.executemany(
        "INSERT INTO note VALUES (?, ?, ?, ?, ?)",
        [(_id(rng), iid, ind, _text(rng, 3, 8), _stamp(start + i * minute))
         for i, ind in enumerate(indicators)],
    )  # fmt: skip
    db.executemany(
        "INSERT INTO quote VALUES (?, ?, ?, ?, ?, ?)",
        [(_id(rng), iid, rng.choice(indicators), _text(rng, 1, 2), "Candidate",
          _stamp(start + rng.randint(1, 100) * minute)) for _ in range(rng.randint(2, 5))],
    )  # fmt: skip
    for _ in range(rng.randint(2, 4)):
        eid = _id(rng)
        db.execute(
            "INSERT INTO evidence VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                eid, iid, rng.choice(SOURCES), "Supervising officer",
                (day - timedelta(days=rng.randint(5, 60))).isoformat(), rng.choice(RELIABILITY),
                _text(rng, 1, 3), rng.choice(BEARING), _stamp(start - timedelta(days=2)),
            ),
        )  # fmt: skip
        db.executemany(
            "INSERT INTO evidence_link VALUES (?, ?)",
            [(eid, ind) for ind in rng.sample(indicators, rng.randint(1, 3))],
        )
    for _ in range(rng.choice((0, 0, 1, 2))):
        raised = start + rng.randint(5, 90) * minute
        db.execute(
            "INSERT INTO safety_flag VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                _id(rng), iid, rng.choice(indicators), rng.choice(FLAGS), _text(rng, 1, 2),
                panel[0][1], _stamp(raised), _stamp(raised + 20 * minute), _text(rng, 1, 1),
            ),
        )  # fmt: skip
    submitted = _stamp(start + timedelta(hours=2))
    ratings, revisions = [], []
    for pid, _name in panel:
        for ind in indicators:
            rid = _id(rng)
            value = None if rng.random() < 0.05 else rng.choice(levels)
            ratings.append(
                (rid, iid, ind, pid, value, value is None, _text(rng, 1, 2),
                 _stamp(start + timedelta(hours=2)), submitted)
            )  # fmt: skip
            if rng.random() < 0.1:
                revisions.append(
                    (_id(rng), rid, rng.choice(levels), False, _text(rng, 1, 1),
                     _stamp(start + timedelta(hours=1)), submitted, submitted)
                )  # fmt: skip
    db.executemany("INSERT INTO rating VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", ratings)
    db.executemany("INSERT INTO rating_revision VALUES (?, ?, ?, ?, ?, ?, ?, ?)", revisions)
    db.executemany(
        "INSERT INTO domain_submission VALUES (?, ?, ?, ?)",
        [(iid, pid, dom, submitted) for pid, _ in panel for dom in domains],
    )
    decided = _stamp(start + timedelta(hours=3))
    db.executemany(
        "INSERT INTO consensus (interview_id, indicator_id, value, omitted, rationale, dissent, "
        "recorded_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        [(iid, ind, rng.choice(levels), False, _text(rng, 1, 2), "", decided)
         for ind in indicators],
    )  # fmt: skip
    db.execute(
        "INSERT INTO determination (interview_id, outcome, conditions, work_on, review_date, "
        "rationale, suggested_outcome, differs_because, recorded_at) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, '', ?)",
        (iid, rng.choice(OUTCOMES), _text(rng, 0, 1), _text(rng, 0, 1),
         (day + timedelta(days=180)).isoformat(), _text(rng, 2, 4), "ready", decided),
    )  # fmt: skip
    db.executemany(
        "INSERT INTO sign_off VALUES (?, ?, ?)", [(iid, pid, decided) for pid, _ in panel]
    )
    db.executemany(
        "INSERT INTO domain_time VALUES (?, ?, ?)",
        [(iid, dom, float(rng.randint(120, 900))) for dom in domains],
    )
    if rng.random() < 0.7:
        finalized.append((decided, iid))


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print("usage: python -m benchmarks.synthetic PATH N", file=sys.stderr)
        return 2
    path, count = Path(argv[0]), int(argv[1])
    if path.exists():
        print(f"{path} already exists", file=sys.stderr)
        return 2
    build(path, count)
    print(f"{count} interviews in {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
