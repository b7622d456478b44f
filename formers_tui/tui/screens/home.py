"""The home screen: every interview in the store, narrowed as you type.

The list is read once per visit (in a thread worker) and filtered in memory,
so typing in the filter never touches the disk. A store can hold thousands
of interviews; the table shows the most recently changed :data:`MAX_ROWS`
matches, because rebuilding a table of thousands of rows takes seconds and
the filter reaches the rest faster than scrolling would.

Counting the progress of ten thousand interviews takes the store a second
or more, so on the first visit the most recently changed :data:`FIRST_PAGE`
are read and shown first, and the rest follow. Each key typed in the filter
is applied at once: the filter searches text prepared when the list was
read, narrows the previous matches when the filter only grew, and the table
keeps the rows it already holds when the new matches start with them.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

from rich.text import Text
from textual import events, on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Header, Input, Label, Static
from textual.widgets.data_table import RowKey
from textual.worker import Worker

from formers_tui.sanitize import clean_line
from formers_tui.tui.literal import literal
from formers_tui.tui.messages import Unlock
from formers_tui.tui.workers import DB, post_result, user_error

if TYPE_CHECKING:
    from formers_tui.protocol.registry import Catalogue
    from formers_tui.store.listing import InterviewSummary
    from formers_tui.store.store import Store

MAX_ROWS = 500
"""Most interviews put in the table at once (the most recently changed matches)."""

FIRST_PAGE = 100
"""Interviews read first on a visit: more than a terminal shows, far fewer than a large store."""

ROWS_PER_FRAME = 100
"""Rows added to the table between two frames once its first screenful is drawn."""

CELL_CACHE = 4 * MAX_ROWS
"""Most rows whose cells are kept for redrawing; beyond, the cache starts again."""

CELL_PADDING = 1
"""Blank cells either side of each column (the DataTable default)."""

SCROLLBAR = 1
"""Width of the table's vertical scrollbar (set in ``app.tcss``)."""

MIN_PROTOCOL_WIDTH = 12
"""Narrower than this, the protocol column is left out rather than cut to a stub."""

MAX_CODE_WIDTH = 24
"""Longer candidate codes are shortened with an ellipsis."""

TYPE_TO_FILTER = frozenset("abcdefghijklmopstuwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.")
"""Keys that, typed on the table, start a filter (``n``, ``r``, ``v`` and ``q`` are commands)."""


@dataclass(frozen=True)
class Listed:
    """One interview as the home screen shows and filters it."""

    summary: InterviewSummary
    """What the store says about the interview."""
    status: str
    """Status as a word for people."""
    protocol: str
    """Protocol id and version."""
    progress: str
    """Indicators with notes and rated, e.g. ``5/20 notes · 3 rated``."""
    haystack: str
    """Lower-case text the filter searches: code, status, protocol, date, id."""

    @property
    def resumable(self) -> bool:
        """Whether the interview can still be worked on (not finalized)."""
        return self.status != "finalized"


def listed(summary: InterviewSummary, status_label: str) -> Listed:
    """Prepare ``summary`` for display and filtering."""
    protocol = f"{summary.protocol_id} {summary.protocol_version}"
    progress = f"{summary.with_notes}/{summary.indicators} notes · {summary.rated} rated"
    date = summary.interview_date.isoformat()
    haystack = " ".join(
        (summary.candidate_code, status_label, protocol, date, summary.id)
    ).casefold()
    return Listed(summary, status_label, protocol, progress, haystack)


def listed_rows(summaries: Iterable[InterviewSummary]) -> list[Listed]:
    """Prepare each of ``summaries`` for display and filtering."""
    from formers_tui.store.listing import STATUS_LABELS

    return [listed(s, STATUS_LABELS[s.status]) for s in summaries]


def matches(rows: list[Listed], text: str) -> list[Listed]:
    """Rows containing every word of ``text`` (case-insensitive), in their order."""
    terms = text.casefold().split()
    if not terms:
        return rows
    if len(terms) == 1:  # the usual case, and a tenth of the time without all()
        term = terms[0]
        return [row for row in rows if term in row.haystack]
    return [row for row in rows if all(term in row.haystack for term in terms)]


