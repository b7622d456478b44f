"""The fictional demo interview behind ``formers demo``.

A newcomer should see every part of an interview filled in, so the demo store
holds one partly completed interview read from ``data/demo-interview.json``.
Every name in it is invented.

Building it runs every migration and writes the whole interview through the
store's rules, about half a second of processor time, so it is built once
into a template in the data folder (named after the schema revision, the
release, the demo file and the shipped protocols, so a new one is built
whenever any of them changes) and each ``formers demo`` copies the template.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import sqlite3
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

from formers_tui import __version__
from formers_tui.paths import PRIVATE_FILE_MODE, data_dir, ensure_private_dir, shipped_dir
from formers_tui.store.lock import lock_file
from formers_tui.store.schema_head import HEAD

DEMO_FILE = "demo-interview.json"
DEMO_NOTICE = (
    "Demo store in a temporary folder, not encrypted: everything here is "
    "fictional and is deleted when you quit."
)


def demo_data() -> dict[str, Any]:
    """The demo interview description shipped in ``data/``."""
    data: dict[str, Any] = json.loads((shipped_dir("data") / DEMO_FILE).read_text("utf-8"))
    return data


def template_path() -> Path:
    """Where the demo store's template is kept for this schema, release and demo file.

    The shipped protocol files count as part of the demo file: the demo
    interview freezes the protocol it was started with.
    """
    digest = hashlib.sha256((shipped_dir("data") / DEMO_FILE).read_bytes())
    for protocol in sorted(shipped_dir("interviews").glob("*.toml")):
        digest.update(protocol.read_bytes())
    return data_dir() / "demo" / f"demo-{HEAD}-{__version__}-{digest.hexdigest()[:12]}.db"


def demo_store(store_path: Path) -> str:
    """Create the demo store at ``store_path`` (a new file); return the interview's id.

    It is a copy of the template, built first when missing. Where the
    template cannot be kept (a read-only data folder), the store is built in
    place instead.
    """
    template = template_path()
    try:
        if not template.is_file():
            _build_template(template)
        with template.open("rb") as source:
            fd = os.open(store_path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, PRIVATE_FILE_MODE)
            with os.fdopen(fd, "wb") as target:
                shutil.copyfileobj(source, target)
        return _interview_of(store_path)
    except (OSError, sqlite3.Error):
        store_path.unlink(missing_ok=True)
        with contextlib.suppress(OSError):
            template.unlink(missing_ok=True)  # built again next time
        return seed_demo(store_path)


def _build_template(template: Path) -> None:
    """Build the demo store into ``template``; another program may be doing the same."""
    folder = ensure_private_dir(template.parent)
    fd, name = tempfile.mkstemp(prefix=".building-", suffix=".db", dir=folder)
    os.close(fd)
    building = Path(name)
    try:
        building.unlink()  # the store is created by its own opening
        seed_demo(building)
        connection = sqlite3.connect(building)
        try:  # everything into the one file that is kept
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        finally:
            connection.close()
        os.replace(building, template)  # whole or not at all
    finally:
        for leftover in (building, *_companions(building)):
            leftover.unlink(missing_ok=True)
    for old in folder.glob("demo-*.db"):  # templates of earlier releases
        if old != template:
            old.unlink(missing_ok=True)


def _companions(store: Path) -> list[Path]:
    """The files SQLite and the store keep beside ``store``."""
    return [
        store.with_name(store.name + "-wal"),
        store.with_name(store.name + "-shm"),
        lock_file(store),
    ]


def _interview_of(store: Path) -> str:
    """The id of the one interview of a demo store."""
    connection = sqlite3.connect(store)
    try:
        rows = connection.execute("SELECT id FROM interview").fetchall()
    finally:
        connection.close()
    if len(rows) != 1:
        raise sqlite3.DatabaseError("not a demo store")
    return str(rows[0][0])


def seed_demo(store_path: Path) -> str:
    """Create a store at ``store_path`` holding the demo interview; return its id."""
    from formers_tui.protocol.registry import load_catalogue
    from formers_tui.store import capture, ratings
    from formers_tui.store.interviews import PanelistIn, create_interview, interview_header
    from formers_tui.store.models import Bearing, EvidenceSource, FlagKind, Reliability, Role
    from formers_tui.store.store import Store

    data = demo_data()
    loaded = load_catalogue().get(data["protocol"])
    store = Store.open(store_path)
    try:
        with store.session() as session:
            panel = [
                PanelistIn(p["name"], Role(p["role"]), bool(p.get("is_chair")))
                for p in data["panel"]
            ]
            interview = create_interview(
                session,
                candidate_code=data["candidate_code"],
                protocol=loaded,
                panel=panel,
                actor="demo",
                interview_date=date.fromisoformat(data["interview_date"]),
                consent_given=True,
                consent_date=date.fromisoformat(data["interview_date"]),
            )
            iid = interview.id
            chair = panel[0].name
            for fact, value in data["timeline"].items():
                capture.set_timeline(
                    session, interview_id=iid, fact_id=fact, value=value, actor=chair
                )
            for indicator, text in data["notes"].items():
                capture.save_note(
                    session, interview_id=iid, indicator_id=indicator, text=text, actor=chair
                )
            for q in data["quotes"]:
                capture.add_quote(
                    session,
                    interview_id=iid,
                    indicator_id=q["indicator"],
                    text=q["text"],
                    speaker=q["speaker"],
                    actor=chair,
                )
            for e in data["evidence"]:
                item = capture.EvidenceIn(
                    source_type=EvidenceSource(e["source_type"]),
                    informant=e["informant"],
                    obtained_on=date.fromisoformat(e["obtained_on"]),
                    reliability=Reliability(e["reliability"]),
                    summary=e["summary"],
                    bearing=Bearing(e["bearing"]),
                    indicator_ids=tuple(e["indicators"]),
                )
                capture.add_evidence(session, interview_id=iid, item=item, actor=chair)
            for f in data["flags"]:
                flag = capture.raise_flag(
                    session,
                    interview_id=iid,
                    kind=FlagKind(f["kind"]),
                    note=f["note"],
                    actor=chair,
                    indicator_id=f.get("indicator"),
                )
                if f.get("resolved"):
                    capture.resolve_flag(
                        session,
                        interview_id=iid,
                        flag_id=flag.id,
                        action_taken=f["resolved"],
                        actor=chair,
                    )
            by_name = {p.name: p.id for p in interview_header(session, interview).panel}
            for name, rated in data["ratings"].items():
                for indicator, (value, rationale) in rated.items():
                    ratings.save_rating(
                        session,
                        interview_id=iid,
                        panelist_id=by_name[name],
                        indicator_id=indicator,
                        value=value,
                        rationale=rationale,
                        actor=name,
                    )
            capture.set_current_indicator(
                session, interview_id=iid, indicator_id=data["current_indicator"]
            )
            session.commit()
            return iid
    finally:
        store.close()
