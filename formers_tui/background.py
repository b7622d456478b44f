"""Slow start-up work run on a thread of its own while the interface loads.

Deriving a store's key (Argon2 releases the interpreter lock) and building
the demo store (SQLite releases it while it executes) can use a second core
while the main thread imports and draws the interface. Nothing here imports
anything heavy.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class InBackground(Generic[T]):
    """The result of ``func(*args)``, computed on a daemon thread started at once."""

    def __init__(self, name: str, func: Callable[..., T], *args: object) -> None:
        self.name = name
        self._result: T | None = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, args=(func, args), name=f"formers-{name}", daemon=True
        )
        self._thread.start()

    def _run(self, func: Callable[..., T], args: tuple[object, ...]) -> None:
        try:
            self._result = func(*args)
        except BaseException as exc:  # handed to whoever waits for the result
            self._error = exc

    def result(self) -> T:
        """Wait for the result; raise what ``func`` raised, if it did."""
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._result  # type: ignore[return-value]  # set when no error

    def __repr__(self) -> str:  # never show the arguments (a passphrase) or the result (a key)
        return f"InBackground({self.name})"
