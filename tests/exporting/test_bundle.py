"""Bundles between laptops: round trip, idempotence, conflicts, and damaged files."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select

from formers_tui.errors import FormersError, NotFoundError
from formers_tui.exporting import bundle as bundle_module
from formers_tui.exporting.bundle import (
    BundleError,
    canonical,
    import_bundle,
    merge_payload,
    seal,
    unseal,
    write_bundle,
)
from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store import ratings, signing
from formers_tui.store.interviews import interview_header
from formers_tui.store.models import DomainSubmission, Interview, Rating, RatingRevision, Status
from formers_tui.store.store import Store
from tests.conftest import PANEL, make_interview
from tests.exporting.builders import snapshot
from tests.exporting.conftest import open_copy
from tests.store.test_panel import PINS, give_pins

PASSPHRASE = "correct horse battery"
NAMES = tuple(p.name for p in PANEL)
UTC = timezone.utc  # noqa: UP017


@pytest.fixture(autouse=True)
def cheap_key_derivation(monkeypatch: pytest.MonkeyPatch) -> None:
    """Derive keys at the schema's lowest cost: these tests are about the file, not scrypt."""
    monkeypatch.setattr(bundle_module, "SCRYPT_N", 2**10)
    monkeypatch.setattr(signing, "SCRYPT_N", 2**10)


@pytest.fixture
def chair(templates: dict[str, Path], tmp_path: Path) -> Iterator[Store]:
    store = open_copy(templates["empty"], tmp_path / "chair.db")
    yield store
    store.close()


@pytest.fixture
def laptop(templates: dict[str, Path], tmp_path: Path) -> Iterator[Store]:
    store = open_copy(templates["empty"], tmp_path / "laptop.db")
    yield store
    store.close()


def panel_ids(store: Store, iid: str) -> dict[str, str]:
    with store.session() as session:
        interview = session.get(Interview, iid)
        assert interview is not None
        return {p.name: p.id for p in interview_header(session, interview).panel}


def rate(store: Store, iid: str, name: str, values: dict[str, int | None], submit: bool) -> None:
    """Rate as ``name``; ``submit`` commits the ratings and every domain."""
    who = panel_ids(store, iid)[name]
    with store.session() as session:
        for indicator, value in values.items():
            ratings.save_rating(
                session,
                interview_id=iid,
                panelist_id=who,
                indicator_id=indicator,
                value=value,
                rationale=f"{name} on {indicator}",
                actor=name,
            )
        session.flush()
        if submit:
            when = datetime(2026, 11, 2, 16, 0, tzinfo=UTC)
            for row in session.exec(
                select(Rating).where(Rating.interview_id == iid, Rating.panelist_id == who)
            ):
                row.submitted_at = row.submitted_at or when
                session.add(row)
            for domain in ("one", "two", "three"):
                if session.get(DomainSubmission, (iid, who, domain)) is None:
                    session.add(
                        DomainSubmission(
                            interview_id=iid, panelist_id=who, domain_id=domain, submitted_at=when
                        )
                    )
        session.commit()


PIN_OF = {name.casefold(): pin for name, pin in zip(NAMES, PINS, strict=True)}


def export_bundle(store: Store, iid: str, out: Path, **kwargs: Any) -> dict[str, Any]:
    """Write a bundle; a panelist's bundle as that panelist, signed with their PIN."""
    who = kwargs.get("panelist")
    if who is not None and "reader_id" not in kwargs:
        names = {name.casefold(): pid for name, pid in panel_ids(store, iid).items()}
        kwargs["reader_id"] = names.get(who.casefold())
    if who is not None:
        kwargs.setdefault("pin", PIN_OF.get(who.casefold(), "0000"))
    with store.session() as session:
        return write_bundle(session, iid, out, **kwargs)


def import_into(store: Store, path: Path, passphrase: str | None = None) -> Any:
    with store.session() as session:
        return import_bundle(session, path, (lambda: passphrase) if passphrase else None)


def ratings_of(store: Store) -> dict[tuple[str, str], tuple[int | None, bool, str]]:
    with store.session() as session:
        return {
            (r.indicator_id, r.panelist_id): (r.value, r.omitted, r.rationale)
            for r in session.exec(select(Rating))
        }


ALL = {"ONE-1": 2, "ONE-2": 3, "TWO-1": None, "THREE-1": 1}


