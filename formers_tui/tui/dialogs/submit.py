"""Submitting one domain's ratings: the panelist's own ratings of it, then commit them.

Only the panelist's own ratings are listed (they are the one at the
keyboard, proved by their PIN). Submitting is what lets them see the others'
submitted ratings in that domain; it can be revised afterwards, with every
earlier version kept, until the panel records its consensus.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.message import Message
from textual.widgets import Static

from formers_tui.protocol.model import Domain, Scale
from formers_tui.store.panel_actions import submit
from formers_tui.store.sessions import own_domain
from formers_tui.store.store import Store
from formers_tui.tui.dialogs.store_form import StoreFormDialog
from formers_tui.tui.workers import post_result


class SubmitDialog(StoreFormDialog[str, str]):
    """The panelist's ratings of one domain, and the key that submits them."""

    submit_label = "Submit"
    key_hint = "ctrl+s submit · esc cancel"

    DEFAULT_CSS = """
    SubmitDialog {
        & > .dialog { width: 80; }
        & #submit-list { margin-top: 1; }
    }
    """

    @dataclass
    class Read(Message):
        """The panelist's own ratings of the domain, as lines, and whether it is submitted."""

        rows: list[tuple[str, str, str]]
        """Indicator id, title, and the panelist's rating of it in words."""
        submitted: bool

    def __init__(
        self,
        store: Store,
        interview_id: str,
        *,
        panelist_id: str,
        panelist_name: str,
        domain: Domain,
        scale: Scale,
    ) -> None:
        """Prepare the dialog.

        Args:
            store: the open store.
            interview_id: the interview's full id.
            panelist_id: the panelist at the keyboard (their PIN confirmed).
            panelist_name: their name.
            domain: the domain to submit.
            scale: the rating scale, for the level names.
        """
        super().__init__(partial(submit, store, interview_id, panelist_id, panelist_name))
        self._store = store
        self._interview_id = interview_id
        self._panelist_id = panelist_id
        self._name = panelist_name
        self._domain = domain
        self._scale = scale

    def compose(self) -> ComposeResult:
        with VerticalScroll(classes="dialog", can_focus=False) as box:
            box.border_title = f"Submit {self._domain.title} · {self._name}"
            yield Static(
                "Submitting commits your ratings of this domain. Then you can see the other "
                "panelists' submitted ratings in it (panel view, ctrl+b). You can still revise "
                "a rating until the panel records its consensus; earlier versions are kept.",
                classes="hint",
                markup=False,
            )
            yield Static("Reading your ratings…", id="submit-list", markup=False)
            yield from self.buttons()

    def on_mount(self) -> None:
        self._read()

    @work(thread=True, exit_on_error=False, group="submit-read")
    def _read(self) -> None:
        mine, done = own_domain(self._store, self._interview_id, self._panelist_id, self._domain.id)
        rows = []
        for indicator in self._domain.indicators:
            rating = mine.get(indicator.id)
            if rating is None:
                what = "— not rated yet"
            elif rating.value is None:
                what = "omit"
            else:
                what = f"{rating.value} {self._scale.level(rating.value).label}"
            rows.append((indicator.id, indicator.title, what))
        post_result(self, self.Read(rows, done))

    @on(Read)
    def _shown(self, message: Read) -> None:
        head = (
            "You have submitted this domain; submitting again changes nothing."
            if message.submitted
            else "Your ratings of this domain:"
        )
        table = Table.grid(padding=(0, 1))
        table.add_column(no_wrap=True)
        table.add_column(no_wrap=True, overflow="ellipsis", ratio=1)
        table.add_column(ratio=1)
        for row in message.rows:
            table.add_row(*row)
        self.query_one("#submit-list", Static).update(Group(Text(head), table))

    def form(self) -> str:
        return self._domain.id
