"""The notification system's composition root: the only place its service is put together."""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Mapping

from services.errors import DomainError
from services.notify.channels import Channel
from services.notify.dkim import DkimSigner, new_private_key
from services.notify.jetstream import JetStreamDispatch, make_dispatch
from services.notify.service import NotifyService
from services.notify.settings import NotifySettings
from services.notify.store import open_store
from services.notify.tracking import Shorten, Tracker
from services.shortener.service import ShortenerService
from warehouse.emitter import Emitter
from warehouse.secrets import secret, secret_path
from warehouse.settings import Settings

log = logging.getLogger(__name__)

CALLBACK_SECRET_NAME = "notify_callback_secret"
DKIM_KEY_NAME = "notify_dkim_private_key"
# Links in notifications become short links of system 1, so clicks are its click events.
NEEDS = ("shortener",)


def shortener_links(shortener: ShortenerService) -> Shorten:
    """Short links owned by ``notify``, one per link and delivery; ``None`` when the
    shortener refuses the URL (its safety rules), which leaves that link untracked."""

    def shorten(url: str) -> tuple[str, str] | None:
        try:
            link = shortener.create("notify", url)
        except DomainError as exc:
            log.info("link left untracked: %s", exc)
            return None
        return link.code, shortener.short_url(link.code)

    return shorten


def callback_secret(settings: Settings, conf: NotifySettings) -> str:
    """The HMAC key of provider callbacks: ``BLUEPRINT_NOTIFY_CALLBACK_SECRET`` when set,
    else one generated at first start under the data directory (mode 0600) and reused."""
    if conf.callback_secret:
        return conf.callback_secret
    value = secret(settings.data_dir, CALLBACK_SECRET_NAME)
    log.info(
        "provider callbacks are verified with the secret in %s "
        "(configure providers with it, or set BLUEPRINT_NOTIFY_CALLBACK_SECRET)",
        secret_path(settings.data_dir, CALLBACK_SECRET_NAME),
    )
    return value


def dkim_signer(settings: Settings, conf: NotifySettings) -> DkimSigner | None:
    """The DKIM signer of outgoing email: its key is made once under the data directory."""
    if not conf.dkim_sign:
        return None
    domain = conf.dkim_domain or conf.smtp_from.rpartition("@")[2]
    pem = secret(settings.data_dir, DKIM_KEY_NAME, generate=new_private_key)
    return DkimSigner(domain, conf.dkim_selector, pem)


def build(
    settings: Settings,
    emitter: Emitter,
    *,
    conf: NotifySettings | None = None,
    clock: Callable[[], float] = time.time,
    channels: Mapping[str, Channel] | None = None,
    dispatch: JetStreamDispatch | None = None,
    shortener: ShortenerService | None = None,
) -> NotifyService:
    """The notification service over its store (SQLite, or PostgreSQL when scaled out).

    ``clock`` is the service's "now": scheduling, quiet hours, leases and backoff all follow
    it, so tests move time instead of sleeping. ``channels`` replaces the real provider
    adapters (tests pass fakes; the caller closes them). Scaled out (``BLUEPRINT_NATS_URL``),
    new work is announced on JetStream through ``dispatch`` and each worker gets its own
    subscription. Provider callbacks are verified with ``callback_secret(settings, conf)``,
    and tracking links are signed with a key derived from it. With ``shortener``, links in
    messages are tracked through it.
    """
    conf = conf or NotifySettings()
    resolved_secret = callback_secret(settings, conf)

    def worker_dispatch() -> JetStreamDispatch | None:
        return make_dispatch(settings.nats_url, conf.lease_s)

    if dispatch is None and settings.nats_url:
        try:
            dispatch = worker_dispatch()
        except Exception:  # noqa: BLE001 - workers' sweeps still find the work in the store
            log.warning("JetStream unreachable at %s; not announcing work", settings.nats_url)
    return NotifyService(
        open_store(settings),
        conf,
        emitter,
        callback_secret=resolved_secret,
        clock=clock,
        channels=channels,
        dispatch=dispatch,
        dispatch_factory=worker_dispatch,
        tracker=Tracker(resolved_secret, settings.public_base_url),
        shorten=shortener_links(shortener) if shortener is not None else None,
        signer=dkim_signer(settings, conf),
    )
