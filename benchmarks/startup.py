"""What people wait for at start-up, in a real terminal, against a bare Textual app.

Every figure is the time from starting the process until the terminal shows
a *usable* screen: the text a person needs next and the footer (the title
bar is drawn in the first frame, long before anything usable). Each program
runs in its own tmux session, started the same way, and the screen is
polled every few milliseconds (:class:`Terminal`).

The runs are interleaved: each round starts every program once, so a
machine getting busier or quieter during the run affects each figure and
its floor alike; the first round only warms the file cache. Figures are
medians over :data:`ROUNDS` rounds, and the spread (slowest/fastest run of
the floor) is printed, since on a shared machine it says how far to trust a
ratio.

Memory is read from ``/proc`` while the program runs: resident memory once
it has settled (:data:`SETTLE`) and the peak, which for an encrypted store
includes Argon2's 64 MiB working memory.

Peers are optional rows, measured side by side with the same floor:
``FORMERS_BENCH_FROGMOUTH`` and ``FORMERS_BENCH_POSTING`` name their
executables (each installed in a virtual environment of its own), or they
are looked up on ``PATH``.
"""

from __future__ import annotations

import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from benchmarks.common import Figure, compile_bytecode

ROOT = Path(__file__).resolve().parent.parent

ROUNDS = 7
"""Measured rounds (after one warm-up round)."""
SIZE = ("100", "30")
"""Terminal columns and rows."""
POLL = 0.005
"""Seconds between two looks at the screen."""
TIMEOUT = 30.0
SETTLE = 1.5
"""Seconds after the screen is usable before memory is read (workers finish, imports settle)."""
PASSPHRASE = "correct horse battery staple"
FLOOR_FOOTER = "palette"
"""The floor's footer shows only the command palette key."""
FOOTER = "f1 Help"
"""Every footer of this program offers help."""
TYPING = 2.0
"""Seconds between the passphrase's first key and Enter: a person types about five keys a
second, and the program may use that time (the benchmark's passphrase is 28 keys)."""
EXTRA_MS = 100.0
"""Enter on the passphrase may take one key derivation and this much more."""


@dataclass
class Case:
    """One program to start and the text that says its screen is usable."""

    name: str
    command: str
    markers: Sequence[str]
    """Every one of these must be on screen."""
    then: tuple[str, Sequence[str]] | None = None
    """Keys to send once usable, and the markers of the screen they lead to."""
    times: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)
    """Processor seconds the program had used when its screen became usable."""
    then_times: list[float] = field(default_factory=list)
    rss: list[int] = field(default_factory=list)
    """Resident KiB once settled."""
    peak: list[int] = field(default_factory=list)
    """Peak resident KiB."""

    def median(self, values: list[float] | list[int]) -> float:
        return statistics.median(values) if values else float("nan")


class Terminal:
    """A tmux server of this run's own: the default one exits with its last session."""

    def __init__(self) -> None:
        self.tmux = ["tmux", "-L", f"formers-startup-{os.getpid()}"]
        subprocess.run([*self.tmux, "new-session", "-d", "-s", "keep"], check=True)

    def close(self) -> None:
        subprocess.run([*self.tmux, "kill-server"], capture_output=True)

    def screen(self, name: str) -> str:
        return subprocess.run(
            [*self.tmux, "capture-pane", "-p", "-t", name], capture_output=True, text=True
        ).stdout

    def wait(self, name: str, markers: Sequence[str], since: float) -> float:
        """Seconds from ``since`` until every marker is on screen."""
        while time.perf_counter() - since < TIMEOUT:
            screen = self.screen(name)
            words = " ".join(screen.split())  # a sentence may wrap
            if all(marker in words for marker in markers):
                return time.perf_counter() - since
            time.sleep(POLL)
        raise RuntimeError(f"{markers!r} never appeared; the screen was:\n{screen}")

    def measure(self, case: Case, env: dict[str, str], memory: bool) -> None:
        """Start ``case`` once and record its times (and memory)."""
        name = f"s{time.monotonic_ns()}"
        start = time.perf_counter()
        subprocess.run(
            [*self.tmux, "new-session", "-d", "-s", name, "-x", SIZE[0], "-y", SIZE[1]]
            + [f"cd {shlex.quote(str(ROOT))} && exec {_env_prefix(env)} {case.command}"],
            check=True,
        )
        try:
            pid = int(
                subprocess.run(
                    [*self.tmux, "list-panes", "-t", name, "-F", "#{pane_pid}"],
                    capture_output=True,
                    text=True,
                    check=True,
                ).stdout.split()[0]
            )
            case.times.append(self.wait(name, case.markers, start))
            case.cpu.append(cpu_seconds(pid))
            if case.then is not None:
                keys, markers = case.then
                subprocess.run([*self.tmux, "send-keys", "-t", name, "-l", keys], check=True)
                time.sleep(TYPING)
                pressed = time.perf_counter()
                subprocess.run([*self.tmux, "send-keys", "-t", name, "Enter"], check=True)
                case.then_times.append(self.wait(name, markers, pressed))
            if memory:
                time.sleep(SETTLE)
                now, peak = memory_kib(pid)
                case.rss.append(now)
                case.peak.append(peak)
        finally:
            subprocess.run([*self.tmux, "kill-session", "-t", name], capture_output=True)


