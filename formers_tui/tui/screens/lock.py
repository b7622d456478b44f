"""The lock screen: covers everything until the store passphrase is typed.

The app locks itself after some idle minutes, or on a key, so a laptop left
on a table during a break shows nothing of the interview. Unlocking derives
the key from the typed passphrase (in a thread: it is deliberately slow) and
compares it with the open store's key in constant time.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar

from textual import on, work
from textual.app import ComposeResult
from textual.binding import BindingType
from textual.containers import Center, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, Static

if TYPE_CHECKING:
    from formers_tui.store.store import Store


class LockScreen(Screen[None]):
    """An opaque screen asking for the passphrase; pops itself when it is right."""

    BINDINGS: ClassVar[list[BindingType]] = []
    AUTO_FOCUS = "#unlock-passphrase"

    DEFAULT_CSS = """
    LockScreen {
        align: center middle;
        background: $background;
        & Vertical {
            width: 60; max-width: 100%; height: auto; border: thick $primary; padding: 0 1;
        }
        & #lock-error { color: $error; text-style: bold; }
        & .hint { color: $text-muted; }
    }
    """

    @dataclass
    class Checked(Message):
        """The typed passphrase was checked."""

        right: bool
        detail: str = field(default="")

    def __init__(self, store: Store) -> None:
        super().__init__(id="lock")
        self.store = store

    def compose(self) -> ComposeResult:
        with Center(), Vertical() as box:
            box.border_title = "Locked"
            if self.store.encrypted:
                yield Static("The app is locked. Type the store passphrase and press Enter.")
            else:
                yield Static(
                    "The app is locked. This store is not encrypted, so no passphrase is "
                    "asked: press Enter to unlock."
                )
            yield Input(password=True, id="unlock-passphrase")
            yield Static("", id="lock-error")

    @on(Input.Submitted, "#unlock-passphrase")
    def _typed(self, event: Input.Submitted) -> None:
        if not self.store.encrypted:
            self.dismiss(None)
            return
        event.input.value = ""
        event.input.disabled = True
        self.query_one("#lock-error", Static).update("Checking…")
        self.check(event.value)

    @work(thread=True, exclusive=True, exit_on_error=False, group="unlock")
    def check(self, passphrase: str) -> None:
        """Derive the key for ``passphrase`` and compare it with the store's."""
        from formers_tui.store.crypto import derive_key
        from formers_tui.store.passphrase import normalized

        key = self.store.key
        assert key is not None
        right = hmac.compare_digest(derive_key(passphrase, key.salt).raw, key.raw)
        if not right and normalized(passphrase) != passphrase:  # a store set from decomposed text
            typed = derive_key(passphrase, key.salt, as_typed=True)
            right = hmac.compare_digest(typed.raw, key.raw)
        self.post_message(self.Checked(right))

    @on(Checked)
    def _checked(self, message: Checked) -> None:
        if message.right:
            self.dismiss(None)
            return
        field_ = self.query_one("#unlock-passphrase", Input)
        field_.disabled = False
        field_.focus()
        self.query_one("#lock-error", Static).update("Wrong passphrase; try again.")
