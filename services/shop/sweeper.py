"""The shop's background thread: expired reservations released, the local gateway's webhooks
sent, payments left mid-way settled, support SLAs checked, expired guest carts deleted, and
the ledger published to the lake when it changed.
"""

from __future__ import annotations

import logging
import threading
import time
from typing import Any

log = logging.getLogger(__name__)


class Sweeper:
    def __init__(self, service: Any) -> None:
        self.service = service
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def one_pass(self, slow_due: bool) -> None:
        """One pass; ``slow_due``: also the slower duties (reconcile, SLAs, guest carts)."""
        svc = self.service
        svc.sweep()
        if svc.local_gateway is not None:
            svc.local_gateway.deliver_webhooks()
        if slow_due:
            svc.reconcile()
            svc.support.check_slas()
            svc.carts.purge_guest_carts()
        if svc.dirty.is_set():
            svc.publish()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._stop.clear()
        conf = self.service.conf

        def loop() -> None:
            last = 0.0
            while not self._stop.wait(conf.sweep_interval_s):
                slow_due = time.monotonic() - last > conf.reconcile_interval_s
                if slow_due:
                    last = time.monotonic()
                try:
                    self.one_pass(slow_due)
                except Exception:  # noqa: BLE001 - the sweeper must outlive one bad pass
                    log.exception("shop sweeper pass failed")

        self._thread = threading.Thread(target=loop, name="shop-sweeper", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=10)
            self._thread = None
