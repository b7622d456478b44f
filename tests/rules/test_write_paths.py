"""Every write path × every lock state: what the rules let through, withdraw or refuse.

Lock states: ``open`` (decided, nobody signed), ``signed`` (decided, the chair
signed: a partial sign-off) and ``finalized`` (everyone signed). A change to
what the panel signs withdraws every signature; a change to where the
interview is, or to a PIN, leaves them; nothing changes a finalized record.
Import and bundles are held to the same rules as the screens and commands.
"""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from formers_tui.cli import app
from formers_tui.errors import FormersError, LockedError, ValidationError
from formers_tui.exporting.bundle import build_payload, merge_payload
from formers_tui.exporting.importing import import_data
from formers_tui.exporting.jsonfile import export_json
from formers_tui.exporting.source import ExportSource
from formers_tui.protocol.loader import load_path
from formers_tui.store import capture, panel, panel_decision
from formers_tui.store.common import get_interview
from formers_tui.store.interviews import PanelistIn, create_interview, interview_header
from formers_tui.store.models import (
    AuditEntry,
    Bearing,
    EvidenceSource,
    FlagKind,
    Outcome,
    Reliability,
    Role,
    SignOff,
)
from formers_tui.store.panel import PinError
from formers_tui.store.store import Store
from tests.conftest import FIXTURES
from tests.pg import Cluster

ANN, BO = "Ann Lee", "Bo Ray"
PINS = {ANN: "1111", BO: "2222"}
INDICATORS = ("ONE-1", "ONE-2", "TWO-1", "THREE-1")
DOMAINS = ("one", "two", "three")
STATES = ("open", "signed", "finalized")


def copy(source: Path, target: Path) -> Path:
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    return target


def members(session: Session, iid: str) -> dict[str, str]:
    interview = get_interview(session, iid)
    return {p.name: p.id for p in interview_header(session, interview).panel}


Place = Path | str
"""A store file, or a server database's URL."""


def build(
    new: Callable[[str], Place], clone: Callable[[Place, str], Place]
) -> tuple[dict[str, Place], str, str]:
    """The three stores, the interview id and an evidence id (for the links).

    ``new(state)`` gives an empty store's place; ``clone(place, state)`` a copy of one.
    """
    path = new("open")
    store = Store.open(path)
    try:
        with store.session() as session:
            interview = create_interview(
                session,
                candidate_code="PM-LOCK",
                protocol=load_path(FIXTURES / "mini-protocol.toml"),
                panel=[PanelistIn(ANN, Role.psychologist, True), PanelistIn(BO, Role.other)],
                actor="test",
                interview_date=date(2026, 11, 2),
                consent_given=True,
            )
            iid = interview.id
            who = members(session, iid)
            for name, pid in who.items():
                panel.set_pin(
                    session, interview_id=iid, panelist_id=pid, pin=PINS[name], actor=name
                )
                for indicator in INDICATORS:
                    panel.rate(
                        session, interview_id=iid, panelist_id=pid, indicator_id=indicator,
                        value=2, rationale="seen", actor=name,
                    )  # fmt: skip
                for domain in DOMAINS:
                    panel.submit_domain(
                        session, interview_id=iid, panelist_id=pid, domain_id=domain, actor=name
                    )
            evidence = capture.add_evidence(
                session,
                interview_id=iid,
                item=capture.EvidenceIn(
                    EvidenceSource.employer,
                    "Boss",
                    None,
                    Reliability.high,
                    "Steady.",
                    Bearing.supports,
                    ("ONE-1",),
                ),  # fmt: skip
                actor=ANN,
            )
            capture.raise_flag(
                session, interview_id=iid, kind=FlagKind.other, note="asked", actor=ANN
            )
            for indicator in INDICATORS:
                panel_decision.record_consensus(
                    session, interview_id=iid, indicator_id=indicator, value=2,
                    rationale="agreed", chair_pin=PINS[ANN],
                )  # fmt: skip
            outcome = Outcome(panel_decision.suggestion(session, iid).outcome.value)
            panel_decision.record_determination(
                session, interview_id=iid, outcome=outcome, rationale="As advised.",
                chair_pin=PINS[ANN],
                conditions="Supervision." if outcome is Outcome.ready_with_conditions else "",
                work_on="Time." if outcome is Outcome.not_yet_ready else "",
            )  # fmt: skip
            session.commit()
            evidence_id = evidence.id
    finally:
        store.close()
    paths = {"open": path}
    for state, signers in (("signed", (ANN,)), ("finalized", (ANN, BO))):
        paths[state] = clone(path, state)
        store = Store.open(paths[state])
        try:
            with store.session() as session:
                who = members(session, iid)
                for name in signers:
                    panel_decision.sign_off(
                        session, interview_id=iid, panelist_id=who[name], pin=PINS[name],
                        actor=name,
                    )  # fmt: skip
                session.commit()
        finally:
            store.close()
    return paths, iid, evidence_id


