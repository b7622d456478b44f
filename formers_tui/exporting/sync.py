"""Syncing a laptop's store with the programme's server store (``formers sync``).

Laptops stay offline-first: interviews are run on a laptop's own store and,
once the panel has settled them, sent to the server; what a laptop needs from
the server (a named interview, the earlier records of a candidate coming back
for a re-interview) is taken from it. Nothing here merges by rules of its own.
Every interview crosses exactly as it would in a file, through the same code:

* a **finalized** interview as a JSON export of it (no identifying details),
  read by :func:`~formers_tui.exporting.importing.import_data`: added when
  missing, left alone when the same, refused when it differs;
* an interview still **open** as a whole-interview bundle
  (:func:`~formers_tui.exporting.bundle.build_payload`, sealed and unsealed
  so the receiving side checks its checksum and schema), merged by
  :func:`~formers_tui.exporting.bundle.merge_payload`: the bundle's rules of
  typing, its panel and signing-key checks, and the content merge of
  :mod:`~formers_tui.exporting.interview_merge`, which never overwrites and
  names what it kept.

A panelist who rated on the laptop (``as_panelist``, with their PIN) sends
their ratings of the interviews still open as their own signed bundle
(``build_payload(panelist=…)``): the server checks the signature against the
public key in its panel record and refuses a bundle edited after signing or
signed by someone else, exactly as ``formers bundle import`` does.

Before an interview leaves a store its rows are compared with that store's
audit log (:func:`~formers_tui.store.audit.verify_state`) and its log
entries' MACs are checked: a record changed outside the application (a SQL
shell, a hand-edited file) or a forged log entry is refused and never spread
to the other store. An interview both stores already hold alike is left
alone at once (nothing would be written), so a sync that changes nothing
costs one document read per side. Each interview is its own transaction on
the receiving side, so one conflict does not hold the others back, and doing
it all again changes nothing.
"""

from __future__ import annotations

import hmac
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlmodel import Session

from formers_tui.errors import FormersError, NotFoundError, ValidationError
from formers_tui.exporting.bundle import BundleReport, build_payload, merge_payload, seal, unseal
from formers_tui.exporting.document import iter_documents, table_of, to_json_value
from formers_tui.exporting.importing import ImportReport, comparable, import_data
from formers_tui.exporting.jsonfile import write_stream
from formers_tui.exporting.source import ExportOptions, ExportSource
from formers_tui.store import audit
from formers_tui.store.common import get_interview
from formers_tui.store.models import Candidate, Interview, Panelist, Rating, Status

ACTOR = "sync"
SETTLED = (Status.consensus, Status.finalized)
"""What a laptop sends: interviews the panel has settled (at consensus or finalized)."""
PUSH = "push"
PULL = "pull"


class SyncRefused(ValidationError):
    """An interview that may not cross: its record fails its store's audit log."""


@dataclass
class Outcome:
    """What happened to one interview."""

    interview_id: str
    candidate: str
    direction: str
    """:data:`PUSH` (laptop to server) or :data:`PULL` (server to laptop)."""
    result: str
    """``created``, ``merged``, ``unchanged``, ``conflict`` or ``refused``."""
    merged: dict[str, int] = field(default_factory=dict)
    """What a merge added, counted by kind."""
    sentences: list[str] = field(default_factory=list)
    """Why it conflicted or was refused, one plain sentence each."""

    @property
    def trouble(self) -> bool:
        return self.result in ("conflict", "refused")

    def to_json(self) -> dict[str, Any]:
        return {
            "interview_id": self.interview_id,
            "candidate": self.candidate,
            "direction": self.direction,
            "result": self.result,
            "merged": self.merged,
            "problems": self.sentences,
        }


@dataclass
class SyncReport:
    """Every interview a sync looked at."""

    outcomes: list[Outcome] = field(default_factory=list)

    def count(self, direction: str, *results: str) -> int:
        return sum(1 for o in self.outcomes if o.direction == direction and o.result in results)

    @property
    def changed(self) -> bool:
        return any(o.result in ("created", "merged") for o in self.outcomes)

    @property
    def troubles(self) -> list[Outcome]:
        return [o for o in self.outcomes if o.trouble]

    def to_json(self) -> dict[str, Any]:
        return {
            "changed": self.changed,
            "sent": self.count(PUSH, "created", "merged"),
            "taken": self.count(PULL, "created", "merged"),
            "unchanged": sum(1 for o in self.outcomes if o.result == "unchanged"),
            "conflicts": len(self.troubles),
            "interviews": [o.to_json() for o in self.outcomes],
        }


