"""Text from a store or a file never drives the terminal and is never read as markup.

A store can hold anything: one written by an older release, one edited by
hand, one filled by an import. These tests plant hostile text straight into
the SQLite file and check every command that prints it.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from typer.testing import CliRunner

from formers_tui.cli import app
from formers_tui.paths import store_path
from formers_tui.sanitize import clean_line, clean_text, has_controls

runner = CliRunner()
OSC52 = "\x1b]52;c;ZWNobyBwd25lZA==\x1b\\"
CLEAR = "\x1b[2J\x1b[31m"


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output, result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.stdout, result.stderr


def new_interview(code: str = "PM-1") -> str:
    exit_code, out, err = run(
        "new", "--candidate", code, "--panelist", "Ann Lee:psychologist",
        "--panelist", "Bo Ray:probation", "--consent",
    )  # fmt: skip
    assert exit_code == 0, err
    return out.strip()


def plant(sql: str, *params: object) -> None:
    """Write to the store file behind the program's back, as a hand edit would."""
    with sqlite3.connect(store_path(None)) as db:
        db.execute(sql, params)


@pytest.fixture
def hostile_store() -> str:
    iid = new_interview()
    assert (
        run(
            "new",
            "--candidate",
            "PM-2",
            "--panelist",
            "Cy Doe:other",
            "--panelist",
            "Di Roe:other",
            "--consent",
        )[0]
        == 0
    )
    plant("UPDATE candidate SET code = ? WHERE code = 'PM-1'", f"C-[/]{OSC52}")
    plant("UPDATE candidate SET code = ? WHERE code = 'PM-2'", f"X{CLEAR}")
    plant("UPDATE panelist SET name = ? WHERE name = 'Ann Lee'", f"Ana [/b]{OSC52}")
    plant(
        "INSERT INTO note (id, interview_id, indicator_id, text, updated_at) "
        "VALUES ('n1', ?, 'DIS-1', ?, '2026-01-01 00:00:00')",
        iid,
        f"said [bold]x[/] then{OSC52}\r\x9b2J",
    )
    return iid


def test_the_sanitizer_keeps_text_and_shows_controls() -> None:
    assert clean_text("Ana\tLee\nline [b]") == "Ana\tLee\nline [b]"
    cleaned = clean_text(OSC52 + "\r\x9b\x7f\u202e")
    assert "\x1b" not in cleaned and "\r" not in cleaned and "\x9b" not in cleaned
    assert cleaned.startswith("␛]52;c;") and "\\x9b" in cleaned and "\\u202e" in cleaned
    assert not has_controls(cleaned) and has_controls(OSC52)
    assert clean_line("a\nb") == "a␤b"


@pytest.mark.parametrize(
    "args",
    [
        ["list"],
        ["list", "--status", "draft"],
        ["show", "{iid}"],
        ["score", "{iid}"],
        ["audit", "show", "{iid}"],
    ],
)
def test_commands_print_hostile_text_inert(hostile_store: str, args: list[str]) -> None:
    exit_code, out, err = run(*[a.format(iid=hostile_store[:8]) for a in args])
    assert exit_code == (2 if args[0] == "score" else 0), err  # score: ratings still blind
    assert "\x1b" not in out + err and "\x9b" not in out + err and "\r" not in out
    if args[0] in ("list", "show"):
        assert "C-[/]" in out and "␛" in out


def test_markup_in_names_is_shown_literally(hostile_store: str) -> None:
    _, out, _ = run("show", hostile_store[:8])
    assert "Ana [/b]" in out and "[bold]x[/]" in out


def test_markdown_and_html_reports_hold_no_controls(hostile_store: str, tmp_path: Path) -> None:
    for fmt in ("md", "html"):
        out = tmp_path / f"r.{fmt}"
        exit_code, _, err = run("export", hostile_store[:8], "--format", fmt, "-o", str(out))
        assert exit_code == 0, err
        text = out.read_text(encoding="utf-8")
        assert "\x1b" not in text and "\x9b" not in text, fmt


def test_error_messages_are_cleaned(hostile_store: str) -> None:
    exit_code, out, err = run("show", f"zz{OSC52}")
    assert exit_code == 2 and "\x1b" not in out + err and "␛" in err
    exit_code, out, err = run("list", f"--bogus{CLEAR}")
    assert exit_code != 0 and "\x1b" not in out + err


@pytest.mark.parametrize("prefix", ["%%%%", "____", "\\\\\\\\", "%_%_"])
def test_id_prefixes_are_not_patterns(hostile_store: str, prefix: str) -> None:
    for args in (["show", prefix], ["export", prefix, "--format", "json", "-o", "x.json"]):
        exit_code, _, err = run(*args)
        assert exit_code == 2 and "No interview" in err, (args, err)
    exit_code, _, err = run("bundle", "export", prefix, "-o", "b.formers")
    assert exit_code != 0


def test_markup_typed_in_a_new_interview_prints_literally() -> None:
    iid = new_interview("C-[/]")
    for args in (["list"], ["show", iid[:8]], ["audit", "show", iid[:8]]):
        exit_code, out, err = run(*args)
        assert exit_code == 0, (args, err)
        assert "C-[/]" in out, args


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01"])
def test_deidentifying_a_date_at_the_calendars_edge_is_one_sentence(
    tmp_path: Path, day: str
) -> None:
    iid = new_interview()
    plant("UPDATE interview SET interview_date = ? WHERE id = ?", day, iid)
    for attempt in range(3):  # the shift is drawn per export key: try a few
        out = tmp_path / f"d{attempt}.json"
        exit_code, _, err = run("export", iid[:8], "--deidentify", "-o", str(out))
        assert exit_code in (0, 2), err
        if exit_code == 2:
            assert "edge of the calendar" in err and not out.exists()