def _env_prefix(env: dict[str, str]) -> str:
    """``env`` as a command prefix: a tmux session gets its server's environment, not ours."""
    pairs = " ".join(f"{key}={shlex.quote(value)}" for key, value in sorted(env.items()))
    return f"env -u FORMERS_PASSPHRASE {pairs}"


def cpu_seconds(pid: int) -> float:
    """Processor time (user and system, all threads) process ``pid`` has used so far."""
    with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    utime, stime = int(fields[11]), int(fields[12])
    return (utime + stime) / os.sysconf("SC_CLK_TCK")


def memory_kib(pid: int) -> tuple[int, int]:
    """Resident and peak resident memory of process ``pid``, in KiB."""
    values = {}
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = int(rest.split()[0])
    return values["VmRSS"], values["VmHWM"]


def peer(variable: str, program: str) -> str | None:
    """The executable of an optional peer program, if installed."""
    return os.environ.get(variable) or shutil.which(program)


def argon2_seconds(rounds: int) -> float:
    """Median time of one key derivation as the store does it."""
    from formers_tui.store.crypto import derive_key

    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        derive_key(PASSPHRASE, os.urandom(16))
        samples.append(time.perf_counter() - began)
    return statistics.median(samples)


def _prepare(folder: Path) -> tuple[Path, str]:
    """An encrypted store holding the demo interview, and that interview's id."""
    from formers_tui.demo import seed_demo
    from formers_tui.store.backup import copy_database
    from formers_tui.store.crypto import new_key
    from formers_tui.store.engine import create_private_file
    from formers_tui.store.store import Store

    plain = folder / "plain.db"
    interview_id = seed_demo(plain)
    store = folder / "store.db"
    key = new_key(PASSPHRASE)
    create_private_file(store)
    copy_database(plain, store, key=None, target_key=key)
    Store.open(store, key=key, create=False).close()  # migrated, and the day's backup taken
    return store, interview_id


def cases(interview_id: str) -> tuple[Case, list[Case]]:
    """The floor, and every program measured against it."""
    python = shlex.quote(sys.executable)
    formers = f"{python} -m formers_tui"
    with_passphrase = f"env FORMERS_PASSPHRASE={shlex.quote(PASSPHRASE)} {formers}"
    interview = ("Notes ·", FOOTER)
    listed = ("DEMO-001", "Resume last", FOOTER)
    floor = Case(
        "bare Textual app", f"{python} -m benchmarks.apps.minimal", ("Reintegration", FLOOR_FOOTER)
    )
    measured = [
        Case(
            "`formers`, encrypted store: passphrase prompt",
            formers,
            ("Passphrase", "press Enter", FOOTER),
            then=(PASSPHRASE, listed),
        ),
        Case("`formers`, passphrase in the environment: first page", with_passphrase, listed),
        Case(
            "`formers open ID`: notes ready",
            f"{with_passphrase} open {interview_id[:8]}",
            interview,
        ),
        Case("`formers demo`: notes ready", f"{formers} demo", interview),
    ]
    frogmouth = peer("FORMERS_BENCH_FROGMOUTH", "frogmouth")
    if frogmouth:
        measured.append(
            Case("Frogmouth (peer)", shlex.quote(frogmouth), ("Welcome to Frogmouth", "Navigation"))
        )
    posting = peer("FORMERS_BENCH_POSTING", "posting")
    if posting:
        measured.append(
            Case("Posting (peer)", shlex.quote(posting), ("Collection is empty", "Commands"))
        )
    return floor, measured


