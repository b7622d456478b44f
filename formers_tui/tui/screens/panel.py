"""The panel view: who has submitted, the ratings matrix, agreement, suggestion, decision.

Blind rating is kept by never asking for what the viewer may not see: until
every panelist has submitted every domain (or the chair reveals them), the
screen reads only who has submitted what; a panelist who proves who they are
with their PIN sees their own ratings and the others' only in the domains
they have submitted themselves (the store masks the rest as *hidden*).

Once the ratings are open, the panel works down the matrix recording its
consensus (Enter on a row), records its determination beside the computed
suggestion, and signs off, each panelist with their PIN. The last signature
finalizes the interview; from then on every change is refused on the spot
with the reason, and only addenda can be added.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import ClassVar

from rich.console import Group
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import DataTable, Footer, Static, TabbedContent, TabPane
from textual.worker import Worker

from formers_tui.sanitize import clean_line
from formers_tui.scoring.agreement import EXACT_MEANS, MIN_UNITS, WITHIN_ONE_MEANS, Agreement
from formers_tui.scoring.matrix import MatrixRow
from formers_tui.scoring.suggestion import SUGGESTED_LABELS, Severity, Suggested, Suggestion
from formers_tui.scoring.summary import HIDDEN, PanelistInfo
from formers_tui.store import panel_actions
from formers_tui.store.panel_actions import AddendumView, ConsensusIn
from formers_tui.store.panel_reading import PanelData, PanelMarker, panel_marker, read_panel
from formers_tui.store.panel_view import PanelReport
from formers_tui.store.store import Store
from formers_tui.tui.dialogs.addendum import AddendumDialog
from formers_tui.tui.dialogs.consensus import ConsensusDialog
from formers_tui.tui.dialogs.determination import DeterminationDialog
from formers_tui.tui.dialogs.pin import PanelistChoice, PinDialog
from formers_tui.tui.dialogs.reveal import RevealDialog
from formers_tui.tui.dialogs.sign_off import SignOffDialog, signed_line
from formers_tui.tui.widgets.formatting import local, one_line
from formers_tui.tui.widgets.rating_matrix import (
    DISCUSS,
    DISSENT,
    DRAFT,
    MatrixData,
    RatingMatrix,
    initials,
)
from formers_tui.tui.widgets.screen_commands import ScreenBindingCommands
from formers_tui.tui.workers import DB, post_result, user_error

LOCKED = "This interview is finalized and cannot be changed; add an addendum instead (press a)."
"""What every attempted change of a finalized interview is told."""

TABS = ("progress", "ratings", "agreement", "suggestion", "decision")
"""Tab ids in order; the digit keys 1-5 show them."""

POLL_SECONDS = 1.0
"""How often the panel view asks whether anything it shows has changed (another laptop)."""

WRITES = ("consensus", "determination", "sign_off", "reveal", "addendum")
"""Actions that change the record: each is refused, with its reason, when it cannot apply."""

SEVERITY_MARKS: dict[Severity, str] = {
    Severity.blocks: "✗ blocks",
    Severity.missing: "? missing",
    Severity.caution: "! caution",
    Severity.note: "• note",
    Severity.met: "✓ met",
}
"""A suggestion reason's mark and word, readable without colour."""


# --------------------------------------------------------------------------- data


# ------------------------------------------------------------------------ text


def percent(value: float | None) -> str:
    """A share as a whole percentage, or a dash."""
    return "—" if value is None else f"{value:.0%}"


def alpha_note(stats: Agreement) -> str:
    """Why alpha is missing, in plain words (empty when it was computed)."""
    if stats.alpha is not None:
        return ""
    reason = stats.alpha_reason
    if reason == HIDDEN:
        return "hidden until you submit your own ratings here"
    if reason.startswith(("too little data", "alpha not shown")):
        return reason
    return f"too little data: {reason}"


def interval_text(stats: Agreement) -> str:
    """Alpha's 95% bootstrap interval, e.g. ``-0.41–0.20``, or blank."""
    if stats.alpha is None or stats.interval is None:
        return ""
    low, high = stats.interval
    return f"{low:.2f}–{high:.2f}"


