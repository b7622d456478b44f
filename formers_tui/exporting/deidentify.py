"""De-identification of interview documents for programme evaluation.

Every export format is made from the interview document, so de-identifying
the document once de-identifies the JSON, the CSV tables, the data package
and the reports alike.

What happens to a document:

* the candidate's identifying details are dropped;
* the candidate code and the names of people (panelists, informants, quote
  speakers, whoever raised a flag or wrote an addendum) become pseudonyms
  numbered in order of first appearance (``CAND-0001``, ``Person-0001``),
  stable within one export and unrelated across exports;
* row ids become keyed hashes (same length, still unique, consistent within
  the export so references hold, unlinkable to the store without the key,
  which is random per export and never written);
* every date and timestamp of a candidate moves by the same random number
  of days (1 to 365, either way), so intervals, durations and the
  proportionality rule are unchanged while calendar dates are not;
* free text (notes, quotes, summaries, rationales, dissent, conditions, flag
  notes, addenda, text timeline facts) is emptied, or with ``keep_text``
  kept with every known name and code replaced by its pseudonym and ISO
  dates shifted. Other identifying words in kept text (places, third
  parties, nicknames) cannot be recognised and stay: review before sharing.

The walk is an allow-list: a string under a key not named here is emptied
(and remembered in :attr:`Deidentifier.unknown_keys`), so a new column can
never leak through unnoticed.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from collections.abc import Callable
from datetime import date, datetime, timedelta
from enum import Enum
from typing import Any

from formers_tui.errors import ValidationError
from formers_tui.exporting.document import json_default, proportionality_summary
from formers_tui.protocol.model import Protocol
from formers_tui.protocol.timeline import shift_value

SAFE_KEYS = frozenset(
    {
        "format",
        "status",
        "indicator_id",
        "domain_id",
        "current_indicator",
        "role",
        "kind",
        "source_type",
        "reliability",
        "bearing",
        "outcome",
        "suggested_outcome",
        "version",
        "title",
        "sha256",
    }
)
"""Keys whose string values are categories or protocol facts, never about a person."""

ID_KEYS = frozenset({"id", "panelist_id", "rating_id", "evidence_id"})
PERSON_KEYS = frozenset({"name", "panelist", "speaker", "raised_by", "author", "informant"})
TEXT_KEYS = frozenset(
    {
        "text",
        "rationale",
        "dissent",
        "conditions",
        "work_on",
        "differs_because",
        "note",
        "action_taken",
        "reason",
        "summary",
    }
)
DROPPED_KEYS = frozenset({"identity"})
DERIVED_KEYS = frozenset({"timeline", "proportionality"})
CANDIDATE_SPEAKERS = frozenset({"candidate", "the candidate"})
"""Speaker labels that name the role, not the person; kept as ``Candidate``."""
TITLES = frozenset({"dr", "mr", "mrs", "ms", "mx", "miss", "prof", "rev", "sr", "jr", "sir"})
DESCRIPTIVE = frozenset(
    {
        "aunt", "brother", "case", "counselor", "counsellor", "court", "daughter", "doctor",
        "employer", "family", "father", "friend", "husband", "imam", "manager", "member",
        "mentor", "mother", "neighbour", "neighbor", "officer", "parole", "partner", "pastor",
        "police", "priest", "probation", "provider", "rabbi", "record", "reference", "sister",
        "social", "son", "supervisor", "teacher", "therapist", "treatment", "uncle", "wife",
        "worker", "the", "his", "her", "their",
    }
)  # fmt: skip
"""Words that describe a source rather than name it ("Probation officer", "her aunt")."""
MAX_SHIFT_DAYS = 365
ISO_DATE = re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)")


def _name_key(name: str) -> str:
    return " ".join(name.casefold().split())


class Deidentifier:
    """Pseudonyms and date offsets for one export.

    Args:
        keep_text: keep free text (names and codes in it replaced) instead of
            emptying it.
        key: secret for ids and date offsets; random when not given (tests
            pass one to get repeatable output).
    """

    def __init__(self, *, keep_text: bool = False, key: bytes | None = None) -> None:
        self.keep_text = keep_text
        self._key = key if key is not None else secrets.token_bytes(32)
        self._keyed = hmac.new(self._key, digestmod=hashlib.sha256)
        """Keyed once; each MAC copies it (an export computes one per row id)."""
        self._people: dict[str, str] = {}
        self._candidates: dict[str, str] = {}
        self.unknown_keys: set[str] = set()
        """Keys met whose strings were emptied because no rule names them."""

    def _mac(self, purpose: str, value: str) -> bytes:
        mac = self._keyed.copy()
        mac.update(f"{purpose}\0{value}".encode())
        return mac.digest()

    def pseudo_id(self, value: str) -> str:
        """A row id's stand-in: same form (32 hex), same for the same id in this export."""
        return self._mac("id", value).hex()[:32]

    def person(self, name: str) -> str:
        """The pseudonym of a person's name (``Person-0001``); empty stays empty."""
        key = _name_key(name)
        if not key:
            return ""
        if key in CANDIDATE_SPEAKERS:
            return "Candidate"
        if key not in self._people:
            self._people[key] = f"Person-{len(self._people) + 1:04d}"
        return self._people[key]

    def candidate(self, code: str) -> str:
        """The pseudonym of a candidate code (``CAND-0001``)."""
        key = code.strip()
        if key not in self._candidates:
            self._candidates[key] = f"CAND-{len(self._candidates) + 1:04d}"
        return self._candidates[key]

    def shift_days(self, candidate_code: str) -> int:
        """Days every date of this candidate moves: 1 to 365, earlier or later, never 0."""
        draw = int.from_bytes(self._mac("shift", candidate_code.strip())[:8], "big")
        days = draw % (2 * MAX_SHIFT_DAYS) - MAX_SHIFT_DAYS
        return days if days < 0 else days + 1

    def apply(
        self, document: dict[str, Any], protocol: Protocol, *, plain: bool = False
    ) -> dict[str, Any]:
        """Return a de-identified copy of an interview document.

        Args:
            document: as made by :func:`~formers_tui.exporting.document.iter_documents`
                (with ``identifying=True``, so the identity's strings can be
                scrubbed from kept text too).
            protocol: the interview's protocol, for the kinds of timeline facts.
            plain: give the copy's dates, timestamps and enums as their JSON
                text (see ``iter_documents``), made in the same walk.
        """
        code = str(document["candidate"]["code"])
        shift = timedelta(days=self.shift_days(code))
        scrub = self._scrubber(document, shift) if self.keep_text else None
        out: dict[str, Any] = self._walk(document, shift, scrub, plain)
        out["timeline"] = self._timeline(document["timeline"], protocol, shift, scrub)
        # From the real dates: calendar months do not survive a shift by days exactly,
        # and the result names no date.
        out["proportionality"] = proportionality_summary(
            protocol, document["timeline"], document["interview_date"]
        )
        return out

    def _text(self, value: str, scrub: Callable[[str], str] | None) -> str:
        return scrub(value) if scrub is not None and value else ""

    def _walk(
        self, value: Any, shift: timedelta, scrub: Callable[[str], str] | None, plain: bool
    ) -> Any:
        if isinstance(value, list):
            return [self._walk(item, shift, scrub, plain) for item in value]
        if isinstance(value, dict):
            out: dict[str, Any] = {}
            for key, item in value.items():
                if key in DROPPED_KEYS:
                    continue
                if key in DERIVED_KEYS:
                    out[key] = None  # rebuilt by apply() from de-identified parts
                    continue
                if isinstance(item, str) and not isinstance(item, Enum):
                    out[key] = self._string(key, item, scrub)
                elif key == "domain_seconds":
                    out[key] = dict(item)
                else:
                    out[key] = self._walk(item, shift, scrub, plain)
            return out
        if isinstance(value, datetime | date):
            moved = _shifted(value, shift)
            return json_default(moved) if plain else moved
        if plain and isinstance(value, Enum):
            return value.value
        return value

    def _string(self, key: str, value: str, scrub: Callable[[str], str] | None) -> str:
        if key in SAFE_KEYS:
            return value
        if key in ID_KEYS:
            return self.pseudo_id(value)
        if key in PERSON_KEYS:
            return self.person(value)
        if key == "dissent":
            return self._dissent(value, scrub)
        if key in TEXT_KEYS:
            return self._text(value, scrub)
        if key == "code":
            return self.candidate(value)
        self.unknown_keys.add(key)
        return ""

    def _dissent(self, value: str, scrub: Callable[[str], str] | None) -> str:
        """Dissent is stored as JSON (who and why): pseudonymise who, treat why as text."""
        if scrub is None or not value.strip():
            return ""
        try:
            items = json.loads(value)
            rebuilt = [
                {
                    "panelist_id": self.pseudo_id(str(i["panelist_id"]))
                    if i["panelist_id"]
                    else "",
                    "name": self.person(str(i["name"])),
                    "reason": scrub(str(i["reason"])),
                }
                for i in items
            ]
        except (ValueError, TypeError, KeyError):
            return scrub(value)
        return json.dumps(rebuilt, ensure_ascii=False)

    def _timeline(
        self,
        facts: dict[str, str],
        protocol: Protocol,
        shift: timedelta,
        scrub: Callable[[str], str] | None,
    ) -> dict[str, str]:
        kinds = {fact.id: fact for fact in protocol.timeline}
        out: dict[str, str] = {}
        for fact_id, value in facts.items():
            fact = kinds.get(fact_id)
            if fact is None or not value:
                continue
            if fact.kind in ("date", "periods"):
                moved = shift_value(fact.kind, value, shift)
                if moved is not None:
                    out[fact_id] = moved
            elif fact.kind == "choice":
                if value in fact.choices:
                    out[fact_id] = value
            else:
                text = self._text(value, scrub)
                if text:
                    out[fact_id] = text
        return out

    def _scrubber(self, document: dict[str, Any], shift: timedelta) -> Callable[[str], str]:
        """A function replacing this document's known names, codes and ISO dates in text."""
        whole: dict[str, str] = {}
        tokens: dict[str, str] = {}

        def person(name: Any, *, described: bool = False) -> None:
            if not isinstance(name, str) or _name_key(name) in CANDIDATE_SPEAKERS:
                return
            alias = self.person(name)
            if not alias:
                return
            whole.setdefault(_name_key(name), alias)
            for token in re.split(r"[\s.,;:'’()/-]+", name):
                if len(token) < 3 or token.casefold() in TITLES:
                    continue
                if described and (not token[0].isupper() or token.casefold() in DESCRIPTIVE):
                    # An informant is often a description ("probation officer") or
                    # one around a name ("Mary Smith, her aunt"): only the name's
                    # words are replaced on their own.
                    continue
                tokens.setdefault(token, alias)

        code = str(document["candidate"]["code"])
        whole[_name_key(code)] = self.candidate(code)
        identity = document["candidate"].get("identity") or {}
        person(identity.get("full_name"))
        contact = str(identity.get("contact") or "").strip()
        if contact:
            whole[_name_key(contact)] = "[contact]"
        for member in document["panel"]:
            person(member["name"])
        for rows, key in (
            ("ratings", "panelist"),
            ("sign_offs", "panelist"),
            ("quotes", "speaker"),
            ("safety_flags", "raised_by"),
            ("addenda", "author"),
        ):
            for row in document[rows]:
                person(row[key])
        for item in document["evidence"]:
            person(item["informant"], described=True)

        whole_pattern = _alternation(whole, flags=re.IGNORECASE)
        token_pattern = _alternation(tokens)

        def shift_date(match: re.Match[str]) -> str:
            try:
                day = date(int(match[1]), int(match[2]), int(match[3]))
            except ValueError:
                return match[0]
            try:
                return (day + shift).isoformat()
            except OverflowError:
                return "[date]"  # a date at the calendar's edge cannot be moved: hide it

        def scrub(text: str) -> str:
            if whole_pattern is not None:
                text = whole_pattern.sub(lambda m: whole[_name_key(m[0])], text)
            if token_pattern is not None:
                text = token_pattern.sub(lambda m: tokens[m[0]], text)
            return ISO_DATE.sub(shift_date, text)

        return scrub


def _shifted(value: Any, shift: timedelta) -> Any:
    """``value`` moved by ``shift``.

    Raises:
        ValidationError: the date is so close to year 1 or 9999 that it cannot
            be moved (only a store written before dates were checked holds one).
    """
    try:
        return value + shift
    except OverflowError:
        raise ValidationError(
            f"The date {value.isoformat()[:10]} cannot be de-identified (it is at the edge of "
            "the calendar); correct it in the interview first."
        ) from None


def _alternation(terms: dict[str, str], flags: int = 0) -> re.Pattern[str] | None:
    """One regex matching any of ``terms`` as whole words, longest first.

    Whitespace inside a term matches any run of whitespace, so a name broken
    across a line in a note is still found.
    """
    if not terms:
        return None
    parts = [
        r"\s+".join(re.escape(word) for word in term.split())
        for term in sorted(terms, key=len, reverse=True)
    ]
    return re.compile(r"(?<!\w)(?:" + "|".join(parts) + r")(?!\w)", flags)
