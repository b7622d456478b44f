"""Who wrote it: panelist bundles are signed with the panelist's key and checked on import."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlmodel import select
from typer.testing import CliRunner

from formers_tui.cli import app
from formers_tui.errors import FormersError
from formers_tui.exporting import bundle as bundle_module
from formers_tui.exporting.bundle import (
    PANELIST_BUNDLE,
    BundleError,
    canonical,
    import_bundle,
    merge_payload,
    seal,
    unseal,
    write_bundle,
)
from formers_tui.protocol.loader import LoadedProtocol
from formers_tui.store import panel, signing
from formers_tui.store.models import AuditEntry, Panelist
from formers_tui.store.store import Store
from tests.conftest import make_interview
from tests.exporting.conftest import open_copy
from tests.exporting.test_bundle_rules import ADA, PIN_OF, SAM, Laptops, rows
from tests.store.test_panel import give_pins, members


@pytest.fixture(autouse=True)
def cheap_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(bundle_module, "SCRYPT_N", 2**10)
    monkeypatch.setattr(signing, "SCRYPT_N", 2**10)


@pytest.fixture
def laptops(laptop_templates: tuple[Path, Path, str], tmp_path: Path) -> Iterator[Laptops]:
    """Keys made on the chair's store (PINs set there), carried to Sam's laptop; Sam rated."""
    chair_file, laptop_file, iid = laptop_templates
    chair = open_copy(chair_file, tmp_path / "chair.db")
    laptop = open_copy(laptop_file, tmp_path / "laptop.db")
    state = Laptops(chair, laptop, iid, tmp_path)
    state.rate(laptop, SAM, 2)
    yield state
    chair.close()
    laptop.close()


def sam_of(store: Store, iid: str) -> Panelist:
    return next(m for m in members(store, iid) if m.name == SAM)


def edited(path: Path, change: Any) -> Path:
    """The bundle changed by hand and its checksum recomputed, as a forger would."""
    payload = unseal(path.read_bytes())
    change(payload)
    out = path.with_name("edited-" + path.name)
    out.write_bytes(seal(payload))
    return out


def test_keys_travel_with_the_interview_and_the_signed_bundle_imports(laptops: Laptops) -> None:
    chair_sam, laptop_sam = sam_of(laptops.chair, laptops.iid), sam_of(laptops.laptop, laptops.iid)
    assert chair_sam.public_key and chair_sam.public_key == laptop_sam.public_key
    assert laptop_sam.pin_hash is None and laptop_sam.sealed_key is not None
    path = laptops.bundle(laptops.laptop, SAM, "sam.bundle")
    payload = unseal(path.read_bytes())
    assert payload["signature"]["algorithm"] == "Ed25519"
    assert payload["signature"]["public_key"] == chair_sam.public_key
    with laptops.chair.session() as session:
        assert import_bundle(session, path).added == 4


def test_a_hand_edited_bundle_with_its_checksum_fixed_is_refused(laptops: Laptops) -> None:
    path = laptops.bundle(laptops.laptop, SAM, "sam.bundle")

    def raise_every_rating(payload: dict[str, Any]) -> None:
        for rating in payload["ratings"]:
            rating["value"] = 3

    forged = edited(path, raise_every_rating)
    before = rows(laptops.chair)
    with laptops.chair.session() as session, pytest.raises(BundleError) as caught:
        import_bundle(session, forged)
    assert str(caught.value) == (
        f"The bundle's ratings do not carry {SAM}'s signature: they were changed after signing, "
        "or signed by someone else; it was refused."
    )
    assert rows(laptops.chair) == before
    result = CliRunner().invoke(
        app, ["--db", str(laptops.chair.path), "bundle", "import", str(forged)]
    )
    assert result.exit_code == 2 and result.output.count("\n") == 1
    assert rows(laptops.chair) == before


def test_an_unsigned_bundle_is_refused(laptops: Laptops) -> None:
    path = laptops.bundle(laptops.laptop, SAM, "sam.bundle")
    unsigned = edited(path, lambda payload: payload.pop("signature"))
    before = rows(laptops.chair)
    with laptops.chair.session() as session, pytest.raises(BundleError, match="not signed by"):
        import_bundle(session, unsigned)
    assert rows(laptops.chair) == before


def test_a_bundle_signed_with_another_key_is_refused(laptops: Laptops) -> None:
    path = laptops.bundle(laptops.laptop, SAM, "sam.bundle")
    stranger = Panelist(id=sam_of(laptops.chair, laptops.iid).id, interview_id="x", name="x")
    signing.make_keys(stranger, "6666")

    def resign(payload: dict[str, Any]) -> None:
        payload.pop("signature")
        payload["ratings"][0]["value"] = 0
        data = signing.message(PANELIST_BUNDLE, canonical(payload))
        payload["signature"] = signing.sign(stranger, "6666", data)

    forged = edited(path, resign)
    before = rows(laptops.chair)
    with laptops.chair.session() as session, pytest.raises(BundleError, match="someone else"):
        import_bundle(session, forged)
    assert rows(laptops.chair) == before


def test_another_panelists_signature_does_not_pass_for_theirs(laptops: Laptops) -> None:
    laptops.rate(laptops.laptop, ADA, 1)
    ada = laptops.bundle(laptops.laptop, ADA, "ada.bundle")
    sam = unseal(laptops.bundle(laptops.laptop, SAM, "sam.bundle").read_bytes())
    sam["signature"] = unseal(ada.read_bytes())["signature"]
    before = rows(laptops.chair)
    with laptops.chair.session() as session, pytest.raises(BundleError, match="signature"):
        merge_payload(session, sam)
    assert rows(laptops.chair) == before


def test_exporting_needs_the_panelists_pin(laptops: Laptops) -> None:
    out = laptops.folder / "x.bundle"
    sam = sam_of(laptops.laptop, laptops.iid).id
    with laptops.laptop.session() as session, pytest.raises(BundleError, match="PIN; give it"):
        write_bundle(session, laptops.iid, out, panelist=SAM, reader_id=sam)
    for store in (laptops.laptop, laptops.chair):
        with store.session() as session, pytest.raises(panel.PinError, match="Wrong PIN"):
            write_bundle(session, laptops.iid, out, panelist=SAM, reader_id=sam, pin="0000")
    assert not out.exists()


def test_a_first_pin_on_the_laptop_must_open_the_key_that_came_with_it(laptops: Laptops) -> None:
    sam = sam_of(laptops.laptop, laptops.iid)
    with laptops.laptop.session() as session:
        with pytest.raises(panel.PinError, match="use that PIN"):
            panel.set_pin(
                session, interview_id=laptops.iid, panelist_id=sam.id, pin="9876", actor=SAM
            )
        panel.set_pin(
            session, interview_id=laptops.iid, panelist_id=sam.id, pin=PIN_OF[SAM], actor=SAM
        )
        session.commit()
    after = sam_of(laptops.laptop, laptops.iid)
    assert after.public_key == sam.public_key and after.pin_hash is not None


def test_changing_a_pin_keeps_the_key_and_a_reset_replaces_it(laptops: Laptops) -> None:
    sam = sam_of(laptops.chair, laptops.iid)
    chair_id = members(laptops.chair, laptops.iid)[0].id
    with laptops.chair.session() as session:
        panel.set_pin(
            session,
            interview_id=laptops.iid,
            panelist_id=sam.id,
            pin="5555",
            current_pin=PIN_OF[SAM],
            actor=SAM,
        )
        session.commit()
    changed = sam_of(laptops.chair, laptops.iid)
    assert changed.public_key == sam.public_key and signing.opens(changed, "5555")
    assert not signing.opens(changed, PIN_OF[SAM])
    with laptops.chair.session() as session:
        panel.reset_pin(
            session,
            interview_id=laptops.iid,
            panelist_id=sam.id,
            chair_pin=PIN_OF[ADA],
            pin="7777",
            actor=ADA,
        )
        session.commit()
        assert chair_id
    reset = sam_of(laptops.chair, laptops.iid)
    assert reset.public_key != sam.public_key and signing.opens(reset, "7777")
    # Sam's laptop still signs with the old key, which this store no longer holds.
    path = laptops.bundle(laptops.laptop, SAM, "sam.bundle")
    with laptops.chair.session() as session, pytest.raises(BundleError, match="signature"):
        import_bundle(session, path)


def test_a_panelist_from_before_keys_gets_one_with_their_pin(
    store: Store, mini_protocol: LoadedProtocol
) -> None:
    iid = make_interview(store, mini_protocol)
    give_pins(store, iid)
    with store.session() as session:
        for member in session.exec(select(Panelist)):
            member.public_key = member.sealed_key = None
            session.add(member)
        session.commit()
    sam = sam_of(store, iid)
    with store.session() as session:
        panel.require_pin(session, interview_id=iid, panelist_id=sam.id, pin=PIN_OF[SAM])
        session.commit()
        entries = session.exec(select(AuditEntry).where(AuditEntry.entity == "panelist_key")).all()
    keyed = sam_of(store, iid)
    assert keyed.public_key is not None and signing.opens(keyed, PIN_OF[SAM])
    assert [json.loads(e.new or "{}")["public_key"] for e in entries] == [keyed.public_key]


def test_a_store_without_key_or_pin_takes_the_first_signed_key_then_holds_to_it(
    laptops: Laptops,
) -> None:
    with laptops.chair.session() as session:
        sam = session.get(Panelist, sam_of(laptops.chair, laptops.iid).id)
        assert sam is not None
        sam.public_key = sam.sealed_key = sam.pin_hash = None
        session.add(sam)
        session.commit()
    path = laptops.bundle(laptops.laptop, SAM, "sam.bundle")
    with laptops.chair.session() as session:
        assert import_bundle(session, path).added == 4
    registered = sam_of(laptops.chair, laptops.iid)
    assert registered.public_key == sam_of(laptops.laptop, laptops.iid).public_key
    with laptops.chair.session() as session:
        logged = session.exec(select(AuditEntry).where(AuditEntry.entity == "panelist_key")).all()
    assert len(logged) == 1 and "first signed bundle" in (logged[0].new or "")
    stranger = Panelist(id=registered.id, interview_id="x", name="x")
    signing.make_keys(stranger, "6666")

    def resign(payload: dict[str, Any]) -> None:
        payload.pop("signature")
        payload["ratings"][0]["value"] = 0
        payload["signature"] = signing.sign(
            stranger, "6666", signing.message(PANELIST_BUNDLE, canonical(payload))
        )

    before = rows(laptops.chair)
    with laptops.chair.session() as session, pytest.raises(BundleError, match="someone else"):
        import_bundle(session, edited(path, resign))
    assert rows(laptops.chair) == before


def test_a_store_with_a_pin_but_no_key_takes_the_key_only_with_that_pin(
    laptops: Laptops,
) -> None:
    with laptops.chair.session() as session:
        sam = session.get(Panelist, sam_of(laptops.chair, laptops.iid).id)
        assert sam is not None
        sam.public_key = sam.sealed_key = None  # as in a store from before keys existed
        session.add(sam)
        session.commit()
    path = laptops.bundle(laptops.laptop, SAM, "sam.bundle")
    before = rows(laptops.chair)
    with laptops.chair.session() as session, pytest.raises(BundleError, match="holds Sam"):
        import_bundle(session, path)
    with laptops.chair.session() as session, pytest.raises(panel.PinError, match="Wrong PIN"):
        import_bundle(session, path, pin=lambda name: "0000")
    assert rows(laptops.chair) == before
    result = CliRunner().invoke(
        app,
        ["--db", str(laptops.chair.path), "bundle", "import", str(path)],
        env={"FORMERS_PIN": PIN_OF[SAM]},
    )
    assert result.exit_code == 0 and "4 ratings added" in result.stdout, result.output
    assert (
        sam_of(laptops.chair, laptops.iid).public_key
        == sam_of(laptops.laptop, laptops.iid).public_key
    )
    asked: list[str] = []
    with laptops.chair.session() as session:
        import_bundle(session, path, pin=lambda name: asked.append(name) or "0000")
    assert asked == [], "once the key is known, no PIN is asked"


def leaves(value: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in leaves(v, (*path, k))] or [path]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in leaves(v, (*path, i))] or [path]
    return [path]


SCALARS = st.none() | st.booleans() | st.integers(-3, 5) | st.text(max_size=8)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data(), replacement=SCALARS)
def test_any_edit_of_a_signed_bundle_is_refused_and_writes_nothing(
    laptops: Laptops, data: st.DataObject, replacement: Any
) -> None:
    path = laptops.folder / "fuzz-sam.bundle"
    if not path.exists():
        path = laptops.bundle(laptops.laptop, SAM, "fuzz-sam.bundle")
    original = unseal(path.read_bytes())
    payload = json.loads(json.dumps(original))
    where = data.draw(st.sampled_from([p for p in leaves(payload) if p]))
    target = payload
    for key in where[:-1]:
        target = target[key]
    target[where[-1]] = replacement
    if canonical(payload) == canonical(original):
        return
    before = rows(laptops.chair)
    with laptops.chair.session() as session, pytest.raises(FormersError):
        merge_payload(session, unseal(seal(payload)))
    assert rows(laptops.chair) == before


def test_on_the_laptop_the_pin_that_opens_the_key_is_entered_not_chosen(laptops: Laptops) -> None:
    sam = sam_of(laptops.laptop, laptops.iid)
    assert sam.pin_hash is None and panel.has_pin(sam), "the PIN dialog asks for it once"
    with laptops.laptop.session() as session:
        with pytest.raises(panel.PinError, match="Wrong PIN"):
            panel.require_pin(session, interview_id=laptops.iid, panelist_id=sam.id, pin="9876")
        panel.require_pin(session, interview_id=laptops.iid, panelist_id=sam.id, pin=PIN_OF[SAM])
        session.commit()
    adopted = sam_of(laptops.laptop, laptops.iid)
    assert adopted.pin_hash is not None and panel.pin_matches(PIN_OF[SAM], adopted.pin_hash)
    assert adopted.public_key == sam.public_key


def test_keys_made_after_the_interview_went_out_follow_in_a_later_whole_bundle(
    templates: dict[str, Path], mini_protocol: LoadedProtocol, tmp_path: Path
) -> None:
    chair = open_copy(templates["empty"], tmp_path / "chair.db")
    laptop = open_copy(templates["empty"], tmp_path / "laptop.db")
    try:
        iid = make_interview(chair, mini_protocol)
        with chair.session() as session:
            write_bundle(session, iid, tmp_path / "early.bundle", with_ratings=False)
        with laptop.session() as session:
            import_bundle(session, tmp_path / "early.bundle")
        give_pins(chair, iid)  # the panel sets its PINs at the chair's laptop afterwards
        with chair.session() as session:
            write_bundle(session, iid, tmp_path / "later.bundle", with_ratings=False)
        with laptop.session() as session:
            report = import_bundle(session, tmp_path / "later.bundle")
        assert report.merged == {"signing keys": 3} and report.not_merged == []
        state = Laptops(chair, laptop, iid, tmp_path)
        state.rate(laptop, SAM, 2)
        with chair.session() as session:
            assert import_bundle(session, state.bundle(laptop, SAM, "sam.bundle")).added == 4
        # A panelist who already holds a key or PIN here keeps it; the difference is named.
        with chair.session() as session:
            ada = session.get(Panelist, members(chair, iid)[0].id)
            assert ada is not None
            signing.make_keys(ada, "1111")
            session.add(ada)
            session.commit()
            write_bundle(session, iid, tmp_path / "rekeyed.bundle", with_ratings=False)
        with laptop.session() as session:
            again = import_bundle(session, tmp_path / "rekeyed.bundle")
        assert again.not_merged == [
            f"The signing keys of {ADA} differ from this store's; this store's are kept."
        ]
    finally:
        chair.close()
        laptop.close()


def test_a_malformed_key_is_neither_taken_nor_trusted() -> None:
    holder = Panelist(id="a" * 32, interview_id="x", name="x")
    signing.make_keys(holder, "1234")
    assert holder.public_key is not None and signing.valid_public_key(holder.public_key)
    assert not signing.valid_public_key("AAAA") and not signing.valid_public_key("%%")
    assert not signing.verify("AAAA", b"data", "AAAA")
    holder.sealed_key = "v1$1073741824$8$1$AAAAAAAAAAAAAAAAAAAAAA==$AAAAAAAAAAAAAAAA$AAAA"
    with pytest.raises(signing.SigningKeyError, match="damaged"):
        signing.sign(holder, "1234", b"data")