TARGETS = {
    "`formers`, encrypted store: passphrase prompt": 1.3,
    "`formers`, passphrase in the environment: first page": 2.0,
    "`formers open ID`: notes ready": 2.0,
    "`formers demo`: notes ready": 2.0,
}


def run(rounds: int = ROUNDS, progress: Callable[[str], object] | None = None) -> list[Figure]:
    if not shutil.which("tmux"):
        raise RuntimeError("tmux is needed to measure start-up in a real terminal")
    compile_bytecode()
    with tempfile.TemporaryDirectory() as name:
        folder = Path(name)
        store, interview_id = _prepare(folder)
        env = {
            "FORMERS_HOME": str(folder / "home"),
            "FORMERS_DB": str(store),
            "FORMERS_LOCK_MINUTES": "0",
            "XDG_DATA_HOME": str(folder / "xdg-data"),
            "XDG_CONFIG_HOME": str(folder / "xdg-config"),
        }
        floor, measured = cases(interview_id)
        terminal = Terminal()
        kdf: list[float] = []
        try:
            for round_ in range(rounds + 1):
                for case in (floor, *measured):
                    terminal.measure(case, env, memory=True)
                kdf.append(argon2_seconds(1))
                if round_ == 0:  # warm-up: forget it
                    for case in (floor, *measured):
                        case.times.clear()
                        case.cpu.clear()
                        case.then_times.clear()
                        case.rss.clear()
                        case.peak.clear()
                    kdf.clear()
                if progress is not None:
                    progress(f"startup: round {round_} of {rounds} done")
        finally:
            terminal.close()
    return figures(floor, measured, statistics.median(kdf))


def figures(floor: Case, measured: list[Case], kdf_seconds: float) -> list[Figure]:
    """The table rows for the measured cases."""
    base = floor.median(floor.times) * 1000
    spread = max(floor.times) / min(floor.times) if floor.times else float("nan")
    result = [
        Figure(
            f"{case.name} (floor spread {spread:.2f}x)" if i == 0 else case.name,
            case.median(case.times) * 1000,
            floor.name,
            base,
            target=TARGETS.get(case.name),
        )
        for i, case in enumerate(measured)
    ]
    floor_cpu = floor.median(floor.cpu) * 1000
    result += [
        Figure(
            f"processor time to usable, {case.name}",
            case.median(case.cpu) * 1000,
            floor.name,
            floor_cpu,
        )
        for case in measured
        if case.cpu
    ]
    prompt = measured[0]
    if prompt.then_times:
        kdf_ms = kdf_seconds * 1000
        result.append(
            Figure(
                "Enter on the passphrase to the first page",
                prompt.median(prompt.then_times) * 1000,
                "one Argon2id derivation",
                kdf_ms,
                target=(kdf_ms + EXTRA_MS) / kdf_ms,
            )
        )
    floor_rss = floor.median(floor.rss) / 1024
    for case in measured:
        if not case.rss:
            continue
        result.append(
            Figure(
                f"steady RSS, {case.name}",
                case.median(case.rss) / 1024,
                floor.name,
                floor_rss,
                target=2.0 if "open ID" in case.name else None,
                unit="MiB",
            )
        )
    for case in measured:
        if case.peak and ("environment" in case.name or "open ID" in case.name):
            result.append(
                Figure(
                    f"peak RSS (Argon2 included), {case.name}",
                    case.median(case.peak) / 1024,
                    floor.name,
                    floor.median(floor.peak) / 1024,
                    unit="MiB",
                )
            )
    return result
