"""A background thread that runs one pass every few seconds: the services' sweepers.

Booking, rides and shop each release what lapsed (holds, offers, reservations), pump their
local gateway's webhooks and, less often, reconcile half-settled payments. What they share is
the loop, and it has to get three things right, so it lives here once:

- **It survives a bad pass.** An exception (a locked database, a gateway timeout) is logged
  and the next pass runs on time: a background duty never dies quietly and leaves holds
  unreleased for the life of the process.
- **It stops promptly.** The wait between passes is an ``Event.wait``, so ``stop()`` wakes it
  at once instead of after a full interval, and ``stop()`` joins the thread (bounded).
- **Passes never overlap.** One thread runs them one after another, a second ``start()`` is a
  no-op, and every pass holds the instance's lock, so a thread that outlived ``stop()``'s join
  (a pass stuck past its timeout) cannot run at the same time as the one a restart begins.
  Each ``start()`` gets its own stop event, so such a thread still ends after its pass.

``Every`` is the slower cadence inside a pass ("reconcile every ``reconcile_interval_s``").
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable

log = logging.getLogger(__name__)


class Periodic:
    """A daemon thread named ``name`` that runs a pass every few seconds until stopped.

    The pass and its interval are given to ``start()``, so whatever cadence state the pass
    closes over (an ``Every``) begins afresh with each start, as a new thread would.
    """

    def __init__(self, name: str, *, join_timeout_s: float = 10.0) -> None:
        self.name = name
        self.join_timeout_s = join_timeout_s
        self._pass_lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def running(self) -> bool:
        return self._thread is not None

    def start(self, interval_s: float, one_pass: Callable[[], object]) -> None:
        """Run ``one_pass()`` every ``interval_s`` s, the first one interval from now.

        A no-op while already running."""
        if self._thread is not None:
            return
        self._stop = stop = threading.Event()
        self._thread = threading.Thread(
            target=self._loop, args=(stop, interval_s, one_pass), name=self.name, daemon=True
        )
        self._thread.start()

    def stop(self) -> None:
        """Wake the thread and wait (at most ``join_timeout_s``) for its pass to finish."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=self.join_timeout_s)
            self._thread = None

    def _loop(
        self, stop: threading.Event, interval_s: float, one_pass: Callable[[], object]
    ) -> None:
        while not stop.wait(interval_s):
            with self._pass_lock:
                if stop.is_set():
                    return
                try:
                    one_pass()
                except Exception:  # noqa: BLE001 - the loop must outlive one bad pass
                    log.exception("%s pass failed", self.name)


class Every:
    """True at most once per ``interval_s`` of ``time.monotonic()``: a slower duty's turn.

    ``due()`` marks the turn taken when it answers True. ``at_start``: whether the first call
    is already due (else the first turn comes one interval after construction).
    """

    def __init__(
        self,
        interval_s: float,
        *,
        at_start: bool = True,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.interval_s = interval_s
        self._clock = clock
        self._last = 0.0 if at_start else clock()

    def due(self) -> bool:
        """Whether ``interval_s`` has passed since the last turn; if so, this is the turn."""
        now = self._clock()
        if now - self._last >= self.interval_s:
            self._last = now
            return True
        return False
