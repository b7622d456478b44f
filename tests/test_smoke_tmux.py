"""The real program in a real terminal: create, type, SIGKILL, restart, find the notes.

Drives ``formers`` inside tmux exactly as a person would, so it catches what
pilot tests cannot: start-up, key handling through a terminal, and autosave
surviving a killed process.
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

PASSPHRASE = "smoke test passphrase"
NOTE = "He says he left in 2015 after a friend was arrested."


class Terminal:
    """One detached tmux session of a fixed size, on the test's own tmux server."""

    def __init__(self, server: str, name: str, command: str) -> None:
        self.name = name
        self.tmux = ["tmux", "-L", server]
        subprocess.run(
            [
                *self.tmux,
                "new-session",
                "-d",
                "-s",
                name,
                "-x",
                "80",
                "-y",
                "24",
                "-e",
                "TERM=xterm-256color",
                command,
            ],
            check=True,
        )

    def screen(self) -> str:
        return subprocess.run(
            [*self.tmux, "capture-pane", "-p", "-t", self.name], capture_output=True, text=True
        ).stdout

    def wait(self, pattern: str, seconds: float = 30) -> str:
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            text = self.screen()
            if re.search(pattern, text):
                return text
            time.sleep(0.05)
        raise AssertionError(f"{pattern!r} not on screen after {seconds}s:\n{self.screen()}")

    def row_look(self, label: str) -> str:
        """The first row showing ``label``, with its colours (how focus and ticks show)."""
        styled = subprocess.run(
            [*self.tmux, "capture-pane", "-e", "-p", "-t", self.name],
            capture_output=True,
            text=True,
        ).stdout
        return next((row for row in styled.splitlines() if label in row), "")

    def keys_changing(self, label: str, *keys: str, seconds: float = 30) -> None:
        """Press ``keys`` and wait until the row showing ``label`` looks different.

        What focus or a tick does to a box has no text of its own: the row's
        colours are what a person sees change.
        """
        before = self.row_look(label)
        self.keys(*keys)
        end = time.monotonic() + seconds
        while self.row_look(label) == before:
            if time.monotonic() > end:
                raise AssertionError(f"{keys} changed nothing on {label!r}:\n{self.screen()}")
            time.sleep(0.05)

    def cursor(self) -> tuple[int, int]:
        """Where the terminal's cursor is (column, row): the focused field's caret."""
        out = subprocess.run(
            [*self.tmux, "display", "-p", "-t", self.name, "#{cursor_x} #{cursor_y}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        x, y = out.split()
        return int(x), int(y)

    def type(self, text: str) -> None:
        subprocess.run([*self.tmux, "send-keys", "-t", self.name, "-l", text], check=True)

    def keys(self, *keys: str) -> None:
        subprocess.run([*self.tmux, "send-keys", "-t", self.name, *keys], check=True)

    def pid(self) -> int:
        out = subprocess.run(
            [*self.tmux, "display", "-p", "-t", self.name, "#{pane_pid}"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout
        return int(out.strip())

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-session", "-t", self.name], capture_output=True)


@pytest.fixture
def launch(tmp_path: Path) -> Iterator[object]:
    sessions: list[Terminal] = []
    home = tmp_path / "home"
    # A server of its own, kept up by an idle session: the default server
    # exits with its last session, and a session started at that moment fails.
    server = f"formers-smoke-{os.getpid()}"
    subprocess.run(["tmux", "-L", server, "new-session", "-d", "-s", "keep"], check=True)

    def start() -> Terminal:
        name = f"formers-smoke-{os.getpid()}-{len(sessions)}"
        command = (
            f"cd {tmp_path} && exec env FORMERS_HOME={home} FORMERS_PASSPHRASE='{PASSPHRASE}' "
            f"{sys.executable} -m formers_tui"
        )
        terminal = Terminal(server, name, command)
        sessions.append(terminal)
        return terminal

    yield start
    for terminal in sessions:
        terminal.close()
    subprocess.run(["tmux", "-L", server, "kill-server"], capture_output=True)


def test_notes_survive_sigkill(launch: object, tmp_path: Path) -> None:
    start = launch  # type: ignore[assignment]
    first: Terminal = start()  # type: ignore[operator]
    first.wait("No interviews yet")
    first.keys("n")
    first.wait("Candidate code")
    first.type("PM-SMOKE")
    first.keys("Tab", "Tab", "Tab", "Tab", "Tab", "Tab")  # past consent and its date
    first.type("Dr Smoke")
    first.keys("C-n")  # a panel needs two members
    first.wait(r"Chair[\s\S]*Chair")
    first.type("Dr Second")
    first.keys("C-s")
    first.wait("informed consent is required")
    first.keys_changing("informed consent to", "Space")  # ticked
    first.keys("C-s")
    first.wait(r"PM-SMOKE · \d{4}-\d\d-\d\d")
    first.wait("Running notes")  # the cursor is in the notes: type at once
    first.type(NOTE)
    first.wait(r"Saved \d\d:\d\d:\d\d", seconds=10)
    os.kill(first.pid(), signal.SIGKILL)
    first.close()

    second: Terminal = start()  # type: ignore[operator]
    listed = second.wait("PM-SMOKE")
    assert re.search(r"\b1/\d+ notes · 0 rated", listed)  # whole at 80 columns
    second.keys("r")  # resume the last interview
    screen = second.wait("friend was")
    assert "He says he left in 2015" in screen
    second.keys("C-c")

    stored = tmp_path / "home" / "formers.db"
    assert b"friend was arrested" not in stored.read_bytes()  # encrypted at rest
