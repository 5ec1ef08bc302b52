"""The notification service: the one object the API, the CLI, the worker process, the Dagster
assets and other systems use.

It owns the store (``deliveries`` doubles as the durable work queue), its settings, its clock,
the channel adapters, the JetStream dispatch when scaled out, and the delivery workers it
starts; it emits every ``notify`` event itself. ``close()`` stops its worker threads and
releases the rest.
"""

from __future__ import annotations

import logging
import random
import threading
import time
from collections.abc import Callable, Mapping
from typing import Any

from sqlalchemy import Engine

from services.errors import Forbidden, Invalid, NotFound
from services.notify import inputs, queue, status, subscriptions, templates
from services.notify import preferences as prefs_mod
from services.notify.channels import Channel, build_channels
from services.notify.dkim import DkimSigner
from services.notify.errors import BadSignature
from services.notify.events import emit_all, event
from services.notify.jetstream import JetStreamDispatch
from services.notify.sending import SendRequest, accept, notification_view
from services.notify.settings import NotifySettings
from services.notify.tracking import Shorten, Tracker
from services.notify.worker import Worker
from warehouse.emitter import Emitter
from warehouse.urlsafety import UnsafeURLError, check_url

log = logging.getLogger(__name__)

DispatchFactory = Callable[[], JetStreamDispatch | None]


