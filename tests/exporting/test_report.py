"""The printable panel report (Markdown and HTML)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlmodel import select

from formers_tui.exporting.formats import write_export
from formers_tui.exporting.report import Bar, md_escape, text_bar
from formers_tui.exporting.source import ExportSource
from formers_tui.store.models import Interview, Note, Quote, Status
from formers_tui.store.store import Store

HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)> **bold** [l](http://e.invalid)'
NOTE = "<script>steal(document.cookie)</script> note & more"


def report(store: Store, fmt: str, out: Path) -> str:
    with store.session() as session:
        iid = session.exec(select(Interview.id).where(Interview.status == Status.finalized)).one()
        write_export(ExportSource.select(session, ids=[iid]), fmt, out)
    return out.read_text("utf-8")


@pytest.fixture
def hostile_store(rich_store: Store) -> Store:
    """The rich store with markup in notes and quote speakers (locks lifted to plant it)."""
    with rich_store.engine.begin() as connection:
        connection.exec_driver_sql("DROP TRIGGER note_locked_update")
        connection.exec_driver_sql("DROP TRIGGER quote_locked_update")
    with rich_store.session() as session:
        for note in session.exec(select(Note)):
            note.text = NOTE
            session.add(note)
        for quote in session.exec(select(Quote)):
            quote.speaker = HOSTILE
            quote.text = HOSTILE
            session.add(quote)
        session.commit()
    return rich_store


SECTIONS = (
    "Panel report",
    "Panel",
    "Timeline and proportionality",
    "Ratings and consensus",
    "Disagreements",
    "Agreement",
    "Computed suggestion",
    "Interview notes",
    "Collateral evidence",
    "Verbatim quotes",
    "Safety flags",
    "Determination",
    "Rationale",
    "Sign-offs",
    "Addenda",
)


def test_markdown_report_has_every_section(rich_store: Store, tmp_path: Path) -> None:
    text = report(rich_store, "md", tmp_path / "r.md")
    for section in SECTIONS:
        assert re.search(rf"^#+ {re.escape(section)}", text, re.MULTILINE), section
    assert "█" in text and "░" in text
    assert "Ready with conditions" in text or "ready with conditions" in text
    assert "The exit was in June, not May." in text
    assert "Pat Placeholder: Too early." in text


def test_html_report_is_self_contained_and_printable(rich_store: Store, tmp_path: Path) -> None:
    text = report(rich_store, "html", tmp_path / "r.html")
    for section in SECTIONS:
        assert f">{section}" in text, section
    assert "@media print" in text and "@page" in text
    assert "<svg" in text and "<rect" in text
    assert "Content-Security-Policy" in text
    lowered = text.lower()
    for external in ("<script", "<link", "src=", "href=", "url(", "@import"):
        assert external not in lowered


def test_user_text_is_inert_in_html(hostile_store: Store, tmp_path: Path) -> None:
    text = report(hostile_store, "html", tmp_path / "r.html")
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
    assert "&lt;script&gt;steal(document.cookie)&lt;/script&gt; note &amp; more" in text
    lowered = text.lower()
    assert "<script" not in lowered and "<img" not in lowered and "href=" not in lowered


def test_user_text_is_inert_in_markdown(hostile_store: Store, tmp_path: Path) -> None:
    text = report(hostile_store, "md", tmp_path / "r.md")
    assert "<script>" not in text and "\\<script\\>steal" in text
    assert "\\*\\*bold\\*\\*" in text and "\\[l\\]" in text


def test_markdown_escaping_and_bars() -> None:
    assert md_escape("a|b <i>") == "a\\|b \\<i\\>"
    assert md_escape("# heading\n- item") == "\\# heading\n\\- item"
    # Numbers stay numbers: only what would start a list or a heading is escaped.
    assert md_escape("0.67") == "0.67" and md_escape("-0.15") == "-0.15"
    assert md_escape("1. first") == "1\\. first" and md_escape("---") == "\\---"
    assert text_bar(Bar(3, 3, "")) == "█" * 10
    assert text_bar(Bar(None, 3, "")) == "·" * 10
    assert text_bar(Bar(1.5, 3, "")) == "█████░░░░░"


def test_a_report_covers_one_interview(rich_store: Store, tmp_path: Path) -> None:
    from formers_tui.errors import ValidationError

    with rich_store.session() as session, pytest.raises(ValidationError, match="one interview"):
        write_export(ExportSource.select(session, every=True), "md", tmp_path / "r.md")
    assert not (tmp_path / "r.md").exists()


def test_the_report_gives_each_panelists_rationale(rich_store: Store, tmp_path: Path) -> None:
    from formers_tui.store.models import Rating

    with rich_store.session() as session:
        ratings = session.exec(select(Rating).where(Rating.rationale != "")).all()
        submitted = [r for r in ratings if r.submitted_at is not None]
    assert submitted, "the rich store should hold rationales"
    import html

    md = report(rich_store, "md", tmp_path / "r.md")
    page = report(rich_store, "html", tmp_path / "r.html")
    assert "Each panelist" in md and "Each panelist" in page
    for rating in submitted:
        assert md_escape(rating.rationale) in md
        assert html.escape(rating.rationale) in page
    md = report(rich_store, "md", tmp_path / "again.md")
    assert not re.search(r"\\\d", md), "a number was escaped"
