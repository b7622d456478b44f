"""``formers export``, ``import`` and ``bundle`` through Typer's CliRunner."""

from __future__ import annotations

import json
import stat
from pathlib import Path

import pytest
from typer.testing import CliRunner

from formers_tui.cli import app

runner = CliRunner()


def run(*args: str, input: str | None = None) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), input=input)
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def new(code: str = "PM-X1", *, db: Path | None = None) -> str:
    prefix = ["--db", str(db)] if db else []
    exit_code, out, err = run(
        *prefix,
        "new",
        "--candidate",
        code,
        "--panelist",
        "Ann Lee:psychologist",
        "--panelist",
        "Bo Ray:probation",
        "--consent",
    )
    assert exit_code == 0, err
    return out.strip()


def set_pin(db: Path, iid: str, name: str, pin: str) -> None:
    """Give panelist ``name`` a PIN in the store at ``db``."""
    from formers_tui.store.panel import find_panelist
    from formers_tui.store.panel import set_pin as store_pin
    from formers_tui.store.store import Store

    store = Store.open(db)
    try:
        with store.session() as session:
            who = find_panelist(session, iid, name)
            store_pin(session, interview_id=iid, panelist_id=who.id, pin=pin, actor=name)
            session.commit()
    finally:
        store.close()


def test_export_json_then_import_into_another_store(tmp_path: Path) -> None:
    iid = new()
    new("PM-X2")
    out = tmp_path / "all.json"
    exit_code, stdout, _ = run("export", "--all", "--format", "json", "--out", str(out))
    assert exit_code == 0 and "Exported 2 interviews (json)" in stdout
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    other = tmp_path / "other.db"
    exit_code, stdout, _ = run("--db", str(other), "import", str(out))
    assert exit_code == 0 and "Imported 2 interviews." in stdout
    exit_code, stdout, _ = run("--db", str(other), "import", str(out), "--json")
    assert json.loads(stdout) == {
        "created": [],
        "unchanged": json.loads(out.read_text())
        and [d["id"] for d in json.loads(out.read_text())["interviews"]],
    }
    exit_code, stdout, _ = run("--db", str(other), "show", iid[:8], "--json")
    assert json.loads(stdout)["candidate"]["code"] == "PM-X1"


@pytest.mark.parametrize("fmt", ["csv", "datapackage", "md", "html"])
def test_every_format_from_the_command_line(tmp_path: Path, fmt: str) -> None:
    iid = new()
    out = tmp_path / f"export-{fmt}"
    exit_code, stdout, err = run("export", iid[:8], "-f", fmt, "-o", str(out), "--deidentify")
    assert exit_code == 0, err
    assert "de-identified" in stdout and out.exists()
    text = "".join(p.read_text("utf-8") for p in (out.iterdir() if out.is_dir() else [out]))
    assert "PM-X1" not in text and "Ann Lee" not in text


def test_overwrite_needs_force(tmp_path: Path) -> None:
    iid = new()
    out = tmp_path / "one.json"
    assert run("export", iid, "-o", str(out))[0] == 0
    exit_code, _, err = run("export", iid, "-o", str(out))
    assert exit_code == 2 and "already exists; use --force" in err
    assert run("export", iid, "-o", str(out), "--force")[0] == 0


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["export", "--all"], "--out PATH"),
        (["export", "--all", "-f", "xml", "-o", "x"], "Unknown format 'xml'"),
        (["export", "--all", "-o", "x", "--keep-text"], "only applies together with --deidentify"),
        (["export", "--all", "-f", "md", "-o", "x"], "give exactly one id"),
        (["export", "-o", "x"], "Say which interviews"),
        (["export", "--status", "weird", "-o", "x"], "Unknown status 'weird'"),
        (["export", "--status", "finalized", "-o", "x"], "No interview matches"),
        (["export", "deadbeef", "-o", "x"], "No interview with id 'deadbeef'"),
        (["export", "PMID", "--all", "-o", "x"], "not both"),
        (["import", "missing.json"], "Cannot read missing.json"),
        (["bundle", "export", "deadbeef", "-o", "x.bundle"], "No interview with id"),
        (["bundle", "import", "missing.bundle"], "Cannot read missing.bundle"),
    ],
)
def test_errors_are_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, args: list[str], message: str
) -> None:
    monkeypatch.chdir(tmp_path)
    new()
    exit_code, _, err = run(*args)
    assert exit_code == 2, err
    assert message in err and err.startswith("Error: ") and err.count("\n") == 1


