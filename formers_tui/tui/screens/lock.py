"""The lock screen: covers everything until someone proves they may see it.

The app locks itself after some idle minutes, or on a key, so a laptop left
on a table during a break shows nothing of the interview. The store
passphrase always unlocks it. During an interview a panelist's PIN does too,
so nobody types the store passphrase in front of the candidate: the lock
asks who is rating now, and whoever unlocks with their PIN (the chair
included) is the one rating afterwards. After :data:`PIN_TRIES` wrong PINs
only the passphrase is taken.

Checking is done in a thread (key derivation and PIN hashing are slow on
purpose); the passphrase is compared with the open store's key in constant time.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, ClassVar, Protocol, runtime_checkable

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Center, Vertical
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Input, OptionList, Static
from textual.widgets.option_list import Option

from formers_tui.errors import FormersError
from formers_tui.tui.literal import literal

if TYPE_CHECKING:
    from formers_tui.store.store import Store
    from formers_tui.tui.dialogs.pin import PanelistChoice

PIN_TRIES = 3
"""Wrong PINs taken before only the store passphrase unlocks."""


@dataclass(frozen=True)
class QuickUnlock:
    """The interview open under the lock, whose panelists may unlock with their PIN."""

    interview_id: str
    panel: tuple[PanelistChoice, ...]
    """Panelists who have a PIN, in panel order."""
    active: str = ""
    """The panelist rating when the app locked ("" for nobody): highlighted first."""


@dataclass(frozen=True)
class Unlocked:
    """Who unlocked: a panelist by their PIN, or ``None`` for the passphrase."""

    panelist_id: str | None


class LockScreen(Screen[Unlocked]):
    """An opaque screen asking for a PIN or the passphrase; pops itself when one is right."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("up", "move(-1)", "Previous panelist", show=False),
        Binding("down", "move(1)", "Next panelist", show=False),
    ]
    AUTO_FOCUS = "#unlock-passphrase"

    DEFAULT_CSS = """
    LockScreen {
        align: center middle;
        background: $background;
        & Vertical {
            width: 64; max-width: 100%; height: auto; border: thick $primary; padding: 0 1;
        }
        & #lock-error { color: $error; text-style: bold; }
        & .hint { color: $text-muted; }
        & #lock-who { height: auto; max-height: 8; margin-bottom: 1; }
        & #lock-who.-hidden { display: none; }
    }
    """

    @dataclass
    class Checked(Message):
        """The typed secret was checked."""

        right: bool
        panelist_id: str | None = None
        """Whose PIN it was; ``None`` for the passphrase (or nothing right)."""
        detail: str = field(default="")

    def __init__(self, store: Store, quick: QuickUnlock | None = None) -> None:
        super().__init__(id="lock")
        self.store = store
        self.quick = quick if quick is not None and quick.panel else None
        self.wrong_pins = 0

    @property
    def pins_taken(self) -> bool:
        """Whether a PIN still unlocks (an interview is open, few wrong tries so far)."""
        return self.quick is not None and self.wrong_pins < PIN_TRIES

    def compose(self) -> ComposeResult:
        with Center(), Vertical() as box:
            box.border_title = "Locked"
            yield Static(self._prompt(), id="lock-prompt")
            if self.quick is not None:
                yield OptionList(
                    *(Option(literal(p.label()), id=p.id) for p in self.quick.panel),
                    id="lock-who",
                    compact=True,
                )
            yield Input(password=True, id="unlock-passphrase")
            yield Static("", id="lock-error")

    def _prompt(self) -> str:
        if not self.store.encrypted and self.quick is None:
            return (
                "The app is locked. This store is not encrypted, so no passphrase is "
                "asked: press Enter to unlock."
            )
        if self.pins_taken:
            other = "the store passphrase" if self.store.encrypted else "an empty Enter"
            return (
                "Locked. Who is rating now? Choose yourself (↑↓), type your PIN and press "
                f"Enter. The chair's PIN or {other} also unlock."
            )
        return "The app is locked. Type the store passphrase and press Enter."

    def on_mount(self) -> None:
        if self.quick is not None:
            ids = [p.id for p in self.quick.panel]
            chair = next((p.id for p in self.quick.panel if p.is_chair), ids[0])
            start = self.quick.active if self.quick.active in ids else chair
            self.query_one("#lock-who", OptionList).highlighted = ids.index(start)

    def action_move(self, step: int) -> None:
        """Move the highlighted panelist while the cursor stays in the PIN field."""
        if not self.pins_taken:
            return
        who = self.query_one("#lock-who", OptionList)
        if step > 0:
            who.action_cursor_down()
        else:
            who.action_cursor_up()

    def _who(self) -> str | None:
        if not self.pins_taken:
            return None
        who = self.query_one("#lock-who", OptionList)
        if who.highlighted is None:
            return None
        return who.get_option_at_index(who.highlighted).id

    @on(Input.Submitted, "#unlock-passphrase")
    def _typed(self, event: Input.Submitted) -> None:
        if not self.store.encrypted and (not self.pins_taken or not event.value):
            self.dismiss(Unlocked(None))  # nothing to prove: the store is not encrypted
            return
        event.input.value = ""
        event.input.disabled = True
        self.query_one("#lock-error", Static).update("Checking…")
        self.check(event.value, self._who())

    @work(thread=True, exclusive=True, exit_on_error=False, group="unlock")
    def check(self, secret: str, panelist_id: str | None) -> None:
        """Try ``secret`` as ``panelist_id``'s PIN, then as the store passphrase."""
        if panelist_id is not None and self.quick is not None and secret:
            from formers_tui.tui.dialogs.pin import PinEntry, confirm_pin

            try:
                confirm_pin(self.store, self.quick.interview_id, PinEntry(panelist_id, secret))
            except FormersError:
                pass
            else:
                self.post_message(self.Checked(True, panelist_id))
                return
        key = self.store.key
        if key is None:  # not encrypted: only a PIN unlocks during an interview
            self.post_message(self.Checked(False))
            return
        from formers_tui.store.crypto import derive_key
        from formers_tui.store.passphrase import normalized

        right = hmac.compare_digest(derive_key(secret, key.salt).raw, key.raw)
        if not right and normalized(secret) != secret:  # a store set from decomposed text
            typed = derive_key(secret, key.salt, as_typed=True)
            right = hmac.compare_digest(typed.raw, key.raw)
        self.post_message(self.Checked(right))

    @on(Checked)
    def _checked(self, message: Checked) -> None:
        if message.right:
            self.dismiss(Unlocked(message.panelist_id))
            return
        was_taken = self.pins_taken
        if was_taken:
            self.wrong_pins += 1
        field_ = self.query_one("#unlock-passphrase", Input)
        field_.disabled = False
        field_.focus()
        if was_taken and not self.pins_taken:
            self.query_one("#lock-who").set_class(True, "-hidden")
            self.query_one("#lock-prompt", Static).update(self._prompt())
            sentence = "Too many wrong tries: only the store passphrase unlocks now."
        elif was_taken:
            sentence = "Wrong PIN or passphrase; try again."
        else:
            sentence = "Wrong passphrase; try again."
        self.query_one("#lock-error", Static).update(sentence)


@runtime_checkable
class Lockable(Protocol):
    """A screen whose panelists may unlock the app with their PIN."""

    def quick_unlock(self) -> QuickUnlock | None:
        """The app is locking: who may unlock with a PIN (the screen forgets who rates)."""

    def unlocked(self, who: Unlocked) -> None:
        """The app was unlocked by ``who``."""


def pin_holders(panel: Sequence[PanelistChoice]) -> tuple[PanelistChoice, ...]:
    """The panelists who can unlock with a PIN (those who have one)."""
    return tuple(p for p in panel if p.has_pin)
