"""The shop's background thread: expired reservations released, the local gateway's webhooks
sent, payments left mid-way settled, support SLAs checked, expired guest carts deleted, and
the ledger published to the lake when it changed.
"""

from __future__ import annotations

from typing import Any

from services.periodic import Every, Periodic


class Sweeper:
    def __init__(self, service: Any) -> None:
        self.service = service
        self._loop = Periodic("shop-sweeper")

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
        """Passes every ``sweep_interval_s``; the first one also does the slower duties, and
        their turn is taken even when the pass fails."""
        conf = self.service.conf
        slow = Every(conf.reconcile_interval_s)
        self._loop.start(conf.sweep_interval_s, lambda: self.one_pass(slow.due()))

    def stop(self) -> None:
        self._loop.stop()
