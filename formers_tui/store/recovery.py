"""Text that could not be saved when the app closed, kept in an encrypted file.

When the store refuses writes (a full disk, a read-only folder) and the
panel has to close the app anyway, the unsaved notes and timeline values are
written to ``<store>.recovery/<interview id>``, encrypted with a key derived
from the store's own key (AES-256-GCM), so the file is as private as the
store. The next start offers them back; restoring writes them into the
interview through the same functions typing does (with their audit entries)
and removes the file.

A plaintext store (the demo, tests) gets a plaintext file, like the store.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from formers_tui.paths import PRIVATE_FILE_MODE, ensure_private_dir

if TYPE_CHECKING:
    from formers_tui.store.crypto import StoreKey
    from formers_tui.store.store import Store

SEALED = b"FRMREC1"
PLAIN = b"FRMRECP"
NONCE_BYTES = 12


@dataclass
class Recovered:
    """Unsaved text of one interview, as kept when the app closed."""

    interview_id: str
    written_at: str
    notes: dict[str, str] = field(default_factory=dict)
    """Notes by indicator id (the whole text, as last typed)."""
    timeline: dict[str, str] = field(default_factory=dict)
    """Timeline values by fact id."""
    other: list[str] = field(default_factory=list)
    """Other captures (quotes, flags...) in words, to be entered again."""
    path: Path | None = None


def folder(store_path: Path) -> Path:
    """Where a store's recovery files live."""
    return store_path.with_name(store_path.name + ".recovery")


def _key(store_key: StoreKey) -> bytes:
    return hmac.new(store_key.raw, b"formers-tui recovery file", hashlib.sha256).digest()


def save(store_path: Path, store_key: StoreKey | None, item: Recovered) -> Path:
    """Write ``item`` to its recovery file (replacing an older one of the same interview).

    Raises:
        OSError: the file could not be written either.
    """
    body = json.dumps(
        {
            "interview_id": item.interview_id,
            "written_at": item.written_at,
            "notes": item.notes,
            "timeline": item.timeline,
            "other": item.other,
        },
        ensure_ascii=False,
    ).encode("utf-8")
    if store_key is None:
        data = PLAIN + body
    else:
        from cryptography.hazmat.primitives.ciphers.aead import AESGCM

        nonce = os.urandom(NONCE_BYTES)
        aad = SEALED + item.interview_id.encode()
        data = SEALED + nonce + AESGCM(_key(store_key)).encrypt(nonce, body, aad)
    target = ensure_private_dir(folder(store_path)) / item.interview_id
    temporary = target.with_name(target.name + ".tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, PRIVATE_FILE_MODE)
    try:
        os.write(fd, data)
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, target)
    return target


def _read(path: Path, store_key: StoreKey | None) -> Recovered | None:
    data = path.read_bytes()
    try:
        if data.startswith(PLAIN):
            body = data[len(PLAIN) :]
        elif data.startswith(SEALED) and store_key is not None:
            from cryptography.exceptions import InvalidTag
            from cryptography.hazmat.primitives.ciphers.aead import AESGCM

            nonce = data[len(SEALED) : len(SEALED) + NONCE_BYTES]
            sealed = data[len(SEALED) + NONCE_BYTES :]
            try:
                body = AESGCM(_key(store_key)).decrypt(nonce, sealed, SEALED + path.name.encode())
            except InvalidTag:
                return None
        else:
            return None
        raw: dict[str, Any] = json.loads(body.decode("utf-8"))
        return Recovered(
            interview_id=str(raw["interview_id"]),
            written_at=str(raw["written_at"]),
            notes={str(k): str(v) for k, v in dict(raw["notes"]).items()},
            timeline={str(k): str(v) for k, v in dict(raw["timeline"]).items()},
            other=[str(v) for v in raw.get("other", [])],
            path=path,
        )
    except (ValueError, KeyError, TypeError):
        return None


def pending(store_path: Path, store_key: StoreKey | None) -> list[Recovered]:
    """The recovery files this store's key opens, oldest first."""
    where = folder(store_path)
    if not where.is_dir():
        return []
    found = []
    for path in sorted(where.iterdir()):
        if path.suffix == ".tmp" or not path.is_file():
            continue
        item = _read(path, store_key)
        if item is not None:
            found.append(item)
    return sorted(found, key=lambda r: r.written_at)


def restore(store: Store, item: Recovered, *, actor: str) -> None:
    """Write the kept notes and timeline values into their interview, then remove the file.

    Raises:
        FormersError: the interview is finalized or gone, or a value is refused;
            the file is kept.
    """
    from formers_tui.store import capture

    with store.session() as session:
        for indicator_id, text in item.notes.items():
            capture.save_note(
                session,
                interview_id=item.interview_id,
                indicator_id=indicator_id,
                text=text,
                actor=actor,
            )
        for fact_id, value in item.timeline.items():
            capture.set_timeline(
                session, interview_id=item.interview_id, fact_id=fact_id, value=value, actor=actor
            )
        session.commit()
    discard(item)


def discard(item: Recovered) -> None:
    """Remove the recovery file."""
    if item.path is not None:
        item.path.unlink(missing_ok=True)


def now_text() -> str:
    """When a recovery file is written, as shown when it is offered back."""
    return datetime.now().astimezone().isoformat(timespec="seconds")
