"""Bundles obey the rules of typing: reveal, consensus, determination, submissions, status.

Every interview here is built through the application's own store functions
(PINs, ratings, submissions, the chair's reveal, consensus, determination,
sign-off), on a chair's store and a panelist's laptop store, and carried
between them with real bundle files.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from formers_tui.cli import app
from formers_tui.errors import ValidationError
from formers_tui.exporting import bundle as bundle_module
from formers_tui.exporting.bundle import BundleError, import_bundle, write_bundle
from formers_tui.store import panel, signing
from formers_tui.store.models import (
    DomainSubmission,
    Interview,
    Outcome,
    Panelist,
    Rating,
    SignOff,
    Status,
)
from formers_tui.store.panel_decision import record_consensus, record_determination, sign_off
from formers_tui.store.panel_view import suggestion
from formers_tui.store.store import Store
from tests.exporting.builders import snapshot
from tests.exporting.conftest import open_copy
from tests.store.test_panel import DOMAINS, PINS, members, rate_domain

ADA, SAM, PAT = "Dr. Ada Example", "Sam Sample", "Pat Placeholder"
PIN_OF = dict(zip((ADA, SAM, PAT), PINS, strict=True))


@pytest.fixture(autouse=True)
def cheap_key_derivation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Keys at the lowest cost: these tests are about the rules, not scrypt."""
    monkeypatch.setattr(bundle_module, "SCRYPT_N", 2**10)
    monkeypatch.setattr(signing, "SCRYPT_N", 2**10)


@dataclass
class Laptops:
    """The chair's store and Sam's laptop, sharing one interview."""

    chair: Store
    laptop: Store
    iid: str
    folder: Path

    def member(self, store: Store, name: str) -> Any:
        return next(m for m in members(store, self.iid) if m.name == name)

    def rate(self, store: Store, name: str, value: int | None = 2, *, submit: bool = True) -> None:
        """``name`` rates every domain through the app (and submits each)."""
        who = self.member(store, name)
        with store.session() as session:
            for domain in DOMAINS:
                rate_domain(session, self.iid, who, domain, value, submit=submit)
            session.commit()

    def submit(self, store: Store, name: str) -> None:
        who = self.member(store, name)
        with store.session() as session:
            for domain in DOMAINS:
                panel.submit_domain(
                    session, interview_id=self.iid, panelist_id=who.id, domain_id=domain, actor=name
                )
            session.commit()

    def bundle(self, store: Store, name: str, file: str) -> Path:
        path = self.folder / file
        with store.session() as session:
            reader = self.member(store, name).id  # as the panelist, PIN taken as confirmed
            write_bundle(session, self.iid, path, panelist=name, reader_id=reader, pin=PIN_OF[name])
        return path

    def status(self, store: Store) -> Status:
        with store.session() as session:
            interview = session.get(Interview, self.iid)
            assert interview is not None
            return interview.status


@pytest.fixture
def laptops(laptop_templates: tuple[Path, Path, str], tmp_path: Path) -> Iterator[Laptops]:
    chair_file, laptop_file, iid = laptop_templates
    chair = open_copy(chair_file, tmp_path / "chair.db")
    laptop = open_copy(laptop_file, tmp_path / "laptop.db")
    yield Laptops(chair, laptop, iid, tmp_path)
    chair.close()
    laptop.close()


def reveal(state: Laptops) -> None:
    ada = state.member(state.chair, ADA)
    with state.chair.session() as session:
        panel.reveal(
            session,
            interview_id=state.iid,
            chair_id=ada.id,
            pin=PIN_OF[ADA],
            reason="Sam is away this week.",
            actor=ADA,
        )
        session.commit()


def agree(session: Session, iid: str, indicators: tuple[str, ...]) -> None:
    for indicator in indicators:
        record_consensus(
            session,
            interview_id=iid,
            indicator_id=indicator,
            value=2,
            rationale="Agreed at the table; Sam Sample's lower rating was weighed.",
            chair_pin=PIN_OF[ADA],
        )


