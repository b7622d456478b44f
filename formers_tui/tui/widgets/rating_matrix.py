"""The panel's ratings as a table: indicators down, grouped by domain, panelists across.

Every cell says what it holds in characters as well as colour (a level's
number, ``omit``, ``—`` for nothing submitted, ``hidden`` for ratings the
viewer may not see yet), so the table reads the same in the high-contrast
theme, in black and white, and to someone who does not tell red from green.
Colours come from the current theme and follow it when it changes.

The widget renders what the scoring layer has already decided the viewer may
see; it never receives a hidden rating.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import ClassVar

from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding, BindingType
from textual.color import Color
from textual.theme import Theme
from textual.widgets import DataTable

from formers_tui.protocol.model import Scale
from formers_tui.scoring.matrix import Cell, CellState, ConsensusEntry, Disagreement, MatrixRow
from formers_tui.scoring.summary import PanelistInfo

DISCUSS = "≠"
"""Marks an indicator the panel should discuss before agreeing its rating."""
DRAFT = "✎"
"""Marks the viewer's own rating that is not submitted yet."""
DISSENT = "†"
"""Marks a consensus with a recorded dissent."""
NOTHING = "—"
HIDDEN_CELL = "hidden"
HEADING_PREFIX = "domain:"
"""Row keys of domain heading rows start with this; indicator rows use the indicator id."""

CELL_PADDING = 1
"""Blank cells either side of each column (the DataTable default)."""
SCROLLBAR = 1
MIN_TITLE_WIDTH = 14
"""Narrower than this, the indicator titles are left out (the detail line shows them)."""
MAX_TITLE_WIDTH = 40
MIN_RATING_WIDTH = len(HIDDEN_CELL)
WIDE_DISCUSS = len("≠ 2 apart·omit")
NARROW_DISCUSS = len("Discuss")

HONORIFICS = frozenset({"dr", "mr", "mrs", "ms", "mx", "prof", "rev", "fr", "sr", "jr"})
"""Words left out of initials: "Dr. Ada Example" is AE."""


def initials(names: Sequence[str]) -> list[str]:
    """Short, distinct column labels for ``names``: first and last initial.

    Honorifics are skipped; clashes get a number (``SS``, ``SS2``).
    """
    out: list[str] = []
    for name in names:
        words = [w for w in name.replace(".", " ").split() if w.casefold() not in HONORIFICS]
        words = words or name.split() or ["?"]
        short = (words[0][0] + (words[-1][0] if len(words) > 1 else "")).upper()
        label, n = short, 1
        while label in out:
            n += 1
            label = f"{short}{n}"
        out.append(label)
    return out


@dataclass(frozen=True)
class MatrixLayout:
    """Column labels and widths that fit the table's width."""

    labels: tuple[str, ...]
    """One per panelist: full names when they fit, else initials."""
    abbreviated: bool
    """Whether :attr:`labels` are initials (a legend then names them)."""
    id_width: int
    title_width: int
    """0 when the indicator titles do not fit."""
    rating_width: int
    consensus_width: int
    discuss_width: int


def _rating_width(labels: Sequence[str]) -> int:
    return max([MIN_RATING_WIDTH, *(len(label) for label in labels)])


def layout_for(
    width: int, panelists: Sequence[PanelistInfo], rows: Sequence[MatrixRow]
) -> MatrixLayout:
    """Columns for a table ``width`` cells wide.

    In order of preference: full names with a worded discuss column, initials
    with it, initials with the bare marker; the first that leaves room for a
    useful title column wins, and titles take what is left (up to a limit).
    """
    id_width = max([len("Indicator"), *(len(r.indicator_id) + 2 for r in rows)])
    consensus_width = len("Consensus")
    names = tuple(p.name for p in panelists)
    short = tuple(initials(names))
    choices = (
        (names, False, WIDE_DISCUSS),
        (short, True, WIDE_DISCUSS),
        (short, True, NARROW_DISCUSS),
    )
    for labels, abbreviated, discuss in choices:
        rating = _rating_width(labels)
        used = id_width + consensus_width + discuss + rating * len(labels)
        columns = len(labels) + 4  # indicator, title, consensus, discuss
        room = width - SCROLLBAR - used - columns * 2 * CELL_PADDING
        last = discuss == NARROW_DISCUSS
        if room >= MIN_TITLE_WIDTH or last:
            title = min(room, MAX_TITLE_WIDTH) if room >= MIN_TITLE_WIDTH else 0
            return MatrixLayout(
                labels, abbreviated, id_width, title, rating, consensus_width, discuss
            )
    raise AssertionError("unreachable: the last choice always returns")


