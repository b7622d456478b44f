"""A read-only store or folder: one sentence and a non-zero exit, and recovery without a restart."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from textual.widgets import Static
from typer.testing import CliRunner

from formers_tui.cli import app as cli
from formers_tui.store.errors import StoreReadOnly
from formers_tui.store.store import Store
from formers_tui.tui import app as app_module
from formers_tui.tui.app import make_app

NOBODY = 65534
COMMANDS = [
    ["list"],
    ["show", "0000"],
    ["new", "--candidate", "PM-2", "--panelist", "B:other", "--panelist", "C:other", "--consent"],
    ["db", "check"],
    ["audit", "verify"],
    ["export", "--all", "-o", "{folder}/out.json"],
]


@pytest.fixture
def read_only_home() -> Iterator[Path]:
    """A data folder with one interview, then made read-only (for another user when root)."""
    base = Path(tempfile.mkdtemp(prefix="formers-ro-", dir="/tmp"))
    os.chmod(base, 0o755)
    home = base / "home"
    env = {**os.environ, "FORMERS_HOME": str(home)}
    env.pop("FORMERS_DB", None)
    result = CliRunner(env=env).invoke(
        cli,
        ["new", "--candidate", "PM-1", "--panelist", "A:other", "--panelist", "B:other"]
        + ["--consent"],
    )
    assert result.exit_code == 0, result.output
    if os.geteuid() == 0:
        for path in [home, *home.rglob("*")]:
            os.chown(path, NOBODY, NOBODY)
    for path in home.iterdir():
        if path.is_file():
            path.chmod(0o444)
    home.chmod(0o555)
    yield home
    home.chmod(0o755)
    shutil.rmtree(base)


def as_another_user() -> list[str]:
    """The command prefix that runs a program without root's right to write anything."""
    if os.geteuid() != 0:
        return []
    setpriv = shutil.which("setpriv")
    if setpriv is None:
        pytest.skip("running as root without setpriv: permissions cannot be tested")
    return [setpriv, f"--reuid={NOBODY}", f"--regid={NOBODY}", "--clear-groups"]


CHILD = """
import contextlib, io, json, sys
from formers_tui.cli import main
results = []
for argv in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    sys.argv = ["formers", *argv]
    code = 0
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            main()
        except SystemExit as exit:
            code = exit.code
        except BaseException as exc:
            code, err = "raised", io.StringIO(repr(exc))
    results.append([argv, code, err.getvalue()])
print(json.dumps(results))
"""


def test_every_command_is_one_sentence_and_non_zero(read_only_home: Path) -> None:
    env = {**os.environ, "FORMERS_HOME": str(read_only_home), "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("FORMERS_DB", None)
    commands = [[a.format(folder=read_only_home.parent) for a in c] for c in COMMANDS]
    done = subprocess.run(
        [*as_another_user(), sys.executable, "-c", CHILD, json.dumps(commands)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    for argv, code, err in json.loads(done.stdout):
        assert isinstance(code, int) and code != 0, (argv, code, err)
        assert "Traceback" not in err and len(err.splitlines()) == 1, (argv, err)
        assert "read-only" in err, (argv, err)


async def test_the_app_opens_the_store_once_it_is_writable(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_open = Store.open.__func__  # type: ignore[attr-defined]
    writable = False

    def open_when_writable(cls: type[Store], path: Path, **kwargs: Any) -> Store:
        if not writable:
            raise StoreReadOnly(f"The store at {path} cannot be written: read-only.")
        store: Store = real_open(cls, path, **kwargs)
        return store

    monkeypatch.setattr(Store, "open", classmethod(open_when_writable))
    monkeypatch.setattr(app_module, "READ_ONLY_RETRY_SECONDS", 0.1)
    app = make_app(store_path=tmp_path / "formers.db", encrypt_new_store=False)
    async with app.run_test(size=(80, 24)) as pilot:
        for _ in range(20):
            await pilot.pause(0.05)
        error = str(app.home.query_one("#error", Static).content)
        assert "cannot be written" in error and "Trying again" in error
        assert app.store is None and app.is_running
        writable = True
        for _ in range(100):
            await pilot.pause(0.05)
            if app.store is not None:
                break
        assert app.store is not None
        assert str(app.home.query_one("#error", Static).content) == ""