def determine(session: Session, iid: str) -> None:
    suggested = suggestion(session, iid).outcome.value
    differs = "" if suggested == Outcome.not_yet_ready.value else "The panel wants more time."
    record_determination(
        session,
        interview_id=iid,
        outcome=Outcome.not_yet_ready,
        rationale="Not yet.",
        work_on="Boundaries.",
        differs_because=differs,
        chair_pin=PIN_OF[ADA],
    )


def rows(store: Store) -> dict[str, Any]:
    """Ratings, submissions and sign-offs as they stand: what a refused bundle must not touch."""
    with store.session() as session:
        return {
            "ratings": sorted(
                (r.id, r.value, r.omitted, r.rationale, str(r.submitted_at))
                for r in session.exec(select(Rating))
            ),
            "submissions": sorted(
                (s.panelist_id, s.domain_id) for s in session.exec(select(DomainSubmission))
            ),
            "sign_offs": sorted(s.panelist_id for s in session.exec(select(SignOff))),
            "status": [i.status.value for i in session.exec(select(Interview))],
            **snapshot(store),
        }


def import_cli(store: Store, path: Path) -> Any:
    db = store.path
    return CliRunner().invoke(app, ["--db", str(db), "bundle", "import", str(path)])


def test_a_late_panelist_after_reveal_and_consensus_is_refused_like_typing(
    laptops: Laptops,
) -> None:
    laptops.rate(laptops.chair, ADA)
    laptops.rate(laptops.chair, PAT)
    reveal(laptops)
    with laptops.chair.session() as session:
        agree(session, laptops.iid, ("ONE-1",))
        session.commit()
    laptops.rate(laptops.laptop, SAM, 0)
    late = laptops.bundle(laptops.laptop, SAM, "late.bundle")
    sam = laptops.member(laptops.chair, SAM)
    with laptops.chair.session() as session, pytest.raises(ValidationError) as typed:
        panel.rate(
            session,
            interview_id=laptops.iid,
            panelist_id=sam.id,
            indicator_id="ONE-1",
            value=0,
            rationale="late",
            actor=SAM,
        )
    before = rows(laptops.chair)
    with laptops.chair.session() as session, pytest.raises(BundleError) as merged:
        import_bundle(session, late)
    assert str(merged.value) == f"{SAM}'s bundle was refused: the panel has recorded its " + (
        str(typed.value).removeprefix("The panel has recorded its ")
    )
    assert rows(laptops.chair) == before
    result = import_cli(laptops.chair, late)
    assert result.exit_code != 0 and "refused" in result.output
    assert result.output.count("\n") == 1 and "Traceback" not in result.output
    assert rows(laptops.chair) == before


def test_a_late_panelist_after_reveal_alone_is_refused(laptops: Laptops) -> None:
    laptops.rate(laptops.chair, ADA)
    laptops.rate(laptops.chair, PAT)
    reveal(laptops)
    laptops.rate(laptops.laptop, SAM, 0)
    late = laptops.bundle(laptops.laptop, SAM, "late.bundle")
    before = rows(laptops.chair)
    with laptops.chair.session() as session, pytest.raises(BundleError, match="not be blind"):
        import_bundle(session, late)
    assert rows(laptops.chair) == before


def test_after_determination_and_a_sign_off_a_late_bundle_changes_nothing(
    laptops: Laptops,
) -> None:
    laptops.rate(laptops.chair, ADA)
    laptops.rate(laptops.chair, PAT)
    reveal(laptops)
    ada = laptops.member(laptops.chair, ADA)
    with laptops.chair.session() as session:
        agree(session, laptops.iid, tuple(i for d in DOMAINS.values() for i in d))
        determine(session, laptops.iid)
        sign_off(session, interview_id=laptops.iid, panelist_id=ada.id, pin=PIN_OF[ADA], actor=ADA)
        session.commit()
    laptops.rate(laptops.laptop, SAM, 3)
    late = laptops.bundle(laptops.laptop, SAM, "late.bundle")
    before = rows(laptops.chair)
    assert before["sign_offs"] == [ada.id]
    result = import_cli(laptops.chair, late)
    assert result.exit_code != 0 and "refused" in result.output
    assert rows(laptops.chair) == before


