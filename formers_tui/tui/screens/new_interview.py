"""The form that starts an interview: candidate, protocol, date, panel, consent.

The screen checks what it can as the form is read (dates, names, consent) and
leaves the rest to the store (an open interview for the same candidate); every
refusal is one sentence under the form, with the cursor put back on the field
to fix. Nothing typed is lost by a mistaken Escape: a filled-in form asks for a
second Escape before it is thrown away.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from itertools import count
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widget import Widget
from textual.widgets import Button, Checkbox, Footer, Header, Input, Label, Select, Static
from textual.widgets.select import NoSelection
from textual.worker import Worker

from formers_tui.errors import ValidationError
from formers_tui.tui.literal import literal
from formers_tui.tui.widgets.tick_box import TickBox
from formers_tui.tui.workers import user_error

if TYPE_CHECKING:
    from formers_tui.protocol.registry import Catalogue
    from formers_tui.store.interviews import PanelistIn
    from formers_tui.store.models import Role
    from formers_tui.store.store import Store

PREFERRED_PROTOCOL = "peer-mentor-readiness"
"""Chosen by default when installed: the interview this program exists for."""

DATE_FORMAT = re.compile(r"\d{4}-\d{2}-\d{2}")


def today() -> date:
    """The local date, the default for the interview and consent dates."""
    return date.today()


def parse_day(text: str, what: str) -> date:
    """Read a ``YYYY-MM-DD`` date typed into the field called ``what``.

    Raises:
        ValidationError: naming the field and the expected form.
    """
    value = text.strip()
    if not value:
        raise ValidationError(f"{what} is required (YYYY-MM-DD).")
    if not DATE_FORMAT.fullmatch(value):
        raise ValidationError(f"{what} must be written YYYY-MM-DD, e.g. 2026-11-02.")
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{what} {value} is not a real date.") from None


@dataclass(frozen=True)
class NewInterview:
    """A filled-in form that has passed the screen's own checks."""

    candidate_code: str
    """Pseudonymous code of the candidate."""
    full_name: str
    """Identifying name; may be empty, and is stored apart from the record."""
    protocol_id: str
    """The protocol as ``id@version``, as the catalogue names it."""
    interview_date: date
    """Day of the interview."""
    panel: list[PanelistIn]
    """Panel members in form order, exactly one of them chair."""
    consent_date: date
    """Day the candidate gave informed consent (consent is required)."""


class FormError(ValidationError):
    """A form problem, with the field to put the cursor on."""

    def __init__(self, sentence: str, field: Widget | None) -> None:
        super().__init__(sentence)
        self.field = field


class PanelMember(Horizontal):
    """One row of the panel: name, role, chair, remove."""

    def __init__(self, number: int, role: Role, *, chair: bool) -> None:
        super().__init__(id=f"member-{number}", classes="member")
        self._role = role
        self._chair = chair

    def compose(self) -> ComposeResult:
        from formers_tui.store.interviews import ROLE_LABELS

        yield Input(placeholder="name", classes="member-name", compact=True)
        yield Select(
            [(label, role) for role, label in ROLE_LABELS.items()],
            value=self._role,
            allow_blank=False,
            classes="member-role",
            compact=True,
        )
        yield TickBox("Chair", self._chair, classes="member-chair", compact=True)
        yield Button("✕", classes="member-remove", compact=True, tooltip="Remove this member")

    @property
    def name_input(self) -> Input:
        return self.query_one(".member-name", Input)

    @property
    def chair_box(self) -> Checkbox:
        return self.query_one(".member-chair", Checkbox)

    def member(self) -> PanelistIn:
        """What the row says."""
        from formers_tui.store.interviews import PanelistIn

        role: Role | NoSelection = self.query_one(".member-role", Select).value
        assert not isinstance(role, NoSelection)  # the select allows no blank
        return PanelistIn(self.name_input.value.strip(), role, self.chair_box.value)


