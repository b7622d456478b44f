"""``formers server init`` and ``add-user``: run again safely; bad input is one sentence."""

from __future__ import annotations

import json
from pathlib import Path

import psycopg
import pytest
from typer.testing import CliRunner

from formers_tui.cli import app
from tests.pg import Cluster

runner = CliRunner()


def cli(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    assert "Traceback" not in result.output, result.output
    return result.exit_code, result.stdout, result.stderr


def one_error(code: int, err: str) -> str:
    assert code != 0
    assert err.startswith("Error: ") and err.count("\n") == 1, err
    return err


def policies(url: str) -> list[tuple[str, str]]:
    with psycopg.connect(url) as connection:
        return [
            (str(t), str(p))
            for t, p in connection.execute(
                "SELECT tablename, policyname FROM pg_policies ORDER BY 1, 2"
            ).fetchall()
        ]


def test_init_runs_again_to_the_same_end(pg_url: str) -> None:
    code, out, err = cli("server", "init", pg_url)
    assert code == 0, err
    assert "is ready" in out and "row-level security on" in out
    first = policies(pg_url)
    assert ("rating", "formers_read") in first and ("audit_entry", "formers_log") in first
    code, out, err = cli("server", "init", pg_url)
    assert code == 0, err
    assert "(created" not in out  # the groups exist now
    assert policies(pg_url) == first


def test_add_user_records_the_person_and_runs_again(pg_url: str) -> None:
    assert cli("server", "init", pg_url)[0] == 0
    for _ in range(2):
        code, out, err = cli(
            "--db", pg_url, "server", "add-user", "bo_ray", "--role", "panelist", "--name", "Bo Ray"
        )
        assert code == 0, err
        assert "bo_ray is a panelist, sitting on panels as Bo Ray" in out
        assert "\\password bo_ray" in out
    # Again with another role moves them to that group only.
    code, out, err = cli("--db", pg_url, "server", "add-user", "bo_ray", "--role", "chair")
    assert code == 0, err
    code, out, _ = cli("--db", pg_url, "server", "users", "--json")
    assert code == 0
    assert json.loads(out) == [{"login": "bo_ray", "role": "chair", "name": "bo_ray"}]
    with psycopg.connect(pg_url) as connection:
        groups = connection.execute(
            "SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid "
            "JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = 'bo_ray'"
        ).fetchall()
    assert groups == [("formers_chair",)]


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["cmd_bo", "--role", "boss"], "choose chair, panelist or supervisor"),
        (["Bo Ray", "--role", "panelist"], "cannot be a login name"),
        (["bo;drop", "--role", "panelist"], "cannot be a login name"),
        (["pg_monitor", "--role", "panelist"], "keeps for itself"),
        (["formers_chair", "--role", "panelist"], "keeps for itself"),
        (["postgres", "--role", "panelist"], "administrator of the server"),
        (["cmd_bo", "--role", "panelist", "--name", "x\x1b[2Jy"], "control character"),
    ],
)
def test_bad_input_is_one_sentence(pg_url: str, args: list[str], says: str) -> None:
    assert cli("server", "init", pg_url)[0] == 0
    code, _, err = cli("--db", pg_url, "server", "add-user", *args)
    assert says in one_error(code, err)


def test_one_person_one_login(pg_url: str) -> None:
    assert cli("server", "init", pg_url)[0] == 0
    assert (
        cli("--db", pg_url, "server", "add-user", "cmd_ann", "--role", "chair", "--name", "Ann")[0]
        == 0
    )
    code, _, err = cli(
        "--db", pg_url, "server", "add-user", "cmd_ann2", "--role", "chair", "--name", "Ann"
    )
    assert "already the person of the login 'cmd_ann'" in one_error(code, err)


def test_add_user_before_init_and_on_a_file(pg_url: str, tmp_path: Path) -> None:
    code, _, err = cli("--db", pg_url, "server", "add-user", "cmd_bo", "--role", "panelist")
    assert "run 'formers server init' first" in one_error(code, err)
    store = tmp_path / "store.db"
    code, _, err = cli("--db", str(store), "server", "add-user", "cmd_bo", "--role", "panelist")
    assert "needs a PostgreSQL store" in one_error(code, err)
    code, _, err = cli("server", "init", str(store))
    assert "postgresql:// URL" in one_error(code, err)
    assert not store.exists()


def test_init_by_someone_not_the_owner_is_refused(pg_cluster: Cluster, pg_url: str) -> None:
    assert cli("server", "init", pg_url)[0] == 0
    assert cli("--db", pg_url, "server", "add-user", "cmd_cy", "--role", "chair")[0] == 0
    database = pg_url.split("/")[3].split("?")[0]
    code, _, err = cli("server", "init", pg_cluster.url(database, user="cmd_cy"))
    assert "owner" in one_error(code, err)
