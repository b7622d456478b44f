"""The fictional demo interview behind ``formers demo``.

A newcomer should see every part of an interview filled in, so the demo store
holds one partly completed interview read from ``data/demo-interview.json``.
Every name in it is invented.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from formers_tui.paths import shipped_dir

DEMO_FILE = "demo-interview.json"
DEMO_NOTICE = (
    "Demo store in a temporary folder, not encrypted: everything here is "
    "fictional and is deleted when you quit."
)


def demo_data() -> dict[str, Any]:
    """The demo interview description shipped in ``data/``."""
    data: dict[str, Any] = json.loads((shipped_dir("data") / DEMO_FILE).read_text("utf-8"))
    return data


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