def agreement_view(report: PanelReport) -> Group:
    """Alpha with its interval, compared units and the two percentages per scope.

    Why a statistic is missing follows the table as a note (one for all the
    rows with the same reason), so the table itself fits 80 columns.
    """
    table = Table(
        title="Agreement between panelists (ordinal Krippendorff's alpha; omits left out)",
        title_justify="left",
        box=None,
        padding=(0, 1),
        header_style="bold",
    )
    table.add_column("Scope", no_wrap=True)
    table.add_column("α", justify="right", no_wrap=True)
    table.add_column("95% interval", justify="right", no_wrap=True)
    table.add_column("Units", justify="right", no_wrap=True)
    table.add_column("Exact", justify="right", no_wrap=True)
    table.add_column("±1", justify="right", no_wrap=True)
    seen: dict[str, list[str]] = {}
    for row in report.scores.agreement:
        stats = row.stats
        scope = {"part": f"{row.title} (part)", "overall": "Overall"}.get(row.scope, row.title)
        note = alpha_note(stats)
        if note:
            # The count differs per row; the reason is the same: say it once.
            key = note if not note.startswith("alpha not shown") else "few"
            seen.setdefault(key, []).append(scope)
        table.add_row(
            Text(scope, style="bold" if row.scope != "domain" else ""),
            ("—" if stats.alpha is None else f"{stats.alpha:.2f}") + ("*" if note else " "),
            interval_text(stats),
            str(stats.units),
            percent(stats.exact),
            percent(stats.within_one),
        )
    lines = []
    for key, scopes in seen.items():
        if key == "few":
            lines.append(
                f"* α is not shown over fewer than {MIN_UNITS} units (indicators rated by two "
                "or more): it would mean little; read Exact and ±1."
            )
        else:
            lines.append(f"* {', '.join(scopes)}: {key}")
    lines.append(f"{EXACT_MEANS[0].upper()}{EXACT_MEANS[1:]}. ±1: {WITHIN_ONE_MEANS[12:]}.")
    return Group(table, Text(""), Text("\n".join(lines)))


def suggestion_view(advice: Suggestion) -> Group:
    """The computed suggestion, labelled as one, with every rule it checked."""
    parts = advice.parts_line()
    head = Text.assemble(
        (f"Computed suggestion: {advice.label}", "bold"),
        f"\n{parts}" if parts else "",
        "\nA suggestion only, from the protocol's thresholds and what is recorded: "
        "the panel decides.\n",
    )
    reasons = Table.grid(padding=(0, 2))
    reasons.add_column(no_wrap=True, style="bold")
    reasons.add_column()
    for reason in advice.reasons:
        reasons.add_row(SEVERITY_MARKS[reason.severity], reason.text)
    if not advice.reasons:
        reasons.add_row("", "No rule applies.")
    return Group(head, reasons)


def decision_text(data: PanelData) -> str:
    """The determination, the sign-off and any addenda, as plain lines."""
    report = data.report
    lines: list[str] = []
    found = report.determination if report is not None else None
    if found is None:
        lines.append(
            "No determination yet. Record the consensus on every indicator (Enter on a row of "
            "the ratings), then press d."
        )
    else:
        outcome = SUGGESTED_LABELS[Suggested(found.outcome)]
        lines.append(f"Determination: {outcome}")
        lines.append(f"Rationale: {found.rationale}")
        if found.conditions:
            lines.append(f"Conditions: {found.conditions}")
        if found.work_on:
            lines.append(f"Work on: {found.work_on}")
        if found.review_date is not None:
            lines.append(f"Suggested review: {found.review_date.isoformat()}")
        suggested = SUGGESTED_LABELS[Suggested(found.suggested_outcome)]
        if found.differs_because:
            lines.append(
                f"Differs from the suggestion ({suggested}) because: {found.differs_because}"
            )
        else:
            lines.append(f"Matches the computed suggestion ({suggested}).")
    if report is not None:
        signed = [data.name_of(p) for p in report.signed]
        waiting = [p.name for p in data.panel if p.id not in report.signed]
        lines.append("")
        lines.append(signed_line(signed, waiting))
    if report is not None and report.finalized_at is not None:
        when = local(report.finalized_at).strftime("%Y-%m-%d %H:%M")
        lines.append(f"Finalized {when}: the record is locked.")
    if data.addenda:
        lines += ["", "Addenda"]
        for item in data.addenda:
            when = local(item.created_at).strftime("%Y-%m-%d %H:%M")
            lines.append(f"• {when} · {item.author} · why: {item.reason}")
            lines += [f"  {line}" for line in item.text.splitlines()]
    elif data.finalized:
        lines += ["", "No addenda. Press a to add one."]
    return "\n".join(lines)


