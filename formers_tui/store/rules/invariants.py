"""What a valid interview record is, whichever path writes it.

Creating an interview (the wizard, ``formers new``), importing an export and
merging a whole-interview bundle all check a record against these rules, so
none of them can hold what another would refuse:

* the candidate's informed consent is recorded (:func:`consent_problem`);
* a panel has at least :data:`MIN_PANEL` members and exactly one chair
  (:func:`panel_problem`);
* the status agrees with the determination and the signatures: the last
  signature finalizes, a finalized interview carries its determination, every
  signature and its finalization time, and an interview once finalized never
  goes back (:func:`status_problem`) — not even by restoring an older copy of
  the store (:func:`lost_finalizations`);
* a positive determination is not signed or finalized while a safety flag is
  open (:func:`open_flag_problem`).

What a valid *field* is (names, codes, texts and their limits, dates) is
:mod:`formers_tui.store.fields`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from datetime import datetime

from formers_tui.store.models import Status

MIN_PANEL = 2
"""Smallest panel: a chair and at least one more panelist, so no rating stands alone."""

STATUS_ORDER = list(Status)


def consent_problem(given: bool) -> str | None:
    """The sentence refusing a record without the candidate's informed consent, or ``None``."""
    if given:
        return None
    return "There is no record of the candidate's informed consent; the interview needs it."


def panel_problem(size: int, chairs: int) -> str | None:
    """The sentence refusing a panel of ``size`` members with ``chairs`` chairs, or ``None``."""
    if size < MIN_PANEL:
        return (
            f"A panel of {'one' if size == 1 else 'nobody'} is not a panel: it needs at least "
            f"{MIN_PANEL} members, one of them chair."
        )
    if chairs != 1:
        return "A panel needs exactly one chair."
    return None


def status_problem(
    status: Status | str,
    *,
    decided: bool,
    signed: Collection[str],
    panel: Collection[str],
    finalized_at: datetime | str | None,
    agreed: bool,
) -> str | None:
    """Why a status disagrees with the rest of the record, as a clause after the record's name.

    Args:
        status: the record's status.
        decided: it holds a determination.
        signed: ids of the panelists who signed off.
        panel: ids of every panelist.
        finalized_at: its finalization time, if any.
        agreed: it holds consensus ratings.

    Returns:
        e.g. ``"is finalized but has no determination"``, or ``None``.
    """
    status = Status(status)
    signatures, everyone = set(signed), set(panel)
    if status is Status.finalized:
        if not decided:
            return "is finalized but has no determination"
        if signatures != everyone:
            return "is finalized but not every panelist signed it off"
        if finalized_at is None:
            return "is finalized but has no finalization time"
        return None
    if finalized_at is not None:
        return f"was finalized once and is now '{status.value}' again"
    if signatures and not decided:
        return "has sign-offs but no determination to sign"
    if signatures and signatures == everyone:
        return f"has every panelist's sign-off but is '{status.value}', not finalized"
    if STATUS_ORDER.index(status) < STATUS_ORDER.index(Status.consensus) and (
        signatures or decided or agreed
    ):
        return f"is at '{status.value}' but holds the panel's consensus or determination"
    return None


def open_flag_problem(outcome: str | None, open_flags: Sequence[str]) -> str | None:
    """The sentence refusing to sign a positive ``outcome`` over open flags, or ``None``.

    A flag (a threat of violence, a child at risk, current engagement) is
    something the panel must act on before it says the candidate is ready;
    a "not yet ready" determination can be signed while it is still open.

    Args:
        outcome: the determination's outcome value, or ``None`` if undecided.
        open_flags: a label for each safety flag not yet resolved.
    """
    if outcome is None or outcome == "not_yet_ready" or not open_flags:
        return None
    kinds = "; ".join(dict.fromkeys(open_flags))
    return (
        f"A safety flag is still open ({kinds}): resolve it before a positive "
        "determination is signed or finalized."
    )


def chairs_of(flags: Sequence[bool]) -> int:
    """How many of a panel's ``is_chair`` flags are set."""
    return sum(1 for flag in flags if flag)


def lost_finalizations(current: Mapping[str, str], incoming: Mapping[str, str]) -> list[str]:
    """Interviews finalized in ``current`` that ``incoming`` would not keep finalized.

    Args:
        current: status by interview id in the store as it is.
        incoming: status by interview id in what would replace it (a backup);
            an interview missing from it is lost too.

    Returns:
        Their ids, sorted.
    """
    return sorted(
        iid
        for iid, status in current.items()
        if status == Status.finalized.value and incoming.get(iid) != Status.finalized.value
    )
