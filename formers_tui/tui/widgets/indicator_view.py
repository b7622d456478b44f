"""What the chair reads while the candidate talks: one indicator, prompts first.

The prompts come first because the chair reads them aloud; the statement, what
was captured (the active panelist's rating, quotes, linked evidence) and the
rating anchors follow, all in one scrollable column.

The column is one widget that lays its rows out itself (each list entry's
body wrapped under itself, beside its mark), not a widget per row: an
indicator has forty to sixty rows, and styling, laying out and drawing that
many widgets was most of the cost of opening an interview and of moving to
the next indicator.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.content import Content
from textual.geometry import Size
from textual.widgets import Static

from formers_tui.protocol.model import Domain, Indicator, Part, Scale
from formers_tui.store.capture import BEARING_LABELS, RELIABILITY_LABELS, SOURCE_LABELS
from formers_tui.store.models import Bearing, Evidence, Quote, Rating
from formers_tui.tui.widgets.formatting import local, one_line

BEARING_GLYPHS: dict[Bearing, str] = {
    Bearing.supports: "✓",
    Bearing.contradicts: "✗",
    Bearing.mixed: "±",
}


@dataclass(frozen=True)
class IndicatorDetails:
    """Everything the view shows about one indicator."""

    indicator: Indicator
    domain: Domain
    part: Part
    position: int
    """1-based place of the indicator in the protocol."""
    total: int
    scale: Scale
    rater: str
    """Name of the active panelist, whose rating (only) is shown; empty for nobody yet."""
    rating: Rating | None = None
    quotes: Sequence[Quote] = ()
    evidence: Sequence[tuple[Evidence, Sequence[str]]] = field(default=())
    """Linked evidence items, each with every indicator it is linked to."""
    domain_submitted: bool = False
    """Whether the active panelist has submitted this indicator's domain."""


@dataclass(frozen=True)
class Item:
    """A list entry: its mark and a body that wraps under itself, not under the mark."""

    mark: str
    body: Content


@dataclass(frozen=True)
class Heading:
    """The title of a section, set off by a blank line."""

    title: str


Block = Content | Item | Heading
"""One row of the view."""


def _heading(title: str) -> Heading:
    return Heading(title.upper())


def _bullets(items: Sequence[str], *, numbered: bool = False) -> list[Block]:
    return [
        Item(f"{n}." if numbered else "•", Content(" ".join(item.split())))
        for n, item in enumerate(items, start=1)
    ]


def _rating_line(details: IndicatorDetails) -> Content:
    if not details.rater:
        return Content.from_markup(
            "[$text-muted]Rating: F6 to say who you are (your PIN); only your own ratings "
            "show here[/]"
        )
    submitted = Content.from_markup(
        "[$text-muted] · $domain submitted[/]"
        if details.domain_submitted
        else "[$text-muted] · ctrl+u submits $domain[/]",
        domain=details.domain.title,
    )
    rating = details.rating
    if rating is None:
        line = Content.from_markup("[$text-muted]Not yet rated by $rater[/]", rater=details.rater)
        return line + submitted
    if rating.value is None:
        level = "omitted (insufficient information)"
    else:
        try:
            level = f"{rating.value} · {details.scale.level(rating.value).label}"
        except KeyError:
            level = str(rating.value)
    why = f" — {rating.rationale}" if rating.rationale else ""
    line = Content.from_markup(
        "[b $success]● $rater: $level[/]$why", rater=details.rater, level=level, why=why
    )
    return line + submitted


def render_details(details: IndicatorDetails) -> list[Block]:
    """The rows of the view, prompts first."""
    indicator = details.indicator
    critical = "  [b $warning]critical[/]" if indicator.critical else ""
    blocks: list[Block] = [
        Content.from_markup(
            f"[b]$id · $title[/]{critical}", id=indicator.id, title=indicator.title
        ),
        Content.from_markup(
            "[$text-muted]$part › $domain · $position of $total[/]",
            part=details.part.title,
            domain=details.domain.title,
            position=str(details.position),
            total=str(details.total),
        ),
        _rating_line(details),
    ]
    if indicator.prompts:
        blocks += [_heading("Ask"), *_bullets(indicator.prompts, numbered=True)]
    if indicator.probes:
        blocks += [_heading("Probe"), *_bullets(indicator.probes)]
    blocks += [_heading("A ready candidate"), Content(" ".join(indicator.statement.split()))]
    if indicator.critical and indicator.critical_rationale:
        why = " ".join(indicator.critical_rationale.split())
        blocks.append(Content.from_markup("[$warning]Critical: $why[/]", why=why))
    blocks.append(_heading(f"Quotes ({len(details.quotes)})"))
    if not details.quotes:
        blocks.append(Content.from_markup("[$text-muted]none yet (ctrl+t to capture one)[/]"))
    for quote in details.quotes:
        blocks.append(
            Item(
                "“",
                Content.from_markup(
                    "$text” [$text-muted]— $speaker, $time[/]",
                    text=one_line(quote.text, 100_000),
                    speaker=one_line(quote.speaker),
                    time=local(quote.spoken_at).strftime("%H:%M"),
                ),
            )
        )
    blocks.append(_heading(f"Evidence ({len(details.evidence)})"))
    if not details.evidence:
        blocks.append(Content.from_markup("[$text-muted]none linked (ctrl+l to add)[/]"))
    for item, linked in details.evidence:
        blocks.append(_evidence_item(item, linked, indicator.id))
    if indicator.collateral:
        blocks += [_heading("Collateral to seek"), *_bullets(indicator.collateral)]
    blocks.append(_heading("Anchors"))
    for level in details.scale.levels:
        anchor = indicator.anchors.get(level.value, level.meaning)
        blocks.append(
            Item(
                str(level.value),
                Content.from_markup(
                    "[b]$label[/] — $anchor", label=level.label, anchor=" ".join(anchor.split())
                ),
            )
        )
    blocks.append(Item("–", Content.from_markup("[b]$omit[/]", omit=details.scale.omit_label)))
    return blocks


