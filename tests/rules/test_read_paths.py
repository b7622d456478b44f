"""Every read path × every rating state: what blind rating hides never comes out.

One store holds an interview in each rating state (draft, submitted,
revealed, finalized; see ``blind_store``). Each path is run through the CLI,
as nobody in particular and as the chair with her PIN, and its output is
searched for each rating: a hidden rating's rationale (a canary) or its cell
must be absent, a visible one's present. The expected answers are worked out
by hand in ``blind_store.visible_to``, not by the rule under test.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from typer.testing import CliRunner

from formers_tui.cli import app
from tests.pg import Cluster
from tests.rules.blind_store import (
    INDICATORS,
    NAMES,
    PINS,
    STATES,
    VALUES,
    build,
    canary,
    is_submitted,
    ratings_of,
    visible_to,
)

runner = CliRunner()
READERS = (None, "Ann Lee")


@pytest.fixture(scope="module")
def blind(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, str]]:
    """The store and the interview id of each state (built once: every path only reads)."""
    path = tmp_path_factory.mktemp("blind") / "store.db"
    return path, build(path)


@pytest.fixture(scope="module")
def server_blind(pg_cluster: Cluster) -> tuple[str, dict[str, str]]:
    """The same store as a PostgreSQL database: its URL and the interview ids."""
    url = pg_cluster.url(pg_cluster.fresh_database())
    return url, build(url)


def cli(db: Path | str, *args: str) -> tuple[int, str]:
    result = runner.invoke(app, ["--db", str(db), *args], env={"COLUMNS": "250"})
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.stdout + result.stderr


def as_reader(reader: str | None) -> list[str]:
    return [] if reader is None else ["--as", reader, "--pin", PINS[reader]]


def folder_text(folder: Path) -> str:
    return "\n".join(
        p.read_text(encoding="utf-8") for p in sorted(folder.rglob("*")) if p.is_file()
    )


Runner = Callable[["Path | str", str, "str | None", Path], "tuple[int, str]"]


def export(fmt: str, *extra: str) -> Runner:
    def run(db: Path | str, iid: str, reader: str | None, tmp: Path) -> tuple[int, str]:
        out = tmp / f"out.{fmt}"
        code, said = cli(db, "export", iid, "-f", fmt, "-o", str(out), *extra, *as_reader(reader))
        if code != 0:
            return code, said
        return code, folder_text(out) if out.is_dir() else out.read_text(encoding="utf-8")

    return run


def command(*args: str) -> Runner:
    def run(db: Path | str, iid: str, reader: str | None, tmp: Path) -> tuple[int, str]:
        return (
            cli(db, *args[:-1], iid, *args[-1:], *as_reader(reader))
            if args[-1].startswith("--")
            else cli(db, *args, iid, *as_reader(reader))
        )

    return run


def bundle(db: Path | str, iid: str, reader: str | None, tmp: Path) -> tuple[int, str]:
    out = tmp / "whole.bundle"
    code, said = cli(db, "bundle", "export", iid, "-o", str(out), *as_reader(reader))
    return (code, said) if code != 0 else (code, out.read_text(encoding="utf-8"))


CANARY_PATHS: dict[str, Runner] = {
    "show --json": command("show", "--json"),
    "export json": export("json"),
    "export csv": export("csv"),
    "export datapackage": export("datapackage"),
    "export md": export("md"),
    "export html": export("html"),
    "export json --deidentify": export("json", "--deidentify", "--keep-text"),
    "export csv --deidentify": export("csv", "--deidentify", "--keep-text"),
    "bundle export": bundle,
    "audit show": command("audit", "show"),
    "audit show --json": command("audit", "show", "--json"),
    "score --json": command("score", "--json"),
}
"""Paths that print a rating's rationale wherever they print the rating."""

SUBMITTED_ONLY = {"score --json", "export md", "export html"}
"""The panel view and the report give the rationales of submitted ratings only (and the
reader's own drafts), even after finalization."""

REFUSALS = {
    # The whole-panel view stays shut until every panelist submitted or the chair revealed.
    ("score --json", "draft", None),
    ("score --json", "submitted", None),
    # Bundles carry work in progress; a finalized interview leaves by export.
    ("bundle export", "finalized", None),
    ("bundle export", "finalized", "Ann Lee"),
}


@pytest.mark.parametrize("reader", READERS, ids=["nobody", "chair"])
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("path", list(CANARY_PATHS))
def test_rationales_appear_exactly_where_blind_rating_allows(
    blind: tuple[Path, dict[str, str]], path: str, state: str, reader: str | None, tmp_path: Path
) -> None:
    check_canaries(blind, path, state, reader, tmp_path)


SERVER_PATHS = ("show --json", "export json", "bundle export", "audit show --json", "score --json")
"""The paths that read the store in their own way; the other formats write the
documents ``export json`` reads, whichever database they come from."""


@pytest.mark.parametrize("reader", READERS, ids=["nobody", "chair"])
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("path", SERVER_PATHS)
def test_the_server_shows_rationales_exactly_where_blind_rating_allows(
    server_blind: tuple[str, dict[str, str]],
    path: str,
    state: str,
    reader: str | None,
    tmp_path: Path,
) -> None:
    check_canaries(server_blind, path, state, reader, tmp_path)


