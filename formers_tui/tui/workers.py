"""Conventions for store work done in thread workers.

The store is SQLite on disk: a query can wait on a lock or a slow disk, and
the panel must be able to keep typing meanwhile. So every store call runs in
a thread worker with its own session, and hands its result back as a
message::

    @work(thread=True, exclusive=True, exit_on_error=False, group=DB)
    def load(self) -> None:
        with self.store.session() as session:  # fresh session, this thread only
            rows = list_interviews(session)
        post_result(self, Loaded(rows))

Failures are handled in one place per node that starts workers::

    @on(Worker.StateChanged)
    def _worker_failed(self, event: Worker.StateChanged) -> None:
        error = user_error(event)
        if error is not None:
            self.show_error(str(error))

:func:`user_error` returns a :class:`~formers_tui.errors.FormersError` (a
sentence meant for the user) and re-raises anything else, so a bug stops the
app (and fails its test) instead of vanishing in a background thread.
"""

from __future__ import annotations

from textual.message import Message
from textual.message_pump import MessagePump
from textual.worker import Worker, WorkerState, get_current_worker

from formers_tui.errors import FormersError

DB = "db"
"""Worker group for store reads; ``exclusive=True`` lets a newer read replace an older one."""


def post_result(target: MessagePump, message: Message) -> bool:
    """Post a worker's result to ``target`` unless the worker has been superseded.

    Call from inside a thread worker. A cancelled worker (replaced by a newer
    ``exclusive`` one) keeps running until it returns, so its now-stale
    result is dropped here.

    Returns:
        Whether the message was posted.
    """
    if get_current_worker().is_cancelled:
        return False
    return target.post_message(message)


def user_error(event: Worker.StateChanged) -> FormersError | None:
    """The user-facing error a worker failed with, if it failed.

    Args:
        event: the state change of any worker.

    Returns:
        The :class:`FormersError` when the worker failed with one, else ``None``.

    Raises:
        BaseException: whatever else the worker raised; that is a bug, and
            hiding it would risk the panel's work.
    """
    if event.state is not WorkerState.ERROR:
        return None
    error = event.worker.error
    if isinstance(error, FormersError):
        return error
    assert error is not None
    raise error
