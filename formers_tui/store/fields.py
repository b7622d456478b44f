"""One way in: what a valid value of each kind of field is.

Every path that writes a field calls the validator of its kind: the store's
own functions (so the interface and the command line get the same rule), the
import of an exported file, and bundles. Each validator returns the value as
it is stored, or raises :class:`ValidationError` with one sentence.

The kinds:

* **codes** (a candidate's pseudonymous code): one line, 1–64 characters;
* **names** (panelists, speakers, informants, a candidate's full name): one
  line, at most 120 characters;
* **free text** (notes, quotes, summaries, rationales): at most 200,000
  characters, lines and tabs allowed;
* **roles**: one of the panel roles, as typed by a person;
* **dates**: an interview not before 2000 and not more than a day ahead of
  today; consent not after the interview; facts of a life (timeline) not
  before 1900 and not after the interview; a document obtained not in the
  future.

No kind accepts control characters other than a free text's newlines and
tabs: an escape sequence or a carriage return in a name can drive the
terminal of whoever prints it later. A one-line field also refuses the
invisible marks that reverse the direction of the text around them.
"""

from __future__ import annotations

from datetime import date, timedelta

from formers_tui.errors import ValidationError
from formers_tui.sanitize import BIDI_CONTROLS
from formers_tui.store.models import Role

MAX_CODE = 64
MAX_NAME = 120
MAX_TEXT = 200_000
"""Longest accepted free text (characters); far beyond any real note."""
EARLIEST_INTERVIEW = date(2000, 1, 1)
EARLIEST_LIFE_EVENT = date(1900, 1, 1)
FUTURE_GRACE = timedelta(days=1)
"""How far ahead of the computer's date an interview date may be (time zones, a wrong clock)."""

_LINE_BREAKS = frozenset("\n\t")
_BIDI = frozenset(chr(c) for c in BIDI_CONTROLS)


def _control(char: str) -> bool:
    code = ord(char)
    return code < 0x20 or 0x7F <= code <= 0x9F


def _first_bad(text: str, *, one_line: bool) -> str | None:
    for char in text:
        if _control(char) and (one_line or char not in _LINE_BREAKS):
            return char
        if one_line and char in _BIDI:
            return char
    return None


def _refuse_controls(text: str, what: str, *, one_line: bool) -> None:
    bad = _first_bad(text, one_line=one_line)
    if bad is None:
        return
    if bad in _LINE_BREAKS:
        raise ValidationError(f"The {what} must be a single line.")
    raise ValidationError(
        f"The {what} contains an invisible control character (U+{ord(bad):04X}); "
        "type it again without it."
    )


def _too_long(text: str, what: str, limit: int) -> ValidationError:
    return ValidationError(f"The {what} is too long ({len(text):,} characters; at most {limit:,}).")


def check_code(text: str, what: str = "candidate code") -> str:
    """A code as stored: stripped, one line, 1–64 characters.

    Raises:
        ValidationError: empty, too long, or holding a control character.
    """
    value = text.strip()
    if not value:
        raise ValidationError(f"A {what} is required.")
    if len(value) > MAX_CODE:
        raise _too_long(value, what, MAX_CODE)
    _refuse_controls(value, what, one_line=True)
    return value


def check_name(text: str, what: str = "name", *, required: bool = True) -> str:
    """A person's name as stored: stripped, one line, at most 120 characters.

    Args:
        text: the name as typed.
        what: how the sentence names the field ("panelist's name").
        required: refuse an empty name.

    Raises:
        ValidationError: empty (when required), too long, or holding a control character.
    """
    value = text.strip()
    if required and not value:
        raise ValidationError(f"The {what} is required.")
    if len(value) > MAX_NAME:
        raise _too_long(value, what, MAX_NAME)
    _refuse_controls(value, what, one_line=True)
    return value


def check_free_text(text: str, what: str = "text") -> str:
    """Free text, unchanged when valid: at most 200,000 characters, lines and tabs allowed.

    Raises:
        ValidationError: too long, or holding a control character other than newline and tab.
    """
    if len(text) > MAX_TEXT:
        raise _too_long(text, what, MAX_TEXT)
    _refuse_controls(text, what, one_line=False)
    return text


def check_role(text: str) -> Role:
    """Read a role typed by a person (``probation``, ``Social worker``, ``peer_mentor``...).

    Raises:
        ValidationError: naming the accepted roles.
    """
    key = text.strip().lower().replace("-", "_").replace(" ", "_").replace("/", "_")
    aliases = {
        "probation": Role.probation_parole,
        "parole": Role.probation_parole,
        "police": Role.law_enforcement,
        "faith": Role.faith_community_leader,
        "community": Role.faith_community_leader,
        "community_leader": Role.faith_community_leader,
        "faith_leader": Role.faith_community_leader,
        "peer": Role.peer_mentor,
        "case_worker": Role.case_manager,
    }
    if key in aliases:
        return aliases[key]
    try:
        return Role(key)
    except ValueError:
        accepted = ", ".join(r.value for r in Role)
        shown = text.strip()[:40]  # repr() below spells out any control character
        raise ValidationError(f"Unknown role {shown!r} (use one of: {accepted}).") from None


def check_interview_date(when: date, *, today: date | None = None) -> date:
    """An interview date: not before 2000, not more than a day after today.

    Raises:
        ValidationError: outside those bounds.
    """
    today = today or date.today()
    if when < EARLIEST_INTERVIEW:
        raise ValidationError(
            f"The interview date {when.isoformat()} is before {EARLIEST_INTERVIEW.year}; "
            "check the year."
        )
    if when > today + FUTURE_GRACE:
        raise ValidationError(
            f"The interview date {when.isoformat()} is in the future; an interview is "
            "recorded on the day it happens."
        )
    return when


def check_consent_date(when: date, *, interview_date: date) -> date:
    """The date consent was given: not after the interview, not before 2000.

    Raises:
        ValidationError: outside those bounds.
    """
    if when > interview_date:
        raise ValidationError(
            f"The consent date {when.isoformat()} is after the interview "
            f"({interview_date.isoformat()}); consent comes first."
        )
    if when < EARLIEST_INTERVIEW:
        raise ValidationError(
            f"The consent date {when.isoformat()} is before {EARLIEST_INTERVIEW.year}; "
            "check the year."
        )
    return when


def check_life_date(when: date, what: str, *, interview_date: date | None = None) -> date:
    """A date in the candidate's life (a timeline fact): 1900 to the interview date.

    Args:
        when: the date.
        what: the fact's label, for the sentence.
        interview_date: the latest allowed date (today when not known).

    Raises:
        ValidationError: outside those bounds.
    """
    latest = interview_date or date.today()
    if when < EARLIEST_LIFE_EVENT:
        raise ValidationError(
            f"{what}: {when.isoformat()} is before {EARLIEST_LIFE_EVENT.year}; check the year."
        )
    if when > latest:
        later = "in the future" if interview_date is None else "after the interview date"
        raise ValidationError(f"{what}: {when.isoformat()} is {later}.")
    return when


def check_obtained_date(when: date, *, today: date | None = None) -> date:
    """The date a piece of evidence was obtained: 1900 to today.

    Raises:
        ValidationError: outside those bounds.
    """
    if when > (today or date.today()):
        raise ValidationError("The date obtained cannot be in the future.")
    if when < EARLIEST_LIFE_EVENT:
        raise ValidationError(
            f"The date obtained {when.isoformat()} is before {EARLIEST_LIFE_EVENT.year}; "
            "check the year."
        )
    return when