class NewInterviewScreen(Screen[str | None]):
    """Fill in and start a new interview; dismissed with its id, or ``None``."""

    AUTO_FOCUS = "#code"

    # Keys that move the cursor to another field are priority bindings: Textual
    # runs those as the key arrives, so a fast typist's next characters land in
    # the field the cursor moved to, not the one it left. Ctrl+S is not: it
    # must wait until every character typed before it is in its field.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+s", "start", "Start interview"),
        Binding("ctrl+n", "add_member", "Add member", priority=True),
        Binding("escape", "cancel", "Cancel"),
        Binding("tab", "app.focus_next", show=False, priority=True),
        Binding("shift+tab", "app.focus_previous", show=False, priority=True),
    ]

    @dataclass
    class Created(Message):
        """The interview was written to the store."""

        interview_id: str

    def __init__(self, store: Store, catalogue: Catalogue, *, today: date) -> None:
        """Create the form.

        Args:
            store: where the interview is created.
            catalogue: the protocols to choose from (at least one).
            today: default for the interview and consent dates.
        """
        super().__init__(id="new-interview")
        self.store = store
        self.catalogue = catalogue
        self.today = today
        self._consent_default = today.isoformat()
        self.sub_title = "New interview"
        self._numbers = count(1)
        self._creating = False
        self._discard_armed = False

    def compose(self) -> ComposeResult:
        from formers_tui.protocol.registry import reference

        # Every version is offered (a programme may finish a cohort on the one it began with);
        # the current version of the preferred protocol is chosen.
        protocols = sorted(self.catalogue.all_versions(), key=lambda p: p.protocol.title)
        preferred = self.catalogue.protocols.get(PREFERRED_PROTOCOL, protocols[0])
        yield Header()
        with VerticalScroll(id="form"):
            with Horizontal(classes="field"):
                yield Label("Candidate code", classes="field-label")
                yield Input(
                    placeholder="pseudonymous code, e.g. PM-2026-014", id="code", compact=True
                )
            with Horizontal(classes="field"):
                yield Label("Full name", classes="field-label")
                yield Input(placeholder="optional", id="full-name", compact=True)
                yield Static("identifying · only in full JSON exports", id="identifying")
            with Horizontal(classes="field"):
                yield Label("Protocol", classes="field-label")
                yield Select(
                    [
                        (f"{p.protocol.title} ({p.protocol.version})", reference(p))
                        for p in protocols
                    ],
                    value=reference(preferred),
                    allow_blank=False,
                    id="protocol",
                    compact=True,
                )
            with Horizontal(classes="field"):
                yield Label("Interview date", classes="field-label")
                yield Input(
                    self.today.isoformat(), placeholder="YYYY-MM-DD", id="date", compact=True
                )
            with Horizontal(classes="field"):
                yield Label("Consent", classes="field-label")
                yield TickBox(
                    "Candidate gave informed consent to this interview", id="consent", compact=True
                )
            with Horizontal(classes="field"):
                yield Label("Consent date", classes="field-label")
                yield Input(
                    self.today.isoformat(),
                    placeholder="YYYY-MM-DD",
                    id="consent-date",
                    compact=True,
                )
            with Horizontal(classes="field heading"):
                yield Label("Panel", classes="field-label")
                yield Static("name · role · chair (Ctrl+N adds a member)", id="panel-hint")
            with Vertical(id="panel"):
                yield self._new_member(chair=True)
            with Horizontal(classes="field"):
                yield Label("", classes="field-label")
                yield Button("+ Add panel member", id="add-member", compact=True)
        yield Static("", id="form-error", markup=False)
        with Horizontal(id="actions"):
            yield Button("Start interview", id="start", variant="primary", compact=True)
            yield Button("Cancel", id="cancel", compact=True)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self._update_remove_buttons()

    def on_key(self, event: events.Key) -> None:
        """Put characters typed while the form was opening into the field with the cursor.

        Keys pressed before any field had focus were sent to the screen itself;
        a text field stops every character it takes, so one arriving here while
        a field has focus is such a stray, and belongs in that field.
        """
        if isinstance(self.focused, Input) and event.is_printable and event.character:
            event.stop()
            event.prevent_default()
            self.focused.insert_text_at_cursor(event.character)

    # -- panel rows ----------------------------------------------------------

    def _members(self) -> list[PanelMember]:
        return list(self.query(PanelMember))

    def _new_member(self, *, chair: bool) -> PanelMember:
        from formers_tui.store.models import Role

        used = {member.member().role for member in self._members()} if self.is_mounted else set()
        role = next((r for r in Role if r not in used), Role.other)
        return PanelMember(next(self._numbers), role, chair=chair)

    async def action_add_member(self) -> None:
        """Add an empty panel row and put the cursor in it."""
        member = self._new_member(chair=False)
        await self.query_one("#panel", Vertical).mount(member)
        self._update_remove_buttons()
        self.set_focus(member.name_input)

    @on(Button.Pressed, "#add-member")
    async def _add_pressed(self) -> None:
        await self.action_add_member()

    @on(Button.Pressed, ".member-remove")
    async def _remove_pressed(self, event: Button.Pressed) -> None:
        row = event.button.parent
        assert isinstance(row, PanelMember)
        members = self._members()
        if len(members) == 1:
            return
        was_chair = row.chair_box.value
        index = members.index(row)
        await row.remove()
        remaining = self._members()
        if was_chair:
            with self.prevent(Checkbox.Changed):
                remaining[0].chair_box.value = True
        self._update_remove_buttons()
        self.set_focus(remaining[min(index, len(remaining) - 1)].name_input)

    @on(Checkbox.Changed, ".member-chair")
    def _chair_changed(self, event: Checkbox.Changed) -> None:
        """Keep exactly one chair: ticking one unticks the others."""
        boxes = [member.chair_box for member in self._members()]
        with self.prevent(Checkbox.Changed):
            if event.value:
                for box in boxes:
                    if box is not event.checkbox:
                        box.value = False
            elif not any(box.value for box in boxes):
                event.checkbox.value = True
                self.notify("To change the chair, tick Chair on another member.")

    def _update_remove_buttons(self) -> None:
        members = self._members()
        for member in members:
            member.query_one(".member-remove", Button).disabled = len(members) == 1

    # -- reading and creating ------------------------------------------------

    def read_form(self) -> NewInterview:
        """The form's values, checked top to bottom.

        Raises:
            FormError: the first problem, with the field it is about.
        """
        from formers_tui.store import fields
        from formers_tui.store.interviews import validate_panel

        code_input = self.query_one("#code", Input)
        try:
            code = fields.check_code(code_input.value)
        except ValidationError as exc:
            raise FormError(str(exc), code_input) from None
        name_input = self.query_one("#full-name", Input)
        try:
            full_name = fields.check_name(name_input.value, "candidate's full name", required=False)
        except ValidationError as exc:
            raise FormError(str(exc), name_input) from None
        protocol = self.query_one("#protocol", Select).value
        if not isinstance(protocol, str):
            raise FormError("Choose the protocol for this interview.", self.query_one("#protocol"))
        date_input = self.query_one("#date", Input)
        try:
            when = fields.check_interview_date(
                parse_day(date_input.value, "Interview date"), today=self.today
            )
        except ValidationError as exc:
            raise FormError(str(exc), date_input) from None
        members = self._members()
        panel = [member.member() for member in members]
        for member, person in zip(members, panel, strict=True):
            if not person.name:
                raise FormError("Every panel member needs a name.", member.name_input)
        for member, person in zip(members, panel, strict=True):
            try:
                fields.check_name(person.name, "panel member's name")
            except ValidationError as exc:
                raise FormError(str(exc), member.name_input) from None
        try:
            panel = validate_panel(panel)
        except ValidationError as exc:
            raise FormError(str(exc), self._doubled_name(members)) from None
        consent = self.query_one("#consent", Checkbox)
        if not consent.value:
            raise FormError(
                "The candidate's informed consent is required before the interview can start.",
                consent,
            )
        consent_input = self.query_one("#consent-date", Input)
        try:
            consented = parse_day(consent_input.value, "Consent date")
        except ValidationError as exc:
            raise FormError(str(exc), consent_input) from None
        if consented > self.today:
            raise FormError("The consent date cannot be in the future.", consent_input)
        try:
            fields.check_consent_date(consented, interview_date=when)
        except ValidationError as exc:
            raise FormError(str(exc), consent_input) from None
        return NewInterview(
            candidate_code=code,
            full_name=full_name,
            protocol_id=protocol,
            interview_date=when,
            panel=panel,
            consent_date=consented,
        )

    def _doubled_name(self, members: list[PanelMember]) -> Widget | None:
        seen: set[str] = set()
        for member in members:
            key = member.name_input.value.strip().casefold()
            if key in seen:
                return member.name_input
            seen.add(key)
        return None

    def action_start(self) -> None:
        """Check the form and create the interview."""
        if self._creating:
            return
        try:
            form = self.read_form()
        except FormError as exc:
            self.show_error(str(exc))
            if exc.field is not None:
                self.set_focus(exc.field)
            return
        self.show_error("")
        self._creating = True
        self.query_one("#start", Button).disabled = True
        self.create(form)

    @on(Button.Pressed, "#start")
    def _start_pressed(self) -> None:
        self.action_start()

    @work(thread=True, exclusive=True, exit_on_error=False, group="create")
    def create(self, form: NewInterview) -> None:
        """Write the interview to the store (in a thread), then leave with its id."""
        from formers_tui.store.sessions import start_interview

        chair = next(p for p in form.panel if p.is_chair)
        interview_id = start_interview(
            self.store,
            candidate_code=form.candidate_code,
            protocol=self.catalogue.get(form.protocol_id),
            panel_=form.panel,
            actor=chair.name,
            interview_date=form.interview_date,
            consent_given=True,
            consent_date=form.consent_date,
            full_name=form.full_name,
        )
        self.post_message(self.Created(interview_id))

    @on(Created)
    def _created(self, message: Created) -> None:
        self.dismiss(message.interview_id)

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        error = user_error(event)
        if error is not None:
            self._creating = False
            self.query_one("#start", Button).disabled = False
            self.show_error(str(error))
            if "candidate" in str(error).casefold():
                self.set_focus(self.query_one("#code", Input))

    def show_error(self, sentence: str) -> None:
        """Show ``sentence`` under the form (empty to clear it)."""
        line = self.query_one("#form-error", Static)
        line.update(literal(sentence))
        line.set_class(bool(sentence), "-shown")

    # -- leaving -------------------------------------------------------------

    def _filled_in(self) -> bool:
        typed = [self.query_one(f"#{name}", Input).value.strip() for name in ("code", "full-name")]
        names = [member.name_input.value.strip() for member in self._members()]
        return any(typed) or any(names) or self.query_one("#consent", Checkbox).value

    def action_cancel(self) -> None:
        """Leave without creating; a filled-in form needs Escape twice."""
        if self._creating:
            return
        if self._discard_armed or not self._filled_in():
            self.dismiss(None)
            return
        self._discard_armed = True
        self.show_error("Press Escape again to discard this form, or carry on typing.")

    @on(Button.Pressed, "#cancel")
    def _cancel_pressed(self) -> None:
        self.action_cancel()

    @on(Input.Changed, "#date")
    def _date_typed(self, event: Input.Changed) -> None:
        """Keep an untouched consent date on the interview date: consent never comes after it."""
        consent = self.query_one("#consent-date", Input)
        if consent.value == self._consent_default:
            try:
                when = parse_day(event.value, "Interview date")
            except ValidationError:
                return
            self._consent_default = min(when, self.today).isoformat()
            consent.value = self._consent_default

    @on(Input.Changed)
    @on(Select.Changed)
    @on(Checkbox.Changed)
    def _edited(self) -> None:
        if self._discard_armed:
            self._discard_armed = False
            self.show_error("")