def test_import_of_a_broken_file_is_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"format": "formers-tui/export", "interviews": [', encoding="utf-8")
    exit_code, _, err = run("import", str(bad))
    assert exit_code == 2 and "not valid JSON" in err and err.count("\n") == 1


def test_bundle_round_trip_with_prompted_and_environment_passphrases(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    chair, laptop = tmp_path / "chair.db", tmp_path / "laptop.db"
    iid = new(db=chair)
    set_pin(chair, iid, "Bo Ray", "4242")
    sent = tmp_path / "sent.bundle"
    exit_code, stdout, err = run(
        "--db",
        str(chair),
        "bundle",
        "export",
        iid[:8],
        "--no-ratings",
        "--encrypt",
        "-o",
        str(sent),
        input=f"{'p' * 10}\n{'p' * 10}\n",
    )
    assert exit_code == 0, err
    assert "whole interview without ratings" in stdout and "(encrypted)" in stdout
    assert stat.S_IMODE(sent.stat().st_mode) == 0o600
    exit_code, _, err = run(
        "--db", str(laptop), "bundle", "import", str(sent), input="wrong-pass\n"
    )
    assert exit_code == 2 and "Wrong passphrase for this bundle." in err
    monkeypatch.setenv("FORMERS_BUNDLE_PASSPHRASE", "p" * 10)
    exit_code, stdout, err = run("--db", str(laptop), "bundle", "import", str(sent))
    assert exit_code == 0 and "added to this store" in stdout, err
    back = tmp_path / "back.bundle"
    monkeypatch.setenv("FORMERS_PIN", "9999")
    exit_code, _, err = run(
        "--db", str(laptop), "bundle", "export", iid, "--panelist", "Bo Ray", "-o", str(back)
    )
    assert exit_code == 2 and "Wrong PIN" in err and not back.exists()
    monkeypatch.delenv("FORMERS_PIN")
    # Bo's key came sealed under the PIN Bo chose on the chair's laptop: the same PIN opens it.
    exit_code, stdout, err = run(
        "--db",
        str(laptop),
        "bundle",
        "export",
        iid,
        "--panelist",
        "Bo Ray",
        "-o",
        str(back),
        input="4242\n",
    )
    assert exit_code == 0 and "0 ratings by Bo Ray" in stdout, err
    exit_code, stdout, _ = run("--db", str(chair), "bundle", "import", str(back), "--json")
    assert exit_code == 0 and json.loads(stdout)["conflicts"] == []


def test_bundle_conflicts_exit_1(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from formers_tui.store import ratings
    from formers_tui.store.interviews import interview_header
    from formers_tui.store.models import Interview
    from formers_tui.store.store import Store

    chair, laptop = tmp_path / "chair.db", tmp_path / "laptop.db"
    iid = new(db=chair)
    set_pin(chair, iid, "Bo Ray", "4242")
    monkeypatch.setenv("FORMERS_PIN", "4242")
    sent = tmp_path / "sent.bundle"
    assert run("--db", str(chair), "bundle", "export", iid, "-o", str(sent))[0] == 0
    assert run("--db", str(laptop), "bundle", "import", str(sent))[0] == 0
    for path, value in ((chair, 1), (laptop, 2)):
        store = Store.open(path)
        try:
            with store.session() as session:
                interview = session.get(Interview, iid)
                assert interview is not None
                bo = interview_header(session, interview).panel[1]
                ratings.save_rating(
                    session,
                    interview_id=iid,
                    panelist_id=bo.id,
                    indicator_id="DIS-1",
                    value=value,
                    rationale="",
                    actor="Bo Ray",
                )
                session.commit()
        finally:
            store.close()
    back = tmp_path / "back.bundle"
    assert (
        run("--db", str(laptop), "bundle", "export", iid, "--panelist", "Bo Ray", "-o", str(back))[
            0
        ]
        == 0
    )
    exit_code, stdout, err = run("--db", str(chair), "bundle", "import", str(back))
    assert exit_code == 1
    assert "Conflict: Bo Ray on DIS-1: 1 here, 2 in the bundle; kept 1." in err


def test_help_lists_the_new_commands() -> None:
    exit_code, stdout, _ = run("--help")
    assert exit_code == 0 and "export" in stdout and "import" in stdout and "bundle" in stdout
    exit_code, stdout, _ = run("bundle", "--help")
    assert exit_code == 0 and "export" in stdout and "import" in stdout