@pytest.fixture(scope="module")
def templates(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict[str, Path], str, str]:
    folder = tmp_path_factory.mktemp("locks")
    places, iid, evidence = build(
        lambda state: folder / f"{state}.db",
        lambda source, state: copy(Path(source), folder / f"{state}.db"),
    )
    return {state: Path(place) for state, place in places.items()}, iid, evidence


@pytest.fixture(scope="module")
def server_templates(pg_cluster: Cluster) -> tuple[dict[str, str], str, str]:
    """The three stores as server databases (nobody connected: each test copies one)."""
    places, iid, evidence = build(
        lambda _state: pg_cluster.url(pg_cluster.fresh_database()),
        lambda source, _state: pg_cluster.url(
            pg_cluster.copy_database(pg_cluster.name_of(str(source)))
        ),
    )
    return {state: str(place) for state, place in places.items()}, iid, evidence


Write = Callable[[Session, str, dict[str, str], str], object]


def flag_of(session: Session, iid: str) -> str:
    return capture.flags_of(session, iid, open_only=True)[0].id


WRITES: dict[str, tuple[Write, bool]] = {
    # name: (the write, whether it changes what the panel signs)
    "note": (lambda s, i, m, e: capture.save_note(
        s, interview_id=i, indicator_id="ONE-1", text="A late thought.", actor=ANN), True),
    "quote": (lambda s, i, m, e: capture.add_quote(
        s, interview_id=i, indicator_id="ONE-1", text="I left.", speaker="C", actor=ANN), True),
    "evidence": (lambda s, i, m, e: capture.add_evidence(s, interview_id=i, item=capture.EvidenceIn(
        EvidenceSource.reference, "Ref", None, Reliability.low, "Vague.", Bearing.mixed),
        actor=ANN), True),
    "evidence links": (lambda s, i, m, e: capture.set_evidence_links(
        s, interview_id=i, evidence_id=e, indicator_ids=["TWO-1"], actor=ANN), True),
    "timeline": (lambda s, i, m, e: capture.set_timeline(
        s, interview_id=i, fact_id="involvement_start", value="2005-01-01", actor=ANN), True),
    "raise flag": (lambda s, i, m, e: capture.raise_flag(
        s, interview_id=i, kind=FlagKind.other, note="new worry", actor=ANN), True),
    "resolve flag": (lambda s, i, m, e: capture.resolve_flag(
        s, interview_id=i, flag_id=flag_of(s, i), action_taken="talked", actor=ANN), True),
    "consensus": (lambda s, i, m, e: panel_decision.record_consensus(
        s, interview_id=i, indicator_id="ONE-1", value=3, rationale="re-read",
        chair_pin=PINS[ANN]), True),
    "where the interview is": (lambda s, i, m, e: capture.set_current_indicator(
        s, interview_id=i, indicator_id="TWO-1"), False),
    "time spent": (lambda s, i, m, e: capture.add_domain_time(
        s, interview_id=i, domain_id="one", seconds=5.0), False),
    "a PIN": (lambda s, i, m, e: panel.set_pin(
        s, interview_id=i, panelist_id=m[BO], pin="9999", current_pin=PINS[BO], actor=BO), False),
}  # fmt: skip


def signatures(store: Store, iid: str) -> int:
    with store.session() as session:
        return len(session.exec(select(SignOff).where(SignOff.interview_id == iid)).all())


