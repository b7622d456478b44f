"""Hostile arguments and import files: no raw escape, no traceback, nothing written on refusal."""

from __future__ import annotations

import json
import shutil
import sqlite3
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.testing import CliRunner

from formers_tui.cli import app
from formers_tui.paths import store_path

runner = CliRunner()
HOSTILE = st.sampled_from(
    [
        "\x1b]52;c;ZWNobyBwd25lZA==\x1b\\",
        "\x1b[2J",
        "\x9b31m",
        "\r",
        "[/]",
        "[bold]",
        "%",
        "_",
        "\\",
        "\u202e",
        "\x00",
        "é",
        "Ana",
        "2026-01-01",
        "9999-12-31",
    ]
)
TEXT = st.lists(st.one_of(HOSTILE, st.text(max_size=6)), max_size=5).map("".join)
COMMANDS = [
    ["new", "--candidate", "{t}", "--panelist", "{t}:other", "--panelist", "Bo:other", "--consent"],
    ["new", "--candidate", "PM-9", "--panelist", "Ann:{t}", "--date", "{t}"],
    ["new", "--candidate", "PM-8", "--panelist", "Ann:other", "--consent-date", "{t}"],
    ["show", "{t}"],
    ["list", "--status", "{t}"],
    ["score", "{t}"],
    ["audit", "show", "{t}"],
    ["export", "{t}", "-o", "out.json"],
    ["bundle", "export", "{t}", "-o", "out.formers"],
    ["protocol", "show", "{t}"],
    ["{t}"],
    ["list", "--{t}"],
]


def snapshot() -> tuple[int, ...]:
    path = store_path(None)
    if not path.exists():
        return ()
    with sqlite3.connect(path) as db:
        return tuple(
            db.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
            for table in ("interview", "candidate", "panelist", "audit_entry")
        )


def check(result: Any) -> None:
    output = result.stdout + result.stderr
    assert "\x1b" not in output and "\x9b" not in output, output
    assert "Traceback" not in output, output
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(command=st.sampled_from(COMMANDS), text=TEXT)
def test_arguments(command: list[str], text: str) -> None:
    args = [a.replace("{t}", text) for a in command]
    before = snapshot()
    result = runner.invoke(app, args)
    check(result)
    if result.exit_code != 0:
        assert snapshot() == before, args


def _strings(doc: Any, path: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    if isinstance(doc, dict):
        return [p for k, v in doc.items() for p in _strings(v, (*path, k))]
    if isinstance(doc, list):
        return [p for i, v in enumerate(doc) for p in _strings(v, (*path, i))]
    return [path] if isinstance(doc, str) else []


@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data(), text=TEXT)
def test_import_documents(tmp_path_factory: Any, data: st.DataObject, text: str) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    target = folder / "target.db"
    doc = json.loads(json.dumps(_cached(tmp_path_factory)))
    shutil.copyfile(_CACHE["empty"], target)
    where = data.draw(st.sampled_from(_strings(doc["interviews"][0])))
    node = doc["interviews"][0]
    for key in where[:-1]:
        node = node[key]
    node[where[-1]] = text
    path = folder / "hostile.json"
    path.write_text(json.dumps(doc), "utf-8")
    result = runner.invoke(app, ["--db", str(target), "import", str(path)])
    check(result)
    if result.exit_code != 0:
        errors = [line for line in result.stderr.splitlines() if line.startswith("Error:")]
        assert len(errors) == 1, result.stderr
        listed = runner.invoke(app, ["--db", str(target), "list", "--json"])
        assert json.loads(listed.stdout) == [], where


_CACHE: dict[str, Any] = {}


def _cached(tmp_path_factory: Any) -> dict[str, Any]:
    """An exported interview and an empty migrated store, made once for every example."""
    if "doc" not in _CACHE:
        folder = tmp_path_factory.mktemp("fuzz-source")
        made = CliRunner(env={"FORMERS_DB": str(folder / "source.db")})
        empty = folder / "empty.db"
        assert made.invoke(app, ["--db", str(empty), "list"]).exit_code == 0
        _CACHE["empty"] = empty
        result = made.invoke(
            app,
            ["new", "--candidate", "PM-1", "--panelist", "Ann Lee:psychologist", "--panelist",
             "Bo Ray:other", "--consent", "--date", "2026-01-10"],
        )  # fmt: skip
        assert result.exit_code == 0, result.stderr
        out = folder / "one.json"
        assert made.invoke(app, ["export", "--all", "-o", str(out)]).exit_code == 0
        _CACHE["doc"] = json.loads(out.read_text("utf-8"))
    return dict(_CACHE["doc"])
