"""A throwaway PostgreSQL cluster for the tests: one per pytest process.

The cluster is made with ``initdb`` and ``pg_ctl`` from the installed
PostgreSQL (``/usr/lib/postgresql/*/bin``, else ``pg_config --bindir``, else
``PATH``) in a temporary folder, listening on a free loopback port
(``listen_addresses=127.0.0.1``) and on a unix socket in the same folder;
the tests connect through the socket. As root (CI, the dev machines) the
server runs as the ``postgres`` user, the folder chowned to it. Durability
is off (``fsync``, ``full_page_writes``): a crashed test cluster is thrown
away anyway. At the end it is stopped (``pg_ctl stop -m immediate``) and
removed.

Migrations run once per cluster, into a template database; each test gets a
fresh ``CREATE DATABASE t_… TEMPLATE …`` copy, dropped after the test. The
next copy is made, and the last one dropped, on a thread of the fixture's
own while a test runs, so a test waits for neither.

Without PostgreSQL the fixtures fail loudly, unless ``FORMERS_TEST_PG=skip``
is set: then every test that needs the server is skipped.

Fixtures (registered in ``tests/conftest.py``; names and meanings are stable):

* ``pg_cluster`` (session): the running :class:`Cluster`.
* ``pg_url``: the ``postgresql://`` URL of a fresh, migrated database.
* ``pg_store``: :meth:`Store.open` on ``pg_url``, closed after the test.
* ``any_store``: parametrised ``sqlite`` / ``postgresql``: a fresh store of
  each kind (``request.param`` names it); used where the two code paths differ.
"""

from __future__ import annotations

import atexit
import glob
import os
import shutil
import socket
import subprocess
import tempfile
import uuid
from collections.abc import Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import pytest

SKIP_ENV = "FORMERS_TEST_PG"
"""``FORMERS_TEST_PG=skip`` skips the server tests instead of failing them."""
TEMPLATE = "formers_template"
SUPERUSER = "postgres"
DIALECTS = ("sqlite", "postgresql")
LOOPBACK_ALLOWED: set[tuple[str, int]] = set()
"""Loopback addresses of this process's cluster: the only ones the no-network guard lets through.

libpq connects in C, below Python's socket module, so the guard never sees
the tests' own connections (they use the unix socket anyway); this is for
any Python code that reaches the cluster over TCP.
"""


def pg_skipped() -> bool:
    """Whether the server tests are switched off (``FORMERS_TEST_PG=skip``)."""
    return os.environ.get(SKIP_ENV, "").strip().lower() == "skip"


