"""Bundles: ratings (or a whole interview) carried between laptops on a stick.

Panelists who rate on their own laptops send the chair a bundle of their
ratings; the chair can send a whole interview out the same way. No network
is involved, so the file itself must protect what it carries:

* ``sha256`` is the SHA-256 of the canonical payload (sorted keys, no
  spaces, UTF-8), so a damaged or truncated file is caught before anything
  is written. A checksum only catches accidents: whoever can edit the file
  can recompute it.
* With a passphrase the payload is encrypted with AES-256-GCM under a key
  derived by scrypt (parameters, salt and nonce in the header; the header is
  authenticated too). A second derived key signs a fixed message, so a wrong
  passphrase is told apart from a file that was tampered with.
* A panelist's bundle is **signed** with the panelist's Ed25519 key, opened
  with their PIN (:mod:`formers_tui.store.signing`); the importing store
  checks the signature against the public key in its panel record, so an
  edited bundle, or one written by someone else, is refused. Signing and
  encryption are independent.

Importing merges into the store in one transaction and is idempotent, and a
merge obeys the rules of typing: a rating the app would refuse now
(consensus recorded, or the chair revealed before the panelist submitted),
a submission after the reveal, or one without its ratings refuses the whole
bundle; submissions move the interview on as typing does. A rating that the
store already holds in a different version is reported as a conflict and
left as it is, except where one version is plainly the later one of the
same rating (it carries the other in its history, or the other is an
unsubmitted draft of it). A whole interview the store already holds merges
its captured content (:mod:`formers_tui.exporting.interview_merge`).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import insert
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session, select

from formers_tui.errors import FormersError, ValidationError
from formers_tui.exporting.document import (
    ProtocolCache,
    iter_documents,
    table_of,
    to_json_value,
    utc,
)
from formers_tui.exporting.files import atomic_bytes
from formers_tui.exporting.importing import (
    check_interview,
    insert_document,
    parse_json,
    parse_timestamp,
    row_values,
)
from formers_tui.exporting.interview_merge import merge_interview
from formers_tui.exporting.schema import BUNDLE_SCHEMA, check
from formers_tui.protocol.loader import ProtocolError, text_hash
from formers_tui.store import signing
from formers_tui.store.common import (
    get_interview,
    protocol_of,
    protocol_text,
    record,
    touch,
    values,
)
from formers_tui.store.models import (
    DomainSubmission,
    Interview,
    Panelist,
    Rating,
    RatingRevision,
    Status,
    utcnow,
)
from formers_tui.store.panel import (
    PinError,
    advance_after_rating,
    domain_of,
    panelist_of,
    pin_matches,
    rating_refusal,
    require_pin,
    submission_refusal,
)
from formers_tui.store.ratings import ratings_by
from formers_tui.store.rules.visibility import document_visibility, redact_document
from formers_tui.store.rules.writes import signed_content_changed

BUNDLE_FORMAT = "formers-tui/bundle"
BUNDLE_VERSION = 1
PASSPHRASE_ENV = "FORMERS_BUNDLE_PASSPHRASE"
MIN_PASSPHRASE = 8
SCRYPT_N = 2**15
SCRYPT_R = 8
SCRYPT_P = 1
"""scrypt at N=2^15, r=8 uses 32 MiB and about 0.1 s: cheap once, costly to guess at."""
KEY_CHECK_MESSAGE = b"formers-tui bundle key check"
ACTOR = "bundle import"
PANELIST_BUNDLE = "panelist bundle"
"""What a panelist's signature says it covers (see :func:`formers_tui.store.signing.message`)."""


class BundleError(ValidationError):
    """A bundle that cannot be written or read; nothing was changed."""


def canonical(payload: Any) -> bytes:
    """The bytes the checksum and the cipher cover: sorted keys, no spaces, UTF-8."""
    return json.dumps(
        payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    ).encode("utf-8")


# --------------------------------------------------------------------------- building