def plain(blocks: Sequence[Block]) -> str:
    """The rows as plain text (for tests and screen readers of the log)."""
    lines = []
    for block in blocks:
        if isinstance(block, Item):
            lines.append(f"{block.mark} {block.body.plain}")
        elif isinstance(block, Heading):
            lines.append(block.title)
        else:
            lines.append(block.plain)
    return "\n".join(lines)


def _evidence_item(item: Evidence, linked: Sequence[str], current: str) -> Item:
    facts = [SOURCE_LABELS[item.source_type]]
    if item.informant:
        facts.append(one_line(item.informant))
    if item.obtained_on is not None:
        facts.append(item.obtained_on.isoformat())
    facts.append(f"reliability {RELIABILITY_LABELS[item.reliability].lower()}")
    others = [i for i in linked if i != current]
    style = {
        Bearing.supports: "$success",
        Bearing.contradicts: "$error",
        Bearing.mixed: "$warning",
    }[item.bearing]
    also = f"\n[$text-muted]also linked to {', '.join(others)}[/]" if others else ""
    return Item(
        BEARING_GLYPHS[item.bearing],
        Content.from_markup(
            f"[b {style}]$bearing[/] · $facts\n$summary{also}",
            bearing=BEARING_LABELS[item.bearing],
            facts=" · ".join(facts),
            summary=one_line(item.summary, 100_000),
        ),
    )


MARK_WIDTH = 3
"""Cells for a list entry's mark, right-aligned, and the space after it."""


def laid_out(blocks: Sequence[Block], width: int) -> list[Content]:
    """The rows as lines ``width`` cells wide: headings after a blank line, bodies beside marks."""
    lines: list[Content] = []
    for block in blocks:
        if isinstance(block, Item):
            gutter = max(MARK_WIDTH, len(block.mark) + 1)
            body = block.body.wrap(max(1, width - gutter))
            lines.append(Content(block.mark.rjust(gutter - 1) + " ") + body[0])
            lines.extend(Content(" " * gutter) + line for line in body[1:])
        elif isinstance(block, Heading):
            lines += [Content(""), Content.styled(block.title, "bold $accent")]
        else:
            lines.extend(block.wrap(max(1, width)))
    return lines


class IndicatorText(Static):
    """The indicator's rows, laid out for the width the widget is given."""

    def __init__(self, blocks: Sequence[Block] = ()) -> None:
        super().__init__()
        self._blocks = list(blocks)
        self._lines: tuple[int, list[Content]] | None = None

    def show(self, blocks: Sequence[Block]) -> None:
        """Show ``blocks`` instead (its height is measured again)."""
        self._blocks = list(blocks)
        self._lines = None
        self.refresh(layout=True)

    def lines(self, width: int) -> list[Content]:
        """The rows laid out ``width`` cells wide (kept until the width or the rows change)."""
        if self._lines is None or self._lines[0] != width:
            self._lines = (width, laid_out(self._blocks, width))
        return self._lines[1]

    def get_content_height(self, container: Size, viewport: Size, width: int) -> int:
        return len(self.lines(width))

    def render(self) -> Content:
        return Content("\n").join(self.lines(self.content_size.width))


class IndicatorView(VerticalScroll, can_focus=False):
    """A scrollable column with the current indicator; ctrl+down and ctrl+up scroll it."""

    DEFAULT_CSS = """
    IndicatorView {
        height: 1fr;
        padding: 0 1;
        scrollbar-size-vertical: 1;
        &:focus { background-tint: $foreground 5%; }
        & > Static { width: 1fr; }
    }
    """

    def __init__(self, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self._shown: str | None = None
        self._text = IndicatorText([Content("Opening the interview…")])
        self.plain_text = ""
        """What the view shows, as plain text."""

    def compose(self) -> ComposeResult:
        yield self._text

    def show(self, details: IndicatorDetails) -> None:
        """Show ``details``; a different indicator starts scrolled to the top."""
        blocks = render_details(details)
        self.plain_text = plain(blocks)
        self._text.show(blocks)
        if details.indicator.id != self._shown:
            self._shown = details.indicator.id
            self.scroll_home(animate=False)

    def show_message(self, sentence: str) -> None:
        """Show a sentence instead of an indicator (e.g. why the interview did not open)."""
        self._shown = None
        self.plain_text = sentence
        self._text.show([Content(sentence)])
