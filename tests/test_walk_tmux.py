"""A whole interview at 80x24 in a real terminal, keys only, as a panel runs it.

New store (passphrase twice), the new-interview form, notes, a quote,
evidence, the timeline, a safety flag, three panelists rating blind and
submitting each domain, consensus, determination, sign-off, an addendum,
back to the list, then the lock and the quick unlock with a PIN. A small
protocol (four indicators in three domains) keeps it to a couple of minutes.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.test_smoke_tmux import Terminal

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed"),
]

FIXTURES = Path(__file__).resolve().parent / "fixtures"
PASSPHRASE = "walk through passphrase"
PANEL = (("Dr Ann Chair", "1111"), ("Sam Worker", "2222"), ("Pat Officer", "3333"))
INDICATORS = ("ONE-1", "ONE-2", "TWO-1", "THREE-1")
SUBMIT_AFTER = {"ONE-2": "Domain one", "TWO-1": "Domain two", "THREE-1": "Domain three"}
"""The last indicator of each domain: its domain is submitted from there."""


class Walk:
    """The terminal, with the pauses a person makes between a key and the next dialog."""

    def __init__(self, terminal: Terminal) -> None:
        self.t = terminal

    def wait(self, pattern: str, seconds: float = 30) -> str:
        return self.t.wait(pattern, seconds)

    def keys(self, *keys: str) -> None:
        self.t.keys(*keys)

    def type(self, text: str) -> None:
        self.t.type(text)

    def wait_in_prompts(self, words: str, seconds: float = 30) -> None:
        """Wait for ``words`` in the prompt pane, read as running text (its lines rejoined)."""
        end = time.monotonic() + seconds
        while True:
            pane = " ".join(line.partition("▕")[2] for line in self.t.screen().splitlines())
            if words in " ".join(pane.split()):
                return
            if time.monotonic() > end:
                raise AssertionError(f"{words!r} not in the prompts:\n{self.t.screen()}")
            time.sleep(0.05)

    def gone(self, pattern: str, seconds: float = 30) -> None:
        """Wait until ``pattern`` has left the screen (a dialog closed)."""
        end = time.monotonic() + seconds
        while re.search(pattern, self.t.screen()):
            if time.monotonic() > end:
                raise AssertionError(f"{pattern!r} still on screen:\n{self.t.screen()}")
            time.sleep(0.05)

    def caret_in(self, label: str, below: int = 0, seconds: float = 30) -> None:
        """Wait until the caret is in the field on the row of ``label`` (or ``below`` it).

        A field's caret is where the terminal's cursor is, so this is what a
        person sees before typing into the field they moved to.
        """
        end = time.monotonic() + seconds
        while True:
            rows = self.t.screen().splitlines()
            wanted = [n + below for n, row in enumerate(rows) if label in row]
            if wanted and self.t.cursor()[1] == wanted[0]:
                return
            if time.monotonic() > end:
                raise AssertionError(
                    f"the caret is not in {label!r} (+{below}) but at {self.t.cursor()}:\n"
                    + "\n".join(rows)
                )
            time.sleep(0.05)

    def opens(self, key: str, pattern: str) -> str:
        """Press ``key`` and wait for what it opens to be ready for typing."""
        self.keys(key)
        return self.wait(pattern)


@pytest.fixture
def walk(tmp_path: Path) -> Iterator[Walk]:
    home = tmp_path / "home"
    (home / "protocols").mkdir(parents=True)
    shutil.copy(FIXTURES / "mini-protocol.toml", home / "protocols" / "mini.toml")
    server = f"formers-walk-{os.getpid()}"
    subprocess.run(["tmux", "-L", server, "new-session", "-d", "-s", "keep"], check=True)
    command = (
        f"cd {tmp_path} && exec env -u FORMERS_PASSPHRASE FORMERS_HOME={home} "
        f"FORMERS_LOCK_MINUTES=0 {sys.executable} -m formers_tui"
    )
    terminal = Terminal(server, f"formers-walk-{os.getpid()}", command)
    try:
        yield Walk(terminal)
    finally:
        terminal.close()
        subprocess.run(["tmux", "-L", server, "kill-server"], capture_output=True)


def rate_everything(w: Walk, who: int, levels: tuple[str, ...]) -> None:
    """One panelist in with their PIN (chosen now), rates every indicator, submits each domain."""
    name, pin = PANEL[who]
    w.opens("F6", "Who is rating")
    w.keys(*["Down"] * who)
    w.wait(f"{name} has no PIN yet")
    w.type(pin)  # typed on the name list: it goes to the PIN field
    w.keys("Enter")  # a first PIN is typed twice
    w.type(pin)
    w.keys("Enter")
    w.wait(f"rating: {name}")
    w.opens("C-g", "Go to indicator")  # back to the first indicator
    w.type("ONE-1")
    w.keys("Enter")
    w.gone("Go to indicator")
    for indicator, level in zip(INDICATORS, levels, strict=True):
        # The indicator's heading (a toast may cover the title of its notes for seconds).
        w.wait(f"Notes · {indicator}|▕ {indicator} · ")
        w.opens("C-r", f"Rate {indicator}")
        w.type(level)  # in the level list: picks it, and the cursor moves to the rationale
        w.type(f"{name} heard it")
        w.keys("Tab")  # a habitual Tab: words after it are still the rationale
        w.type(" twice")
        w.keys("C-s")
        # Every word typed is in the rationale, none was read as a level.
        w.wait_in_prompts(f"{name}: {level}")
        w.wait_in_prompts(f"{name} heard it twice")
        if indicator == INDICATORS[-1]:
            w.wait(f"rated {len(INDICATORS)}/{len(INDICATORS)}")  # before the toasts that follow
        if indicator in SUBMIT_AFTER:
            w.opens("C-u", "Submit Domain")
            w.keys("C-s")
            w.wait(f"· {SUBMIT_AFTER[indicator]} submitted")
        w.keys("C-n")


def test_a_whole_interview_at_80x24(walk: Walk) -> None:
    w = walk
    # A new store: the passphrase twice, a fast Tab between them.
    w.wait("choose a passphrase")
    w.type(PASSPHRASE)
    w.keys("Tab")
    w.type(PASSPHRASE)
    w.keys("Enter")
    w.wait("No interviews yet")

    # The form: code, the small protocol, consent four Tabs from the code, a panel of three.
    w.opens("n", "Candidate code")
    w.type("PM-WALK-1")
    w.keys("Tab", "Tab", "Enter")
    w.wait("Mini protocol")
    w.keys("Up", "Enter")
    w.gone("Peer Mentor Readiness")  # the list of protocols closed on the choice
    w.keys("Tab")
    w.caret_in("Interview date")
    w.t.keys_changing("informed consent to", "Tab")  # the box has the focus
    w.t.keys_changing("informed consent to", "Space")  # and is ticked
    w.keys("Tab")
    w.caret_in("Consent date")
    w.keys("Tab")
    w.caret_in("Panel ", below=1)  # the first member's name
    for n, (name, _) in enumerate(PANEL):
        if n:
            w.keys("C-n")
            w.wait(r"Chair +✕[\s\S]*" * (n + 1))  # a row for the next member, focused
        w.type(name)
    w.keys("C-s")
    w.wait("Notes · ONE-1")

    # Capture: notes, a quote, evidence, the timeline, a flag.
    w.type("Says he left in 2015 after his friend's arrest.")
    w.wait(r"Saved \d\d:\d\d")
    w.opens("C-t", "Verbatim quote")
    w.type("I walked away and never looked back.")
    w.keys("C-s")
    w.wait("Captured: 1 quote")
    w.opens("C-l", "Collateral evidence")
    w.keys("Tab", "Tab", "Tab", "Tab", "Tab")
    w.type("Probation file confirms the programme.")
    w.keys("C-s")
    w.wait("Captured: 1 evidence")
    w.opens("F8", "When involvement began")
    w.type("2010-01-01")
    w.keys("Tab", "Tab")
    w.type("2015-06-01")
    w.wait("the guideline")
    w.keys("Escape")
    w.wait("Captured:")
    w.opens("C-f", "Safety flag")
    w.keys("Tab")
    w.type("Mentions an old friend still involved.")
    w.keys("C-s")
    w.wait("⚑ 1 open flag")

    # Three panelists rate blind and submit.
    rate_everything(w, 0, ("2", "2", "1", "3"))
    rate_everything(w, 1, ("2", "1", "1", "3"))
    rate_everything(w, 2, ("2", "2", "1", "3"))

    # The flag is dealt with before anything positive can be signed.
    w.opens("F10", "Action taken")
    w.type("Consulted the team lead; no current contact, noted for supervision.")
    w.keys("C-s")
    w.gone("OPEN SAFETY FLAG")

    # The panel view: consensus on each indicator, the determination, sign-off.
    chair_pin = PANEL[0][1]
    w.opens("C-b", "panel view")
    w.keys("2")
    w.wait("No consensus yet")
    for indicator, level in zip(INDICATORS, ("2", "2", "1", "3"), strict=True):
        w.opens("c", f"Consensus.*{indicator}|{indicator}.*[Cc]onsensus")
        w.type(level)
        w.type("The panel agrees on what was heard.")
        w.keys("Tab", "Enter", "Enter", "Enter")  # past the dissent fields: nobody dissents
        w.type(chair_pin)
        w.keys("Enter")
        w.gone("Consensus level")
        # The panel view has read it back: the level is in the row's Consensus column.
        w.wait(rf"(?m)^ {indicator} .* \d +\d +\d +{level}\b")
    w.opens("d", r"Outcome \(1, 2 or 3")
    w.type("1")  # ready, against the computed suggestion: the panel says why
    w.wait("differs from the suggestion")
    w.type("Ready: a steady account, confirmed by the probation file.")
    w.keys("Tab")
    w.type("The panel weighs the probation file more than the suggestion does.")
    w.keys("Tab")
    w.type(chair_pin)
    w.keys("Enter")
    w.gone(r"Outcome \(1, 2 or 3")
    w.wait("Determination: Ready")
    w.opens("s", "Who signs now")
    for n, (name, pin) in enumerate(PANEL):
        w.wait(f"PIN for {name}|{name}")
        w.type(pin)
        w.keys("Enter")
        if n < len(PANEL) - 1:
            w.wait(rf"Signed: [^·]*{name}")
            w.keys("Down")
    w.wait("No addenda. Press a")

    # An addendum, then back to the list.
    w.opens("a", "Addendum to the finalized")  # written by whoever is at the keyboard
    w.type("A date was misheard")
    w.keys("Enter")
    w.type("Disengaged in June 2015, not January.")
    w.keys("BTab", "BTab")  # back up to the PIN
    w.type(PANEL[2][1])
    w.keys("C-s")
    w.gone("Addendum to the finalized")
    w.keys("Escape")  # the panel view, back to the interview
    w.wait("Finalized")
    w.keys("Escape")  # the interview, back to the list
    listed = w.wait(r"PM-WALK-1 +finalized")
    assert "Candidate" in listed

    # Locked in the interview: the chair's PIN opens it again, and the chair rates.
    w.keys("Enter")
    w.wait("Notes · ")
    w.opens("F11", "Locked. Who is rating now")
    w.type(chair_pin)
    w.keys("Enter")
    w.wait(f"rating: {PANEL[0][0]}")
