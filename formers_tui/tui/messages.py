"""Messages that carry results of store work back to the interface thread."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from textual.message import Message

if TYPE_CHECKING:
    from formers_tui.protocol.registry import Catalogue
    from formers_tui.store.store import Store
    from formers_tui.tui.screens.interview import InterviewScreen


@dataclass
class StoreOpened(Message):
    """The store file is open and migrated, and the protocols are loaded."""

    store: Store
    """The open store; the app owns it and closes it on exit."""
    catalogue: Catalogue
    """Every protocol found, including files that failed to load."""


@dataclass
class OpenInterview(Message):
    """Someone asked to open an interview; the app pushes its screen."""

    interview_id: str
    """The full id (already resolved from any prefix)."""
    read: InterviewScreen.Loaded | None = None
    """The interview, already read with its id (the one opened at start-up)."""


@dataclass
class Unlock(Message):
    """The passphrase of an encrypted store was typed; try opening it with it."""

    passphrase: str = field(repr=False)
    """Never shown or logged."""
