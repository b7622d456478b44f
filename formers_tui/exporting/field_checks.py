"""Every field of an imported interview document, checked by the store's validators.

An import writes rows directly (ids and timestamps kept), so it does not pass
through the store's functions that check each field as it is typed. This
walk applies the same validators (:mod:`formers_tui.store.fields`) to every
code, name, free text and date the document carries, so a file can bring in
nothing the interface or the command line would refuse.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from formers_tui.errors import ValidationError
from formers_tui.protocol.model import Protocol
from formers_tui.store import fields


def _date(value: Any, what: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(f"the {what} {str(value)[:20]!r} is not a date") from None


def _required_date(value: Any, what: str) -> date:
    found = _date(value, what)
    if found is None:
        raise ValidationError(f"the {what} is missing")
    return found


def _texts(rows: list[dict[str, Any]], keys: tuple[str, ...], what: str) -> None:
    for row in rows:
        for key in keys:
            value = row.get(key)
            if isinstance(value, str):
                fields.check_free_text(value, f"{what} {key.replace('_', ' ')}")


def check_document_fields(doc: dict[str, Any], protocol: Protocol) -> None:
    """Check each field of one interview document with the validator of its kind.

    Args:
        doc: the interview document (shapes already checked by the schema).
        protocol: its protocol, which says which timeline facts are dates.

    Raises:
        ValidationError: naming the first field that breaks the rule of its kind.
    """
    fields.check_code(str(doc["candidate"]["code"]))
    when = fields.check_interview_date(_required_date(doc["interview_date"], "interview date"))
    identity = doc["candidate"].get("identity") or {}
    for key in ("full_name",):
        if isinstance(identity.get(key), str):
            fields.check_name(identity[key], "candidate's full name", required=False)
    _texts([identity], ("contact", "notes"), "identifying")
    consented = _date(doc["consent"].get("date"), "consent date")
    if consented is not None:
        fields.check_consent_date(consented, interview_date=when)
    for member in doc["panel"]:
        fields.check_name(str(member["name"]), "panel member's name")
    kinds = {f.id: f for f in protocol.timeline}
    for fact_id, value in doc["timeline"].items():
        fact = kinds.get(fact_id)
        if fact is None or not isinstance(value, str) or not value:
            continue
        if fact.kind == "date":
            found = _required_date(value, fact.label)
            fields.check_life_date(found, fact.label, interview_date=when)
        else:
            fields.check_free_text(value, fact.label)
    _texts(doc["notes"], ("text",), "note")
    for quote in doc["quotes"]:
        fields.check_free_text(str(quote["text"]), "quote")
        fields.check_name(str(quote["speaker"]), "speaker's name")
    for item in doc["evidence"]:
        fields.check_name(str(item.get("informant") or ""), "informant's name", required=False)
        fields.check_free_text(str(item.get("summary") or ""), "evidence summary")
        obtained = _date(item.get("obtained_on"), "date obtained")
        if obtained is not None:
            fields.check_obtained_date(obtained)
    _texts(doc["ratings"], ("rationale",), "rating")
    for rating in doc["ratings"]:
        _texts(rating.get("history") or [], ("rationale",), "earlier rating")
    _texts(doc["consensus"], ("rationale", "dissent"), "consensus")
    if doc.get("determination"):
        _texts(
            [doc["determination"]],
            ("rationale", "conditions", "work_on", "differs_because"),
            "determination",
        )
    if doc.get("chair_reveal"):
        _texts([doc["chair_reveal"]], ("reason",), "reveal")
    _texts(doc["safety_flags"], ("note", "action_taken"), "safety flag")
    _texts(doc["addenda"], ("author", "reason", "text"), "addendum")
