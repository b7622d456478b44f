"""A child process that saves notes as fast as it can, reporting each commit.

Used by the fault tests: the parent kills it with SIGKILL at a random moment
and then checks that every commit it reported survived.

``--serve`` imports the program once and then forks a writer for each line
``store interview indicator count`` read from stdin: the writer prints
``ready <pid>`` and each commit's number, and once it has ended (or been
killed) this process prints ``done``. A kill test then spends its time
writing and killing rather than starting Python and importing the store a
score of times.
"""

from __future__ import annotations

import os
import sys
import traceback
from pathlib import Path


def main(
    store_file: str, interview_id: str, indicator: str, count: int, ready: str = "ready"
) -> None:
    from formers_tui.store import capture
    from formers_tui.store.store import Store

    store = Store.open(Path(store_file))
    print(ready, flush=True)
    for number in range(count):
        with store.session() as session:
            capture.save_note(
                session,
                interview_id=interview_id,
                indicator_id=indicator,
                text=f"note version {number} " + "words " * 200,
                actor="child",
            )
            session.commit()
        print(number, flush=True)
    store.close()


def serve() -> None:
    """Fork a writer for each request on stdin (see the module docstring)."""
    from formers_tui.store import capture, store

    del capture, store  # imported once, here, for every writer forked below
    while line := sys.stdin.readline():
        store_file, interview_id, indicator, count = line.split()
        sys.stdout.flush()
        pid = os.fork()
        if pid == 0:
            code = 0
            try:
                main(store_file, interview_id, indicator, int(count), f"ready {os.getpid()}")
            except BaseException:  # noqa: BLE001 - reported, then the writer ends
                traceback.print_exc()
                code = 1
            finally:
                sys.stdout.flush()
                os._exit(code)
        os.waitpid(pid, 0)
        print("done", flush=True)


if __name__ == "__main__":
    if sys.argv[1:] == ["--serve"]:
        serve()
    else:
        main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