@pytest.fixture
def shared(chair: Store, laptop: Store, mini_protocol: LoadedProtocol, tmp_path: Path) -> str:
    """An interview the chair created and sent (without ratings) to a panelist's laptop."""
    iid = make_interview(chair, mini_protocol)
    give_pins(chair, iid)
    rate(chair, iid, "Dr. Ada Example", {"ONE-1": 3}, submit=False)
    export_bundle(chair, iid, tmp_path / "out.bundle", with_ratings=False)
    report = import_into(laptop, tmp_path / "out.bundle")
    assert report.created_interview and report.added == 0
    assert ratings_of(laptop) == {}
    return iid


def test_panelist_bundle_round_trip_is_idempotent(
    chair: Store, laptop: Store, shared: str, tmp_path: Path
) -> None:
    rate(laptop, shared, "Sam Sample", ALL, submit=True)
    payload = export_bundle(laptop, shared, tmp_path / "sam.bundle", panelist="sam sample")
    assert payload["kind"] == "panelist" and len(payload["ratings"]) == 4
    report = import_into(chair, tmp_path / "sam.bundle")
    assert (report.added, report.submissions, report.conflicts) == (4, 3, [])
    sam = panel_ids(chair, shared)["Sam Sample"]
    mine = {k: v for k, v in ratings_of(chair).items() if k[1] == sam}
    laptops = {k: v for k, v in ratings_of(laptop).items() if k[1] == sam}
    assert mine == laptops and mine[("TWO-1", sam)] == (None, True, "Sam Sample on TWO-1")
    with chair.session() as session:
        interview = session.get(Interview, shared)
        assert interview is not None and interview.status == Status.rating
        actions = session.exec(
            select(RatingRevision).join(Rating).where(Rating.panelist_id == sam)
        ).all()
    assert actions == []
    before = snapshot(chair)
    again = import_into(chair, tmp_path / "sam.bundle")
    assert (again.added, again.updated, again.unchanged, again.conflicts) == (0, 0, 4, [])
    assert snapshot(chair) == before


def test_bundle_import_is_audited(chair: Store, laptop: Store, shared: str, tmp_path: Path) -> None:
    rate(laptop, shared, "Sam Sample", ALL, submit=True)
    export_bundle(laptop, shared, tmp_path / "sam.bundle", panelist="Sam Sample")
    import_into(chair, tmp_path / "sam.bundle")
    with chair.engine.connect() as connection:
        rows = connection.exec_driver_sql(
            "SELECT entity, count(*) FROM audit_entry WHERE actor = 'bundle import' GROUP BY entity"
        ).all()
    counts = dict(rows)  # type: ignore[arg-type]
    assert counts["rating"] == 4 and counts["domain_submission"] == 3


def test_a_revised_rating_updates_with_its_history(
    chair: Store, laptop: Store, shared: str, tmp_path: Path
) -> None:
    rate(laptop, shared, "Sam Sample", ALL, submit=True)
    export_bundle(laptop, shared, tmp_path / "one.bundle", panelist="Sam Sample")
    import_into(chair, tmp_path / "one.bundle")
    rate(laptop, shared, "Sam Sample", {"ONE-1": 0}, submit=True)
    export_bundle(laptop, shared, tmp_path / "two.bundle", panelist="Sam Sample")
    report = import_into(chair, tmp_path / "two.bundle")
    assert (report.updated, report.unchanged, report.conflicts) == (1, 3, [])
    sam = panel_ids(chair, shared)["Sam Sample"]
    assert ratings_of(chair)[("ONE-1", sam)][0] == 0
    with chair.session() as session:
        history = session.exec(
            select(RatingRevision).join(Rating).where(Rating.panelist_id == sam)
        ).all()
    assert [h.value for h in history] == [2]
    older = import_into(chair, tmp_path / "one.bundle")
    assert older.superseded == 1 and older.conflicts == []
    assert ratings_of(chair)[("ONE-1", sam)][0] == 0


def test_conflicting_ratings_are_reported_not_overwritten(
    chair: Store, laptop: Store, shared: str, tmp_path: Path
) -> None:
    rate(chair, shared, "Sam Sample", {"ONE-1": 1}, submit=True)
    rate(laptop, shared, "Sam Sample", ALL, submit=True)
    export_bundle(laptop, shared, tmp_path / "sam.bundle", panelist="Sam Sample")
    report = import_into(chair, tmp_path / "sam.bundle")
    assert report.added == 3
    (conflict,) = report.conflicts
    assert (conflict.indicator_id, conflict.panelist, conflict.here, conflict.bundle) == (
        "ONE-1",
        "Sam Sample",
        "1",
        "2",
    )
    sam = panel_ids(chair, shared)["Sam Sample"]
    assert ratings_of(chair)[("ONE-1", sam)][0] == 1