def cell_text(cell: Cell) -> str:
    """What a cell shows, readable without colour."""
    if cell.state is CellState.rated:
        text = str(cell.value)
    elif cell.state is CellState.omitted:
        text = "omit"
    elif cell.state is CellState.hidden:
        return HIDDEN_CELL
    else:
        return NOTHING
    return text if cell.submitted else f"{text} {DRAFT}"


def consensus_text(entry: ConsensusEntry | None) -> str:
    """The consensus column: level, ``omit`` or blank, with a mark when someone dissents."""
    if entry is None:
        return ""
    text = "omit" if entry.value is None else str(entry.value)
    return f"{text} {DISSENT}" if entry.dissent else text


def discuss_text(found: Disagreement | None, *, short: bool) -> str:
    """The discuss column: the marker, and why in a few characters when there is room."""
    if found is None:
        return ""
    if short:
        return DISCUSS
    parts = []
    if found.spread >= 2:
        parts.append(f"{found.spread} apart")
    if found.omitted and found.rated:
        parts.append("omit" if parts else f"{found.omitted} omit")
    return f"{DISCUSS} {'·'.join(parts)}"


def _filled(text: str, width: int, style: Style) -> Text:
    """``text`` centred across the whole cell, so its colour fills the cell."""
    return Text(text.center(width), style=style, no_wrap=True)


