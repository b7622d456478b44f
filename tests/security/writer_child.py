"""A child process that saves notes as fast as it can, reporting each commit.

Used by the fault tests: the parent kills it with SIGKILL at a random moment
and then checks that every commit it reported survived.
"""

from __future__ import annotations

import sys
from pathlib import Path


def main(store_file: str, interview_id: str, indicator: str, count: int) -> None:
    from formers_tui.store import capture
    from formers_tui.store.store import Store

    store = Store.open(Path(store_file))
    print("ready", flush=True)
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


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]))