def waiting_lines(data: PanelData) -> list[str]:
    """One entry per panelist still to submit: ``Sam Sample (2 of 9 domains)``."""
    total = len(data.domains)
    return [
        f"{p.name} ({len(p.submitted)} of {total} domains)"
        for p in data.progress.panelists
        if not p.complete
    ]


def state_line(data: PanelData) -> str:
    """Where the panel stands, in one sentence."""
    state = data.progress
    if data.finalized:
        return "Finalized · read-only: corrections go in an addendum (press a)."
    if state.revealed is not None:
        return f"Revealed early by {state.revealed.name}: {state.revealed.reason}"
    if state.all_submitted:
        return "Every panelist has submitted every domain: the ratings are open to the panel."
    done = sum(1 for p in state.panelists if p.complete)
    return (
        f"Ratings stay hidden until every panelist has submitted every domain ({done} of "
        f"{len(state.panelists)} have) or the chair reveals them (r)."
    )


def summary_line(data: PanelData, width: int = 200) -> str:
    """The bottom line: the suggestion, overall agreement, what is left to do.

    Shortened to fit ``width`` cells; the suggestion tab says the rest.
    """
    report = data.report
    if report is None:
        return "Suggestion and agreement appear once the ratings are open."
    scores = report.scores
    overall = scores.overall.stats
    exact = percent(overall.exact)
    agreed = sum(1 for r in scores.rows if r.consensus is not None)
    rest = (
        f"exact {exact} · {len(scores.disagreements)} to discuss · "
        f"consensus {agreed}/{len(scores.rows)}"
    )
    label = scores.suggestion.label
    for line in (
        f"Suggestion (the panel decides): {label} · {rest}",
        f"Suggestion: {label} · {rest}",
    ):
        if len(line) <= width:
            return line
    return (
        f"Suggestion: {label} · exact {exact} · discuss {len(scores.disagreements)} · "
        f"agreed {agreed}/{len(scores.rows)}"
    )


def detail_lines(row: MatrixRow, data: PanelData) -> str:
    """The highlighted indicator: title, why to discuss it, its consensus."""
    scale = data.protocol.scale
    lines = [f"{row.indicator_id} {row.title}{' · critical' if row.critical else ''}"]
    if row.disagreement is not None:
        lines.append(f"{DISCUSS} {row.disagreement.text}")
    entry = row.consensus
    if entry is None:
        lines.append(
            "No consensus yet: Enter to record it."
            if data.progress.open and not data.finalized
            else "No consensus yet."
        )
    else:
        level = "omit" if entry.value is None else f"{entry.value} {scale.level(entry.value).label}"
        text = f"Consensus {level}: {one_line(entry.rationale, 120)}"
        if entry.dissent:
            text += " · dissent: " + "; ".join(f"{d.name}: {d.reason}" for d in entry.dissent)
        lines.append(text)
    return "\n".join(lines)