def _refuse_finalized(status: str, iid: str) -> None:
    if status == Status.finalized.value:
        raise BundleError(
            f"Interview {iid[:8]} is finalized; bundles carry work in progress "
            "(use 'formers export --format json' and 'formers import' for archives)."
        )


RATING_PARTS = ("ratings", "domain_submissions", "chair_reveal", "consensus", "determination")


def build_payload(
    session: Session,
    interview_id: str,
    *,
    panelist: str | None = None,
    with_ratings: bool = True,
    reader_id: str | None = None,
    pin: str | None = None,
) -> dict[str, Any]:
    """What a bundle carries: one panelist's signed ratings, or the whole interview.

    A bundle carries work in progress, so blind rating holds: a whole-interview
    bundle carries only the ratings ``reader_id`` may see
    (:mod:`formers_tui.store.rules.visibility`), and a panelist's bundle is
    made only by that panelist (``reader_id`` is theirs).

    Args:
        interview_id: id or unique prefix.
        panelist: name (any case) or id prefix of the panelist whose ratings
            to carry; ``None`` for the whole interview.
        with_ratings: for a whole interview, include ratings, consensus and
            the determination; without them panelists who receive it rate blind.
        reader_id: the panelist making the bundle, PIN confirmed by the
            caller; ``None`` when nobody is identified.
        pin: the panelist's PIN, which opens their signing key (required
            with ``panelist``). A panelist from before signing keys existed
            gets their key now; the caller commits.

    Raises:
        NotFoundError: unknown interview or panelist.
        BundleError: the interview is finalized, a panelist's bundle is
            asked for by someone else, or no PIN was given.
        PinError: the PIN is wrong.
    """
    interview = get_interview(session, interview_id)
    _refuse_finalized(interview.status.value, interview.id)
    cache = ProtocolCache()
    document = to_json_value(
        next(iter_documents(session, [interview.id], full=True, protocols=cache))
    )
    seen = document_visibility(document, cache.get(session, interview.protocol_hash), reader_id)
    redact_document(document, seen)
    if panelist is None:
        if not with_ratings:
            document = {
                **document,
                "ratings": [],
                "domain_submissions": [],
                "chair_reveal": None,
                "consensus": [],
                "determination": None,
                "sign_offs": [],
            }
        document = {**document, "panel": [_with_keys(session, p) for p in document["panel"]]}
        sha = interview.protocol_hash
        return {
            "kind": "interview",
            "protocol": {
                "id": interview.protocol_id,
                "version": interview.protocol_version,
                "sha256": sha,
                "title": document["protocol"]["title"],
                "text": protocol_text(session, sha),
            },
            "interview": document,
        }
    member = _find_panelist(document, panelist)
    if member["id"] != reader_id:
        raise BundleError(f"Only {member['name']}, with their PIN, can export their ratings.")
    payload = {
        "kind": "panelist",
        "interview": {
            "id": interview.id,
            "candidate_code": document["candidate"]["code"],
            "status": document["status"],
            "protocol": {
                "id": interview.protocol_id,
                "version": interview.protocol_version,
                "sha256": interview.protocol_hash,
            },
        },
        "panelist": member,
        "ratings": [r for r in document["ratings"] if r["panelist_id"] == member["id"]],
        "domain_submissions": [
            s for s in document["domain_submissions"] if s["panelist_id"] == member["id"]
        ],
    }
    payload["signature"] = _sign(session, interview, member, pin, payload)
    return payload


def _with_keys(session: Session, member: dict[str, Any]) -> dict[str, Any]:
    """A panel entry with the panelist's public and sealed keys, so they can sign elsewhere."""
    stored = session.get(Panelist, member["id"])
    keys = {}
    if stored is not None and stored.public_key is not None:
        keys["public_key"] = stored.public_key
        if stored.sealed_key is not None:
            keys["sealed_key"] = stored.sealed_key
    return {**member, **keys}


