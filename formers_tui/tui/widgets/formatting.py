"""Small text helpers shared by the interview widgets and dialogs."""

from __future__ import annotations

from datetime import datetime, timezone

from formers_tui.sanitize import clean_text


def local(moment: datetime) -> datetime:
    """``moment`` in the laptop's time zone; naive values from the store are UTC."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=timezone.utc)  # noqa: UP017 - keeps Python 3.10 working
    return moment.astimezone()


def clock(moment: datetime) -> str:
    """Local wall-clock time, ``14:03:22``."""
    return local(moment).strftime("%H:%M:%S")


def duration(seconds: float) -> str:
    """Elapsed time as ``h:mm:ss`` (``0:07:31``), never negative."""
    whole = max(0, int(seconds))
    hours, rest = divmod(whole, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}"


def one_line(text: str, limit: int = 80) -> str:
    """``text`` on one line, shortened with an ellipsis beyond ``limit`` characters.

    Control characters are shown as visible stand-ins (:func:`clean_text`).
    """
    flat = " ".join(clean_text(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"
