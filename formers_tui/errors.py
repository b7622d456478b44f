"""Errors that carry a sentence meant for the person at the keyboard.

Every layer raises a :class:`FormersError` (or a subclass) for anything a user
can cause or fix: bad input, an unknown id, a locked record. The CLI prints
``str(error)`` and exits non-zero; the TUI shows it inline. Anything else is a
bug and is allowed to surface in tests.
"""

from __future__ import annotations


class FormersError(Exception):
    """A problem the user can understand: ``str(err)`` is one plain sentence."""

    exit_code: int = 2


class NotFoundError(FormersError):
    """An interview, protocol or panelist id that does not exist."""


class ValidationError(FormersError):
    """Input that breaks a rule of the protocol or the store."""


class LockedError(FormersError):
    """A write to a finalized interview."""