def _clip(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"


class Palette:
    """Cell styles from the theme's colours: low levels warm, high levels green."""

    SLOTS: ClassVar[tuple[str, ...]] = (
        "error-muted",
        "warning-muted",
        "success-muted",
        "success-darken-3",
    )

    def __init__(self, variables: Mapping[str, str], scale: Scale) -> None:
        def colour(name: str, fallback: str) -> Color:
            try:
                return Color.parse(variables.get(name, fallback))
            except Exception:  # an unparsable theme value: fall back rather than fail to draw
                return Color.parse(fallback)

        values = scale.values
        last = max(1, len(values) - 1)
        self.levels: dict[int, Style] = {}
        for rank, value in enumerate(values):
            slot = self.SLOTS[round(rank / last * (len(self.SLOTS) - 1))]
            self.levels[value] = Style(bgcolor=colour(slot, "#333333").rich_color)
        self.omitted = Style(bgcolor=colour("secondary-muted", "#333333").rich_color, italic=True)
        self.hidden = Style(color=colour("foreground-darken-3", "#888888").rich_color, dim=True)
        self.discuss = Style(color=colour("warning", "#FFAA00").rich_color, bold=True)
        self.heading = Style(bold=True, color=colour("accent", "#FFAA00").rich_color)

    def cell(self, cell: Cell) -> Style:
        if cell.state is CellState.rated and cell.value is not None:
            return self.levels.get(cell.value, Style())
        if cell.state is CellState.omitted:
            return self.omitted
        if cell.state is CellState.hidden:
            return self.hidden
        return Style()

    def consensus(self, entry: ConsensusEntry | None) -> Style:
        if entry is None:
            return Style()
        if entry.value is None:
            return self.omitted
        return self.levels.get(entry.value, Style()) + Style(bold=True)


@dataclass(frozen=True)
class MatrixData:
    """Everything the table shows, as the scoring layer computed it."""

    panelists: tuple[PanelistInfo, ...]
    rows: tuple[MatrixRow, ...]
    scale: Scale
    domains: tuple[tuple[str, str], ...]
    """(domain id, title) in protocol order."""


class RatingMatrix(DataTable[Text]):
    """Indicators down, grouped under domain headings; panelists, consensus, discuss across."""

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("enter", "select_cursor", "Consensus", show=False),
    ]

    DEFAULT_CSS = """
    RatingMatrix {
        height: 1fr;
        scrollbar-size-vertical: 1;
        scrollbar-size-horizontal: 1;
    }
    """

    def __init__(self, *, id: str | None = None) -> None:  # noqa: A002 - Textual's name
        super().__init__(id=id, cursor_type="row", zebra_stripes=False)
        self.data: MatrixData | None = None
        """What is shown; ``None`` before the first :meth:`show`."""
        self.column_layout: MatrixLayout | None = None
        """The columns in use."""

    def on_mount(self) -> None:
        self.app.theme_changed_signal.subscribe(self, self._theme_changed)

    def _theme_changed(self, theme: Theme) -> None:
        self._fill(force=True)

    def on_resize(self, event: events.Resize) -> None:
        self._fill(force=False)

    def show(self, data: MatrixData) -> None:
        """Show ``data``, keeping the cursor on the same indicator."""
        self.data = data
        self._fill(force=True)

    def current_key(self) -> str | None:
        """Row key under the cursor: an indicator id, or a heading key."""
        if self.row_count == 0:
            return None
        key = self.coordinate_to_cell_key(self.cursor_coordinate).row_key.value
        return key

    def current_row(self) -> MatrixRow | None:
        """The indicator row under the cursor (``None`` on a domain heading)."""
        key = self.current_key()
        if self.data is None or key is None:
            return None
        return next((r for r in self.data.rows if r.indicator_id == key), None)

    def _fill(self, *, force: bool) -> None:
        data = self.data
        if data is None:
            return
        width = self.size.width or self.app.size.width
        layout = layout_for(width, data.panelists, data.rows)
        if not force and layout == self.column_layout:
            return
        current = self.current_key()
        palette = Palette(self.app.theme_variables, data.scale)
        self.clear(columns=True)
        self.add_column("Indicator", width=layout.id_width, key="indicator")
        if layout.title_width:
            self.add_column("", width=layout.title_width, key="title")
        for panelist, label in zip(data.panelists, layout.labels, strict=True):
            self.add_column(
                Text(label, justify="center"), width=layout.rating_width, key=panelist.id
            )
        self.add_column("Consensus", width=layout.consensus_width, key="consensus")
        self.add_column("Discuss", width=layout.discuss_width, key="discuss")
        self.column_layout = layout
        titles = dict(data.domains)
        domain = None
        blanks = [Text("") for _ in range(len(data.panelists) + 2)]
        for row in data.rows:
            if row.domain_id != domain:
                domain = row.domain_id
                title = titles.get(domain, domain)
                # The heading goes in the widest text column there is.
                if layout.title_width:
                    heading = [
                        Text("▾", style=palette.heading),
                        Text(_clip(title, layout.title_width), style=palette.heading),
                    ]
                else:
                    heading = [Text(_clip(title, layout.id_width), style=palette.heading)]
                self.add_row(*heading, *blanks, key=f"{HEADING_PREFIX}{domain}")
            self.add_row(*self._cells(row, layout, palette), key=row.indicator_id)
        if current is not None:
            try:
                self.move_cursor(row=self.get_row_index(current), animate=False)
            except Exception:  # the row is gone (another protocol): stay at the top
                self.move_cursor(row=0, animate=False)
        elif self.row_count > 1:
            self.move_cursor(row=1, animate=False)  # the first indicator, not its heading

    def _cells(self, row: MatrixRow, layout: MatrixLayout, palette: Palette) -> list[Text]:
        marker = Style(bold=True) if row.critical else Style()
        label = f"{row.indicator_id}{' *' if row.critical else ''}"
        found = row.disagreement
        cells = [Text(label, style=palette.discuss if found else marker)]
        if layout.title_width:
            cells.append(Text(_clip(row.title, layout.title_width)))
        for cell in row.cells:
            cells.append(_filled(cell_text(cell), layout.rating_width, palette.cell(cell)))
        cells.append(
            _filled(
                consensus_text(row.consensus),
                layout.consensus_width,
                palette.consensus(row.consensus),
            )
        )
        short = layout.discuss_width < WIDE_DISCUSS
        cells.append(Text(discuss_text(found, short=short), style=palette.discuss))
        return cells