# --------------------------------------------------------------------------- choosing


def settled_ids(session: Session) -> list[str]:
    """The interviews a laptop sends: settled ones, oldest first."""
    table = table_of(Interview)
    query = (
        select(table.c.id)
        .where(table.c.status.in_(SETTLED))
        .order_by(table.c.interview_date, table.c.created_at, table.c.id)
    )
    return [str(i) for i in session.execute(query).scalars()]


def wanted_ids(session: Session, keys: Sequence[str], candidates: Sequence[str]) -> list[str]:
    """The server's interviews a laptop asks for: by id (or prefix), and every one of a candidate.

    Raises:
        NotFoundError: an id or candidate code the server does not know.
    """
    chosen = [get_interview(session, key).id for key in keys]
    table, people = table_of(Interview), table_of(Candidate)
    for code in candidates:
        rows = session.execute(
            select(table.c.id)
            .join(people, people.c.id == table.c.candidate_id)
            .where(people.c.code == code.strip())
            .order_by(table.c.interview_date, table.c.created_at)
        ).scalars()
        found = [str(i) for i in rows]
        if not found:
            raise NotFoundError(f"The server has no interview of candidate {code.strip()}.")
        chosen.extend(found)
    return list(dict.fromkeys(chosen))


# --------------------------------------------------------------------------- syncing


def sync(
    laptop: Session,
    server: Session,
    *,
    pull: Sequence[str] = (),
    candidates: Sequence[str] = (),
    as_panelist: tuple[str, str] | None = None,
) -> SyncReport:
    """Send the laptop's settled interviews to the server, then take the ones asked for.

    Args:
        laptop: a session on the laptop's store.
        server: a session on the server store.
        pull: ids (or unique prefixes) of server interviews to take.
        candidates: candidate codes whose every interview on the server to take.
        as_panelist: a panelist's name and PIN: also send, signed, their ratings
            and submissions of every interview still being rated that they sit on here.

    Raises:
        NotFoundError: ``pull`` or ``candidates`` names something the server lacks
            (checked before anything is sent).
    """
    wanted = wanted_ids(server, pull, candidates)
    report = SyncReport()
    for iid in settled_ids(laptop):
        report.outcomes.append(transfer(laptop, server, iid, PUSH))
    if as_panelist is not None:
        name, pin = as_panelist
        for iid, panelist_id in panelist_interviews(laptop, name):
            report.outcomes.append(send_ratings(laptop, server, iid, panelist_id, name, pin))
    for iid in wanted:
        report.outcomes.append(transfer(server, laptop, iid, PULL))
    return report


def transfer(source: Session, target: Session, iid: str, direction: str) -> Outcome:
    """Carry one interview from ``source`` to ``target`` as a file would carry it."""
    interview = source.get(Interview, iid)
    if interview is None:
        raise NotFoundError(f"No interview {iid[:8]}.")
    code = _candidate_code(source, interview)
    outcome = Outcome(iid, code, direction, "unchanged")
    try:
        there = target.get(Interview, iid)
        if there is not None and _same_on_both_sides(source, target, iid):
            return outcome  # nothing would be written, so nothing needs vouching for
        check_record(source, iid, "this store" if direction == PUSH else "the server")
        finalized = interview.status == Status.finalized
        if there is not None:
            clash = _status_clash(finalized, there.status == Status.finalized, direction)
            if clash is not None:
                return _trouble(outcome, "conflict", [clash])
        if finalized:
            _import(source, target, iid, outcome)
        else:
            _merge(source, target, iid, outcome)
    except FormersError as exc:
        target.rollback()
        return _trouble(outcome, "refused", [str(exc)])
    finally:
        source.rollback()  # nothing is written on the sending side; end its read
    return outcome