def narrows(before: str, after: str) -> bool:
    """Whether every row matching ``after`` also matches ``before``.

    True when ``after`` only adds to the end of ``before``: each word of
    ``before`` is then a word of ``after`` or the start of one, and a row
    containing the longer word contains the shorter. So the matches of
    ``before`` can be searched instead of every row.
    """
    return after.casefold().startswith(before.casefold())


@dataclass(frozen=True)
class Column:
    """A table column sized for the current width."""

    key: str
    label: str
    width: int


def column_layout(width: int, rows: list[Listed]) -> list[Column]:
    """Columns that fit in ``width`` cells.

    Everything but the protocol has a fixed, sufficient width; the protocol
    takes what is left, and is dropped when too little is left to be useful
    (on an 80-column terminal with long codes).
    """
    code = max([len("Candidate"), *(len(r.summary.candidate_code) for r in rows)])
    fixed = [
        Column("code", "Candidate", min(code, MAX_CODE_WIDTH)),
        Column("status", "Status", len("in progress")),
        Column("date", "Date", len("2026-11-02")),
        Column("progress", "Progress", max([len("Progress"), *(len(r.progress) for r in rows)])),
        Column("flags", "Flags", len("Flags")),
    ]
    used = sum(c.width + 2 * CELL_PADDING for c in fixed) + 2 * CELL_PADDING
    wanted = max([len("Protocol"), *(len(r.protocol) for r in rows)])
    room = min(width - SCROLLBAR - used, wanted)
    if room < MIN_PROTOCOL_WIDTH:
        return fixed
    return [*fixed[:2], Column("protocol", "Protocol", room), *fixed[2:]]


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class InterviewTable(DataTable[Text]):
    """The interview list, whose Enter is labelled for what it does here."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Open"),
    ]

    def _update_dimensions(self, new_rows: Iterable[RowKey]) -> None:
        """Size the table without measuring the new rows' cells.

        DataTable measures every cell of every new row to widen columns that
        size to their content; here every column has a fixed width and every
        row one line, so the measuring (most of the cost of adding hundreds
        of rows) would change nothing.
        """
        super()._update_dimensions(())


class FilterInput(Input):
    """The filter box; Enter, Down and Escape lead back to the list.

    They are handled here, in the order the keys were typed, rather than as
    screen bindings: a binding can run before characters typed just ahead of
    it have reached the box, and would then act on a half-typed filter.
    """

    @dataclass
    class Leave(Message):
        """Enter, Down or Escape was pressed in the filter box."""

        key: str
        """Which of the three."""

    def on_key(self, event: events.Key) -> None:
        if event.key in ("enter", "down", "escape"):
            event.stop()
            event.prevent_default()
            if event.key == "escape":
                self.value = ""
            self.post_message(self.Leave(event.key))


class HomeScreen(Screen[None]):
    """The list of interviews; the place to start, resume or find one."""

    AUTO_FOCUS = "#passphrase, #interviews"
    """The passphrase when it is asked for (the field is disabled otherwise), else the list."""

    # Keys that leave the list for another screen are priority bindings:
    # Textual runs those as soon as the key arrives, so what is typed straight
    # after them reaches the screen they open. ``check_action`` leaves them to
    # a text field that has focus. Enter (open) is deliberately not one: it
    # must wait for cursor moves typed before it, or it would open the wrong
    # interview.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "new_interview", "New", priority=True),
        Binding("r", "resume", "Resume last", priority=True),
        Binding("v", "panel", "Panel view", priority=True),
        Binding("ctrl+r", "reliability", "Reliability", show=False, priority=True),
        Binding("slash", "focus_filter", "Filter", priority=True),
        Binding("q", "quit", "Quit", priority=True),
        Binding("question_mark", "help", "Help", show=False, priority=True),
        Binding("escape", "clear_filter", "Clear filter"),
    ]

    @dataclass
    class Loaded(Message):
        """The interview list was read from the store."""

        rows: list[Listed]
        """Every interview, most recently changed first."""
        complete: bool = True
        """False for the first page of a large store: the rest are still being read."""
        drawn: threading.Event | None = None
        """Set once the rows are on screen (the app waits for it before importing the ORM)."""

    class Refilter(Message):
        """The filter text changed; several waiting to be handled are handled once."""

        def can_replace(self, message: Message) -> bool:
            return isinstance(message, HomeScreen.Refilter)

    def __init__(
        self,
        *,
        open_interview: Callable[[str], object],
        open_panel: Callable[[str], object] | None = None,
        notice: str = "",
    ) -> None:
        """Create the screen.

        Args:
            open_interview: shows the interview with this (full) id.
            open_panel: shows the panel view of the interview with this id.
            notice: a line always shown above the list (e.g. that the store is a demo).
        """
        super().__init__(id="home")
        self.open_interview = open_interview
        self.open_panel = open_panel
        self.notice = notice
        self.store: Store | None = None
        """The open store; ``None`` until the app has opened it."""
        self.catalogue: Catalogue | None = None
        """Protocols available for new interviews; set with the store."""
        self.rows: list[Listed] | None = None
        """Every interview, most recently changed first; ``None`` before the first load."""
        self.complete = False
        """Whether :attr:`rows` holds every interview, not only the first page."""
        self.shown: list[Listed] = []
        """The rows in the table, in table order."""
        self._layout: list[Column] = []
        self._typing = False
        """A key bound for the filter has arrived since the list last had the cursor."""
        self._layout_for: tuple[int, list[Listed] | None] = (0, None)
        """Width and rows :attr:`_layout` was computed for."""
        self._in_table: list[Listed] = []
        """The rows in the table, in table order."""
        self._cells: dict[Listed, list[Text]] = {}
        """Cells of rows already drawn in the current layout."""
        self._applied: tuple[str, list[Listed]] | None = None
        """The filter text last applied and what it matched."""
        self._fills = 0
        """Tables filled so far; rows still being added for an older fill stop."""
        self._unlocking = False
        """A passphrase was typed and is being tried (its field is hidden meanwhile)."""
        self._question: str | None = None
        """Why the passphrase is asked for in the first frame (see :meth:`ask_at_start`)."""
        self._chosen: str | None = None
        """An interview chosen on the first page before the store had opened."""
        self._pending: Callable[[], None] | None = None
        """An action asked for on the first page before the store had opened."""

    def compose(self) -> ComposeResult:
        yield Header()
        if self.notice:
            yield Static(self.notice, id="notice", markup=False)
        with Horizontal(id="unlock", classes="-shown" if self._question else ""):
            yield Label("Passphrase", id="unlock-label")
            yield Input(password=True, id="passphrase", compact=True, disabled=not self._question)
        with Horizontal(id="filter-bar"):
            yield Label("Filter", id="filter-label")
            yield FilterInput(
                placeholder="type part of a code, status, date or protocol",
                id="filter",
                compact=True,
                select_on_focus=False,
            )
        status = literal(f"{self._question} Type it and press Enter.") if self._question else None
        yield Static(status or "Opening store…", id="status")
        yield Static("", id="error", markup=False)
        yield Static("", id="problems", markup=False)
        yield Static("", id="empty")
        yield InterviewTable(id="interviews", cursor_type="row", zebra_stripes=True)
        yield Footer(compact=True, show_command_palette=False)

    # -- called by the app -------------------------------------------------

    def store_opened(self, store: Store, catalogue: Catalogue) -> None:
        """Start using the store the app has opened: list its interviews."""
        if not self.query("#unlock"):
            return  # the app is closing (quit while the list was still to be read)
        self.store = store
        self.catalogue = catalogue
        unlock = self.query_one("#unlock")
        self._unlocking = False
        if unlock.has_class("-shown"):
            unlock.remove_class("-shown")
            self.show_error("")
            self.action_focus_table()
        if self.rows is None:  # else the first page is up, read before the store opened
            self.query_one("#status", Static).update("Reading interviews…")
        if catalogue.broken:
            first = catalogue.broken[0]
            more = len(catalogue.broken) - 1
            also = f" (and {more} more)" if more else ""
            self._set_line(
                "#problems",
                f"The protocol file {first.origin}{also} could not be loaded; "
                "check it with 'formers protocol validate'.",
            )
        self.load(page_first=self.rows is None)
        chosen, self._chosen = self._chosen, None
        if chosen is not None and self.is_current:
            self._pending = None
            self.open_interview(chosen)
        self._run_pending()

    def show_error(self, sentence: str) -> None:
        """Show ``sentence`` as the screen's error line (empty to clear it)."""
        self._set_line("#error", sentence)
        if self.rows is None and self.store is None:
            self.query_one("#status", Static).update("")

    def ask_at_start(self, sentence: str) -> None:
        """Compose the screen already asking for the passphrase, before it is drawn.

        Asking once the screen is up restyles it and moves the focus, which
        costs a second frame's work before the question shows.

        Args:
            sentence: why: the store is encrypted.
        """
        self._question = sentence

    def ask_passphrase(self, sentence: str) -> None:
        """Ask for the passphrase of an encrypted store.

        Args:
            sentence: why: the store is encrypted, or the last passphrase was wrong.
        """
        unlock = self.query_one("#unlock")
        field = self.query_one("#passphrase", Input)
        status = self.query_one("#status", Static)
        again = self._unlocking or unlock.has_class("-shown")
        self._unlocking = False
        unlock.add_class("-shown")
        if again:
            self.show_error(sentence)
            status.update("Type the passphrase again and press Enter.")
        else:
            status.update(literal(f"{sentence} Type it and press Enter."))
        field.disabled = False
        self.set_focus(field)

    @on(Input.Submitted, "#passphrase")
    def _passphrase_typed(self, event: Input.Submitted) -> None:
        if not event.value:
            return
        self.post_message(Unlock(event.value))
        event.input.value = ""
        event.input.disabled = True
        self.show_error("")
        self.query_one("#status", Static).update("Unlocking the store…")
        # The list takes the field's place now, while the key is derived (on
        # another core), so that once the store is open only its rows are left
        # to draw. A wrong passphrase brings the field back.
        self._unlocking = True
        self.query_one("#unlock").remove_class("-shown")
        self.action_focus_table()

    # -- loading and filtering ---------------------------------------------

    @work(thread=True, exclusive=True, exit_on_error=False, group=DB)
    def load(self, *, page_first: bool = False) -> None:
        """Read every interview from the store (in a thread).

        Args:
            page_first: read and show the :data:`FIRST_PAGE` most recently
                changed first (when nothing is on screen yet): they take
                milliseconds, counting a large store's progress a second or more.
        """
        from formers_tui.store.sessions import interview_list

        store = self.store
        assert store is not None
        if page_first:
            page = interview_list(store, limit=FIRST_PAGE)
            rows = listed_rows(page)
            if len(page) < FIRST_PAGE:  # that was all of them
                post_result(self, self.Loaded(rows))
                return
            if not post_result(self, self.Loaded(rows, complete=False)):
                return
        post_result(self, self.Loaded(listed_rows(interview_list(store))))

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.rows = message.rows
        self.complete = message.complete
        self._applied = None
        self._apply_filter(at_once=True)
        if message.drawn is not None:
            self.call_after_refresh(message.drawn.set)
        self._run_pending()

    def _run_pending(self) -> None:
        """Do the action asked for too early, once the store is open and the list read."""
        if self._pending is None or self.store is None or self.rows is None:
            return
        pending, self._pending = self._pending, None
        if self.is_current:
            self.call_after_refresh(pending)  # once the list just read is drawn

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        error = user_error(event)
        if error is not None:
            self.show_error(str(error))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Leave letter keys to the text field being typed in; offer only what applies."""
        if action in (
            "new_interview",
            "resume",
            "focus_filter",
            "quit",
            "help",
            "panel",
            "reliability",
        ):
            return not (isinstance(self.focused, Input) or self._typing)
        if action == "clear_filter":
            field = next(self.query("#filter").results(Input), None)
            return field is not None and bool(field.value)
        return True

    @on(Input.Changed, "#filter")
    def _filter_changed(self) -> None:
        self.refresh_bindings()
        # Not filtered here but when the screen reaches this message: keys
        # typed faster than the table is redrawn are then applied together.
        self.post_message(self.Refilter())

    @on(Refilter)
    def _refilter_requested(self) -> None:
        if self._pending_filter():
            self.refilter()

    def _pending_filter(self) -> bool:
        """Whether the filter text differs from the one the table shows."""
        if self.rows is None:
            return False
        text = self.query_one("#filter", Input).value
        return self._applied is None or self._applied[0] != text

    @on(FilterInput.Leave)
    def _filter_left(self, message: FilterInput.Leave) -> None:
        if not self.is_current:
            return
        # Apply the filter now, not when its change is handled: the next key
        # may be Enter on the list, and it must open what the filter shows.
        if self._pending_filter():
            self.refilter()
        table = self.query_one("#interviews", InterviewTable)
        if self.focused is not table:
            self.action_focus_table()
        elif message.key == "down":
            # Typed quickly after Enter: it reached the box before the cursor
            # left it, but was meant for the list.
            table.action_cursor_down()
        elif message.key == "enter":
            interview_id = self.current_id()
            if interview_id is not None:
                self.open_interview(interview_id)

    def on_resize(self, event: events.Resize) -> None:
        if self.rows is not None:
            self._fill_table(keep_layout=True)

    def on_screen_resume(self) -> None:
        """Read the list again on coming back: an interview was probably changed."""
        if self.store is not None and self.rows is not None:
            self.load()

    def refilter(self) -> None:
        """Show the rows matching the filter text (the first screenful at once)."""
        self._apply_filter(at_once=False)

    def _apply_filter(self, *, at_once: bool) -> None:
        """Show the rows matching the filter text.

        Args:
            at_once: put every row in the table now, rather than a screenful
                now and the rest over the next frames (so that the next key
                typed is not kept waiting).
        """
        if self.rows is None:
            return
        text = self.query_one("#filter", Input).value
        searched = self.rows
        if self._applied is not None and narrows(self._applied[0], text):
            searched = self._applied[1]
        found = matches(searched, text)
        self._applied = (text, found)
        self.shown = found[:MAX_ROWS]
        self._fill_table(keep_layout=False, at_once=at_once)
        self._describe(len(found), text)

    def _fill_table(self, *, keep_layout: bool, at_once: bool = True) -> None:
        table = self.query_one("#interviews", InterviewTable)
        layout = self._column_layout(table.size.width or self.size.width)
        if keep_layout and layout == self._layout:
            return
        self._fills += 1
        screenful = table.size.height or FIRST_PAGE
        held = len(self._in_table)
        if layout == self._layout and self.shown[:held] == self._in_table:
            # The table already starts with these rows, unchanged (the filter
            # matched the same first rows, or the rest of the list arrived
            # after its first page): add only what is missing, and the cursor
            # stays where it is.
            self._add_rows(self._fills, None if at_once else screenful)
            return
        current = self._highlighted()
        table.clear(columns=layout != self._layout)
        self._in_table = []
        if layout != self._layout or len(self._cells) > CELL_CACHE:
            self._cells = {}
        if layout != self._layout:
            for column in layout:
                table.add_column(column.label, width=column.width, key=column.key)
            self._layout = layout
        index = next((i for i, row in enumerate(self.shown) if row.summary.id == current), None)
        self._add_rows(self._fills, None if at_once else max(screenful, (index or 0) + 1))
        if index is not None:
            table.move_cursor(row=index, animate=False)

    def _add_rows(self, fill: int, count: int | None) -> None:
        """Add the next ``count`` rows of :attr:`shown` to the table (all if ``None``).

        The rest follow after each frame, :data:`ROWS_PER_FRAME` at a time,
        unless another fill has started meanwhile.
        """
        if fill != self._fills:
            return
        table = self.query_one("#interviews", InterviewTable)
        start = len(self._in_table)
        end = len(self.shown) if count is None else min(len(self.shown), start + count)
        for row in self.shown[start:end]:
            table.add_row(*self._row_cells(row), key=row.summary.id)
        self._in_table.extend(self.shown[start:end])
        if end < len(self.shown):
            self.call_after_refresh(self._add_rows, fill, ROWS_PER_FRAME)

    def _column_layout(self, width: int) -> list[Column]:
        """:func:`column_layout` for ``width``, computed once per width and list.

        It looks at every interview (for the longest code), which takes
        milliseconds in a large store: not worth repeating for every key.
        """
        known_width, known_rows = self._layout_for
        if self._layout and known_width == width and known_rows is self.rows:
            return self._layout
        self._layout_for = (width, self.rows)
        return column_layout(width, self.rows or [])

    def _highlighted(self) -> str | None:
        """Id of the interview the table cursor is on, if any."""
        table = self.query_one("#interviews", InterviewTable)
        if not 0 <= table.cursor_row < len(self._in_table):
            return None
        return self._in_table[table.cursor_row].summary.id

    def _row_cells(self, row: Listed) -> list[Text]:
        """The cells of ``row`` in the current layout, made once per layout.

        Keyed by the whole row, so an interview that changed since it was
        drawn gets new cells.
        """
        cells = self._cells.get(row)
        if cells is None:
            cells = self._cells[row] = self._make_cells(row)
        return cells

    def _make_cells(self, row: Listed) -> list[Text]:
        flags = row.summary.open_flags
        values = {
            "code": Text(_clip(clean_line(row.summary.candidate_code), MAX_CODE_WIDTH)),
            "status": Text(row.status),
            "protocol": Text(row.protocol),
            "date": Text(row.summary.interview_date.isoformat()),
            "progress": Text(row.progress),
            "flags": Text(f"⚑ {flags}", style="bold reverse") if flags else Text(""),
        }
        for column in self._layout:
            if column.key == "protocol":
                values["protocol"] = Text(_clip(row.protocol, column.width))
        return [values[column.key] for column in self._layout]

    def _describe(self, found: int, text: str) -> None:
        total = len(self.rows or [])
        noun = "interview" if total == 1 else "interviews"
        if total == 0:
            status = "No interviews yet."
        elif not self.complete:
            what = f"{found:,} matching" if text.strip() else f"{total:,}"
            status = f"Showing the {what} most recently changed; reading the rest…"
        elif found > MAX_ROWS:
            status = (
                f"Showing the {MAX_ROWS:,} most recently changed of {found:,} "
                f"{'matching ' if text.strip() else ''}interviews; type to narrow."
            )
        elif text.strip():
            status = f"Showing {found:,} of {total:,} {noun}."
        else:
            status = f"{total:,} {noun}, most recently changed first."
        self.query_one("#status", Static).update(status)
        if total == 0:
            empty = "Press n to start the first interview."
        elif found == 0 and self.complete:
            empty = f"No interview matches “{text.strip()}”. Press Escape to clear the filter."
        else:
            empty = ""
        self._set_line("#empty", empty)
        self.query_one("#interviews", InterviewTable).set_class(total == 0, "-nothing")

    def _set_line(self, selector: str, text: str) -> None:
        line = self.query_one(selector, Static)
        line.update(literal(text))
        line.set_class(bool(text), "-shown")

    def current_id(self) -> str | None:
        """Id of the interview under the table cursor, if any."""
        table = self.query_one("#interviews", InterviewTable)
        if not self.shown or table.cursor_row >= len(self.shown):
            return None
        return self.shown[table.cursor_row].summary.id

    # -- keys ----------------------------------------------------------------

    def key_arriving(self, event: events.Key) -> None:
        """Note, as each key arrives and before any is handled, that text is being typed.

        The app runs the letter commands (priority bindings) the moment their
        key arrives, while the keys before it may still be on their way to the
        list or the filter: in a pasted or fast-typed code, a ``P`` that will
        start the filter has not moved the cursor yet when the ``n`` after it
        is checked. Once a key that goes into the filter has arrived, letters
        are text until the cursor is back on the list.
        """
        if not self.is_current or not event.is_printable or not event.character:
            return
        focused = self.focused
        if isinstance(focused, Input) or (
            isinstance(focused, InterviewTable) and event.character in TYPE_TO_FILTER
        ):
            self._typing = True

    def on_descendant_focus(self, event: events.DescendantFocus) -> None:
        if isinstance(event.widget, InterviewTable):
            self._typing = False

    def on_paste(self, event: events.Paste) -> None:
        """Text pasted on the list is a filter, never commands."""
        if not self.is_current or not isinstance(self.focused, InterviewTable):
            return
        text = " ".join(event.text.split())
        if text:
            event.stop()
            filter_input = self.query_one("#filter", Input)
            self.set_focus(filter_input)
            filter_input.insert_text_at_cursor(text)

    def on_key(self, event: events.Key) -> None:
        """Typing a code on the list starts the filter; no typed character is dropped.

        A key goes to whatever had focus when it arrived, so characters typed
        in a burst just after the focus moved still reach the old place. A
        text field takes every character it is sent, so a printable key that
        reaches the screen while a text field has focus is such a stray: it is
        put where the cursor now is.
        """
        if not self.is_current or not event.is_printable or not event.character:
            return
        focused = self.focused
        if isinstance(focused, Input):
            event.stop()
            event.prevent_default()
            focused.insert_text_at_cursor(event.character)
        elif isinstance(focused, InterviewTable) and event.character in TYPE_TO_FILTER:
            event.stop()
            event.prevent_default()
            filter_input = self.query_one("#filter", Input)
            self.set_focus(filter_input)
            filter_input.insert_text_at_cursor(event.character)

    @on(DataTable.RowSelected, "#interviews")
    def _row_chosen(self, event: DataTable.RowSelected) -> None:
        if not self.is_current or event.row_key.value is None:
            return
        if self.store is None:
            # The first page is shown before the store has opened: it opens
            # in a moment, and the interview chosen opens then.
            self._chosen, self._pending = event.row_key.value, None
            self.notify("Opening the store; the interview opens in a moment.")
            return
        self.open_interview(event.row_key.value)

    def action_quit(self) -> None:
        """Leave the app (from the list nothing is left unsaved)."""
        self.app.exit()

    def action_help(self) -> None:
        """Show the keys (as F1 does)."""
        help_ = getattr(self.app, "action_help", None)
        if help_ is not None:
            help_()

    def action_resume(self) -> None:
        """Open the most recently changed interview that is not finalized."""
        if self.store is None and self.rows is not None:
            # The first page is shown before the store has opened: as with Enter,
            # the interview it names opens once the store has.
            latest = next((row for row in self.rows if row.resumable), None)
            if latest is not None:
                self._chosen, self._pending = latest.summary.id, None
                self.notify("Opening the store; the interview opens in a moment.")
                return
        if not self._ready(self.action_resume):
            return
        latest = next((row for row in self.rows or [] if row.resumable), None)
        if latest is None and not self.complete:
            self.notify("Still reading the interviews; try again in a moment.")
            return
        if latest is None:
            self.notify("There is no unfinished interview to resume.", severity="warning")
            return
        self.open_interview(latest.summary.id)

    def action_panel(self) -> None:
        """Open the panel view of the interview under the cursor."""
        if not self._ready(self.action_panel) or self.open_panel is None:
            return
        interview_id = self.current_id()
        if interview_id is None:
            self.notify("Choose an interview first.", severity="warning")
            return
        self.open_panel(interview_id)

    def action_reliability(self) -> None:
        """Show agreement pooled across settled interviews and each rater's lean."""
        if not self._ready(self.action_reliability):
            return
        from formers_tui.tui.screens.reliability import ReliabilityScreen

        assert self.store is not None
        self.app.push_screen(ReliabilityScreen(self.store))

    def action_new_interview(self) -> None:
        """Fill in a new interview; open it once created."""
        if not self._ready(self.action_new_interview):
            return
        assert self.store is not None and self.catalogue is not None
        if not self.catalogue.protocols:
            self.notify(
                "No interview protocol is installed, so no interview can be started.",
                severity="error",
            )
            return
        from formers_tui.tui.screens.new_interview import NewInterviewScreen, today

        def created(interview_id: str | None) -> None:
            if interview_id is not None:
                self.open_interview(interview_id)

        self.app.push_screen(
            NewInterviewScreen(self.store, self.catalogue, today=today()), callback=created
        )

    def action_focus_filter(self) -> None:
        """Move to the filter box."""
        self.set_focus(self.query_one("#filter", Input))

    def action_focus_table(self) -> None:
        """Move to the list."""
        self.set_focus(self.query_one("#interviews", InterviewTable))

    def action_clear_filter(self) -> None:
        """Empty the filter and go back to the list."""
        filter_input = self.query_one("#filter", Input)
        if filter_input.value:
            filter_input.value = ""
        self.action_focus_table()

    def _ready(self, then: Callable[[], None] | None = None) -> bool:
        """Whether the store is open and the list read; if not, say so.

        Args:
            then: the action asking. Asked for before the store has opened or
                the list been read, it runs once both have (as Enter on an
                early first page does), so a key pressed early is not lost.
        """
        if self.store is None:
            error = self.query_one("#error", Static)
            if error.has_class("-shown"):
                self.notify("The store could not be opened; see the message above.")
            elif then is not None:
                self._pending, self._chosen = then, None
                self.notify("Opening the store; this follows in a moment.")
            else:
                self.notify("The store is still opening; try again in a moment.")
            return False
        if self.rows is None:
            if then is not None:
                self._pending, self._chosen = then, None
                self.notify("Reading the interviews; this follows in a moment.")
            else:
                self.notify("Still reading the interviews; try again in a moment.")
            return False
        return True