def test_whole_interview_bundle_leaves_ratings_to_signed_bundles(
    chair: Store, laptop: Store, shared: str, tmp_path: Path
) -> None:
    rate(laptop, shared, "Pat Placeholder", ALL, submit=True)
    pat_here = panel_ids(laptop, shared)["Pat Placeholder"]
    export_bundle(laptop, shared, tmp_path / "whole.bundle", reader_id=pat_here)
    before = ratings_of(chair)
    report = import_into(chair, tmp_path / "whole.bundle")
    assert not report.created_interview and report.added == 0
    assert any("signed bundle" in sentence for sentence in report.not_merged)
    assert ratings_of(chair) == before


def bundle_bytes(store: Store, iid: str, tmp_path: Path, passphrase: str | None) -> bytes:
    path = tmp_path / f"b-{passphrase is None}.bundle"
    export_bundle(store, iid, path, panelist="Dr. Ada Example", passphrase=passphrase)
    return path.read_bytes()


def tamper_ciphertext(raw: bytes) -> bytes:
    data = json.loads(raw)
    blob = bytearray(base64.b64decode(data["ciphertext"]))
    blob[len(blob) // 2] ^= 1
    data["ciphertext"] = base64.b64encode(bytes(blob)).decode()
    return json.dumps(data).encode()


def tamper_header(raw: bytes) -> bytes:
    data = json.loads(raw)
    data["created_at"] = "2020-01-01T00:00:00+00:00"
    return json.dumps(data).encode()


def tamper_payload(raw: bytes) -> bytes:
    data = json.loads(raw)
    data["payload"]["ratings"][0]["value"] = 0
    return json.dumps(data).encode()


@pytest.mark.parametrize(
    ("encrypted", "damage", "passphrase", "message"),
    [
        (True, lambda raw: raw, "not the passphrase", "Wrong passphrase for this bundle."),
        (True, tamper_ciphertext, PASSPHRASE, "altered or damaged"),
        (True, tamper_header, PASSPHRASE, "altered or damaged"),
        (True, lambda raw: raw[: len(raw) // 2], PASSPHRASE, "truncated or damaged"),
        (False, tamper_payload, None, "checksum does not match"),
        (False, lambda raw: raw[:-40], None, "truncated or damaged"),
        (False, lambda raw: b"\xff\xfe" + raw, None, "not UTF-8"),
        (False, lambda raw: b'{"format": "something else"}', None, "not a formers-tui bundle"),
    ],
)
def test_damaged_bundles_are_refused_and_change_nothing(
    chair: Store,
    laptop: Store,
    shared: str,
    tmp_path: Path,
    encrypted: bool,
    damage: Any,
    passphrase: str | None,
    message: str,
) -> None:
    raw = bundle_bytes(chair, shared, tmp_path, PASSPHRASE if encrypted else None)
    path = tmp_path / "damaged.bundle"
    path.write_bytes(damage(raw))
    before = snapshot(laptop)
    with pytest.raises(BundleError) as caught:
        import_into(laptop, path, passphrase)
    assert message in str(caught.value) and "\n" not in str(caught.value)
    assert snapshot(laptop) == before


def test_encrypted_bundle_hides_its_contents(chair: Store, shared: str, tmp_path: Path) -> None:
    raw = bundle_bytes(chair, shared, tmp_path, PASSPHRASE)
    assert b"Ada" not in raw and b"ONE-1" not in raw and b"PM-TEST" not in raw
    header = json.loads(raw)
    assert header["encryption"]["kdf"] == "scrypt" and "payload" not in header
    assert header["encryption"]["n"] == 2**10, "the cost is read back from the header"
    payload = unseal(raw, lambda: PASSPHRASE)
    assert payload["panelist"]["name"] == "Dr. Ada Example"
    with pytest.raises(BundleError, match="passphrase is needed"):
        unseal(raw)
    with pytest.raises(BundleError, match="at least 8"):
        seal(payload, "short")


def test_finalized_interviews_take_no_bundles(
    chair: Store, laptop: Store, shared: str, tmp_path: Path
) -> None:
    rate(laptop, shared, "Sam Sample", ALL, submit=True)
    export_bundle(laptop, shared, tmp_path / "sam.bundle", panelist="Sam Sample")
    with chair.session() as session:
        interview = session.get(Interview, shared)
        assert interview is not None
        interview.status = Status.finalized
        session.add(interview)
        session.commit()
    before = snapshot(chair)
    with pytest.raises(BundleError, match="finalized"):
        import_into(chair, tmp_path / "sam.bundle")
    with pytest.raises(BundleError, match="finalized"):
        export_bundle(chair, shared, tmp_path / "x.bundle")
    assert snapshot(chair) == before and not (tmp_path / "x.bundle").exists()


def resealed(path: Path, change: Any) -> Path:
    payload = unseal(path.read_bytes())
    change(payload)
    out = path.with_suffix(".changed")
    out.write_bytes(seal(payload))
    return out


def test_a_different_protocol_or_unknown_interview_is_refused(
    chair: Store, laptop: Store, shared: str, tmp_path: Path
) -> None:
    rate(laptop, shared, "Sam Sample", ALL, submit=True)
    export_bundle(laptop, shared, tmp_path / "sam.bundle", panelist="Sam Sample")
    other = resealed(
        tmp_path / "sam.bundle",
        lambda p: p["interview"]["protocol"].update(version="9.9", sha256="0" * 64),
    )
    before = snapshot(chair)
    with pytest.raises(BundleError, match="cannot be merged"):
        import_into(chair, other)
    unknown = resealed(tmp_path / "sam.bundle", lambda p: p["interview"].update(id="f" * 32))
    with pytest.raises(BundleError, match="not in this store"):
        import_into(chair, unknown)
    stranger = resealed(tmp_path / "sam.bundle", lambda p: p["panelist"].update(id="e" * 32))
    with pytest.raises(BundleError, match="not on interview"):
        import_into(chair, stranger)
    assert snapshot(chair) == before


def test_unknown_panelist_is_named(chair: Store, shared: str, tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="No panelist 'Zed'"):
        export_bundle(chair, shared, tmp_path / "x.bundle", panelist="Zed")


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=6),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(max_examples=60, deadline=None)
@given(raw=st.binary(max_size=200) | JSON.map(lambda v: json.dumps(v).encode()))
def test_arbitrary_bytes_only_raise_bundle_errors(raw: bytes) -> None:
    try:
        unseal(raw, lambda: PASSPHRASE)
    except FormersError:
        pass


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(payload=JSON)
def test_arbitrary_payloads_only_raise_formers_errors(chair: Store, payload: Any) -> None:
    wrapped = {
        "format": "formers-tui/bundle",
        "format_version": 1,
        "created_at": "2026-11-02T10:00:00+00:00",
        "sha256": __import__("hashlib").sha256(canonical(payload)).hexdigest(),
        "encryption": None,
        "payload": payload,
    }
    try:
        merge_payload_checked(chair, json.dumps(wrapped).encode())
    except FormersError:
        pass


def merge_payload_checked(store: Store, raw: bytes) -> None:
    with store.session() as session:
        merge_payload(session, unseal(raw))


def test_default_key_derivation_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()
    raw = seal({"kind": "x"}, PASSPHRASE)
    params = json.loads(raw)["encryption"]
    assert (params["n"], params["r"], params["p"]) == (2**15, 8, 1)


def test_a_draft_then_its_submission_arrive_in_turn(
    chair: Store, laptop: Store, shared: str, tmp_path: Path
) -> None:
    rate(laptop, shared, "Sam Sample", ALL, submit=False)
    export_bundle(laptop, shared, tmp_path / "draft.bundle", panelist="Sam Sample")
    assert import_into(chair, tmp_path / "draft.bundle").added == 4
    rate(laptop, shared, "Sam Sample", {"ONE-1": 0}, submit=True)
    export_bundle(laptop, shared, tmp_path / "final.bundle", panelist="Sam Sample")
    report = import_into(chair, tmp_path / "final.bundle")
    assert (report.updated, report.conflicts) == (4, [])
    sam = panel_ids(chair, shared)["Sam Sample"]
    with chair.session() as session:
        rows = session.exec(select(Rating).where(Rating.panelist_id == sam)).all()
    assert all(r.submitted_at is not None for r in rows)
    assert {r.indicator_id: r.value for r in rows}["ONE-1"] == 0