class NotifyService:
    """Send and schedule, preferences, templates, the DLQ, the inbox, provider callbacks,
    and the delivery workers.

    ``callback_secret`` is the HMAC key providers sign their callbacks with (the composition
    root resolves it: configured, or generated once under the data directory).
    ``channels`` replaces the real adapters (SMTP, HTTP providers, inbox) for every worker;
    the caller keeps ownership of them. ``dispatch`` announces new work on JetStream;
    ``dispatch_factory`` gives each worker its own pull subscription. ``tracker`` signs the
    open-pixel and unsubscribe URLs of emails; ``shorten`` turns links into tracked short
    links (``tracking``). Without them nothing is tracked. ``signer`` DKIM-signs email.
    """

    def __init__(
        self,
        engine: Engine,
        conf: NotifySettings,
        emitter: Emitter | None,
        *,
        callback_secret: str,
        clock: Callable[[], float] = time.time,
        channels: Mapping[str, Channel] | None = None,
        dispatch: JetStreamDispatch | None = None,
        dispatch_factory: DispatchFactory | None = None,
        tracker: Tracker | None = None,
        shorten: Shorten | None = None,
        signer: DkimSigner | None = None,
    ) -> None:
        if not callback_secret:
            raise ValueError("the notification service needs a callback secret")
        self.engine = engine
        self.conf = conf
        self.callback_secret = callback_secret
        self.emitter = emitter
        self.clock = clock
        self.channels = channels
        self.dispatch = dispatch
        self.dispatch_factory = dispatch_factory or (lambda: None)
        self.tracker = tracker
        self.shorten = shorten
        self.signer = signer
        self._workers: list[Worker] = []
        self._threads: list[tuple[Worker, threading.Thread]] = []
        self._lock = threading.Lock()
        templates.seed_builtins(engine)

    # -- who may manage whom -------------------------------------------------------------
    @staticmethod
    def ensure_may_manage(actor: str, user_id: str, privileged: bool) -> None:
        """Users manage their own notifications; ``privileged`` callers (services) anyone's."""
        if actor != user_id and not privileged:
            raise Forbidden("you can only manage your own notifications")

    # -- profiles, preferences, templates ------------------------------------------------
    def upsert_profile(self, user_id: str, **fields: str | None) -> prefs_mod.Profile:
        """Register or update contacts, time zone and locale (``Invalid`` on a bad zone, or a
        webhook URL that is not a public http(s) URL; ``""`` removes the webhook)."""
        url = fields.get("webhook_url")
        if url:
            try:
                fields["webhook_url"] = check_url(url, self.conf.webhook_policy()).href
            except UnsafeURLError as exc:
                raise Invalid(f"webhook_url: {exc}") from exc
        return prefs_mod.upsert_profile(self.engine, user_id, **fields)

    def profile(self, user_id: str) -> prefs_mod.Profile:
        found = prefs_mod.get_profile(self.engine, user_id)
        if found is None:
            raise NotFound(f"unknown user {user_id!r}")
        return found

    def preferences(
        self, user_id: str
    ) -> tuple[prefs_mod.Profile | None, dict[str, dict[str, bool]]]:
        """The user's profile (None before registration) and opt-in/opt-out rows."""
        return (
            prefs_mod.get_profile(self.engine, user_id),
            prefs_mod.get_preferences(self.engine, user_id),
        )

    def set_preferences(
        self,
        actor: str,
        user_id: str,
        *,
        channels: dict[str, bool] | None = None,
        categories: dict[str, dict[str, bool]] | None = None,
        timezone: str | None = None,
        quiet_hours: tuple[str, str] | None | bool = False,
    ) -> None:
        """Opt in or out per channel and category, set the zone and quiet hours.

        ``quiet_hours=None`` clears them, ``False`` leaves them as they are.
        """
        prefs_mod.set_preferences(
            self.engine,
            user_id,
            channels=channels,
            categories=categories,
            timezone=timezone,
            quiet_hours=quiet_hours,
        )
        attrs = {"channels": channels or {}, "categories": categories or {}}
        emit_all(self.emitter, [event("preferences_changed", actor, user_id, **attrs)])

    def put_template(self, name: str, locale: str, subject: str, body: str) -> None:
        """Add or replace a localised template; a syntax error is ``Invalid`` now."""
        templates.upsert(self.engine, name, locale, subject, body)

    # -- sending -------------------------------------------------------------------------
    def send(
        self, caller: str, req: SendRequest, idem_key: str | None = None
    ) -> tuple[dict[str, Any], bool]:
        """Accept a notification; returns ``(view, created)``. Same key and request: same id.

        Raises ``Invalid`` (422), ``UnknownUser`` (404) or ``IdempotencyConflict`` (409).
        """
        accepted = accept(self.engine, self.conf, caller, req, idem_key, self.clock(), self.shorten)
        emit_all(self.emitter, accepted.events)
        self.announce(accepted.pending)
        return accepted.view, accepted.created

    def notification(self, notification_id: str) -> dict[str, Any]:
        view = notification_view(self.engine, notification_id)
        if view is None:
            raise NotFound(f"no notification {notification_id!r}")
        return view

    def announce(self, delivery_ids: list[str], generation: str = "0") -> None:
        """Tell JetStream workers about new work; a failure is healed by the workers' sweep."""
        if self.dispatch is None or not delivery_ids:
            return
        try:
            self.dispatch.publish(delivery_ids, generation)
        except Exception:  # noqa: BLE001 - the store already holds the work
            log.warning("JetStream publish failed; the sweep will re-announce", exc_info=True)

    # -- the queue and the dead-letter queue ---------------------------------------------
    def stats(self, category: str | None = None) -> dict[str, int]:
        """Deliveries per status (the queue's depth is ``pending``; the DLQ is ``dead``),
        of every category or of one."""
        return queue.counts(self.engine, category)

    def breakdown(self) -> list[tuple[str, str, int, int]]:
        """``(channel, status, deliveries, retries)`` for every pair present."""
        return queue.breakdown(self.engine)

    def outstanding(self, include_future: bool = True) -> int:
        """Deliveries still to send (with ``include_future=False``: due now)."""
        return queue.outstanding(self.engine, include_future, self.clock())

    def dead_letters(self, limit: int = 100) -> list[dict[str, Any]]:
        """Dead-lettered deliveries, oldest first."""
        return queue.list_dead(self.engine, limit)

    def replay_dead(self, actor: str, ids: list[str] | None = None) -> list[str]:
        """Put dead deliveries (all, or ``ids``) back on the queue with a fresh attempt budget."""
        for delivery_id in ids or ():
            inputs.check_text(delivery_id, "a delivery id")
        t = self.clock()
        replayed = queue.replay_dead(self.engine, ids, t)
        self.announce(replayed, f"replay-{t:.0f}")
        if replayed:
            emit_all(self.emitter, [event("dlq_replayed", actor, None, ids=replayed)])
        return replayed

    # -- the inbox -----------------------------------------------------------------------
    def inbox(
        self, user_id: str, *, unread_only: bool = False, after: int = 0, limit: int = 50
    ) -> list[dict[str, Any]]:
        return status.list_inbox(
            self.engine, user_id, unread_only=unread_only, after=after, limit=limit
        )

    def latest_inbox_id(self, user_id: str) -> int:
        return status.latest_inbox_id(self.engine, user_id)

    def mark_read(self, user_id: str, message_id: int) -> None:
        """Mark a message of ``user_id``'s read (``NotFound`` for someone else's)."""
        changed = status.mark_read(self.engine, user_id, message_id, self.clock())
        if changed is None:
            raise NotFound(f"no inbox message {message_id} for you")
        if changed:
            emit_all(self.emitter, [event("inbox_read", user_id, str(message_id))])

    def inbox_totals(self) -> dict[str, int]:
        """Messages in every inbox and how many were read."""
        return status.inbox_totals(self.engine)

    # -- types, subscriptions, opens, one-click unsubscribe ------------------------------
    def put_type(
        self, name: str, description: str, *, default_subscribed: bool, mandatory: bool
    ) -> subscriptions.NotificationType:
        return subscriptions.put_type(
            self.engine,
            name,
            description,
            default_subscribed=default_subscribed,
            mandatory=mandatory,
        )

    def types(self) -> list[subscriptions.NotificationType]:
        return subscriptions.list_types(self.engine)

    def subscriptions(self, user_id: str) -> list[subscriptions.Subscription]:
        return subscriptions.subscriptions(self.engine, user_id)

    def subscribe(
        self,
        actor: str,
        user_id: str,
        name: str,
        subscribed: bool,
        channels: dict[str, bool] | None = None,
    ) -> subscriptions.Subscription:
        """Join or leave a type (``Conflict`` for leaving a mandatory one)."""
        found = subscriptions.subscribe(self.engine, user_id, name, subscribed, channels)
        kind = "subscribed" if subscribed else "unsubscribed"
        emit_all(self.emitter, [event(kind, actor, user_id, notification_type=name, via="api")])
        return found

    def _tracked_delivery(self, purpose: str, token: str) -> str:
        delivery_id = self.tracker.delivery(purpose, token) if self.tracker else None
        if delivery_id is None:
            raise NotFound("unknown or forged link")
        return delivery_id

    def record_open(self, token: str, user_agent: str | None) -> None:
        """An email's open pixel was fetched (each fetch is an event; rates count deliveries)."""
        delivery_id = self._tracked_delivery("open", token)
        row = queue.delivery_row(self.engine, delivery_id)
        if row is None:
            raise NotFound("unknown or forged link")
        emit_all(
            self.emitter,
            [
                event(
                    "email_opened",
                    row["user_id"],
                    delivery_id,
                    notification_id=row["notification_id"],
                    channel=row["channel"],
                    user_agent=(user_agent or "")[:256],
                )
            ],
        )

    def check_unsubscribe_link(self, token: str) -> None:
        """``NotFound`` unless ``token`` is a genuine unsubscribe link."""
        self._tracked_delivery("unsubscribe", token)

    def unsubscribe_link(self, token: str) -> str:
        """The one-click unsubscribe of an email: email off for its type, at once.

        Returns the type left."""
        delivery_id = self._tracked_delivery("unsubscribe", token)
        user_id, category = subscriptions.unsubscribe_delivery(self.engine, delivery_id)
        emit_all(
            self.emitter,
            [
                event(
                    "unsubscribed",
                    user_id,
                    delivery_id,
                    notification_type=category,
                    channel="email",
                )
            ],
        )
        return category

    # -- provider callbacks --------------------------------------------------------------
    def verify_callback(self, provider: str, raw: bytes, signature: str | None) -> None:
        """Check the HMAC of a provider's report before anything reads it."""
        if not status.verify(self.callback_secret, provider, raw, signature):
            raise BadSignature("bad or missing X-Signature (sha256 HMAC of the body)")

    def apply_callback(self, provider: str, message_id: str, report: str) -> dict[str, Any]:
        """A provider reports delivered, failed or bounced for a message it accepted."""
        inputs.check_text(message_id, "message_id")
        out, events = status.apply_callback(self.engine, provider, message_id, report, self.clock())
        emit_all(self.emitter, events)
        return out

    # -- delivery workers ----------------------------------------------------------------
    def worker(
        self,
        *,
        conf: NotifySettings | None = None,
        channels: Mapping[str, Channel] | None = None,
        dispatch: JetStreamDispatch | None = None,
        rng: random.Random | None = None,
    ) -> Worker:
        """A delivery worker over this service's store, emitter and clock.

        ``conf`` overrides the settings (providers, retry policy) for this worker only;
        without ``channels`` it gets the service's adapters, or its own built from ``conf``.
        ``close()`` of the service closes every worker it made.
        """
        conf = conf or self.conf
        owned: list[Any] = []
        if channels is None and conf is self.conf and self.channels is not None:
            channels = self.channels
        if channels is None:
            channels = build_channels(conf, self.engine, self.clock, self.signer)
            owned.extend(channels.values())
        if dispatch is None:
            dispatch = self.dispatch_factory()
            if dispatch is not None:
                owned.append(dispatch)
        made = Worker(
            self.engine,
            conf,
            self.emitter,
            channels,
            rng=rng,
            dispatch=dispatch,
            clock=self.clock,
            owned=tuple(owned),
            tracker=self.tracker,
        )
        with self._lock:
            self._workers = [w for w in self._workers if not w.closed]
            self._workers.append(made)
        return made

    def deliver_due(self, *, max_seconds: float = 60.0, horizon_s: float = 0.0) -> int:
        """Deliver what is due (within ``horizon_s``), then stop; returns deliveries processed."""
        worker = self.worker()
        try:
            result = worker.run(
                drain=True,
                horizon_s=horizon_s,
                max_seconds=max_seconds,
                idle_sleep=self.conf.idle_sleep_s,
            )
        finally:
            worker.close()
        return result["processed"]

    def start_workers(self, n: int | None = None) -> int:
        """Run ``n`` workers (default ``conf.app_workers``) in background threads until
        ``stop_workers()`` or ``close()``. Returns how many run now."""
        n = self.conf.app_workers if n is None else n
        for _ in range(n):
            worker = self.worker()
            thread = threading.Thread(
                target=self._run_forever,
                args=(worker,),
                name=f"notify-worker-{len(self._threads)}",
                daemon=True,
            )
            with self._lock:
                self._threads.append((worker, thread))
            thread.start()
        return len(self.running_workers())

    def running_workers(self) -> list[threading.Thread]:
        with self._lock:
            return [t for _, t in self._threads if t.is_alive()]

    def _run_forever(self, worker: Worker) -> None:
        while not worker.stop.is_set():
            try:
                worker.run(idle_sleep=self.conf.idle_sleep_s)
            except Exception:  # noqa: BLE001 - keep delivering after a store hiccup
                log.exception("notification worker loop failed; restarting it in 1 s")
                worker.stop.wait(1.0)

    def stop_workers(self, timeout_s: float = 30.0) -> None:
        """Stop the background workers after their current batch and wait for them."""
        with self._lock:
            threads, self._threads = self._threads, []
        for worker, _ in threads:
            worker.stop.set()
        for worker, thread in threads:
            thread.join(timeout_s)
            if thread.is_alive():
                log.warning("notification worker %s did not stop in %.0f s", thread.name, timeout_s)
                continue
            worker.close()

    def close(self) -> None:
        """Stop the worker threads, close every worker made here, the dispatch and the store."""
        self.stop_workers()
        with self._lock:
            workers, self._workers = self._workers, []
        for worker in workers:
            worker.close()
        if self.dispatch is not None:
            self.dispatch.close()
        self.engine.dispose()
