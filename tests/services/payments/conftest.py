"""A local gateway per test, in-process or served on loopback, with a webhook inbox."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn

from services.payments.factory import local_gateway, open_gateway
from services.payments.gateway import LocalGateway
from services.payments.gateway_app import gateway_app
from tests.conftest import free_port

API_KEY = "sk_test_local"
WEBHOOK_SECRET = "whsec_test"


@pytest.fixture
def gateway(tmp_path: Path) -> LocalGateway:
    return local_gateway(tmp_path / "gateway.db", api_key=API_KEY, webhook_secret=WEBHOOK_SECRET)


@pytest.fixture
def adapter(gateway: LocalGateway):
    a = open_gateway("local", api_key=API_KEY, gateway=gateway)
    a.sleep = lambda _s: None
    yield a
    a.close()


class ServedGateway:
    def __init__(self, gateway: LocalGateway, url: str) -> None:
        self.gateway = gateway
        self.url = url


@pytest.fixture
def served_gateway(gateway: LocalGateway) -> Iterator[ServedGateway]:
    """The gateway as a real HTTP server on loopback (uvicorn in a thread)."""
    port = free_port()
    config = uvicorn.Config(
        gateway_app(gateway, timeout_s=2.0), host="127.0.0.1", port=port, log_level="error"
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.02)
    yield ServedGateway(gateway, f"http://127.0.0.1:{port}")
    server.should_exit = True
    thread.join(timeout=10)