def check_canaries(
    blind: tuple[Path | str, dict[str, str]],
    path: str,
    state: str,
    reader: str | None,
    tmp_path: Path,
) -> None:
    """Run ``path`` on the interview at ``state`` as ``reader``; look for every canary."""
    db, ids = blind
    code, text = CANARY_PATHS[path](db, ids[state], reader, tmp_path)
    for who, indicator in ratings_of(state):
        mark = canary(state, who, indicator)
        if not visible_to(state, reader, who, indicator):
            assert mark not in text, f"{path} shows {who}'s hidden rating of {indicator}"
    if (path, state, reader) in REFUSALS:
        assert code != 0 and text.startswith("Error: ") and text.count("\n") == 1, text
        return
    assert code == 0, text
    for who, indicator in ratings_of(state):
        if path in SUBMITTED_ONLY and who != reader and not is_submitted(state, who, indicator):
            continue
        if visible_to(state, reader, who, indicator):
            assert canary(state, who, indicator) in text, f"{path} lost {who} on {indicator}"


def md_row(text: str, indicator: str) -> str:
    """The indicator's row of the ratings table (the first table that names it)."""
    return next(row for row in text.splitlines() if row.startswith(f"| {indicator} "))


def md_cells(text: str, indicator: str) -> list[str]:
    line = md_row(text, indicator)
    return [cell.strip() for cell in line.strip("|").split("|")][1 : 1 + len(NAMES)]


def html_cells(text: str, indicator: str) -> list[str]:
    row = re.search(rf"<tr><td>{re.escape(indicator)} [^<]*</td>(.*?)</tr>", text)
    assert row is not None
    return re.findall(r'<td class="num">([^<]*)</td>', row.group(1))[: len(NAMES)]


@pytest.mark.parametrize("reader", READERS, ids=["nobody", "chair"])
@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize(
    ("fmt", "cells"), [("md", md_cells), ("html", html_cells)], ids=["md", "html"]
)
def test_report_cells_show_only_visible_ratings(
    blind: tuple[Path, dict[str, str]],
    fmt: str,
    cells: Callable[[str, str], list[str]],
    state: str,
    reader: str | None,
    tmp_path: Path,
) -> None:
    db, ids = blind
    code, text = export(fmt)(db, ids[state], reader, tmp_path)
    assert code == 0, text
    rated = set(ratings_of(state))
    for indicator in INDICATORS:
        shown = cells(text, indicator)
        for who, cell in zip(NAMES, shown, strict=True):
            if (who, indicator) in rated and visible_to(state, reader, who, indicator):
                assert cell.replace("\\", "").rstrip("*") == str(VALUES[who]), (
                    fmt,
                    who,
                    indicator,
                    cell,
                )
            else:
                assert cell == "—", f"{fmt} shows {who}'s hidden rating of {indicator}: {cell}"
    if fmt == "md" and state != "finalized":  # no consensus yet: the row shows the panel mean
        for indicator in INDICATORS:
            seen = [
                VALUES[who]
                for who in NAMES
                if (who, indicator) in rated
                and is_submitted(state, who, indicator)
                and visible_to(state, reader, who, indicator)
            ]
            mean = re.search(r"panel mean (\d\.\d)", md_row(text, indicator))
            assert (mean and float(mean.group(1))) == (seen and sum(seen) / len(seen)) or (
                not mean and not seen
            ), (indicator, seen, mean)


@pytest.mark.parametrize("reader", READERS, ids=["nobody", "chair"])
@pytest.mark.parametrize("state", STATES)
def test_show_counts_only_visible_ratings(
    blind: tuple[Path, dict[str, str]], state: str, reader: str | None
) -> None:
    db, ids = blind
    code, text = cli(db, "show", ids[state], *as_reader(reader))
    assert code == 0, text
    rated = ratings_of(state)
    seen = sum(1 for who, i in rated if visible_to(state, reader, who, i))
    if seen == len(rated):
        assert f"{seen} ratings recorded by the panel." in text
    else:
        assert f"{seen} of the panel's ratings shown; {len(rated) - seen} more stay hidden" in text


@pytest.mark.parametrize("state", STATES)
def test_list_carries_no_rating_content(blind: tuple[Path, dict[str, str]], state: str) -> None:
    db, _ids = blind
    code, text = cli(db, "list", "--json")
    assert code == 0
    for who, indicator in ratings_of(state):
        assert canary(state, who, indicator) not in text


def test_a_wrong_pin_reads_nothing(blind: tuple[Path, dict[str, str]], tmp_path: Path) -> None:
    db, ids = blind
    for args in (
        ["show", ids["submitted"], "--json"],
        ["export", ids["submitted"], "-o", str(tmp_path / "x.json")],
        ["audit", "show", ids["submitted"]],
        ["bundle", "export", ids["submitted"], "-o", str(tmp_path / "x.bundle")],
    ):
        code, text = cli(db, *args, "--as", "Bo Ray", "--pin", "9999")
        assert code == 2 and text == "Error: Wrong PIN for Bo Ray.\n", text
    assert not (tmp_path / "x.json").exists() and not (tmp_path / "x.bundle").exists()


def test_a_panelist_bundle_asks_that_panelists_pin(
    blind: tuple[Path, dict[str, str]], tmp_path: Path
) -> None:
    db, ids = blind
    out = tmp_path / "bo.bundle"
    iid = ids["submitted"]
    code, text = cli(db, "bundle", "export", iid, "--panelist", "Bo Ray", "-o", str(out))
    assert code != 0 and not out.exists()
    code, text = cli(
        db,
        "bundle",
        "export",
        iid,
        "--panelist",
        "Bo Ray",
        "--pin",
        PINS["Ann Lee"],
        "-o",
        str(out),
    )
    assert code == 2 and "Wrong PIN for Bo Ray." in text and not out.exists()
    code, text = cli(
        db, "bundle", "export", iid, "--panelist", "Bo Ray", "--pin", PINS["Bo Ray"], "-o", str(out)
    )
    assert code == 0, text
    carried = out.read_text(encoding="utf-8")
    for who, indicator in ratings_of("submitted"):
        assert (canary("submitted", who, indicator) in carried) == (who == "Bo Ray")
