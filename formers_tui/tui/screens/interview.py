"""The live interview: prompts to read aloud, running notes, and everything else on one key.

The chair types while the candidate talks, so nothing here waits on the
store: the interview is read in a thread worker, every change goes to the
:class:`~formers_tui.tui.widgets.autosave.Autosaver` (which writes in the
background within about a second), and what is shown after a capture is
re-read in a worker too. The screen only ever shows the active panelist's
own ratings: whoever rates first proves who they are with their PIN (F6), so
nobody rates, or sees ratings, as someone else. ctrl+u submits the current
domain for them; the panel view (ctrl+b) shows what they may see of the rest.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timezone
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar

from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Static, TextArea
from textual.worker import Worker, WorkerState

from formers_tui.errors import FormersError
from formers_tui.protocol.model import Domain, Indicator, Script, Vignette
from formers_tui.store import capture, panel
from formers_tui.store.capture import EvidenceIn
from formers_tui.store.errors import StoreError
from formers_tui.store.interview_reading import (
    Opened,
    Records,
    finalized_at,
    read_opened,
    reload_records,
)
from formers_tui.store.lease import EditingLease, HeldElsewhere, acquire_for
from formers_tui.store.models import Rating, Status
from formers_tui.store.rules.writes import attributed
from formers_tui.store.store import Store
from formers_tui.tui.app import freeze_heap
from formers_tui.tui.collector import freeze_at_next_pause
from formers_tui.tui.literal import literal
from formers_tui.tui.screens.lock import QuickUnlock, Unlocked, pin_holders
from formers_tui.tui.widgets.autosave import Autosaver, Write, describe_failure
from formers_tui.tui.widgets.capture_strip import CaptureStrip
from formers_tui.tui.widgets.domain_clock import DomainClock
from formers_tui.tui.widgets.flag_banner import FlagBanner
from formers_tui.tui.widgets.formatting import duration, local
from formers_tui.tui.widgets.indicator_view import IndicatorDetails, IndicatorView
from formers_tui.tui.widgets.navigator import (
    CLOSING,
    OPENING,
    ROLE_PLAY,
    SCRIPT_PREFIX,
    Mark,
    Navigator,
    mark_of,
)
from formers_tui.tui.widgets.notes_editor import NotesEditor
from formers_tui.tui.widgets.screen_commands import ScreenBindingCommands
from formers_tui.tui.widgets.status_line import StatusLine
from formers_tui.tui.workers import DB, post_result

if TYPE_CHECKING:
    # The dialogs are imported when first opened: the screen opens without them.
    from formers_tui.tui.dialogs.flag import NewFlag
    from formers_tui.tui.dialogs.pin import PanelistChoice
    from formers_tui.tui.dialogs.quote import NewQuote
    from formers_tui.tui.dialogs.rating import NewRating
    from formers_tui.tui.dialogs.resolve_flag import FlagResolution

LOCKED = "This interview is finalized and cannot be changed; add an addendum instead (ctrl+b)."
"""What a change key says on a finalized interview."""

SAVE_WAIT_TRIES = 50
"""Tenths of a second to wait for the autosave before submitting a domain."""

TIME_FLUSH_SECONDS = 30.0
"""Hand accrued domain time to the autosave at least this often, even when nobody types."""

RESOLVE_KEY = "f10"

REFUSED_SECONDS = 8.0
"""How long the read-only line says a change was refused before it reads as before."""


def _utc_now() -> datetime:
    return datetime.now(timezone.utc)  # noqa: UP017 - keeps Python 3.10 working


# --------------------------------------------------------------------------- data


# ------------------------------------------------------------------------ screen


def read_interview(
    store: Store, interview_id: str, panelist_id: str = ""
) -> InterviewScreen.Loaded:
    """Read an interview for the screen and take its editing lease when it may be edited.

    Runs in a worker thread: the screen's own, or the app's when it opens an
    interview at start-up (the screen is then pushed already filled).
    """
    opened = read_opened(store, interview_id, panelist_id)
    lease, elsewhere = None, ""
    if opened.status != Status.finalized and opened.writable:  # a reader holds no lease
        try:
            lease = acquire_for(store, opened.interview_id)
        except HeldElsewhere as exc:
            elsewhere = str(exc)
        except (OSError, StoreError):
            pass  # a folder that cannot be written, a server gone: the saves will say so
    return InterviewScreen.Loaded(opened, lease, elsewhere)


class InterviewScreen(Screen[None]):
    """Conduct one interview: navigate indicators, take notes, capture and rate."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    AUTO_FOCUS = "#notes"
    COMMANDS = {ScreenBindingCommands}
    HORIZONTAL_BREAKPOINTS = [
        (0, "-narrow"),
        (100, "-wide"),
    ]

    # Deliberately not priority bindings: a priority binding acts the moment its key
    # arrives, ahead of keystrokes still queued for the notes, so the last words typed
    # could land in the next indicator's notes. These keys bubble up from the editor
    # in the order they were typed.
    BINDINGS: ClassVar[list[BindingType]] = [
        # Shown in the footer, in this order: what a panel needs during the interview
        # fits in 80 columns; F1 lists every key, grouped by task.
        Binding("escape", "leave", "List", tooltip="Back to the interview list"),
        Binding("ctrl+t,f3", "quote", "Quote", tooltip="Capture a verbatim quote"),
        Binding("ctrl+l,f4", "evidence", "Evid", tooltip="Add collateral evidence"),
        Binding("f8", "timeline", "Timeline", tooltip="Timeline facts"),
        Binding("ctrl+f,f2", "flag", "Flag", tooltip="Raise a safety flag"),
        # The banner of open flags names this key.
        Binding(RESOLVE_KEY, "resolve", "Resolve", show=False, tooltip="Resolve a safety flag"),
        # F6 is named in the title line instead ("F6: who rates"), which has the room.
        Binding(
            "f6",
            "switch_panelist",
            "Who",
            show=False,
            tooltip="Say who rates: switch the panelist (their PIN)",
        ),
        Binding("ctrl+r,f5", "rate", "Rate", tooltip="Rate this indicator"),
        Binding(
            "ctrl+u,alt+s", "submit_domain", "Submit", tooltip="Submit my ratings of this domain"
        ),
        Binding("ctrl+b", "panel_view", "Panel", tooltip="Open the panel view"),
        Binding("ctrl+n,alt+down", "next", "Next", show=False, tooltip="Next indicator"),
        Binding("ctrl+o,alt+up", "previous", "Prev", show=False, tooltip="Previous indicator"),
        Binding("ctrl+g,f9", "jump", "Go to", show=False, tooltip="Go to any indicator"),
        Binding(
            "ctrl+backslash",
            "toggle_navigator",
            "Show/hide navigator",
            show=False,
        ),
        Binding(
            "ctrl+down,alt+pagedown",
            "scroll_prompts(1)",
            "Scroll prompts down",
            show=False,
        ),
        Binding("ctrl+up,alt+pageup", "scroll_prompts(-1)", "Scroll prompts up", show=False),
        Binding("ctrl+s", "save_now", "Save now", show=False),
        # Changes refused on a finalized interview say so instead of doing nothing.
        Binding(
            f"ctrl+f,f2,ctrl+t,f3,ctrl+r,f5,ctrl+l,f4,ctrl+u,alt+s,{RESOLVE_KEY}",
            "locked",
            show=False,
        ),
    ]

    KEY_GROUPS: ClassVar[tuple[tuple[str, tuple[str, ...]], ...]] = (
        ("Move around", ("next", "previous", "jump", "scroll_prompts(1)", "scroll_prompts(-1)")),
        ("Capture", ("quote", "evidence", "timeline", "flag", "resolve", "save_now")),
        ("Rate (blind)", ("switch_panelist", "rate", "submit_domain", "panel_view")),
        ("Screen", ("toggle_navigator", "leave")),
    )
    """The screen's keys as the help screen (F1) groups them."""

    @dataclass
    class Loaded(Message):
        """The interview was read from the store."""

        opened: Opened
        lease: EditingLease | None = None
        """The editing lease, when this window may edit the interview."""
        elsewhere: str = ""
        """Why not, when another window holds the lease."""

    @dataclass
    class StatusRead(Message):
        """Whether the interview was finalized (``None``: still open)."""

        finalized_at: datetime | None

    @dataclass
    class RecordsRead(Message):
        """Quotes, evidence, flags, ratings and timeline, read again after a capture."""

        records: Records

    def __init__(
        self,
        store: Store,
        interview_id: str,
        *,
        clock: Callable[[], float] = time.monotonic,
        now: Callable[[], datetime] = _utc_now,
        panelist_id: str = "",
        read: InterviewScreen.Loaded | None = None,
    ) -> None:
        """Prepare the screen; the interview is read in a worker once mounted.

        Args:
            store: the open store.
            interview_id: the interview (or an unambiguous prefix of its id).
            clock: seconds for the interview timers (tests freeze it).
            now: the current time for captures and the status line (tests fix it).
            panelist_id: a panelist whose PIN is already confirmed, rating from
                the start; by default nobody rates until someone types their PIN.
            read: the interview already read by :func:`read_interview` (with
                its lease), so the screen is laid out once, filled.
        """
        super().__init__()
        self._read = read
        self._store = store
        self._requested_id = interview_id
        self._clock = clock
        self._now = now
        self._opened: Opened | None = None
        self._records: Records | None = None
        self._notes: dict[str, str] = {}
        self._indicator_id = ""
        self._panelist_id = panelist_id
        self._pins_set: set[str] = set()
        self._in_panel_view = False
        """Panelists who chose a PIN since the interview was read."""
        self._read_only = True
        self._timeline: dict[str, str] = {}
        """Timeline values as last typed (valid ones; the store has them or soon will)."""
        self._timeline_drafts: dict[str, str] = {}
        """Timeline text that is not valid yet, kept so nothing typed is lost."""
        self._time = DomainClock(clock)
        self._last_time_bank = time.monotonic()
        self._shown_elapsed = ""
        self._shown_progress = ""
        self._saver: Autosaver | None = None
        self.final_save_error: str | None = None
        """Why the last write on closing failed, if it did (the screen is gone by then)."""
        # Widgets kept by reference: the final save runs while the DOM is being torn down.
        self._banner = FlagBanner(RESOLVE_KEY, id="flags")
        self._view = IndicatorView(id="indicator")
        self._strip = CaptureStrip(id="captured")
        self._editor = NotesEditor(id="notes")
        self._status = StatusLine(id="status")
        self._navigator: Navigator | None = None
        self._refused_timer: Timer | None = None
        self._lease: EditingLease | None = None
        """This window's right to edit the interview (see :mod:`formers_tui.store.lease`)."""
        self._elsewhere = ""
        """Why the interview is read-only here when another window edits it."""

    # ---------------------------------------------------------------- layout

    def compose(self) -> ComposeResult:
        yield Static("Opening the interview…", id="interview-title")
        yield Static(id="read-only-line")
        yield self._banner
        with Horizontal(id="interview-body"):
            with Vertical(id="interview-main"):
                yield self._view
                yield self._strip
                yield self._editor
        yield self._status
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        read, self._read = self._read, None
        if read is None:
            self._load()
        else:
            self.post_message(read)
        self.set_interval(1.0, self._each_second)

    @property
    def is_loaded(self) -> bool:
        """Whether the interview has been read and is on screen."""
        return self._navigator is not None and self._records is not None

    @property
    def interview_id(self) -> str:
        """The interview's full id once read; what was asked for until then."""
        return self._opened.interview_id if self._opened else self._requested_id

    @property
    def rater_id(self) -> str:
        """The panelist rating now (their PIN confirmed); "" for nobody."""
        return self._panelist_id

    @property
    def has_unsaved_changes(self) -> bool:
        """Whether anything typed or captured is not in the store yet."""
        return self._saver is not None and self._saver.unsaved

    # --------------------------------------------------------------- loading

    @work(thread=True, exclusive=True, exit_on_error=False, group=DB, name="load")
    def _load(self) -> None:
        read = read_interview(self._store, self._requested_id, self._panelist_id)
        if not post_result(self, read) and read.lease is not None:
            read.lease.release()

    @work(thread=True, exclusive=True, exit_on_error=False, group=DB, name="records")
    def _reload_records(self, interview_id: str, panelist_id: str) -> None:
        post_result(self, self.RecordsRead(reload_records(self._store, interview_id, panelist_id)))

    @on(Loaded)
    async def _loaded(self, message: Loaded) -> None:
        opened = message.opened
        if self._lease is not None:
            self._lease.release()
        self._lease, self._elsewhere = message.lease, message.elsewhere
        protocol = opened.protocol
        ids = [i.id for i in protocol.indicators()]
        if not ids:
            self._show_problem("This interview's protocol has no indicators.")
            return
        read_only = (
            opened.status == Status.finalized or bool(message.elsewhere) or not opened.writable
        )
        # Mount first: keys handled while mounting see an interview that is not open yet.
        navigator = Navigator(protocol, id="navigator")
        await self.query_one("#interview-body").mount(navigator, before=0)
        saver = None
        if not read_only:
            saver = Autosaver(self._store, opened.interview_id, actor=opened.actor)
            await self.mount(saver)
        self._navigator, self._saver = navigator, saver
        self._opened = opened
        self._read_only = read_only
        self._notes = dict(opened.notes)
        self._timeline = dict(opened.records.timeline)
        self._time = DomainClock(self._clock, opened.domain_seconds)
        self._panelist_id = opened.records.panelist_id
        current = opened.current_indicator
        self._indicator_id = current if current in ids else ids[0]
        if read_only:
            self._time.stop()
        else:
            self._time.run(protocol.domain_of(self._indicator_id).id)
        self._refresh_title()
        self._editor.hold(
            self._indicator_id, self._notes.get(self._indicator_id, ""), read_only=read_only
        )
        self._apply_records(opened.records)
        # Once laid out, so the tree scrolls by its real height.
        self.call_after_refresh(navigator.show_indicator, self._indicator_id)
        self._refresh_elapsed()
        if read_only:
            self._status.show_read_only()
        else:
            self._status.show_idle()
        self._editor.focus()
        freeze_heap()  # before the typing starts: see freeze_heap
        freeze_at_next_pause()  # and what opening still builds, once it is built

    def _show_problem(self, sentence: str) -> None:
        self._view.show_message(sentence)
        self._status.show_read_only()

    def _refresh_title(self) -> None:
        opened = self._opened
        if opened is None:
            return
        chair = opened.chair
        facts = [
            opened.interview_date.isoformat(),
            f"chair {chair.name}" if chair else "no chair",
        ]
        if self._panelist_id:
            facts.append(f"rating: {self._panelist_name(self._panelist_id)} (F6 switch)")
        elif not self._read_only:
            facts.append("F6: who rates")
        self.query_one("#interview-title", Static).update(
            Content.from_markup(
                "[b]$code[/b] · $facts", code=opened.candidate_code, facts=" · ".join(facts)
            )
        )
        line = self.query_one("#read-only-line", Static)
        line.set_class(self._read_only, "-shown")
        if self._read_only and self._elsewhere:
            line.update(literal(self._elsewhere))
        elif self._read_only and not opened.writable and opened.status != Status.finalized:
            line.update("Read-only: your login may read this interview, not change it.")
        elif self._read_only:
            when = (
                f" {local(opened.finalized_at).date().isoformat()}" if opened.finalized_at else ""
            )
            line.update(
                f"Finalized{when} · read-only: nothing here can change; corrections go in an "
                "addendum (panel view, ctrl+b)."
            )

    # ------------------------------------------------------------ navigation

    def _indicators(self) -> list[Indicator]:
        """Every indicator in the order the panel asks (the protocol's, when it declares one)."""
        return list(self._opened.protocol.asking_order()) if self._opened else []

    def _domain(self, indicator_id: str) -> Domain:
        assert self._opened is not None
        return self._opened.protocol.domain_of(indicator_id)

    def _go(self, indicator_id: str) -> None:
        """Show another indicator, saving the notes and the position first."""
        if self._opened is None:
            return
        if indicator_id != self._indicator_id:
            self._take_notes()
            self._indicator_id = indicator_id
            if not self._time.stopped:
                self._write_time(self._time.run(self._domain(indicator_id).id))
            if self._saver is not None:
                self._saver.current(indicator_id)
            self._editor.hold(
                indicator_id, self._notes.get(indicator_id, ""), read_only=self._read_only
            )
            self._refresh_view()
            self._refresh_elapsed()
        self._nav().show_indicator(indicator_id)
        self._editor.focus()

    def _step(self, offset: int) -> None:
        ids = [i.id for i in self._indicators()]
        if not ids:
            return
        here = ids.index(self._indicator_id) if self._indicator_id in ids else 0
        target = here + offset
        if 0 <= target < len(ids):
            self._go(ids[target])
        else:
            self.notify(
                "This is the last indicator." if offset > 0 else "This is the first indicator.",
                timeout=2,
            )

    def action_leave(self) -> None:
        """Back to the interview list; everything typed is saved as the screen closes."""
        if self.app.screen is not self:
            return
        self._take_notes()
        self.dismiss()

    def on_key(self, event: events.Key) -> None:
        """Typing anywhere but the notes goes into the notes: nothing typed is lost.

        The navigator and the prompts can hold the cursor (by mouse, or Shift+Tab);
        a character typed there was meant for the notes.
        """
        if (
            self._read_only
            or self.focused is self._editor
            or not event.is_printable
            or not event.character
        ):
            return
        event.stop()
        event.prevent_default()
        self._editor.focus()
        self._editor.insert(event.character)

    def action_next(self) -> None:
        """Go to the next indicator."""
        self._step(1)

    def action_previous(self) -> None:
        """Go to the previous indicator."""
        self._step(-1)

    def action_jump(self) -> None:
        """Choose any indicator from a filterable list."""
        from formers_tui.tui.dialogs.jump import JumpDialog, JumpTarget

        if self._opened is None:
            return
        navigator = self._nav()
        targets = [JumpTarget(i.id, i.title, self._domain(i.id).title) for i in self._indicators()]
        marks = {t.indicator_id: navigator.mark(t.indicator_id) for t in targets}
        protocol = self._opened.protocol
        said = "read out, not rated"
        if protocol.opening is not None:
            targets.insert(0, JumpTarget(OPENING, protocol.opening.title, said))
        targets += [
            JumpTarget(ROLE_PLAY + v.id, f"Role play: {v.title}", said) for v in protocol.vignettes
        ]
        if protocol.closing is not None:
            targets.append(JumpTarget(CLOSING, protocol.closing.title, said))

        def chosen(indicator_id: str | None) -> None:
            if indicator_id and indicator_id.startswith(SCRIPT_PREFIX):
                self._show_script(indicator_id)
            elif indicator_id:
                self._go(indicator_id)

        self.app.push_screen(JumpDialog(targets, marks, self._indicator_id), callback=chosen)

    @on(Navigator.Chosen)
    def _navigator_chosen(self, message: Navigator.Chosen) -> None:
        self._go(message.indicator_id)

    @on(Navigator.ScriptChosen)
    def _script_chosen(self, message: Navigator.ScriptChosen) -> None:
        self._show_script(message.key)

    def _show_script(self, key: str) -> None:
        """Show the opening, the closing or a role play; the notes stay where they were."""
        from formers_tui.tui.dialogs.script import ScriptDialog

        if self._opened is None:
            return
        protocol = self._opened.protocol
        item: Script | Vignette | None = None
        if key == OPENING:
            item = protocol.opening
        elif key == CLOSING:
            item = protocol.closing
        elif key.startswith(ROLE_PLAY):
            item = protocol.vignette(key[len(ROLE_PLAY) :])
        if item is not None:
            self._take_notes()
            self.app.push_screen(ScriptDialog(item), callback=self._script_closed)

    def _script_closed(self, _: None) -> None:
        self._editor.focus()

    def action_scroll_prompts(self, direction: int) -> None:
        """Scroll the indicator text without leaving the notes."""
        if direction > 0:
            self._view.scroll_page_down(animate=False)
        else:
            self._view.scroll_page_up(animate=False)

    def action_toggle_navigator(self) -> None:
        """Hide the navigator to give the prompts and notes the full width."""
        navigator = self._nav()
        navigator.display = not navigator.display

    # ----------------------------------------------------------------- notes

    @on(TextArea.Changed, "#notes")
    def _notes_changed(self) -> None:
        self._take_notes()

    def _take_notes(self) -> None:
        """Hand the editor's text to the autosave if it changed (it is kept in memory too)."""
        indicator_id = self._editor.indicator_id
        if indicator_id is None or self._saver is None:
            return
        text = self._editor.text
        before = self._notes.get(indicator_id, "")
        if before == text:
            return
        self._notes[indicator_id] = text
        self._saver.note(indicator_id, text)
        if bool(before.strip()) != bool(text.strip()):
            self._refresh_mark(indicator_id)
            self._refresh_progress()

    # ---------------------------------------------------------------- saving

    @on(Autosaver.Pending)
    def _save_pending(self) -> None:
        self._status.show_saving()

    @on(Autosaver.Saved)
    def _save_done(self, message: Autosaver.Saved) -> None:
        if self._saver is not None and not self._saver.unsaved:
            self._status.show_saved(self._now())
        if message.batch.changes_records and self._opened is not None:
            self._reload_records(self._opened.interview_id, self._panelist_id)

    @on(Autosaver.Failed)
    def _save_failed(self, message: Autosaver.Failed) -> None:
        self._status.show_failed(message.sentence, hint=message.hint)

    @on(Autosaver.Refused)
    def _save_refused(self, message: Autosaver.Refused) -> None:
        if message.kind == "timeline":
            self._timeline_drafts[message.key] = message.value
            self._timeline.pop(message.key, None)
            self.notify(f"Timeline not saved: {message.sentence}", severity="error", timeout=15)
        else:
            self.notify(
                f"{message.what} — not saved: {message.sentence}", severity="error", timeout=30
            )

    @on(RecordsRead)
    def _records_read(self, message: RecordsRead) -> None:
        if message.records.panelist_id == self._panelist_id:
            self._apply_records(message.records)

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        if event.state != WorkerState.ERROR:
            return
        error = event.worker.error
        sentence = describe_failure(error) if error is not None else "Unknown error"
        if event.worker.name == "status":
            self._in_panel_view = False
        if event.worker.name == "load":
            self._show_problem(f"The interview could not be opened: {sentence}")
        else:
            self.notify(f"Could not read the interview again: {sentence}", severity="error")

    def action_save_now(self) -> None:
        """Write pending changes now (they are saved automatically anyway)."""
        self._take_notes()
        if self._saver is None:
            return
        if not self._saver.unsaved:
            self.notify("Everything is saved.", timeout=2)
        self._saver.save_now()

    def on_unmount(self) -> None:
        """Write whatever is left before the screen goes, in this thread, so quitting is safe."""
        freeze_at_next_pause(thaw=True)  # this screen was frozen: free it at the next pause
        try:
            self._final_save()
        finally:
            if self._lease is not None:
                self._lease.release()  # only once the last write is in
                self._lease = None

    def save_before_quitting(self) -> str | None:
        """Write everything now, in this thread; return why it failed, if it did."""
        if self._saver is None:
            return None
        indicator_id, text = self._editor.indicator_id, self._editor.text
        if indicator_id is not None and self._notes.get(indicator_id, "") != text:
            self._saver.note(indicator_id, text)
        self._bank_time()
        return self._saver.finish()

    def keep_unsaved_in_recovery_file(self) -> Path:
        """Write what the store refused to an encrypted recovery file; forget it here.

        Raises:
            OSError: the recovery file could not be written either.
        """
        from formers_tui.store import recovery

        assert self._saver is not None and self._opened is not None
        notes, timeline, other = self._saver.unsaved_items()
        kept = recovery.Recovered(
            interview_id=self._opened.interview_id,
            written_at=recovery.now_text(),
            notes=notes,
            timeline=timeline,
            other=other,
        )
        path = recovery.save(self._store.path, self._store.key, kept)
        self._saver.discard()
        return path

    def discard_unsaved(self) -> None:
        """Forget what the store has not taken (the panel chose to, on quitting)."""
        if self._saver is not None:
            self._saver.discard()

    def _final_save(self) -> None:
        if self._saver is None:
            return
        # The widgets are being torn down: data only from here, no screen updates.
        indicator_id, text = self._editor.indicator_id, self._editor.text
        if indicator_id is not None and self._notes.get(indicator_id, "") != text:
            self._saver.note(indicator_id, text)
        self._bank_time()
        self.final_save_error = self._saver.finish()
        if self.final_save_error is not None:
            self.log.error(f"NOT SAVED on closing: {self.final_save_error}")
            self.app.notify(f"NOT SAVED on closing: {self.final_save_error}", severity="error")

    # ---------------------------------------------------------------- timers

    def _each_second(self) -> None:
        self._refresh_elapsed()
        # Not while the panel view is open, nor until it is known whether it finalized
        # the interview: a finalized interview takes no more writes.
        if (
            not self._in_panel_view
            and time.monotonic() - self._last_time_bank >= TIME_FLUSH_SECONDS
        ):
            self._bank_time()

    def _bank_time(self) -> None:
        """Hand the time spent on the current domain since the last bank to the autosave."""
        self._last_time_bank = time.monotonic()
        if self._saver is None:
            return
        self._write_time(self._time.bank())

    def _write_time(self, spent: tuple[str, float] | None) -> None:
        if spent is not None and self._saver is not None:
            self._saver.time_spent(*spent)

    def _refresh_elapsed(self) -> None:
        if self._opened is None or not self._indicator_id:
            return
        domain = self._domain(self._indicator_id)
        text = f"time {duration(self._time.total())} · domain {duration(self._time.of(domain.id))}"
        if text != self._shown_elapsed:
            self._shown_elapsed = text
            self._status.show_elapsed(text)

    # --------------------------------------------------------------- display

    @property
    def _actor(self) -> str:
        return self._opened.actor if self._opened else "chair"

    @property
    def _identified(self) -> str:
        """Who a safety flag is recorded as raised (or resolved) by: the panelist who
        identified with a PIN, else an unidentified note-taker, never the chair by default."""
        return attributed(self._panelist_name(self._panelist_id) if self._panelist_id else None)

    def _panelist_name(self, panelist_id: str) -> str:
        panel = self._opened.panel if self._opened else ()
        return next((p.name for p in panel if p.id == panelist_id), "nobody")

    def _nav(self) -> Navigator:
        assert self._navigator is not None, "the navigator is mounted once the interview is read"
        return self._navigator

    def _apply_records(self, records: Records) -> None:
        self._records = records
        self._timeline = {**records.timeline, **self._timeline}
        for indicator in self._indicators():
            self._refresh_mark(indicator.id)
        self._refresh_view()
        self._refresh_progress()
        self._banner.show_flags(records.open_flags)
        self.refresh_bindings()

    def _my_ratings(self) -> dict[str, Rating]:
        """The active panelist's ratings; nothing while another panelist's are still loaded."""
        records = self._records
        if records is None or records.panelist_id != self._panelist_id:
            return {}
        return records.ratings

    def _my_submitted(self) -> frozenset[str]:
        """Domains the active panelist has submitted (as last read)."""
        records = self._records
        if records is None or records.panelist_id != self._panelist_id:
            return frozenset()
        return records.submitted

    def _mark(self, indicator_id: str) -> Mark:
        records = self._records
        return mark_of(
            has_notes=bool(self._notes.get(indicator_id, "").strip()),
            rated=indicator_id in self._my_ratings(),
            flagged=records is not None
            and any(f.indicator_id == indicator_id for f in records.open_flags),
        )

    def _refresh_mark(self, indicator_id: str) -> None:
        self._nav().set_mark(indicator_id, self._mark(indicator_id))

    def _refresh_progress(self) -> None:
        records = self._records
        indicators = self._indicators()
        if records is None or not indicators:
            return
        total = len(indicators)
        noted = sum(1 for i in indicators if self._notes.get(i.id, "").strip())
        text = f"notes {noted}/{total}"
        if self._panelist_id:  # nobody's ratings are shown until someone types their PIN
            rated = sum(1 for i in indicators if i.id in self._my_ratings())
            text += f" · rated {rated}/{total}"
        if records.open_flags:
            text += f" · ⚑ {len(records.open_flags)}"
        if text != self._shown_progress:
            self._shown_progress = text
            self._status.show_progress(text)

    def _refresh_view(self) -> None:
        opened, records = self._opened, self._records
        if opened is None or records is None or not self._indicator_id:
            return
        protocol = opened.protocol
        indicator = protocol.indicator(self._indicator_id)
        domain = protocol.domain_of(indicator.id)
        ids = [i.id for i in protocol.asking_order()]
        quotes = [q for q in records.quotes if q.indicator_id == indicator.id]
        evidence = [(e, ids_) for e, ids_ in records.evidence if indicator.id in ids_]
        flags = [f for f in records.open_flags if f.indicator_id == indicator.id]
        self._strip.show(quotes, [e for e, _ in evidence], flags)
        self._view.show(
            IndicatorDetails(
                indicator=indicator,
                domain=domain,
                part=protocol.part_of(domain.id),
                position=ids.index(indicator.id) + 1,
                total=len(ids),
                scale=protocol.scale,
                rater=self._panelist_name(self._panelist_id) if self._panelist_id else "",
                rating=self._my_ratings().get(indicator.id),
                domain_submitted=domain.id in self._my_submitted(),
                quotes=quotes,
                evidence=evidence,
            )
        )

    # ---------------------------------------------------------- availability

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Hide what cannot be done: changes to a finalized interview, resolving no flag."""
        if action in {"flag", "quote", "evidence", "rate", "resolve", "save_now", "submit_domain"}:
            if self._opened is None or self._read_only:
                return False
        if action == "locked":
            return self._opened is not None and self._read_only
        if action == "resolve":
            return bool(self._records and self._records.open_flags)
        return True

    # --------------------------------------------------------------- capture

    def _queue(self, write: Write) -> None:
        if self._saver is not None:
            self._saver.write(write)

    def _before_dialog(self) -> None:
        """Save the notes before a dialog covers them."""
        self._take_notes()
        if self._saver is not None:
            self._saver.save_now()

    def _interview_id(self) -> str:
        assert self._opened is not None
        return self._opened.interview_id

    def action_flag(self) -> None:
        """Raise a safety flag (works while typing in the notes)."""
        from formers_tui.tui.dialogs.flag import FlagDialog

        if self._opened is None or self._read_only:
            return
        self._before_dialog()
        indicator_id = self._indicator_id or None

        def raised(flag: NewFlag | None) -> None:
            if flag is None:
                return
            interview_id, actor = self._interview_id(), self._identified
            self._queue(
                Write(
                    "Safety flag",
                    f"{flag.kind.value}: {flag.note}",
                    lambda session: capture.raise_flag(
                        session,
                        interview_id=interview_id,
                        kind=flag.kind,
                        note=flag.note,
                        actor=actor,
                        indicator_id=indicator_id,
                        raised_at=flag.raised_at,
                    ),
                )
            )

        self.app.push_screen(
            FlagDialog(
                guidance=self._opened.protocol.guidance.get("safety", ""),
                raised_at=self._now(),
                indicator_id=indicator_id,
            ),
            callback=raised,
        )

    def action_resolve(self) -> None:
        """Close an open safety flag, saying what action was taken."""
        from formers_tui.tui.dialogs.resolve_flag import ResolveFlagDialog

        if self._records is None or not self._records.open_flags or self._read_only:
            return

        def resolved(resolution: FlagResolution | None) -> None:
            if resolution is None:
                return
            interview_id, actor = self._interview_id(), self._identified
            self._queue(
                Write(
                    "Flag resolution",
                    resolution.action_taken,
                    lambda session: capture.resolve_flag(
                        session,
                        interview_id=interview_id,
                        flag_id=resolution.flag_id,
                        action_taken=resolution.action_taken,
                        actor=actor,
                    ),
                )
            )

        self.app.push_screen(ResolveFlagDialog(self._records.open_flags), callback=resolved)

    def action_quote(self) -> None:
        """Capture a verbatim quote for the current indicator."""
        from formers_tui.tui.dialogs.quote import QuoteDialog

        if self._opened is None or self._read_only:
            return
        self._before_dialog()
        indicator_id = self._indicator_id
        code = self._opened.candidate_code or "Candidate"
        speakers = [code, *(p.name for p in self._opened.panel)]

        def captured(quote: NewQuote | None) -> None:
            if quote is None:
                return
            interview_id, actor = self._interview_id(), self._actor
            self._queue(
                Write(
                    "Quote",
                    f"“{quote.text}” — {quote.speaker}",
                    lambda session: capture.add_quote(
                        session,
                        interview_id=interview_id,
                        indicator_id=indicator_id,
                        text=quote.text,
                        speaker=quote.speaker,
                        actor=actor,
                        spoken_at=quote.spoken_at,
                    ),
                )
            )

        self.app.push_screen(
            QuoteDialog(
                indicator_id=indicator_id,
                speakers=speakers,
                spoken_at=self._now(),
                text=self._editor.selected_text,
            ),
            callback=captured,
        )

    def action_evidence(self) -> None:
        """Record a collateral evidence item linked to indicators."""
        from formers_tui.tui.dialogs.evidence import EvidenceDialog

        if self._opened is None or self._read_only:
            return
        self._before_dialog()

        def added(item: EvidenceIn | None) -> None:
            if item is None:
                return
            interview_id, actor = self._interview_id(), self._actor
            self._queue(
                Write(
                    "Evidence",
                    item.summary,
                    lambda session: capture.add_evidence(
                        session, interview_id=interview_id, item=item, actor=actor
                    ),
                )
            )

        self.app.push_screen(
            EvidenceDialog(indicators=self._indicators(), current=self._indicator_id),
            callback=added,
        )

    def action_rate(self) -> None:
        """Rate the current indicator as the active panelist (asking who, with a PIN, first)."""
        from formers_tui.tui.dialogs.rating import RatingDialog

        if self._opened is None or self._records is None or self._read_only:
            return
        self._before_dialog()
        if not self._panelist_id:
            self._choose_panelist(then=self.action_rate)
            return
        indicator = self._opened.protocol.indicator(self._indicator_id)
        panelist_id = self._panelist_id
        rater = self._panelist_name(panelist_id)

        def rated(rating: NewRating | None) -> None:
            if rating is None:
                return
            interview_id = self._interview_id()
            self._queue(
                Write(
                    "Rating",
                    f"{indicator.id} by {rater}: "
                    f"{'omit' if rating.value is None else rating.value} {rating.rationale}",
                    lambda session: panel.rate(
                        session,
                        interview_id=interview_id,
                        panelist_id=panelist_id,
                        indicator_id=indicator.id,
                        value=rating.value,
                        rationale=rating.rationale,
                        actor=rater,
                    ),
                )
            )

        self.app.push_screen(
            RatingDialog(
                indicator=indicator,
                scale=self._opened.protocol.scale,
                panelist_id=panelist_id,
                panelist_name=rater,
                current=self._my_ratings().get(indicator.id),
            ),
            callback=rated,
        )

    # ------------------------------------------------------------ panelists

    def _choose_panelist(
        self, then: Callable[[], object] | None = None, *, title: str = "Who is rating?"
    ) -> None:
        """Ask who is at the keyboard (their PIN, or a first PIN chosen twice)."""
        from formers_tui.tui.dialogs.pin import PanelistChoice, PinDialog

        opened = self._opened
        if opened is None:
            return
        choices = [
            PanelistChoice(p.id, p.name, panel.has_pin(p) or p.id in self._pins_set, p.is_chair)
            for p in opened.panel
        ]

        def confirmed(who: PanelistChoice | None) -> None:
            if who is None:
                return
            self._pins_set.add(who.id)  # a first PIN may have just been chosen
            self._set_panelist(who.id)
            if then is not None:
                then()

        self.app.push_screen(
            PinDialog(
                self._store,
                opened.interview_id,
                panel=choices,
                title=title,
                purpose=(
                    "Ratings are blind: each panelist sees only their own until they submit. "
                    "Pass the laptop, choose yourself and type your PIN."
                ),
            ),
            callback=confirmed,
        )

    def _set_panelist(self, panelist_id: str) -> None:
        """Make ``panelist_id`` the one who rates; nothing of the previous one stays shown."""
        if panelist_id == self._panelist_id or self._opened is None:
            return
        self._panelist_id = panelist_id
        self._refresh_title()
        if self._records is not None:  # hides the previous rater's ratings at once
            self._apply_records(self._records)
        self._reload_records(self._opened.interview_id, panelist_id)

    def quick_unlock(self) -> QuickUnlock | None:
        """The app is locking: nobody rates until someone unlocks; who may, with a PIN."""
        from formers_tui.tui.dialogs.pin import PanelistChoice

        opened = self._opened
        if opened is None:
            return None
        choices = tuple(
            PanelistChoice(p.id, p.name, panel.has_pin(p) or p.id in self._pins_set, p.is_chair)
            for p in opened.panel
        )
        active = self._panelist_id
        self._set_panelist("")
        return QuickUnlock(opened.interview_id, pin_holders(choices), active)

    def unlocked(self, who: Unlocked) -> None:
        """Unlocked: by a PIN, that panelist rates now; by the passphrase, ask who does."""
        if who.panelist_id is not None:
            self._set_panelist(who.panelist_id)
        elif self._opened is not None and not self._read_only:
            self._choose_panelist(title="Who is rating now?")

    def action_switch_panelist(self) -> None:
        """Pass the laptop: the next panelist proves who they are with their PIN."""
        if self._opened is None:
            return
        self._before_dialog()
        self._choose_panelist()

    def action_submit_domain(self) -> None:
        """Submit the active panelist's ratings of the current domain (once they are saved)."""
        if self._opened is None or self._read_only:
            return
        self._before_dialog()
        if not self._panelist_id:
            self._choose_panelist(then=self.action_submit_domain)
            return
        self._when_saved(self._open_submit)

    def _when_saved(self, then: Callable[[], object], tries: int = 0) -> None:
        """Run ``then`` once every change made so far is in the store."""
        if self._saver is None or not self._saver.unsaved:
            then()
        elif tries >= SAVE_WAIT_TRIES:
            self.notify(
                "Not everything is saved yet (see the status line); submit once it is.",
                severity="error",
            )
        else:
            self._saver.save_now()
            self.set_timer(0.1, lambda: self._when_saved(then, tries + 1))

    def _open_submit(self) -> None:
        from formers_tui.tui.dialogs.submit import SubmitDialog

        opened = self._opened
        if opened is None or not self._panelist_id:
            return
        domain = self._domain(self._indicator_id)
        panelist_id = self._panelist_id

        def submitted(domain_id: str | None) -> None:
            if domain_id is None or self._opened is None:
                return
            self.notify(
                f"{domain.title} submitted. The others' submitted ratings in it are in the "
                "panel view (ctrl+b).",
                timeout=6,
            )
            self._reload_records(self._opened.interview_id, panelist_id)

        self.app.push_screen(
            SubmitDialog(
                self._store,
                opened.interview_id,
                panelist_id=panelist_id,
                panelist_name=self._panelist_name(panelist_id),
                domain=domain,
                scale=opened.protocol.scale,
            ),
            callback=submitted,
        )

    def action_panel_view(self) -> None:
        """Open the panel view, as the active panelist (their PIN is already confirmed)."""
        from formers_tui.tui.screens.panel import PanelScreen

        if self._opened is None:
            return
        self._before_dialog()
        self._bank_time()  # written now: time in the panel view may end in a finalized record
        self._in_panel_view = True
        self.app.push_screen(
            PanelScreen(self._store, self._opened.interview_id, viewer_id=self._panelist_id or None)
        )

    def action_locked(self) -> None:
        """Say why a change is refused: the interview is finalized."""
        self.notify(LOCKED, severity="warning", timeout=6)
        self.query_one("#read-only-line", Static).update(f"Refused: {LOCKED}")
        if self._refused_timer is not None:
            self._refused_timer.stop()
        self._refused_timer = self.set_timer(REFUSED_SECONDS, self._refresh_title)

    @on(StatusRead)
    def _status_read(self, message: StatusRead) -> None:
        self._in_panel_view = False
        if message.finalized_at is None or self._opened is None or self._read_only:
            return
        self._become_read_only(message.finalized_at)

    def on_screen_resume(self) -> None:
        """Back from the panel view: the interview may have been finalized meanwhile.

        Time is not written until that is known (see :meth:`_each_second`).
        """
        if not self._in_panel_view or self._opened is None:
            return
        self._check_status(self._opened.interview_id)
        if self._panelist_id:
            self._reload_records(self._opened.interview_id, self._panelist_id)

    @work(thread=True, exclusive=True, exit_on_error=False, group="status", name="status")
    def _check_status(self, interview_id: str) -> None:
        post_result(self, self.StatusRead(finalized_at(self._store, interview_id)))

    def _become_read_only(self, finalized_at: datetime) -> None:
        """The panel finalized the interview elsewhere: stop writing, show it read-only."""
        assert self._opened is not None
        self._take_notes()
        saver, self._saver = self._saver, None
        if saver is not None:
            # Time spent since is not written: a finalized interview takes no more changes.
            problem = saver.finish() if saver.unsaved else None
            if problem is not None:
                self.notify(f"NOT SAVED (finalized meanwhile): {problem}", severity="error")
            saver.remove()
        self._time.stop()  # shown as it was, never written
        self._opened = replace(self._opened, status=Status.finalized, finalized_at=finalized_at)
        self._read_only = True
        self._editor.hold(
            self._indicator_id, self._notes.get(self._indicator_id, ""), read_only=True
        )
        self._status.show_read_only()
        self._refresh_title()
        self.refresh_bindings()

    def action_timeline(self) -> None:
        """Enter the timeline facts; the proportionality guideline updates as you type."""
        from formers_tui.tui.dialogs.timeline import TimelineDialog

        if self._opened is None or self._records is None:
            return
        self._before_dialog()
        values = {**self._timeline, **self._timeline_drafts}

        def valid(fact_id: str, value: str) -> None:
            self._timeline_drafts.pop(fact_id, None)
            self._timeline[fact_id] = value
            if self._saver is not None:
                self._saver.timeline(fact_id, value)

        def closed(raw: dict[str, str] | None) -> None:
            if raw is None or self._read_only or self._opened is None:
                return
            protocol = self._opened.protocol
            kept = []
            for fact_id, text in raw.items():
                try:
                    capture.timeline_value(
                        protocol.fact(fact_id),
                        text,
                        self._opened.interview_date,
                        ongoing=capture.may_be_ongoing(protocol, fact_id),
                    )
                except FormersError:
                    self._timeline_drafts[fact_id] = text
                    kept.append(protocol.fact(fact_id).label)
                else:
                    self._timeline_drafts.pop(fact_id, None)
            if kept:
                self.notify(
                    f"Kept but not saved (not valid yet): {', '.join(kept)}. Press f8 to correct.",
                    severity="warning",
                    timeout=8,
                )

        self.app.push_screen(
            TimelineDialog(
                facts=self._opened.protocol.timeline,
                rule=self._opened.protocol.proportionality,
                as_of=self._opened.interview_date,
                values=values,
                on_valid=valid,
                read_only=self._read_only,
            ),
            callback=closed,
        )