def legend(
    labels: Sequence[str],
    panelists: Sequence[PanelistInfo],
    abbreviated: bool,
    width: int = 200,
) -> str:
    """Keys to the matrix: who the initials are, then the marks if they fit on the line.

    The marks are explained again in the line under the legend for the
    highlighted row, so at 80 columns the names come first.
    """
    marks = f"* critical · {DISCUSS} discuss · {DISSENT} dissent · {DRAFT} not submitted"
    if not abbreviated:
        return marks
    names = " · ".join(
        f"{label} {clean_line(p.name)}" for label, p in zip(labels, panelists, strict=True)
    )
    both = f"{names} · {marks}"
    return both if len(both) <= width else names


# ------------------------------------------------------------------------ screen


class PanelScreen(Screen[None]):
    """Blind-rating progress, then the matrix, agreement, suggestion and decision."""

    CSS_PATH = Path(__file__).with_suffix(".tcss")
    AUTO_FOCUS = "#matrix"
    COMMANDS = {ScreenBindingCommands}

    # Each change has a shown binding, enabled when it applies, and a hidden one on the
    # same key that says why it does not: nothing is ever refused silently.
    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "back", "Back"),
        Binding("c", "consensus", "Consensus", tooltip="Record the consensus on this indicator"),
        Binding("c", "refuse('consensus')", "", show=False),
        Binding("d", "determination", "Determination", tooltip="Record the determination"),
        Binding("d", "refuse('determination')", "", show=False),
        Binding("s", "sign_off", "Sign off", tooltip="Sign off the determination (PIN)"),
        Binding("s", "refuse('sign_off')", "", show=False),
        Binding("r", "reveal", "Reveal now", tooltip="Chair: reveal the ratings now (PIN)"),
        Binding("r", "refuse('reveal')", "", show=False),
        Binding("a", "addendum", "Addendum", tooltip="Add an addendum to the finalized record"),
        Binding("a", "refuse('addendum')", "", show=False),
        Binding("p", "switch_panelist", "Panelist", tooltip="Switch the panelist at the keyboard"),
        *(
            Binding(str(n), f"tab('{tab}')", tab.capitalize(), show=False, tooltip=f"Show {tab}")
            for n, tab in enumerate(TABS, start=1)
        ),
    ]

    @dataclass
    class Loaded(Message):
        """The panel view was read from the store."""

        data: PanelData
        marker: PanelMarker | None = None
        """The change marker read just before it (see :func:`panel_marker`)."""

    @dataclass
    class Changed(Message):
        """Something the panel view shows changed in the store (another laptop, a bundle)."""

        marker: PanelMarker

    def __init__(self, store: Store, interview_id: str, *, viewer_id: str | None = None) -> None:
        """Prepare the screen; the interview is read in a worker once mounted.

        Args:
            store: the open store.
            interview_id: the interview (its full id, or an unambiguous prefix).
            viewer_id: a panelist whose PIN was already confirmed, seeing it as
                them; ``None`` for the whole panel.
        """
        super().__init__()
        self._store = store
        self._interview_id = interview_id
        self.viewer_id = viewer_id
        """Whose view is shown: a panelist who typed their PIN, or ``None``."""
        self.data: PanelData | None = None
        """What is shown; ``None`` until first read."""
        self._after_load: str | None = None
        """An indicator to move the cursor to once read again."""
        self._marker: PanelMarker | None = None
        """The change marker of what is shown; polled to notice others' submissions."""

    def compose(self) -> ComposeResult:
        yield Static("Opening the panel view…", id="panel-title", markup=False)
        yield Static("", id="panel-state", markup=False)
        yield Static("", id="panel-error", markup=False)
        with TabbedContent(id="panel-tabs"):
            with TabPane("1 Progress", id="progress"):
                yield DataTable(id="progress-table", cursor_type="none", zebra_stripes=True)
                yield Static("", id="progress-note", markup=False)
            with TabPane("2 Ratings", id="ratings"):
                yield Static("", id="ratings-note", markup=False)
                yield RatingMatrix(id="matrix")
                yield Static("", id="matrix-legend", markup=False)
                yield Static("", id="matrix-detail", markup=False)
            with TabPane("3 Agreement", id="agreement"), VerticalScroll(id="agreement-scroll"):
                yield Static("", id="agreement-body")
            with TabPane("4 Suggestion", id="suggestion"), VerticalScroll(id="suggestion-scroll"):
                yield Static("", id="suggestion-body")
            with TabPane("5 Decision", id="decision"), VerticalScroll(id="decision-scroll"):
                yield Static("", id="decision-body", markup=False)
        yield Static("", id="panel-summary", markup=False)
        yield Footer(compact=True, show_command_palette=False)

    def on_mount(self) -> None:
        self.load()
        self.set_interval(POLL_SECONDS, self._poll)

    @property
    def is_loaded(self) -> bool:
        """Whether the panel view has been read and is on screen."""
        return self.data is not None

    # --------------------------------------------------------------- loading

    @work(thread=True, exclusive=True, exit_on_error=False, group=DB)
    def load(self) -> None:
        """Read the panel view again (in a thread)."""
        marker = None
        if self.data is not None:  # the full id is known (the first read resolves a prefix)
            marker = panel_marker(self._store, self.data.interview_id)
        data = read_panel(self._store, self._interview_id, self.viewer_id)
        if marker is None:
            marker = panel_marker(self._store, data.interview_id)
        post_result(self, self.Loaded(data, marker))

    def _poll(self) -> None:
        """Ask, off the interface thread, whether what is shown changed; while in front only."""
        if self.data is not None and self._marker is not None and self.is_current:
            self._read_marker(self.data.interview_id, self._marker)

    @work(thread=True, exclusive=True, exit_on_error=False, group="panel-poll")
    def _read_marker(self, interview_id: str, shown: PanelMarker) -> None:
        from sqlalchemy.exc import SQLAlchemyError

        try:
            marker = panel_marker(self._store, interview_id)
        except SQLAlchemyError:
            return  # a busy store or a server out of reach: the next poll asks again
        if marker != shown:
            post_result(self, self.Changed(marker))

    @on(Changed)
    def _changed(self, message: Changed) -> None:
        if message.marker == self._marker:
            return
        self._marker = message.marker  # one reload per change, however many polls saw it
        self.load()  # the matrix keeps its cursor on the same indicator

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        first = self.data is None
        self.data = message.data
        self._marker = message.marker
        self._interview_id = message.data.interview_id
        self._show(message.data)
        if first:
            self.show_tab("ratings" if message.data.report is not None else "progress")
        self.refresh_bindings()

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        error = user_error(event)
        if error is not None:
            self.show_error(str(error))

    # --------------------------------------------------------------- display

    def show_error(self, sentence: str | None) -> None:
        """Show ``sentence`` under the title (``None`` clears it)."""
        line = self.query_one("#panel-error", Static)
        line.update(sentence or "")
        line.set_class(bool(sentence), "-shown")

    def _show(self, data: PanelData) -> None:
        viewer = data.viewer
        who = f"as {viewer.name}" if viewer is not None else "whole panel"
        status = data.status.value.replace("_", " ")
        self.query_one("#panel-title", Static).update(
            Content.from_markup(
                "[b]$code[/b] · panel view · $status · $who",
                code=data.candidate_code,
                status=status,
                who=who,
            )
        )
        state = self.query_one("#panel-state", Static)
        state.update(state_line(data))
        state.set_class(data.finalized, "-locked")
        self._show_progress(data)
        self._show_ratings(data)
        report = data.report
        hidden = "Shown once the ratings are open (see 1 Progress)."
        self.query_one("#agreement-body", Static).update(
            agreement_view(report) if report is not None else hidden
        )
        self.query_one("#suggestion-body", Static).update(
            suggestion_view(report.scores.suggestion) if report is not None else hidden
        )
        self.query_one("#decision-body", Static).update(decision_text(data))
        self._show_summary(data)

    def _show_summary(self, data: PanelData) -> None:
        width = (self.size.width or self.app.size.width) - 2
        self.query_one("#panel-summary", Static).update(summary_line(data, width))

    def _show_legend(self, data: PanelData) -> None:
        matrix = self.query_one("#matrix", RatingMatrix)
        layout = matrix.column_layout
        if layout is None or data.report is None:
            return
        width = (self.size.width or self.app.size.width) - 2
        self.query_one("#matrix-legend", Static).update(
            legend(layout.labels, data.report.scores.panelists, layout.abbreviated, width)
        )

    def _show_progress(self, data: PanelData) -> None:
        table = self.query_one("#progress-table", DataTable)
        members = data.progress.panelists
        names = [p.name for p in members]
        needed = max((min(len(title), 34) for _, title in data.domains), default=6) + 3
        needed += sum(max(len(name), len("✓ submitted")) + 2 for name in names)
        fits = needed <= (self.size.width or self.app.size.width)
        labels = names if fits else initials(names)
        table.clear(columns=True)
        table.add_column("Domain", key="domain")
        for member, label in zip(members, labels, strict=True):
            table.add_column(Text(clean_line(label), justify="center"), key=member.panelist_id)
        for domain_id, title in data.domains:
            marks = [
                Text("✓ submitted" if domain_id in m.submitted else "·", justify="center")
                for m in members
            ]
            table.add_row(one_line(title, 34), *marks, key=domain_id)
        total = len(data.domains)
        table.add_row(
            Text("Submitted", style="bold"),
            *(Text(f"{len(m.submitted)}/{total}", style="bold", justify="center") for m in members),
            key="-total",
        )
        table.add_row(
            "PIN",
            *(Text("set" if m.has_pin else "not yet", justify="center") for m in members),
            key="-pin",
        )
        notes = []
        if labels != names:
            notes.append(
                " · ".join(f"{label} {name}" for label, name in zip(labels, names, strict=True))
            )
        notes.append(
            "Only who has submitted is shown here, never what anyone rated. Panelists rate "
            "and submit in the interview: F6 to say who you are, ctrl+r to rate, ctrl+u to "
            "submit a domain. Here, p shows your own ratings."
        )
        self.query_one("#progress-note", Static).update("\n".join(notes))

    def _show_ratings(self, data: PanelData) -> None:
        report = data.report
        note = self.query_one("#ratings-note", Static)
        matrix = self.query_one("#matrix", RatingMatrix)
        matrix.display = report is not None
        self.query_one("#matrix-legend").display = report is not None
        self.query_one("#matrix-detail").display = report is not None
        if report is None:
            note.update(
                f"{state_line(data)} Press p and type your PIN to see your own ratings, and "
                "the others' in the domains you have submitted."
            )
            note.display = True
            return
        viewer = data.viewer
        if viewer is not None and not data.progress.open:
            note.update(
                f"As {viewer.name}: others' ratings show only in domains you have submitted; "
                "elsewhere they are hidden until you submit."
            )
            note.display = True
        else:
            note.display = False
        matrix.show(
            MatrixData(
                panelists=report.scores.panelists,
                rows=report.scores.rows,
                scale=data.protocol.scale,
                domains=data.domains,
            )
        )
        if self._after_load is not None:
            try:
                matrix.move_cursor(row=matrix.get_row_index(self._after_load), animate=False)
            except Exception:  # the indicator is gone: leave the cursor where it is
                pass
            self._after_load = None
        self._show_legend(data)
        self._show_detail()

    def _show_detail(self) -> None:
        data = self.data
        if data is None or data.report is None:
            return
        matrix = self.query_one("#matrix", RatingMatrix)
        row = matrix.current_row()
        detail = self.query_one("#matrix-detail", Static)
        if row is None:
            detail.update("A domain heading: move to one of its indicators (↑↓).")
        else:
            detail.update(detail_lines(row, data))

    @on(DataTable.RowHighlighted, "#matrix")
    def _row_highlighted(self) -> None:
        self._show_detail()

    @on(DataTable.RowSelected, "#matrix")
    def _row_chosen(self) -> None:
        reason = self.refusal("consensus")
        if reason is not None:
            self.show_error(reason)
        else:
            self.action_consensus()

    def on_resize(self) -> None:
        if self.data is not None:
            self._show_progress(self.data)
            self._show_legend(self.data)
            self._show_summary(self.data)

    # ------------------------------------------------------------ tabs

    def show_tab(self, tab: str) -> None:
        """Show one of :data:`TABS` and put the keyboard in it."""
        self.query_one("#panel-tabs", TabbedContent).active = tab
        target = {
            "progress": "#progress-table",
            "ratings": "#matrix",
            "agreement": "#agreement-scroll",
            "suggestion": "#suggestion-scroll",
            "decision": "#decision-scroll",
        }[tab]
        widget = self.query_one(target)
        if widget.display and widget.focusable:
            widget.focus()

    def action_tab(self, tab: str) -> None:
        """Show a tab."""
        self.show_tab(tab)

    def action_back(self) -> None:
        """Back to where the panel view was opened from."""
        self.dismiss(None)

    # ------------------------------------------------------- availability

    def refusal(self, action: str) -> str | None:
        """Why ``action`` cannot be done now, or ``None`` when it can."""
        data = self.data
        if data is None:
            return "Still reading the interview; try again in a moment."
        if action == "addendum":
            if not data.finalized:
                return (
                    "Addenda are for finalized interviews; while it is open, change the "
                    "record itself."
                )
            return None
        if data.finalized:
            return LOCKED
        state = data.progress
        if action == "reveal":
            if data.chair is None:
                return "This panel has no chair, so nobody can reveal the ratings early."
            if state.revealed is not None:
                return f"{state.revealed.name} has already revealed the ratings."
            if state.all_submitted:
                return "Every panelist has submitted: the ratings are already open."
            return None
        if not state.open or data.report is None:
            done = sum(1 for p in state.panelists if p.complete)
            return (
                f"Not every panelist has submitted every domain yet ({done} of "
                f"{len(state.panelists)} have); the panel works on consensus once all have, "
                "or once the chair reveals the ratings (r)."
            )
        rows = data.report.scores.rows
        if action == "determination":
            missing = [r.indicator_id for r in rows if r.consensus is None]
            if missing:
                return (
                    f"Record the panel's consensus on every indicator first ({len(missing)} "
                    f"still missing, starting with {missing[0]})."
                )
        if action == "sign_off" and data.report.determination is None:
            return "Record the panel's determination (d) before signing off."
        return None

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Offer a change only when it applies; the hidden twin binding says why not."""
        if action in WRITES:
            return self.refusal(action) is None
        return True

    def action_refuse(self, action: str) -> None:
        """Say why a change cannot be made now."""
        self.show_error(self.refusal(action))

    def _reload_after(self, what: str | None = None) -> None:
        if what:
            self.notify(what, timeout=4)
        self.load()

    @property
    def actor(self) -> str:
        """Who the audit log names for panel changes: the viewer, else the chair."""
        data = self.data
        if data is None:
            return "panel"
        viewer, chair = data.viewer, data.chair
        return viewer.name if viewer else chair.name if chair else "panel"

    # -------------------------------------------------------------- changes

    def action_consensus(self) -> None:
        """Record the panel's consensus on the highlighted indicator."""
        data = self.data
        if data is None or data.report is None or self.refusal("consensus"):
            return
        self.show_tab("ratings")
        row = self.query_one("#matrix", RatingMatrix).current_row()
        if row is None:
            self.show_error("Choose an indicator (↑↓), not a domain heading.")
            return
        self.show_error(None)
        ids = [r.indicator_id for r in data.report.scores.rows]
        following = ids[ids.index(row.indicator_id) + 1 :]

        def recorded(entry: ConsensusIn | None) -> None:
            if entry is None:
                return
            self._after_load = following[0] if following else row.indicator_id
            self._reload_after(f"Consensus on {entry.indicator_id} recorded.")

        self.app.push_screen(
            ConsensusDialog(
                indicator=data.protocol.indicator(row.indicator_id),
                row=row,
                panelists=data.report.scores.panelists,
                scale=data.protocol.scale,
                chair=data.chair,
                apply=partial(panel_actions.consensus, self._store, data.interview_id),
            ),
            callback=recorded,
        )

    def action_determination(self) -> None:
        """Record (or revise) the panel's determination."""
        data = self.data
        if data is None or data.report is None or self.refusal("determination"):
            return
        self.show_error(None)

        def recorded(result: object) -> None:
            if result is not None:
                self.show_tab("decision")
                self._reload_after("Determination recorded; each panelist now signs off (s).")

        self.app.push_screen(
            DeterminationDialog(
                suggested=data.report.scores.suggestion.outcome,
                interview_date=data.interview_date,
                current=data.report.determination,
                chair=data.chair,
                apply=partial(panel_actions.determination, self._store, data.interview_id),
            ),
            callback=recorded,
        )

    @work(thread=True, exit_on_error=False, group="backup")  # not cancelled by reloads
    def backup_finalized(self) -> None:
        """Back up the store the moment a record is finalized (encrypted like the store)."""
        from formers_tui.store.backup import backup

        if self._store.is_server:  # the server's own backups cover it
            return
        backup(self._store.path, key=self._store.key, reason="finalized")

    def action_sign_off(self) -> None:
        """Each panelist signs the determination with their PIN."""
        data = self.data
        if data is None or data.report is None or self.refusal("sign_off"):
            return
        found = data.report.determination
        assert found is not None
        self.show_error(None)
        label = SUGGESTED_LABELS[Suggested(found.outcome)]
        summary_text = f"Determination: {label}. {one_line(found.rationale, 160)}"

        def closed(result: object) -> None:
            self.show_tab("decision")
            finalized = getattr(result, "finalized", False)
            if finalized:
                self.backup_finalized()
            self._reload_after(
                "Every panelist has signed: the interview is finalized and locked."
                if finalized
                else None
            )

        self.app.push_screen(
            SignOffDialog(
                self._store,
                data.interview_id,
                determination=summary_text,
                panel=data.panel,
                signed=data.report.signed,
            ),
            callback=closed,
        )

    def action_reveal(self) -> None:
        """The chair opens the ratings before everyone has submitted."""
        data = self.data
        if data is None or data.chair is None or self.refusal("reveal"):
            return
        self.show_error(None)

        def revealed(reason: str | None) -> None:
            if reason is not None:
                self._after_load = None
                self.viewer_id = None
                self._reload_after("The ratings are revealed to the whole panel.")
                self.call_after_refresh(self.show_tab, "ratings")

        self.app.push_screen(
            RevealDialog(
                self._store, data.interview_id, chair=data.chair, waiting=waiting_lines(data)
            ),
            callback=revealed,
        )

    def action_addendum(self) -> None:
        """Add an addendum to the finalized interview."""
        data = self.data
        if data is None or self.refusal("addendum"):
            return
        self.show_error(None)

        def added(item: AddendumView | None) -> None:
            if item is not None:
                self.show_tab("decision")
                self._reload_after("Addendum added.")

        viewer = data.viewer
        self.app.push_screen(
            AddendumDialog(
                self._store,
                data.interview_id,
                panel=data.panel,
                author_id=viewer.id if viewer else None,
            ),
            callback=added,
        )

    def action_switch_panelist(self) -> None:
        """Prove who is at the keyboard with a PIN, and see the panel view as them."""
        data = self.data
        if data is None:
            return
        self.show_error(None)

        def confirmed(who: PanelistChoice | None) -> None:
            if who is not None:
                self.viewer_id = who.id
                self._reload_after(f"Now viewing as {who.name}.")

        self.app.push_screen(
            PinDialog(
                self._store,
                data.interview_id,
                panel=data.panel,
                purpose=(
                    "Ratings are blind: a panelist sees the others' ratings only in domains "
                    "they have submitted themselves. Type your own PIN."
                ),
            ),
            callback=confirmed,
        )
