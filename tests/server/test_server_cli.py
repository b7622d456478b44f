"""Every command on a server store (``--db postgresql://…``), and the file-only ones refusing it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from formers_tui.cli import app
from formers_tui.store import panel
from formers_tui.store.common import get_interview, protocol_of
from formers_tui.store.store import Store

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args))
    assert "Traceback" not in result.output
    return result.exit_code, result.stdout, result.stderr


def rate_all(url: str, iid: str) -> None:
    """Both panelists rate every indicator 3 and submit every domain."""
    store = Store.open(url)
    try:
        with store.session() as session:
            interview = get_interview(session, iid)
            for who, pin in (("Ann Lee", "1111"), ("Bo Ray", "2222")):
                member = panel.find_panelist(session, iid, who)
                panel.set_pin(session, interview_id=iid, panelist_id=member.id, pin=pin, actor=who)
                for domain in protocol_of(interview).domains():
                    for indicator in domain.indicators:
                        panel.rate(
                            session, interview_id=iid, panelist_id=member.id,
                            indicator_id=indicator.id, value=3, rationale="", actor=who,
                        )  # fmt: skip
                    panel.submit_domain(
                        session, interview_id=iid, panelist_id=member.id,
                        domain_id=domain.id, actor=who,
                    )  # fmt: skip
            session.commit()
    finally:
        store.close()


def test_a_server_store_from_new_to_export_and_into_a_file(pg_url: str, tmp_path: Path) -> None:
    db = ("--db", pg_url)
    code, out, err = run(
        *db, "new", "--candidate", "PM-S1", "--panelist", "Ann Lee:psychologist",
        "--panelist", "Bo Ray:probation", "--date", "2026-11-02", "--consent",
    )  # fmt: skip
    assert code == 0, err
    iid = out.strip()
    code, out, _ = run(*db, "list", "--json")
    assert code == 0 and [row["candidate"] for row in json.loads(out)] == ["PM-S1"]
    code, out, _ = run(*db, "show", iid[:8], "--json")
    assert code == 0 and json.loads(out)["candidate"] == {"code": "PM-S1"}
    rate_all(pg_url, iid)
    code, out, err = run(*db, "score", iid[:8], "--json")
    assert code == 0, err
    assert json.loads(out)["status"] == "consensus"
    code, out, err = run(*db, "reliability", "--json")
    assert code in (0, 1), err
    code, out, err = run(*db, "audit", "show", iid[:8], "--json")
    assert code == 0, err
    assert {entry["entity"] for entry in json.loads(out)} >= {"interview", "rating"}
    exported = tmp_path / "out.json"
    code, _, err = run(*db, "export", iid[:8], "-o", str(exported))
    assert code == 0, err
    document = json.loads(exported.read_text())["interviews"][0]
    assert document["interview_date"] == "2026-11-02"
    assert document["created_at"].endswith("+00:00")
    code, _, err = run(*db, "export", iid[:8], "-f", "csv", "-o", str(tmp_path / "csv"))
    assert code == 0, err
    # The server's export reads back into a laptop's SQLite store, whole.
    code, _, err = run("--db", str(tmp_path / "laptop.db"), "import", str(exported))
    assert code == 0, err
    code, out, _ = run("--db", str(tmp_path / "laptop.db"), "show", iid[:8], "--json")
    assert json.loads(out)["candidate"] == {"code": "PM-S1"}
    for check in (("audit", "verify"), ("db", "check")):
        code, out, err = run(*db, *check)
        assert code == 0, out + err
    code, out, _ = run(*db, "db", "path")
    assert code == 0 and out.strip() == pg_url


@pytest.mark.parametrize(
    ("command", "way"),
    [
        (("db", "backup"), "pg_dump"),
        (("db", "restore", "x.db"), "pg_restore"),
        (("db", "backups"), "pg_basebackup"),
        (("db", "encrypt"), "sslmode=verify-full"),
        (("db", "rekey"), "sslmode=verify-full"),
    ],
)
def test_file_only_commands_refuse_a_server_in_one_sentence(
    command: tuple[str, ...], way: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Refused before any connection is tried: no server needed.
    monkeypatch.setenv("FORMERS_DB", "postgresql://nobody@/formers?host=/nonexistent")
    code, out, err = run(*command)
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and "is a PostgreSQL database" in err and way in err


def test_an_unreachable_server_is_one_sentence(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FORMERS_DB", "postgresql://nobody@/formers?host=/nonexistent&port=1")
    code, _, err = run("list")
    assert code != 0
    assert err.startswith("Error: Cannot open the store at postgresql://") and err.count("\n") == 1


def test_a_password_in_the_url_is_never_printed(monkeypatch: pytest.MonkeyPatch) -> None:
    url = "postgresql://ann:s3cret@/formers?host=/nonexistent&port=1"
    code, out, err = run("--db", url, "list")
    assert code != 0 and "s3cret" not in out + err
    code, out, _ = run("--db", url, "db", "path")
    assert code == 0 and "s3cret" not in out


def test_without_the_driver_a_server_url_says_what_to_install(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import sys

    monkeypatch.setitem(sys.modules, "psycopg", None)
    code, _, err = run("--db", "postgresql://nobody@/formers?host=/nonexistent", "list")
    assert code != 0
    assert "Install the server extra: pip install 'formers-tui[server]'" in err
