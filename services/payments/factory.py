"""Open a payment gateway adapter from settings, for any system that takes money.

``kind="local"`` with no URL runs the local gateway in-process over its own SQLite file
(the embedded default); with ``url`` it talks to a gateway process. ``kind="stripe"`` uses
the official SDK against ``url`` (Stripe itself when empty).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import httpx
from sqlalchemy import create_engine, event

from services.db import SQLITE_POOL
from services.payments.adapter import PaymentGateway
from services.payments.gateway import LocalGateway
from services.payments.gateway_app import InProcessClient
from services.payments.local import LocalGatewayAdapter
from services.payments.settings import GatewaySettings
from services.payments.sqlite import immediate_transactions
from warehouse.secrets import secret
from warehouse.sqlite_wal import enable_wal


def local_gateway(
    path: Path,
    *,
    api_key: str,
    webhook_secret: str,
    webhook_sink: Callable[[bytes, str], bool] | None = None,
) -> LocalGateway:
    """A local gateway over a SQLite file (WAL, so several threads may call it)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # As many pooled connections as the stores' engines (``services.db``): past the pool's
    # size a returned connection is closed and reopened on the next call.
    engine = create_engine(
        f"sqlite:///{path}",
        connect_args={"check_same_thread": False, "timeout": 30},
        pool_size=SQLITE_POOL,
        max_overflow=SQLITE_POOL,
    )

    @event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn, _record) -> None:
        enable_wal(dbapi_conn)
        dbapi_conn.execute("PRAGMA busy_timeout=30000")
        # As every store here: WAL with NORMAL sync survives a killed process (the chaos and
        # kill -9 tests), not a power cut; a real gateway is on a server database.
        dbapi_conn.execute("PRAGMA synchronous=NORMAL")

    return LocalGateway(
        immediate_transactions(engine),
        api_key=api_key,
        webhook_secret=webhook_secret,
        webhook_sink=webhook_sink,
    )


def open_gateway(
    kind: str,
    *,
    api_key: str,
    url: str = "",
    gateway: LocalGateway | None = None,
    timeout_s: float = 5.0,
    deliver_inline: bool = True,
) -> PaymentGateway:
    """The adapter for ``kind``: ``local`` (in-process ``gateway``, or a process at ``url``)
    or ``stripe``. In-process, webhooks go out after each call unless ``deliver_inline`` is
    off (then whoever runs the gateway calls ``deliver_webhooks``, off the payment path)."""
    if kind == "stripe":
        from services.payments.stripe_adapter import StripeAdapter

        return StripeAdapter(api_key, api_base=url or None)
    if kind != "local":
        raise ValueError(f"unknown payment gateway {kind!r}: local or stripe")
    client: httpx.Client | InProcessClient
    if url:
        client = httpx.Client(base_url=url, timeout=timeout_s)
    elif gateway is not None:
        client = InProcessClient(gateway, deliver_inline=deliver_inline)
    else:
        raise ValueError("a local gateway needs a url or an in-process gateway")
    return LocalGatewayAdapter(client, api_key)


def webhook_secret(data_dir: Path, system: str, conf: GatewaySettings) -> str:
    """The secret ``system``'s gateway webhooks are signed with: configured, else generated
    once under ``data_dir`` (``<system>_webhook``)."""
    return conf.webhook_secret or "whsec_" + secret(data_dir, f"{system}_webhook")


def system_gateway(
    data_dir: Path,
    system: str,
    conf: GatewaySettings,
    *,
    webhook_sink: Callable[[bytes, str], bool] | None = None,
) -> tuple[PaymentGateway, LocalGateway | None]:
    """``system``'s adapter as its settings say, and the in-process local gateway when it
    runs one (on ``<data_dir>/db/<system>_gateway.sqlite``; its webhooks go to
    ``webhook_sink`` when whoever runs it calls ``deliver_webhooks``, never on the payment
    path). The key is the configured one, else generated once (``<system>_gateway_key``)."""
    api_key = conf.gateway_api_key or "sk_" + secret(data_dir, f"{system}_gateway_key")
    local: LocalGateway | None = None
    if conf.gateway == "local" and not conf.gateway_url:
        local = local_gateway(
            data_dir / "db" / f"{system}_gateway.sqlite",
            api_key=api_key,
            webhook_secret=webhook_secret(data_dir, system, conf),
            webhook_sink=webhook_sink,
        )
    adapter = open_gateway(
        conf.gateway,
        api_key=api_key,
        url=conf.gateway_url,
        gateway=local,
        timeout_s=conf.gateway_timeout_s,
        deliver_inline=False,
    )
    return adapter, local
