"""The store's own error, in a module that imports nothing heavy.

Deciding whether a store is encrypted (:mod:`.crypto`) happens before the
interface's first frame, and must not pull in SQLAlchemy to name its error.
"""

from __future__ import annotations

from formers_tui.errors import FormersError


class StoreError(FormersError):
    """The store file cannot be opened or used."""


class WrongPassphrase(StoreError):
    """The passphrase does not open the encrypted store."""


class StoreReadOnly(StoreError):
    """The store (or its folder) cannot be written."""

    exit_code = 1