@pytest.mark.parametrize("order", ["draft first", "submitted first"])
def test_draft_and_submitted_bundles_end_submitted_in_either_order(
    laptops: Laptops, order: str
) -> None:
    laptops.rate(laptops.laptop, SAM, 1, submit=False)
    draft = laptops.bundle(laptops.laptop, SAM, "draft.bundle")
    laptops.submit(laptops.laptop, SAM)
    submitted = laptops.bundle(laptops.laptop, SAM, "submitted.bundle")
    first, second = (draft, submitted) if order == "draft first" else (submitted, draft)
    for path in (first, second):
        with laptops.chair.session() as session:
            report = import_bundle(session, path)
            assert report.conflicts == []
    sam = laptops.member(laptops.chair, SAM)
    with laptops.chair.session() as session:
        mine = session.exec(select(Rating).where(Rating.panelist_id == sam.id)).all()
        done = session.exec(
            select(DomainSubmission.domain_id).where(DomainSubmission.panelist_id == sam.id)
        ).all()
    assert len(mine) == 4 and all(r.submitted_at is not None for r in mine)
    assert sorted(done) == sorted(DOMAINS)
    assert laptops.status(laptops.chair) == Status.rating


def test_a_draft_left_by_a_bundle_can_still_be_submitted_here(laptops: Laptops) -> None:
    laptops.rate(laptops.laptop, SAM, 1, submit=False)
    draft = laptops.bundle(laptops.laptop, SAM, "draft.bundle")
    with laptops.chair.session() as session:
        import_bundle(session, draft)
    laptops.submit(laptops.chair, SAM)
    sam = laptops.member(laptops.chair, SAM)
    with laptops.chair.session() as session:
        assert len(
            session.exec(
                select(DomainSubmission).where(DomainSubmission.panelist_id == sam.id)
            ).all()
        ) == len(DOMAINS)


def test_submissions_by_bundle_advance_the_status_like_typing(laptops: Laptops) -> None:
    laptops.rate(laptops.chair, ADA)
    laptops.rate(laptops.chair, PAT)
    assert laptops.status(laptops.chair) == Status.rating
    laptops.rate(laptops.laptop, SAM, 1, submit=False)
    with laptops.chair.session() as session:
        import_bundle(session, laptops.bundle(laptops.laptop, SAM, "draft.bundle"))
    assert laptops.status(laptops.chair) == Status.rating
    laptops.submit(laptops.laptop, SAM)
    with laptops.chair.session() as session:
        import_bundle(session, laptops.bundle(laptops.laptop, SAM, "submitted.bundle"))
    assert laptops.status(laptops.chair) == Status.consensus
    with laptops.chair.session() as session:
        agree(session, laptops.iid, ("ONE-1",))  # the panel view is open, as after typing
        session.commit()


def test_a_submission_without_its_ratings_is_refused(laptops: Laptops) -> None:
    laptops.rate(laptops.laptop, SAM, 1)
    path = laptops.bundle(laptops.laptop, SAM, "sam.bundle")
    payload = bundle_module.unseal(path.read_bytes())
    payload["ratings"] = [r for r in payload["ratings"] if r["indicator_id"] != "TWO-1"]
    del payload["signature"]
    with laptops.laptop.session() as session:
        sam = session.get(Panelist, payload["panelist"]["id"])
        assert sam is not None
        data = signing.message(bundle_module.PANELIST_BUNDLE, bundle_module.canonical(payload))
        payload["signature"] = signing.sign(sam, PIN_OF[SAM], data)
    before = rows(laptops.chair)
    with laptops.chair.session() as session, pytest.raises(BundleError, match="without"):
        bundle_module.merge_payload(session, payload)
    assert rows(laptops.chair) == before