def _sign(
    session: Session,
    interview: Interview,
    member: dict[str, Any],
    pin: str | None,
    payload: dict[str, Any],
) -> dict[str, str]:
    """The panelist's signature of ``payload``, made with the key their PIN opens."""
    name = member["name"]
    if pin is None:
        raise BundleError(f"A bundle of {name}'s ratings is signed with {name}'s PIN; give it.")
    stored = panelist_of(session, interview.id, member["id"])
    if stored.pin_hash is not None:
        require_pin(session, interview_id=interview.id, panelist_id=stored.id, pin=pin)
    elif stored.sealed_key is None:
        raise PinError(f"{name} has no PIN yet; set one first.")
    try:
        return signing.sign(stored, pin, signing.message(PANELIST_BUNDLE, canonical(payload)))
    except signing.SigningKeyError as exc:
        raise PinError(str(exc)) from None


def _find_panelist(document: dict[str, Any], who: str) -> dict[str, Any]:
    from formers_tui.errors import NotFoundError

    key = who.strip().casefold()
    panel: list[dict[str, Any]] = document["panel"]
    named = [p for p in panel if p["name"].casefold() == key]
    if not named and len(key) >= 4:
        named = [p for p in panel if p["id"].startswith(key)]
    if len(named) != 1:
        names = ", ".join(p["name"] for p in panel)
        raise NotFoundError(f"No panelist '{who}' on this interview's panel ({names}).")
    return named[0]


# --------------------------------------------------------------------------- sealing


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (ValueError, UnicodeEncodeError):
        raise BundleError("The bundle is damaged (its encoded data is not valid).") from None


def _derive(passphrase: str, salt: bytes, n: int, r: int, p: int) -> tuple[bytes, bytes]:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    try:
        material = Scrypt(salt=salt, length=64, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))
    except ValueError:
        raise BundleError("The bundle's key parameters are not valid; it is damaged.") from None
    return material[:32], material[32:]


def _key_check(check_key: bytes) -> bytes:
    return hmac.new(check_key, KEY_CHECK_MESSAGE, hashlib.sha256).digest()


def check_passphrase(passphrase: str) -> str:
    """Refuse a passphrase too short to protect a bundle.

    Raises:
        BundleError: fewer than :data:`MIN_PASSPHRASE` characters.
    """
    if len(passphrase) < MIN_PASSPHRASE:
        raise BundleError(f"Use a passphrase of at least {MIN_PASSPHRASE} characters.")
    return passphrase