@pytest.fixture
def stores(
    templates: tuple[dict[str, Path], str, str], tmp_path: Path
) -> Iterator[Callable[[str], Store]]:
    opened: list[Store] = []

    def open_copy(state: str) -> Store:
        store = Store.open(copy(templates[0][state], tmp_path / f"{state}.db"), daily=False)
        opened.append(store)
        return store

    yield open_copy
    for store in opened:
        store.close()


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("write", list(WRITES))
def test_each_write_in_each_lock_state(
    templates: tuple[dict[str, Path], str, str],
    stores: Callable[[str], Store],
    write: str,
    state: str,
) -> None:
    _paths, iid, evidence = templates
    check_write(stores(state), iid, evidence, write, state)


@pytest.mark.parametrize("write", list(WRITES))
def test_each_write_on_a_signed_record_on_the_server(
    server_templates: tuple[dict[str, str], str, str], pg_cluster: Cluster, write: str
) -> None:
    """The same rules on PostgreSQL: each write, and the signature it withdraws or leaves."""
    places, iid, evidence = server_templates
    name = pg_cluster.copy_database(pg_cluster.name_of(places["signed"]))
    store = Store.open(pg_cluster.url(name))
    try:
        check_write(store, iid, evidence, write, "signed")
    finally:
        store.close()
        pg_cluster.drop_database(name)


def check_write(store: Store, iid: str, evidence: str, write: str, state: str) -> None:
    """Make ``write`` in a store at ``state``; check what it did to the signatures."""
    change, signed_content = WRITES[write]
    before = signatures(store, iid)
    with store.session() as session:
        who = members(session, iid)
        if state == "finalized":
            with pytest.raises(LockedError, match="finalized and cannot be changed"):
                change(session, iid, who, evidence)
            return
        change(session, iid, who, evidence)
        session.commit()
    after = signatures(store, iid)
    if state == "open":
        assert before == after == 0
    elif signed_content:
        assert (before, after) == (1, 0), f"{write} left a signature standing"
        with store.session() as session:
            withdrawn = session.exec(
                select(AuditEntry).where(
                    AuditEntry.entity == "sign_off", AuditEntry.action == "delete"
                )
            ).all()
        entry = withdrawn[-1]
        assert "withdrawn_because" in (entry.old or "") + (entry.new or "")
    else:
        assert (before, after) == (1, 1), f"{write} withdrew a signature"


@pytest.mark.parametrize("state", STATES)
def test_rating_and_submitting_after_consensus_are_refused_everywhere(
    templates: tuple[dict[str, Path], str, str], stores: Callable[[str], Store], state: str
) -> None:
    _paths, iid, _evidence = templates
    store = stores(state)
    with store.session() as session:
        who = members(session, iid)
        expected = LockedError if state == "finalized" else ValidationError
        with pytest.raises(expected):
            panel.rate(
                session, interview_id=iid, panelist_id=who[BO], indicator_id="ONE-1", value=0,
                rationale="changed my mind", actor=BO,
            )  # fmt: skip
    assert signatures(store, iid) == {"open": 0, "signed": 1, "finalized": 2}[state]


@pytest.mark.parametrize("state", ("signed", "finalized"))
def test_import_and_bundles_cannot_change_a_signed_record(
    templates: tuple[dict[str, Path], str, str],
    stores: Callable[[str], Store],
    tmp_path: Path,
    state: str,
) -> None:
    _paths, iid, _evidence = templates
    store = stores(state)
    out = tmp_path / "export.json"
    with store.session() as session:
        export_json(ExportSource(session=session, ids=[iid]), out)
    data = json.loads(out.read_text(encoding="utf-8"))
    data["interviews"][0]["notes"] = [
        {**n, "text": n["text"] + " forged"} for n in data["interviews"][0]["notes"]
    ] or data["interviews"][0]["notes"]
    data["interviews"][0]["timeline"] = {"involvement_start": "1999-01-01"}
    with store.session() as session, pytest.raises(FormersError):
        import_data(session, data, what="forged.json")
    if state == "signed":
        with store.session() as session:
            who = members(session, iid)
            payload = build_payload(session, iid, panelist=BO, reader_id=who[BO], pin=PINS[BO])
        for rating in payload["ratings"]:
            rating["value"], rating["rationale"] = 0, "by bundle"
        with store.session() as session:
            try:
                merge_payload(session, payload)
            except FormersError:
                pass
    with store.session() as session:
        assert {
            r.value for r in panel.visible_ratings(session, iid, members(session, iid)[BO], "one")
        } == {2}
    assert signatures(store, iid) == {"signed": 1, "finalized": 2}[state]