def panelist_interviews(session: Session, name: str) -> list[tuple[str, str]]:
    """The interviews still being rated that ``name`` (any case) sits on and has rated in.

    Returns their ids with ``name``'s panelist id in each.
    """
    interviews, panel = table_of(Interview), table_of(Panelist)
    ratings = table_of(Rating)
    rows = session.execute(
        select(interviews.c.id, panel.c.id, panel.c.name)
        .join(panel, panel.c.interview_id == interviews.c.id)
        .where(interviews.c.status.not_in(SETTLED))  # settled ones cross whole
        .where(select(ratings.c.id).where(ratings.c.panelist_id == panel.c.id).limit(1).exists())
        .order_by(interviews.c.interview_date, interviews.c.id)
    ).all()
    key = name.strip().casefold()
    return [(str(iid), str(pid)) for iid, pid, who in rows if str(who).casefold() == key]


def send_ratings(
    source: Session, target: Session, iid: str, panelist_id: str, name: str, pin: str
) -> Outcome:
    """Send one panelist's ratings of one interview as their signed bundle."""
    interview = source.get(Interview, iid)
    code = _candidate_code(source, interview) if interview is not None else ""
    outcome = Outcome(iid, code, PUSH, "unchanged")
    try:
        check_record(source, iid, "this store")
        payload = build_payload(source, iid, panelist=name, reader_id=panelist_id, pin=pin)
        source.commit()  # a panelist from before signing keys gets theirs now
        checked = unseal(seal(payload, audit_head=audit.head(source).text()))
        report = merge_payload(target, checked)
    except FormersError as exc:
        source.rollback()
        target.rollback()
        return _trouble(outcome, "refused", [str(exc)])
    merged = {"ratings": report.added + report.updated, "domain submissions": report.submissions}
    outcome.merged = {k: v for k, v in merged.items() if v}
    if report.changed:
        outcome.result = "merged"
    if report.conflicts:
        _trouble(outcome, "conflict", [_conflict_sentence(c) for c in report.conflicts])
    return outcome


def _trouble(outcome: Outcome, result: str, sentences: list[str]) -> Outcome:
    outcome.result = result
    outcome.sentences = sentences
    return outcome


def _candidate_code(session: Session, interview: Interview) -> str:
    candidate = session.get(Candidate, interview.candidate_id)
    return candidate.code if candidate is not None else ""


def _same_on_both_sides(source: Session, target: Session, iid: str) -> bool:
    """Whether both stores hold the interview alike (identifying details aside)."""

    def document(session: Session) -> dict[str, Any]:
        doc = next(iter_documents(session, [iid], identifying=False, full=True))
        return comparable(to_json_value(doc))

    return document(source) == document(target)


def _status_clash(source_final: bool, target_final: bool, direction: str) -> str | None:
    """A sentence when one side finalized the interview and the other still has it open."""
    if source_final == target_final:
        return None
    here, server = "in this store", "on the server"
    source, target = (here, server) if direction == PUSH else (server, here)
    if target_final:
        return f"It is finalized {target} but still open {source}; the finalized record is kept."
    return (
        f"It is finalized {source} but still open {target}: a finalized record does not "
        "replace an open one; finish the interview in one place, then sync again."
    )


def check_record(session: Session, iid: str, where: str) -> None:
    """Refuse an interview whose rows or log entries its own audit log does not vouch for.

    Raises:
        SyncRefused: a row differs from its last logged value, exists without
            an entry, was removed without one, or an entry's MAC is wrong.
    """
    for mismatch in audit.verify_state(session, iid):
        what = mismatch.entity.replace("_", " ")
        fields = f" ({', '.join(mismatch.changed)})" if mismatch.changed else ""
        raise SyncRefused(
            f"Its {what} {mismatch.key[:8]}{fields} {mismatch.reason} in {where}'s audit log: "
            "it was changed outside the app, so it was not synced "
            "('formers audit verify' says more)."
        )
    broken = _forged_entries(session, iid)
    if broken:
        raise SyncRefused(
            f"Its audit entry {broken[0]} in {where} does not carry the log's MAC: the log was "
            "edited outside the app, so it was not synced ('formers audit verify' says more)."
        )


def _forged_entries(session: Session, iid: str) -> list[int]:
    """The interview's keyed log entries whose MAC does not verify."""
    from formers_tui.store.audit import _seal_row  # one reader of the seal row

    seal_row = _seal_row(session.connection())
    keyed_from = seal_row.legacy_until if seal_row is not None else 0
    key = audit.log_key(session)
    return [
        int(entry.seq or 0)
        for entry in audit.history(session, iid)
        if (entry.seq or 0) > keyed_from
        and not hmac.compare_digest(audit.entry_mac(key, entry), entry.hash)
    ]