def seal(
    payload: dict[str, Any], passphrase: str | None = None, *, audit_head: str | None = None
) -> bytes:
    """The bytes of a bundle file carrying ``payload``, encrypted if a passphrase is given.

    ``audit_head`` (the source store's audit head) goes in the header, where
    ``formers audit verify --against`` finds it; encrypted, it is authenticated
    with the rest of the header.
    """
    body = canonical(payload)
    header: dict[str, Any] = {
        "format": BUNDLE_FORMAT,
        "format_version": BUNDLE_VERSION,
        "created_at": utc(utcnow()).isoformat(),
        "sha256": hashlib.sha256(body).hexdigest(),
        "encryption": None,
    }
    if audit_head is not None:
        header["audit_head"] = audit_head
    if passphrase is None:
        return (
            json.dumps({**header, "payload": payload}, ensure_ascii=False, indent=1) + "\n"
        ).encode("utf-8")
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    salt, nonce = os.urandom(16), os.urandom(12)
    key, check_key = _derive(check_passphrase(passphrase), salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    header["encryption"] = {
        "cipher": "AES-256-GCM",
        "kdf": "scrypt",
        "n": SCRYPT_N,
        "r": SCRYPT_R,
        "p": SCRYPT_P,
        "salt": _b64(salt),
        "nonce": _b64(nonce),
        "key_check": _b64(_key_check(check_key)),
    }
    ciphertext = AESGCM(key).encrypt(nonce, body, canonical(header))
    return (json.dumps({**header, "ciphertext": _b64(ciphertext)}, indent=1) + "\n").encode("utf-8")


def unseal(raw: bytes, passphrase: Callable[[], str] | None = None) -> dict[str, Any]:
    """The payload of bundle bytes, checked; asks for the passphrase only if needed.

    Raises:
        BundleError: truncated or damaged, not a bundle, wrong passphrase,
            altered contents, or a checksum that does not match.
    """
    what = "The bundle"
    try:
        data = parse_json(raw, what)
    except ValidationError as exc:
        raise BundleError(f"{exc} It cannot be used.") from None
    if not isinstance(data, dict) or data.get("format") != BUNDLE_FORMAT:
        raise BundleError("This file is not a formers-tui bundle.")
    if not isinstance(data.get("encryption"), dict):
        _verify_checksum(data.get("payload"), data.get("sha256"))
        check(data, BUNDLE_SCHEMA, what)
        payload: dict[str, Any] = data["payload"]
    else:
        check(data, BUNDLE_SCHEMA, what)
        payload = _decrypt(data, passphrase)
        _verify_checksum(payload, data["sha256"])
        plain = {k: v for k, v in data.items() if k != "ciphertext"}
        check({**plain, "encryption": None, "payload": payload}, BUNDLE_SCHEMA, what)
    return payload


def _verify_checksum(payload: Any, expected: Any) -> None:
    try:
        actual = hashlib.sha256(canonical(payload)).hexdigest()
    except (TypeError, ValueError):
        actual = ""
    if not isinstance(expected, str) or not hmac.compare_digest(actual, expected):
        raise BundleError(
            "The bundle's checksum does not match its contents: it was altered or damaged."
        )


def _decrypt(data: dict[str, Any], passphrase: Callable[[], str] | None) -> dict[str, Any]:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    if passphrase is None:
        raise BundleError("This bundle is encrypted; a passphrase is needed to read it.")
    params = data["encryption"]
    salt, nonce = _unb64(params["salt"]), _unb64(params["nonce"])
    if len(nonce) != 12 or len(salt) < 16:
        raise BundleError("The bundle's encryption header is damaged.")
    key, check_key = _derive(passphrase(), salt, params["n"], params["r"], params["p"])
    if not hmac.compare_digest(_key_check(check_key), _unb64(params["key_check"])):
        raise BundleError("Wrong passphrase for this bundle.")
    header = {k: v for k, v in data.items() if k != "ciphertext"}
    try:
        body = AESGCM(key).decrypt(nonce, _unb64(data["ciphertext"]), canonical(header))
    except InvalidTag:
        raise BundleError(
            "The bundle was altered or damaged: its contents fail authentication."
        ) from None
    payload = parse_json(body, "The bundle's contents")
    if not isinstance(payload, dict):
        raise BundleError("The bundle's contents are not a bundle payload.")
    return payload


def write_bundle(
    session: Session,
    interview_id: str,
    out: Path,
    *,
    panelist: str | None = None,
    with_ratings: bool = True,
    passphrase: str | None = None,
    pin: str | None = None,
    force: bool = False,
    reader_id: str | None = None,
) -> dict[str, Any]:
    """Build and write a bundle (0600, atomically); return its payload.

    Raises:
        NotFoundError, BundleError, PinError, ExportTargetError: see the helpers.
    """
    payload = build_payload(
        session,
        interview_id,
        panelist=panelist,
        with_ratings=with_ratings,
        reader_id=reader_id,
        pin=pin,
    )
    from formers_tui.store.audit import head

    data = seal(payload, passphrase, audit_head=head(session).text())
    with atomic_bytes(out, force=force) as handle:
        handle.write(data)
    session.commit()  # a signing key made for a panelist from before keys existed
    return payload


# --------------------------------------------------------------------------- merging


@dataclass(frozen=True)
class Conflict:
    """A rating that differs between the bundle and the store; the store's is kept."""

    indicator_id: str
    panelist: str
    here: str
    """The store's version, e.g. ``2`` or ``omit``."""
    bundle: str
    reason: str = ""


@dataclass
class BundleReport:
    """What importing a bundle did."""

    interview_id: str
    kind: str
    panelist: str = ""
    created_interview: bool = False
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    superseded: int = 0
    """Ratings the store already holds in a later version."""
    submissions: int = 0
    conflicts: list[Conflict] = field(default_factory=list)
    merged: dict[str, int] = field(default_factory=dict)
    """A whole interview's captured content added here, counted by kind."""
    not_merged: list[str] = field(default_factory=list)
    """What a whole-interview bundle held that this store keeps as it is, one sentence each."""

    @property
    def changed(self) -> bool:
        return self.created_interview or bool(
            self.added or self.updated or self.submissions or self.merged
        )


def _show(value: int | None, omitted: bool) -> str:
    return "omit" if omitted or value is None else str(value)


def _same(stored: Rating, incoming: dict[str, Any]) -> bool:
    return (stored.value, stored.omitted, stored.rationale) == (
        incoming["value"],
        incoming["omitted"],
        incoming["rationale"],
    )


PinAsker = Callable[[str], str]
"""Asks for the PIN of the panelist named; used only to take a key a store lacks."""


def merge_payload(
    session: Session, payload: dict[str, Any], pin: PinAsker | None = None
) -> BundleReport:
    """Merge a checked payload into the store in one transaction and commit it.

    Args:
        pin: asks for a panelist's PIN when this store holds their PIN but
            no signing key yet (a store from before keys existed): their PIN
            lets it take the key the bundle was signed with.

    Raises:
        BundleError: finalized interview, a different protocol, an unknown
            interview or panelist, a bundle not signed by its panelist;
            nothing is written.
    """
    try:
        report = _merge(session, payload, pin)
        session.commit()
        return report
    except FormersError:
        session.rollback()
        raise
    except (ValueError, OverflowError) as exc:
        session.rollback()
        raise BundleError(f"The bundle holds a value this store cannot take ({exc}).") from None
    except SQLAlchemyError as exc:
        session.rollback()
        reason = str(getattr(exc, "orig", None) or exc).splitlines()[0]
        raise BundleError(
            f"The bundle conflicts with this store ({reason}); nothing was imported."
        ) from None


def _merge(session: Session, payload: dict[str, Any], pin: PinAsker | None) -> BundleReport:
    if payload["kind"] == "interview":
        doc = payload["interview"]
        ref = {
            "id": doc["id"],
            "status": doc["status"],
            "protocol": payload["protocol"],
        }
    else:
        ref = payload["interview"]
    iid = ref["id"]
    _refuse_finalized(ref["status"], iid)
    report = BundleReport(interview_id=iid, kind=payload["kind"])
    interview = session.get(Interview, iid)
    if interview is None:
        if payload["kind"] != "interview":
            raise BundleError(
                f"Interview {iid[:8]} is not in this store; import the whole interview "
                "(a bundle made without --panelist) first."
            )
        return _create(session, payload, report)
    _refuse_finalized(interview.status.value, iid)
    protocol = ref["protocol"]
    if (interview.protocol_hash, interview.protocol_version) != (
        protocol["sha256"],
        protocol["version"],
    ):
        raise BundleError(
            f"The bundle was made with protocol {protocol['id']} {protocol['version']} "
            f"({protocol['sha256'][:12]}), but this store's interview {iid[:8]} uses "
            f"{interview.protocol_id} {interview.protocol_version} "
            f"({interview.protocol_hash[:12]}); they cannot be merged."
        )
    if payload["kind"] == "interview":
        return _merge_whole(session, interview, payload["interview"], report)
    ratings = payload["ratings"]
    submissions = payload["domain_submissions"]
    report.panelist = payload["panelist"]["name"]
    members = _match_panel(session, interview, [payload["panelist"]])
    _check_signature(session, interview, payload, members[payload["panelist"]["id"]], pin)
    _check_ratings(interview, ratings, submissions, members)
    for incoming in ratings:
        _merge_rating(session, interview, incoming, members[incoming["panelist_id"]], report)
    for submission in submissions:
        _merge_submission(
            session, interview, submission, members[submission["panelist_id"]], report
        )
    if report.changed:
        touch(session, interview)
        advance_after_rating(session, interview, ACTOR)
        signed_content_changed(session, interview, actor=ACTOR, why="ratings arrived by bundle")
    return report


def _merge_whole(
    session: Session, interview: Interview, doc: dict[str, Any], report: BundleReport
) -> BundleReport:
    """Merge a whole interview into the store's copy (see :mod:`.interview_merge`)."""
    members = _match_panel(session, interview, doc["panel"])
    content = merge_interview(session, interview, doc, actor=ACTOR)
    report.merged = content.merged
    report.not_merged = content.not_merged
    differ = []
    for entry in doc["panel"]:
        key, member = entry.get("public_key"), members[entry["id"]]
        if key is None or key == member.public_key:
            continue
        if member.public_key is None and member.pin_hash is None and signing.valid_public_key(key):
            _take_key(session, interview, member, entry)
            report.merged["signing keys"] = report.merged.get("signing keys", 0) + 1
        else:
            differ.append(member.name)
    if differ:
        report.not_merged.append(
            f"The signing keys of {', '.join(differ)} differ from this store's; this store's "
            "are kept."
        )
    return report


def _take_key(
    session: Session, interview: Interview, member: Panelist, entry: dict[str, Any]
) -> None:
    """Take a panelist's keys from a whole interview, where this store knows no key or PIN.

    The same trust as a first PIN set at this laptop, which anyone here could
    choose; from then on their bundles must be signed with this key.
    """
    member.public_key = entry["public_key"]
    member.sealed_key = entry.get("sealed_key")
    session.add(member)
    record(
        session,
        interview,
        actor=ACTOR,
        action="create",
        entity="panelist_key",
        key=member.id,
        old=None,
        new={
            "panelist": member.name,
            "public_key": member.public_key,
            "source": "whole-interview bundle",
        },
    )


def _obey(session: Session, interview: Interview, member: Panelist, indicator_id: str) -> None:
    """Refuse the bundle when the app would refuse this rating typed in now."""
    refusal = rating_refusal(session, interview, member.id, indicator_id)
    if refusal is not None:
        raise BundleError(_refused(member, refusal))


def _refused(member: Panelist, reason: str) -> str:
    return f"{member.name}'s bundle was refused: {reason[:1].lower()}{reason[1:]}"


def _create(session: Session, payload: dict[str, Any], report: BundleReport) -> BundleReport:
    snapshot = payload["protocol"]
    doc = payload["interview"]
    if (
        text_hash(snapshot["text"]) != snapshot["sha256"]
        or doc["protocol"]["sha256"] != snapshot["sha256"]
    ):
        raise BundleError("The bundle's protocol text does not match its SHA-256.")
    cache = ProtocolCache()
    try:
        protocol = cache.add(snapshot["sha256"], snapshot["text"])
    except ProtocolError:
        raise BundleError("The bundle's protocol is not a valid protocol.") from None
    check_interview(doc, protocol)
    insert_document(session, doc, snapshot["text"], actor=ACTOR, origin="bundle")
    report.created_interview = True
    report.added = len(doc["ratings"])
    report.submissions = len(doc["domain_submissions"])
    return report


def _match_panel(
    session: Session, interview: Interview, panel: list[dict[str, Any]]
) -> dict[str, Panelist]:
    """The store's panelists for the bundle's, matched by id and checked by name."""
    out: dict[str, Panelist] = {}
    for member in panel:
        stored = session.get(Panelist, member["id"])
        if stored is None or stored.interview_id != interview.id:
            raise BundleError(
                f"{member['name']} is not on interview {interview.id[:8]}'s panel in this "
                "store (was the interview copied from this store?)."
            )
        if stored.name.casefold() != str(member["name"]).casefold():
            raise BundleError(
                f"The bundle's panelist {member['name']} is {stored.name} in this store."
            )
        out[member["id"]] = stored
    return out


def _check_signature(
    session: Session,
    interview: Interview,
    payload: dict[str, Any],
    member: Panelist,
    pin: PinAsker | None,
) -> None:
    """Refuse a panelist bundle not signed by the panelist it names.

    The signature is checked against the public key in this store's panel
    record. A store that knows neither a key nor a PIN of the panelist
    takes the key of their first signed bundle (as anyone at this laptop
    could set that panelist's first PIN); one that holds their PIN but no
    key (from before keys existed) takes it once that PIN is given. Either
    is recorded in the audit log and every later bundle must be signed with
    that key.
    """
    name = member.name
    signature = payload.get("signature")
    if not isinstance(signature, dict):
        raise BundleError(
            f"The bundle's ratings are not signed by {name}; ask {name} for a bundle made "
            "with their PIN."
        )
    unsigned = {k: v for k, v in payload.items() if k != "signature"}
    data = signing.message(PANELIST_BUNDLE, canonical(unsigned))
    known = member.public_key
    if known is None and member.pin_hash is not None:
        if pin is None:
            raise BundleError(
                f"This store holds {name}'s PIN but no signing key of theirs yet; import the "
                f"bundle with {name}'s PIN to take the key it was signed with."
            )
        if not pin_matches(pin(name), member.pin_hash):
            raise PinError(f"Wrong PIN for {name}.")
    key = known if known is not None else str(signature["public_key"])
    if signature["public_key"] != key or not signing.verify(key, data, signature["value"]):
        raise BundleError(
            f"The bundle's ratings do not carry {name}'s signature: they were changed after "
            f"signing, or signed by someone else; it was refused."
        )
    if known is None:
        member.public_key = key
        session.add(member)
        record(
            session,
            interview,
            actor=ACTOR,
            action="create",
            entity="panelist_key",
            key=member.id,
            old=None,
            new={"panelist": name, "public_key": key, "source": "first signed bundle"},
        )


def _check_ratings(
    interview: Interview,
    ratings: list[dict[str, Any]],
    submissions: list[dict[str, Any]],
    members: dict[str, Panelist],
) -> None:
    protocol = protocol_of(interview)
    indicators = {i.id for i in protocol.indicators()}
    domains = {d.id for d in protocol.domains()}
    scale = set(protocol.scale.values)
    for rating in ratings:
        if rating["panelist_id"] not in members:
            raise BundleError("The bundle holds a rating by a panelist it does not describe.")
        if rating["indicator_id"] not in indicators:
            raise BundleError(f"The bundle rates unknown indicator '{rating['indicator_id']}'.")
        for version in (rating, *rating["history"]):
            if version["value"] is not None and version["value"] not in scale:
                raise BundleError(
                    f"The bundle's rating of {rating['indicator_id']} is not on the scale."
                )
    for submission in submissions:
        if submission["panelist_id"] not in members or submission["domain_id"] not in domains:
            raise BundleError("The bundle holds a domain submission this interview cannot take.")


def _merge_rating(
    session: Session,
    interview: Interview,
    incoming: dict[str, Any],
    member: Panelist,
    report: BundleReport,
) -> None:
    stored = session.exec(
        select(Rating).where(
            Rating.interview_id == interview.id,
            Rating.indicator_id == incoming["indicator_id"],
            Rating.panelist_id == member.id,
        )
    ).first()
    indicator = incoming["indicator_id"]
    if stored is None:
        _obey(session, interview, member, indicator)
        row = row_values(Rating, incoming, interview_id=interview.id)
        session.execute(insert(table_of(Rating)), [row])
        _add_history(session, stored_id=row["id"], history=incoming["history"], known=set())
        new = session.get(Rating, row["id"])
        _audit(session, interview, "create", new, None, member)
        report.added += 1
        return
    if _same(stored, incoming):
        if stored.submitted_at is None and incoming["submitted_at"] is not None:
            # the same rating, submitted since: the submission is what changed
            _obey(session, interview, member, indicator)
            old = values(stored)
            stored.submitted_at = parse_timestamp(incoming["submitted_at"])
            session.add(stored)
            _audit(session, interview, "update", stored, old, member)
            report.updated += 1
            return
        report.unchanged += 1
        return

    def version(data: dict[str, Any]) -> tuple[Any, ...]:
        return (data["value"], data["omitted"], data["rationale"])

    here = (stored.value, stored.omitted, stored.rationale)
    there = version(incoming)
    stored_history = [
        (h.value, h.omitted, h.rationale)
        for h in session.exec(select(RatingRevision).where(RatingRevision.rating_id == stored.id))
    ]
    incoming_history = [version(h) for h in incoming["history"]]
    incoming_at = parse_timestamp(incoming["updated_at"])
    same_rating = stored.id == incoming["id"]
    newer = incoming_at > utc(stored.updated_at)
    conflict = Conflict(
        indicator,
        member.name,
        _show(stored.value, stored.omitted),
        _show(incoming["value"], incoming["omitted"]),
    )
    if not same_rating:
        report.conflicts.append(conflict)
        return
    if not newer and (incoming["submitted_at"] is None or there in stored_history):
        report.superseded += 1
        return
    if newer and (stored.submitted_at is None or here in incoming_history):
        _obey(session, interview, member, indicator)
        old = values(stored)
        known = {
            h.id
            for h in session.exec(
                select(RatingRevision).where(RatingRevision.rating_id == stored.id)
            )
        }
        _add_history(session, stored_id=stored.id, history=incoming["history"], known=known)
        update = row_values(Rating, incoming, interview_id=interview.id)
        for key in ("value", "omitted", "rationale", "updated_at", "submitted_at"):
            setattr(stored, key, update[key])
        session.add(stored)
        _audit(session, interview, "update", stored, old, member)
        report.updated += 1
        return
    report.conflicts.append(conflict)


def _add_history(
    session: Session, *, stored_id: str, history: list[dict[str, Any]], known: set[str]
) -> None:
    rows = [
        row_values(RatingRevision, h, rating_id=stored_id) for h in history if h["id"] not in known
    ]
    if rows:
        session.execute(insert(table_of(RatingRevision)), rows)


def _audit(
    session: Session,
    interview: Interview,
    action: str,
    rating: Rating | None,
    old: dict[str, Any] | None,
    member: Panelist,
) -> None:
    record(
        session,
        interview,
        actor=ACTOR,
        action=action,
        entity="rating",
        key=rating.id if rating is not None else "",
        old=old,
        new={**(values(rating) or {}), "panelist": member.name, "source": "bundle"},
    )


def _merge_submission(
    session: Session,
    interview: Interview,
    submission: dict[str, Any],
    member: Panelist,
    report: BundleReport,
) -> None:
    key = (interview.id, submission["panelist_id"], submission["domain_id"])
    if session.get(DomainSubmission, key) is not None:
        return
    refusal = submission_refusal(session, interview, submission["domain_id"])
    if refusal is not None:
        raise BundleError(_refused(member, refusal))
    domain = domain_of(protocol_of(interview), submission["domain_id"])
    mine = ratings_by(session, interview.id, member.id)
    if any(i.id not in mine or mine[i.id].submitted_at is None for i in domain.indicators):
        raise BundleError(
            f"{member.name}'s bundle submits {domain.title} without a submitted rating of "
            "every indicator in it; it was refused."
        )
    row = row_values(DomainSubmission, submission, interview_id=interview.id)
    session.execute(insert(table_of(DomainSubmission)), [row])
    record(
        session,
        interview,
        actor=ACTOR,
        action="create",
        entity="domain_submission",
        key=":".join(key),
        old=None,
        new={**{k: v for k, v in row.items()}, "source": "bundle"},
    )
    report.submissions += 1


def read_bundle_file(path: Path) -> bytes:
    """The bytes of a bundle file.

    Raises:
        BundleError: the file cannot be read.
    """
    try:
        return path.read_bytes()
    except OSError as exc:
        raise BundleError(f"Cannot read {path}: {exc.strerror or exc}.") from None


def import_bundle(
    session: Session,
    path: Path,
    passphrase: Callable[[], str] | None = None,
    pin: PinAsker | None = None,
) -> BundleReport:
    """Read, check and merge the bundle at ``path``; see :func:`merge_payload`."""
    return merge_payload(session, unseal(read_bundle_file(path), passphrase), pin)
