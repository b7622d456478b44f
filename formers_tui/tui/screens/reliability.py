"""How reliably panels apply each protocol: pooled agreement and each rater's lean.

The figures of ``formers reliability`` for programme staff, read in a worker
when the screen opens: agreement pooled over every settled interview per
indicator, domain and part, with its interval and counts, and how each rater
sits against the consensus their panels reached.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from rich.console import Group, RenderableType
from rich.table import Table
from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Footer, Static
from textual.worker import Worker

from formers_tui.sanitize import clean_line
from formers_tui.scoring.agreement import EXACT_MEANS, MIN_UNITS, WITHIN_ONE_MEANS
from formers_tui.scoring.reliability import ProtocolReliability, ScopeReliability
from formers_tui.store.store import Store
from formers_tui.tui.workers import DB, post_result, user_error


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value:.0%}"


def _alpha(scope: ScopeReliability) -> tuple[str, str]:
    stats = scope.stats
    if stats.alpha is None:
        return "—", ""
    bounds = "" if stats.interval is None else f"{stats.interval[0]:.2f} to {stats.interval[1]:.2f}"
    return f"{stats.alpha:.2f}", bounds


def protocol_view(item: ProtocolReliability) -> Group:
    """One protocol version: the pooled table, then the raters' table."""
    head = Text(
        clean_line(
            f"{item.protocol_title} {item.protocol_version} · {item.interviews:,} settled "
            "interviews"
        ),
        style="bold",
    )
    table = Table(box=None, padding=(0, 1), header_style="bold", expand=False)
    table.add_column("Scope", no_wrap=True, overflow="ellipsis", max_width=28)
    for column in ("α", "95% interval", "Units", "Exact", "±1"):
        table.add_column(column, justify="right", no_wrap=True, min_width=4)
    for scope in item.scopes:
        label = {
            "overall": "Overall",
            "part": f"{scope.title} (part)",
            "domain": f" {scope.title}",
            "indicator": f"   {scope.key}",
        }[scope.scope]
        alpha, bounds = _alpha(scope)
        table.add_row(
            Text(clean_line(label), style="bold" if scope.scope in ("overall", "part") else ""),
            alpha,
            bounds,
            str(scope.stats.units),
            _percent(scope.stats.exact),
            _percent(scope.stats.within_one),
        )
    raters = Table(box=None, padding=(0, 1), header_style="bold", expand=False)
    raters.add_column("Rater", no_wrap=True, overflow="ellipsis", max_width=24)
    for column in ("Interviews", "Ratings", "Lean", "95% interval", "Same"):
        raters.add_column(column, justify="right", no_wrap=True, min_width=4)
    for rater in item.raters:
        lean = "—" if rater.lean is None else f"{rater.lean:+.2f}"
        bounds = (
            ""
            if rater.interval is None
            else f"{rater.interval[0]:+.2f} to {rater.interval[1]:+.2f}"
        )
        raters.add_row(
            Text(clean_line(rater.rater)),
            str(rater.interviews),
            str(rater.compared),
            lean,
            bounds,
            _percent(rater.exact),
        )
    return Group(
        head,
        Text("Agreement pooled across interviews", style="bold"),
        table,
        Text(""),
        Text("Each rater against the consensus", style="bold"),
        raters,
        Text(""),
    )


def reliability_view(found: list[ProtocolReliability]) -> RenderableType:
    """Every protocol version, then what the figures mean."""
    if not found:
        return Text(
            "No settled interviews yet (at consensus or finalized): nothing to pool. "
            "The figures appear once panels have agreed their ratings."
        )
    notes = Text(
        f"Units: indicators of one interview rated by two or more panelists. α (ordinal "
        f"Krippendorff's alpha) is shown from {MIN_UNITS} units, with a bootstrap interval. "
        f"{EXACT_MEANS[0].upper()}{EXACT_MEANS[1:]}. ±1: {WITHIN_ONE_MEANS[12:]}. "
        "Lean: a rater's level minus the consensus, on average (above 0: rates higher than "
        "the panel settles). Same: share of their ratings equal to the consensus.",
        style="dim",
    )
    return Group(*(protocol_view(item) for item in found), notes)


class ReliabilityScreen(Screen[None]):
    """Programme-wide reliability, for programme staff; Esc goes back."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "back", "Back")]
    DEFAULT_CSS = """
    ReliabilityScreen {
        & #reliability-title { text-style: bold; padding: 0 1; background: $boost; }
        & #reliability-body { padding: 0 1; height: auto; }
        & VerticalScroll { height: 1fr; }
    }
    """

    @dataclass
    class Loaded(Message):
        """The figures were read from the store."""

        found: list[ProtocolReliability]

    def __init__(self, store: Store) -> None:
        """Prepare the screen; the figures are read in a worker once mounted."""
        super().__init__()
        self._store = store
        self.found: list[ProtocolReliability] | None = None
        """What is shown; ``None`` until read."""

    def compose(self) -> ComposeResult:
        yield Static(
            "Reliability across interviews · reading the settled interviews…",
            id="reliability-title",
            markup=False,
        )
        with VerticalScroll():
            yield Static("", id="reliability-body")
        yield Footer()

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False, group=DB)
    def _load(self) -> None:
        from formers_tui.store.sessions import reliability

        post_result(self, self.Loaded(reliability(self._store)))

    def on_reliability_screen_loaded(self, event: Loaded) -> None:
        """Show the figures read by the worker."""
        self.found = event.found
        self.query_one("#reliability-title", Static).update(
            "Reliability across interviews · settled interviews only · Esc back"
        )
        self.query_one("#reliability-body", Static).update(reliability_view(event.found))
        self.query_one(VerticalScroll).focus()

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        error = user_error(event)
        if error is not None:
            self.query_one("#reliability-title", Static).update(f"Reliability: {error}")

    def action_back(self) -> None:
        """Back to the list."""
        self.dismiss(None)