def export_data(session: Session, iid: str) -> Any:
    """The JSON export of one interview, without identifying details, as parsed data."""
    source = ExportSource(session=session, ids=[iid], options=ExportOptions(identifying=False))
    buffer = io.StringIO()
    write_stream(source, buffer)
    return json.loads(buffer.getvalue())


def _import(source: Session, target: Session, iid: str, outcome: Outcome) -> None:
    what = f"Interview {iid[:8]}"
    report: ImportReport = import_data(target, export_data(source, iid), what=what, actor=ACTOR)
    outcome.result = "created" if report.created else "unchanged"


def _merge(source: Session, target: Session, iid: str, outcome: Outcome) -> None:
    payload = build_payload(source, iid, with_ratings=True, reader_id=None)
    checked = unseal(seal(payload, audit_head=audit.head(source).text()))
    report: BundleReport = merge_payload(target, checked)
    problems = [
        *(_in_sync_words(n) for n in report.not_merged),
        *(_conflict_sentence(c) for c in report.conflicts),
    ]
    if report.created_interview:
        outcome.result = "created"
    elif report.changed:
        outcome.result = "merged"
        outcome.merged = dict(report.merged)
    if problems:
        outcome.result = "conflict"
        outcome.sentences = problems


SYNC_WORDS = (
    ("panelist's own signed bundle", "panelist's own signed ratings (formers sync --as NAME)"),
    ("the bundle's", "the sending store's"),
    ("in the bundle", "in the sending store"),
)
"""The merge names its source a bundle; in a sync the source is the other store."""


def _in_sync_words(sentence: str) -> str:
    for bundle_words, sync_words in SYNC_WORDS:
        sentence = sentence.replace(bundle_words, sync_words)
    return sentence


def _conflict_sentence(conflict: Any) -> str:
    return (
        f"{conflict.panelist}'s rating of {conflict.indicator_id} is {conflict.bundle} in the "
        f"sending store but {conflict.here} in the receiving one; the receiving store's is kept."
    )


def describe(outcome: Outcome) -> str:
    """One line saying what happened to an interview, for the command's output."""
    name = f"interview {outcome.interview_id[:8]} ({outcome.candidate})"
    towards = "to the server" if outcome.direction == PUSH else "from the server"
    verb = "Sent" if outcome.direction == PUSH else "Took"
    if outcome.result == "created":
        return f"{verb} {name} {towards}: new {'there' if outcome.direction == PUSH else 'here'}."
    if outcome.result == "merged":
        what = ", ".join(f"{n} {kind}" for kind, n in sorted(outcome.merged.items()))
        return f"{verb} {name} {towards}: merged ({what or 'ratings'})."
    if outcome.result == "unchanged":
        return f"{name[:1].upper()}{name[1:]} is the same on both sides."
    where = "the server" if outcome.direction == PUSH else "this store"
    head = (
        f"Not synced, {name}: "
        if outcome.result == "refused"
        else f"Conflict, {name} ({where} keeps its own): "
    )
    return head + " ".join(
        _lower_first(s) if i == 0 else s for i, s in enumerate(outcome.sentences)
    )


def _lower_first(text: str) -> str:
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def summary(report: SyncReport) -> str:
    """The closing sentence: what changed, or that nothing did."""
    sent = report.count(PUSH, "created", "merged")
    taken = report.count(PULL, "created", "merged")
    same = sum(1 for o in report.outcomes if o.result == "unchanged")
    troubles = len(report.troubles)
    if not report.changed and not troubles:
        if not report.outcomes:
            return "Nothing to sync: this store has no settled interview and none was asked for."
        return (
            f"Nothing to sync: the server and this store already agree on "
            f"{_plural(same, 'interview')}."
        )
    parts = [
        f"{verb} {_plural(count, 'interview')}"
        for verb, count in (("sent", sent), ("took", taken))
        if count
    ]
    if same:
        parts.append(f"{same} already the same on both sides")
    text = "; ".join(parts or ["nothing changed"])
    text = text[:1].upper() + text[1:] + "."
    if troubles:
        text += (
            f" {_plural(troubles, 'interview')} not fully synced (above); nothing was overwritten."
        )
    return text


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def lines(report: SyncReport) -> Iterable[str]:
    """What the command prints: each interview that changed or conflicted, then the summary."""
    for outcome in report.outcomes:
        if outcome.result != "unchanged":
            yield describe(outcome)
    yield summary(report)