# ---------------------------------------------------------------------- the decision


def test_consensus_and_determination_need_the_chairs_pin(
    templates: tuple[dict[str, Path], str, str], stores: Callable[[str], Store]
) -> None:
    _paths, iid, _evidence = templates
    store = stores("open")
    with store.session() as session:
        with pytest.raises(PinError, match=f"Wrong PIN for {ANN}."):
            panel_decision.record_consensus(
                session, interview_id=iid, indicator_id="ONE-1", value=3, rationale="r",
                chair_pin=PINS[BO],  # a panelist's own PIN is not the chair's
            )  # fmt: skip
        outcome = Outcome(panel_decision.suggestion(session, iid).outcome.value)
        with pytest.raises(PinError, match=f"Wrong PIN for {ANN}."):
            panel_decision.record_determination(
                session, interview_id=iid, outcome=outcome, rationale="r", chair_pin="0000",
                conditions="c" if outcome is Outcome.ready_with_conditions else "",
                work_on="w" if outcome is Outcome.not_yet_ready else "",
            )  # fmt: skip
        panel_decision.record_consensus(
            session, interview_id=iid, indicator_id="ONE-1", value=3, rationale="r",
            chair_pin=PINS[ANN],
        )  # fmt: skip
        session.commit()
        entry = session.exec(
            select(AuditEntry)
            .where(AuditEntry.entity == "consensus")
            .order_by(AuditEntry.seq.desc())  # type: ignore[union-attr]
        ).first()
    assert entry is not None and entry.actor == ANN  # the chair, whoever was at the keyboard


def test_a_flag_raised_before_anyone_identified_is_not_the_chairs(
    templates: tuple[dict[str, Path], str, str], stores: Callable[[str], Store]
) -> None:
    from formers_tui.store.rules.writes import UNIDENTIFIED, attributed

    assert attributed(None) == attributed("  ") == UNIDENTIFIED
    assert attributed(BO) == BO


# ---------------------------------------------------------------------------- restore

runner = CliRunner()


def test_restore_never_silently_unfinalizes(
    templates: tuple[dict[str, Path], str, str], tmp_path: Path
) -> None:
    paths, iid, _evidence = templates
    store = copy(paths["finalized"], tmp_path / "store.db")
    backup = copy(paths["signed"], tmp_path / "before-finalizing.db")
    result = runner.invoke(app, ["--db", str(store), "db", "restore", str(backup)])
    assert result.exit_code == 2 and result.stderr.count("\n") == 1, result.output
    assert f"would undo the finalization of 1 interview ({iid[:8]})" in result.stderr
    assert "--force" in result.stderr
    shown = runner.invoke(app, ["--db", str(store), "show", iid, "--json"])
    assert json.loads(shown.stdout)["status"] == "finalized"  # untouched

    result = runner.invoke(app, ["--db", str(store), "db", "restore", str(backup), "--force"])
    assert result.exit_code == 0, result.output
    shown = runner.invoke(app, ["--db", str(store), "show", iid, "--json"])
    assert json.loads(shown.stdout)["status"] == "consensus"
    history = runner.invoke(app, ["--db", str(store), "audit", "show", iid, "--json"])
    forced = [e for e in json.loads(history.stdout) if e["action"] == "restore"]
    assert len(forced) == 1 and forced[0]["new"]["restored_from"] == backup.name
    assert forced[0]["new"]["forced"] is True
    verified = runner.invoke(app, ["--db", str(store), "audit", "verify"])
    assert verified.exit_code == 0, verified.output


def test_restoring_a_later_copy_needs_no_force(
    templates: tuple[dict[str, Path], str, str], tmp_path: Path
) -> None:
    paths, _iid, _evidence = templates
    store = copy(paths["signed"], tmp_path / "store.db")
    backup = copy(paths["finalized"], tmp_path / "later.db")
    result = runner.invoke(app, ["--db", str(store), "db", "restore", str(backup)])
    assert result.exit_code == 0, result.output
