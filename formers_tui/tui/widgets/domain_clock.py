"""The interview's clocks: time spent per domain, as stored plus what is running now.

Time runs on the domain of the indicator on screen. It is handed to the
autosave in slices ("banked"); what has not been banked yet is still shown.
When the interview is finalized elsewhere (in the panel view), the running
slice is kept on screen but never written, so the clock stops rather than
jumping back to the last banked figure.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping


class DomainClock:
    """Seconds per domain, one of them running."""

    def __init__(
        self, clock: Callable[[], float], seconds: Mapping[str, float] | None = None
    ) -> None:
        """Start with the seconds already stored.

        Args:
            clock: monotonic seconds (tests pass a fixed one).
            seconds: seconds per domain id, as stored.
        """
        self._clock = clock
        self._seconds: dict[str, float] = dict(seconds or {})
        self._domain = ""
        self._start = clock()
        self._stopped = False

    @property
    def domain(self) -> str:
        """The domain whose time is running ("" before the first :meth:`run`)."""
        return self._domain

    @property
    def stopped(self) -> bool:
        """Whether the clock has stopped for good (the interview is finalized)."""
        return self._stopped

    def run(self, domain_id: str) -> tuple[str, float] | None:
        """Run ``domain_id``'s time from now; return the previous domain's unbanked slice."""
        if domain_id == self._domain:
            return None
        spent = self.bank()
        self._domain = domain_id
        return spent

    def live(self) -> float:
        """Seconds on the running domain not banked yet."""
        if self._stopped or not self._domain:
            return 0.0
        return max(0.0, self._clock() - self._start)

    def bank(self) -> tuple[str, float] | None:
        """Take the running slice: added here, returned to be written (``None``: nothing)."""
        now = self._clock()
        spent = 0.0 if self._stopped or not self._domain else now - self._start
        self._start = now
        if spent <= 0:
            return None
        self._seconds[self._domain] = self._seconds.get(self._domain, 0.0) + spent
        return self._domain, spent

    def stop(self) -> None:
        """Stop for good: the running slice stays on screen and is never written."""
        self.bank()
        self._stopped = True

    def total(self) -> float:
        """Seconds of the whole interview, the running slice included."""
        return sum(self._seconds.values()) + self.live()

    def of(self, domain_id: str) -> float:
        """Seconds of one domain, the running slice included if it is that one."""
        running = self.live() if domain_id == self._domain else 0.0
        return self._seconds.get(domain_id, 0.0) + running
