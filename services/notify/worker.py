"""The delivery worker: claims due deliveries, sends them, and records the outcome.

At-least-once: a delivery is claimed with a lease, sent with its id as the provider
idempotency key, then marked sent. A worker killed between send and mark leaves the lease to
expire; the next claim sends again with the same key, which the provider de-duplicates.
Quiet hours and opt-outs are checked again at send time, since they may have changed since
the notification was accepted. Retryable failures back off with full jitter; after
``max_attempts`` the delivery is dead-lettered.
"""

from __future__ import annotations

import logging
import os
import random
import socket
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from typing import TYPE_CHECKING

from sqlalchemy import Engine

from services.notify import preferences as prefs_mod
from services.notify import queue, store, subscriptions, templates
from services.notify.channels import Channel, Job
from services.notify.events import emit_all, event
from services.notify.jetstream import JetStreamDispatch
from services.notify.settings import NotifySettings
from services.notify.tracking import Tracker
from warehouse.emitter import Emitter
from warehouse.events import Event

if TYPE_CHECKING:
    from services.notify.service import NotifyService

log = logging.getLogger(__name__)


class Worker:
    """One delivery loop with a pool of ``conf.concurrency`` sends in flight.

    Built by ``NotifyService.worker()``, which hands it the service's store, emitter, clock
    and channel adapters. ``owned`` are the adapters and dispatch made for this worker alone:
    ``close()`` closes them. With ``tracker``, emails carry an open pixel and (unless the
    type is mandatory) a one-click unsubscribe link.
    """

    def __init__(
        self,
        engine: Engine,
        cfg: NotifySettings,
        emitter: Emitter | None,
        channels: Mapping[str, Channel],
        *,
        rng: random.Random | None = None,
        dispatch: JetStreamDispatch | None = None,
        clock: Callable[[], float] = time.time,
        owned: tuple[object, ...] = (),
        tracker: Tracker | None = None,
    ) -> None:
        self.engine = engine
        self.cfg = cfg
        self.emitter = emitter
        self.channels = channels
        self.clock = clock
        self.owner = f"{socket.gethostname()}-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.rng = rng or random.Random()
        self.pool = ThreadPoolExecutor(max_workers=cfg.concurrency, thread_name_prefix="notify")
        self.stop = threading.Event()
        self.dispatch = dispatch
        self.tracker = tracker
        self._owned = owned
        self._closed = False
        self._swept_at = 0.0
        templates.seed_builtins(engine)

    @property
    def closed(self) -> bool:
        return self._closed

    # -- digests -----------------------------------------------------------------------
    def flush_digests(self, window_s: float | None = None) -> int:
        """Fold waiting low-priority deliveries older than the window into digests."""
        window = self.cfg.digest_window_s if window_s is None else window_s
        made = 0
        for user_id, channel in queue.due_digest_groups(self.engine, window, self.clock()):
            profile = prefs_mod.get_profile(self.engine, user_id)
            locale = profile.locale if profile else self.cfg.default_locale

            def body_for(subjects: list[str], locale: str = locale) -> tuple[str, str, str]:
                # Built-in digest template; data is only our own subjects.
                r = templates.render(
                    self.engine, "digest", locale, {"items": subjects}, self.cfg.default_locale
                )
                return r.subject, r.body, r.locale

            try:
                digest_id = queue.fold_digest(self.engine, user_id, channel, body_for, self.clock())
            except RuntimeError:
                continue  # another worker folded it
            if digest_id:
                made += 1
                if self.dispatch:
                    self.dispatch.publish([digest_id])
                emit_all(
                    self.emitter, [event("digest_created", user_id, digest_id, channel=channel)]
                )
        return made

    # -- one delivery ------------------------------------------------------------------
    def process(self, job: queue.Claimed) -> list[Event]:
        t = self.clock()
        base = {
            "channel": job.channel,
            "notification_id": job.notification_id,
            "attempt": job.attempts,
            "category": job.category,
        }
        profile = prefs_mod.get_profile(self.engine, job.user_id)
        if profile is None:
            queue.fail(self.engine, job, store.FAILED, "user no longer exists", t)
            return [event("delivery_failed", job.user_id, job.id, error="user gone", **base)]
        if job.priority != "urgent":
            until = prefs_mod.quiet_until(profile, t)
            if until is not None:
                queue.reschedule(self.engine, job, until, None, refund=True, current=t)
                return [event("delivery_deferred", job.user_id, job.id, not_before=until, **base)]
        user_prefs = prefs_mod.get_preferences(self.engine, job.user_id)
        rule = subscriptions.rule(self.engine, job.category)
        if not prefs_mod.allowed(user_prefs, profile, job.category, job.channel, rule):
            queue.fail(self.engine, job, store.SUPPRESSED, "user opted out", t)
            return [event("delivery_suppressed", job.user_id, job.id, reason="opted out", **base)]
        to = profile.contact(job.channel) or ""
        started = time.perf_counter()
        outcome = self.channels[job.channel].send(
            Job(
                job.id,
                job.notification_id,
                job.user_id,
                job.channel,
                job.category,
                to,
                job.subject,
                job.body,
                job.locale,
                **self._email_links(job, rule),
            )
        )
        send_ms = (time.perf_counter() - started) * 1000
        done = self.clock()
        if outcome.ok:
            queue.complete(self.engine, job, outcome.provider_message_id, done)
            latency_ms = (done - job.created_at) * 1000
            return [
                event(
                    "delivery_sent",
                    job.user_id,
                    job.id,
                    latency_ms=round(latency_ms, 1),
                    send_ms=round(send_ms, 1),
                    **base,
                )
            ]
        if outcome.retryable:
            if job.attempts >= self.cfg.max_attempts:
                queue.dead_letter(self.engine, job, outcome.error or "retries exhausted", done)
                return [event("delivery_dead", job.user_id, job.id, error=outcome.error, **base)]
            delay = queue.full_jitter(
                job.attempts, self.cfg.backoff_base_s, self.cfg.backoff_cap_s, self.rng
            )
            queue.reschedule(self.engine, job, done + delay, outcome.error, current=done)
            return [
                event(
                    "delivery_retry",
                    job.user_id,
                    job.id,
                    error=outcome.error,
                    delay_s=round(delay, 3),
                    **base,
                )
            ]
        queue.fail(self.engine, job, outcome.status, outcome.error or "rejected", done)
        return [
            event(
                "delivery_failed",
                job.user_id,
                job.id,
                error=outcome.error,
                status=outcome.status,
                **base,
            )
        ]

    def _email_links(self, job: queue.Claimed, rule: prefs_mod.TypeRule) -> dict[str, str]:
        """The open pixel and the unsubscribe link of an email (none for a mandatory type)."""
        if self.tracker is None or job.channel != "email":
            return {}
        links = {"open_url": self.tracker.open_url(job.id)}
        if not rule.mandatory:
            links["unsubscribe_url"] = self.tracker.unsubscribe_url(job.id)
        return links

    def _safe_process(self, job: queue.Claimed) -> list[Event]:
        try:
            return self.process(job)
        except Exception as exc:  # noqa: BLE001 - a bug in one job must not stop the worker
            log.exception("delivery %s crashed", job.id)
            delay = queue.full_jitter(
                job.attempts, self.cfg.backoff_base_s, self.cfg.backoff_cap_s, self.rng
            )
            t = self.clock()
            queue.reschedule(self.engine, job, t + delay, f"worker error: {exc!r}", current=t)
            return [
                event("delivery_retry", job.user_id, job.id, error=repr(exc), channel=job.channel)
            ]

    # -- the loop ----------------------------------------------------------------------
    def tick(self) -> int:
        """Fold due digests, then claim and process one batch. Returns jobs processed."""
        self.flush_digests()
        if self.dispatch is not None:
            try:
                return self._tick_jetstream(self.dispatch)
            except Exception:  # noqa: BLE001 - unacked work is redelivered after the lease
                log.warning("JetStream dispatch failed; retrying", exc_info=True)
                self.stop.wait(0.5)
                return 0
        jobs = queue.claim(
            self.engine, self.owner, self.cfg.batch_size, self.cfg.lease_s, self.clock()
        )
        if not jobs:
            return 0
        events = [e for evs in self.pool.map(self._safe_process, jobs) for e in evs]
        emit_all(self.emitter, events)
        return len(jobs)

    def _tick_jetstream(self, dispatch: JetStreamDispatch) -> int:
        """Work announced on JetStream; the store still arbitrates who sends what."""
        if time.monotonic() - self._swept_at > 30:
            self._swept_at = time.monotonic()
            t = self.clock()
            dispatch.publish(queue.due_unleased(self.engine, at=t), f"sweep-{int(t // 60)}")
        claimed = []
        for msg in dispatch.fetch(self.cfg.batch_size, timeout_s=0.2):
            job = queue.claim_one(
                self.engine, self.owner, msg.delivery_id, self.cfg.lease_s, self.clock()
            )
            if job is not None:
                claimed.append((msg, job))
                continue
            wait = queue.wait_for(self.engine, msg.delivery_id, self.clock())
            if wait is None:
                dispatch.ack(msg)  # finished already: a stale or repeated announcement
            else:
                dispatch.nak(msg, max(wait, 0.05))
        if not claimed:
            return 0
        events = [
            e for evs in self.pool.map(self._safe_process, [j for _, j in claimed]) for e in evs
        ]
        for msg, job in claimed:
            wait = queue.wait_for(self.engine, job.id, self.clock())
            if wait is None:
                dispatch.ack(msg)
            else:  # retry with backoff, or deferred by quiet hours
                dispatch.nak(msg, max(wait, 0.01))
        emit_all(self.emitter, events)
        return len(claimed)

    def run(
        self,
        *,
        drain: bool = False,
        horizon_s: float = 30.0,
        max_seconds: float | None = None,
        idle_sleep: float = 0.1,
    ) -> dict[str, int]:
        """Work until stopped; with ``drain``, until nothing is due within ``horizon_s``."""
        deadline = None if max_seconds is None else time.monotonic() + max_seconds
        processed = 0
        while not self.stop.is_set():
            if deadline is not None and time.monotonic() >= deadline:
                break
            n = self.tick()
            processed += n
            if n == 0:
                if (
                    drain
                    and queue.outstanding(
                        self.engine, include_future=False, at=self.clock() + horizon_s
                    )
                    == 0
                ):
                    break
                self.stop.wait(idle_sleep)
        return {"processed": processed}

    def close(self) -> None:
        """Stop the loop, finish sends in flight, and close what was made for this worker."""
        self.stop.set()
        if self._closed:
            return
        self._closed = True
        self.pool.shutdown(wait=True)
        for resource in self._owned:
            close = getattr(resource, "close", None)
            if close is not None:
                close()


