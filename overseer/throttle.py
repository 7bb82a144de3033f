"""Runs at once, adapted to the provider: when a run fails as the provider's (a 429, a 5xx: the
command exits 75 or reports ``provider_error``), the number of runs at once halves, not below 1;
after as many successes in a row as runs are allowed at once, it climbs back by one, up to ``-j``.
(Additive increase, multiplicative decrease, as TCP and the peers' harnesses do on rate limits.)
A run's outcome never depends on it: the same runs are made, with the same seeds; only when."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager


class Throttle:
    def __init__(self, most: int) -> None:
        self.most = self.limit = self.lowest = max(1, most)
        self.active = self.streak = self.halvings = 0
        self._changed = threading.Condition()

    @contextmanager
    def slot(self) -> Iterator[None]:
        """Hold one of the runs allowed at once while the body runs."""
        with self._changed:
            while self.active >= self.limit:
                self._changed.wait()
            self.active += 1
        try:
            yield
        finally:
            with self._changed:
                self.active -= 1
                self._changed.notify_all()

    def outcome(self, provider_failed: bool) -> None:
        """Tell the throttle how a run ended."""
        with self._changed:
            if provider_failed:
                self.limit = max(1, self.limit // 2)
                self.lowest = min(self.lowest, self.limit)
                self.streak = 0
                self.halvings += 1
            else:
                self.streak += 1
                if self.streak >= self.limit and self.limit < self.most:
                    self.limit += 1
                    self.streak = 0
            self._changed.notify_all()