def find_bindir() -> Path | None:
    """The folder holding ``initdb`` and ``pg_ctl`` (newest installed version first)."""
    versions = sorted(
        glob.glob("/usr/lib/postgresql/*/bin/initdb"),
        key=lambda p: (
            int(Path(p).parent.parent.name) if Path(p).parent.parent.name.isdigit() else 0
        ),
        reverse=True,
    )
    if versions:
        return Path(versions[0]).parent
    pg_config = shutil.which("pg_config")
    if pg_config:
        found = subprocess.run([pg_config, "--bindir"], capture_output=True, text=True, check=False)
        candidate = Path(found.stdout.strip())
        if (candidate / "initdb").exists():
            return candidate
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def free_port() -> int:
    """A loopback TCP port nobody listens on now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Cluster:
    """A running throwaway cluster: where its socket is and how to reach its databases."""

    bindir: Path
    root: Path
    port: int
    as_user: list[str] = field(default_factory=list)
    """The command prefix that runs a server program as ``postgres`` (when we are root)."""
    _chores: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(max_workers=1, thread_name_prefix="pg-chores")
    )
    _next: Future[str] | None = None

    @property
    def data(self) -> Path:
        return self.root / "data"

    @property
    def socket_dir(self) -> Path:
        return self.root

    def url(self, database: str = "postgres", user: str = SUPERUSER) -> str:
        """A libpq URL of ``database`` over the unix socket (no password: trust auth)."""
        return f"postgresql://{user}@/{database}?host={self.socket_dir}&port={self.port}"

    def _run(self, program: str, *args: str) -> None:
        command = [*self.as_user, str(self.bindir / program), *args]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            raise RuntimeError(f"{program} failed ({done.returncode}): {done.stderr.strip()}")

    def start(self) -> None:
        """``initdb`` then ``pg_ctl start`` (waits until the server accepts connections).

        Another process (a second test worker) may take the free port between
        choosing it and binding it: the server is then started on another.
        """
        self._run(
            "initdb",
            "-D",
            str(self.data),
            "-U",
            SUPERUSER,
            "--auth=trust",
            "-E",
            "UTF8",
            "--locale=C",
            "--no-sync",
            "--no-instructions",
        )
        for attempt in range(3):
            try:
                self._serve()
                return
            except RuntimeError:
                written = self.root / "server.log"
                log = written.read_text(errors="replace") if written.exists() else ""
                if "could not bind" not in log or attempt == 2:
                    raise
                self.port = free_port()

    def _serve(self) -> None:
        options = " ".join(
            [
                "-c listen_addresses=127.0.0.1",
                f"-c port={self.port}",
                f"-c unix_socket_directories={self.socket_dir}",
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=60",
                "-c shared_buffers=16MB",
            ]
        )
        self._run(
            "pg_ctl",
            "start",
            "-w",
            "-t",
            "60",
            "-D",
            str(self.data),
            "-l",
            str(self.root / "server.log"),
            "-o",
            options,
        )

    def stop(self) -> None:
        """Stop the server at once and remove its folder (again: nothing happens)."""
        if not self.root.exists():
            return
        self._chores.shutdown(wait=False, cancel_futures=True)  # the folder goes anyway
        try:
            self._run("pg_ctl", "stop", "-m", "immediate", "-D", str(self.data))
        except RuntimeError:
            pass
        shutil.rmtree(self.root, ignore_errors=True)

    def admin(self, *statements: str) -> None:
        """Run ``statements`` as the superuser, each in its own transaction (autocommit)."""
        import psycopg

        with psycopg.connect(self.url(), autocommit=True) as connection:
            for statement in statements:
                connection.execute(statement)  # type: ignore[arg-type]

    def _copy_template(self) -> str:
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE {TEMPLATE} STRATEGY WAL_LOG")
        return name

    def fresh_database(self) -> str:
        """A new database copied from the migrated template (made ahead); returns its name."""
        made, self._next = self._next, None
        name = made.result() if made is not None else self._copy_template()
        self._next = self._chores.submit(self._copy_template)
        return name

    def copy_database(self, source: str) -> str:
        """A new database copied from ``source`` (nobody may be connected to it)."""
        name = f"t_{uuid.uuid4().hex[:12]}"
        self.admin(f"CREATE DATABASE {name} TEMPLATE {source} STRATEGY WAL_LOG")
        return name

    @staticmethod
    def name_of(url: str) -> str:
        """The database a URL of :meth:`url` names."""
        return url.split("?", 1)[0].rsplit("/", 1)[1]

    def drop_database(self, name: str) -> None:
        """Drop ``name`` (on the chores thread), ending any connection a test left open."""
        self._chores.submit(self.admin, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def start_cluster() -> Cluster:
    """Make, start and migrate a throwaway cluster (see the module's notes).

    Raises:
        RuntimeError: PostgreSQL is not installed or would not start.
    """
    bindir = find_bindir()
    if bindir is None:
        raise RuntimeError(
            "PostgreSQL is not installed (no initdb found): install Debian's 'postgresql' "
            f"package, or set {SKIP_ENV}=skip to skip the server tests."
        )
    root = Path(tempfile.mkdtemp(prefix="formers-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(root, user=SUPERUSER)
        as_user = ["runuser", "-u", SUPERUSER, "--"]
    cluster = Cluster(bindir=bindir, root=root, port=free_port(), as_user=as_user)
    atexit.register(cluster.stop)  # also when the session ends without its teardown
    try:
        cluster.start()
        LOOPBACK_ALLOWED.add(("127.0.0.1", cluster.port))
        cluster.admin(f"CREATE DATABASE {TEMPLATE}")
        from formers_tui.store.store import Store

        Store.open(cluster.url(TEMPLATE)).close()
        cluster.admin(f"ALTER DATABASE {TEMPLATE} WITH IS_TEMPLATE true ALLOW_CONNECTIONS false")
    except BaseException:
        cluster.stop()
        raise
    return cluster


@pytest.fixture(scope="session")
def pg_cluster() -> Iterator[Cluster]:
    """The process's throwaway cluster (skipped with ``FORMERS_TEST_PG=skip``)."""
    if pg_skipped():
        pytest.skip(f"PostgreSQL tests switched off ({SKIP_ENV}=skip)")
    try:
        cluster = start_cluster()
    except RuntimeError as exc:
        pytest.fail(str(exc), pytrace=False)
    try:
        yield cluster
    finally:
        LOOPBACK_ALLOWED.discard(("127.0.0.1", cluster.port))
        cluster.stop()


@pytest.fixture
def pg_url(pg_cluster: Cluster) -> Iterator[str]:
    """The URL of a fresh, migrated database of its own."""
    name = pg_cluster.fresh_database()
    try:
        yield pg_cluster.url(name)
    finally:
        pg_cluster.drop_database(name)


@pytest.fixture
def pg_store(pg_url: str) -> Iterator[object]:
    """A :class:`Store` open on a fresh server database."""
    from formers_tui.store.store import Store

    opened = Store.open(pg_url)
    try:
        yield opened
    finally:
        opened.close()


def open_store_of(kind: str, request: pytest.FixtureRequest, tmp_path: Path) -> object:
    """A fresh store of ``kind`` (``sqlite``: a file in ``tmp_path``; ``postgresql``)."""
    from formers_tui.store.store import Store

    if kind == "sqlite":
        return Store.open(tmp_path / "store.db")
    url = request.getfixturevalue("pg_url")
    return Store.open(url)


class RawClient:
    """A SQL client that bypasses the app, on either kind of store (autocommit).

    ``sqlite3`` on the file, ``psycopg`` on the server: what someone with a
    SQL shell could do. :attr:`refused` is the error either raises when a
    guard refuses a statement.
    """

    def __init__(self, store: object) -> None:
        url = getattr(store, "url", None)
        self.server = url is not None
        if self.server:
            import psycopg

            self.connection: object = psycopg.connect(url, autocommit=True)
            self.refused: tuple[type[BaseException], ...] = (psycopg.IntegrityError,)
        else:
            import sqlite3

            self.connection = sqlite3.connect(store.path, isolation_level=None)
            self.refused = (sqlite3.IntegrityError,)

    def execute(self, statement: str) -> list[tuple[object, ...]]:
        """Run one statement; its rows, if it returns any."""
        cursor = self.connection.execute(statement)  # type: ignore[attr-defined]
        return list(cursor.fetchall()) if cursor.description else []

    def drop_trigger(self, name: str, table: str) -> None:
        """Drop a trigger (PostgreSQL names its table too)."""
        self.execute(f"DROP TRIGGER {name} ON {table}" if self.server else f"DROP TRIGGER {name}")

    def close(self) -> None:
        self.connection.close()  # type: ignore[attr-defined]

    def __enter__(self) -> RawClient:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()