def run_worker(
    svc: NotifyService,
    *,
    drain: bool = False,
    horizon_s: float = 30.0,
    max_seconds: float | None = None,
    flush_digests: bool = False,
) -> dict[str, int]:
    """Run one worker of ``svc`` in this process (what ``blueprint notify worker`` does).

    SIGTERM and SIGINT stop it after the current batch; SIGKILL leaves leases to expire.
    """
    import signal

    worker = svc.worker()

    def _stop(signum: int, frame: object) -> None:
        worker.stop.set()

    previous = {}
    if threading.current_thread() is threading.main_thread():
        for sig in (signal.SIGTERM, signal.SIGINT):
            previous[sig] = signal.signal(sig, _stop)
    idle = svc.conf.idle_sleep_s
    try:
        if flush_digests:
            worker.flush_digests(window_s=0)
        result = worker.run(
            drain=drain, horizon_s=horizon_s, max_seconds=max_seconds, idle_sleep=idle
        )
        if flush_digests:  # digests made of what arrived while running
            worker.flush_digests(window_s=0)
            result["processed"] += worker.run(
                drain=True, horizon_s=horizon_s, max_seconds=max_seconds, idle_sleep=idle
            )["processed"]
        return result
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        worker.close()


def main(argv: list[str] | None = None) -> None:
    """A worker process over the configured store (``python -m services.notify.worker``)."""
    import argparse

    from services.compose import build_service
    from warehouse.emitter import Emitter, make_transport
    from warehouse.settings import get_settings

    parser = argparse.ArgumentParser(description="Run a notification delivery worker.")
    parser.add_argument("--drain", action="store_true", help="stop when nothing is due")
    parser.add_argument("--horizon", type=float, default=30.0)
    parser.add_argument("--max-seconds", type=float, default=None)
    args = parser.parse_args(argv)
    settings = get_settings()
    emitter = Emitter(make_transport(settings, "notify-worker"))
    svc = build_service(settings, emitter, "notify")
    try:
        print(
            run_worker(svc, drain=args.drain, horizon_s=args.horizon, max_seconds=args.max_seconds)
        )
    finally:
        svc.close()
        emitter.close()


if __name__ == "__main__":
    main()
