"""A wall clock for tests: epoch seconds that move only when a test says so, passed where a
service takes ``clock: Callable[[], float]``, so tests step past a timeout instead of
sleeping through it."""

from __future__ import annotations


class FakeClock:
    """Wall time that moves only when a test says so."""

    def __init__(self, start: float = 1_750_000_000.0) -> None:
        self.now = start

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds
