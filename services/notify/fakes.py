"""Local stand-ins for real providers, for tests, the workload and the chaos benchmark.

``FakeProvider`` is an HTTP SMS/push provider on loopback that honours ``Idempotency-Key``
(a repeated key returns the first answer and delivers nothing new) and can, on command, be
down (503), fail at random before or after accepting, or answer slowly. It records every
request and every distinct delivery, so tests can count losses and duplicates.
``FakeSmtp`` is a real SMTP server (aiosmtpd) that keeps what arrived and refuses
recipients whose address contains ``bounce``.
"""

from __future__ import annotations

import contextlib
import email
import email.policy
import random
import socket
import sys
import threading
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from email.message import EmailMessage
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import orjson


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket() as s:
        s.bind((host, 0))
        return s.getsockname()[1]


@dataclass
class ProviderMode:
    down: bool = False
    fail_rate: float = 0.0  # 503 before doing anything
    fail_after_accept_rate: float = 0.0  # deliver, then answer 500 (the answer is "lost")
    delay_s: float = 0.0  # answer late, after delivering
    honour_keys: bool = True


@dataclass
class Delivery:
    key: str | None
    payload: dict[str, Any]
    at: float = field(default_factory=time.time)
    provider_id: str = field(default_factory=lambda: "pm_" + uuid.uuid4().hex[:16])


class _Server(ThreadingHTTPServer):
    request_queue_size = 128  # many concurrent workers must not overflow the listen backlog
    daemon_threads = True

    def handle_error(self, request: Any, client_address: Any) -> None:
        exc = sys.exc_info()[1]
        if not isinstance(exc, OSError):  # a client killed mid-request is expected here
            super().handle_error(request, client_address)


class FakeProvider:
    """An HTTP provider on loopback: ``POST /send``, ``POST /control``, ``GET /stats``."""

    def __init__(self, name: str = "sms", *, seed: int = 0, host: str = "127.0.0.1") -> None:
        self.name = name
        self.mode = ProviderMode()
        self.rng = random.Random(seed)
        self.lock = threading.Lock()
        self.requests: list[tuple[str | None, dict[str, Any]]] = []
        self.delivered: list[Delivery] = []
        self.by_key: dict[str, Delivery] = {}
        self.replays = 0
        self.failures = 0
        provider = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:  # quiet
                pass

            def _reply(self, status: int, body: dict[str, Any]) -> None:
                data = orjson.dumps(body)
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                self._reply(200, provider.stats()) if self.path == "/stats" else self._reply(
                    404, {}
                )

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                raw = self.rfile.read(length)
                if len(raw) < length:  # the client died mid-request: nothing to act on
                    self.close_connection = True
                    return
                try:
                    body = orjson.loads(raw)
                except orjson.JSONDecodeError:
                    self._reply(400, {"error": "body must be a JSON object"})
                    return
                if not isinstance(body, dict) or (self.path == "/send" and not body):
                    self._reply(400, {"error": "body must be a non-empty JSON object"})
                    return
                if self.path == "/control":
                    provider.control(**body)
                    self._reply(200, provider.mode.__dict__)
                    return
                if self.path != "/send":
                    self._reply(404, {"error": "no such path"})
                    return
                status, answer, delay = provider.handle(self.headers.get("Idempotency-Key"), body)
                if delay:
                    time.sleep(delay)
                with contextlib.suppress(OSError):  # the client may have given up waiting
                    self._reply(status, answer)

        self.server = _Server((host, free_port(host)), Handler)
        self.url = f"http://{host}:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def send_url(self) -> str:
        return self.url + "/send"

    def control(self, **changes: Any) -> None:
        """Change behaviour on command (also reachable as ``POST /control``)."""
        with self.lock:
            for k, v in changes.items():
                if not hasattr(self.mode, k):
                    raise ValueError(f"unknown provider mode {k!r}")
                setattr(self.mode, k, v)

    def handle(self, key: str | None, payload: dict[str, Any]) -> tuple[int, dict[str, Any], float]:
        with self.lock:
            self.requests.append((key, payload))
            mode = self.mode
            if mode.down or self.rng.random() < mode.fail_rate:
                self.failures += 1
                return 503, {"error": "provider unavailable"}, 0.0
            if key and mode.honour_keys and key in self.by_key:
                self.replays += 1
                return 200, {"id": self.by_key[key].provider_id, "replayed": True}, mode.delay_s
            d = Delivery(key, payload)
            self.delivered.append(d)
            if key:
                self.by_key[key] = d
            if self.rng.random() < mode.fail_after_accept_rate:
                self.failures += 1
                return 500, {"error": "internal error after accepting"}, 0.0
            return 200, {"id": d.provider_id}, mode.delay_s

    def logical_ids(self) -> Counter:
        """Deliveries per logical message (notification id, else delivery id)."""
        with self.lock:
            return Counter(
                d.payload.get("notification_id") or d.payload.get("delivery_id")
                for d in self.delivered
            )

    def duplicates(self) -> int:
        return sum(n - 1 for n in self.logical_ids().values() if n > 1)

    def stats(self) -> dict[str, Any]:
        with self.lock:
            n_req, n_del = len(self.requests), len(self.delivered)
        return {
            "requests": n_req,
            "delivered": n_del,
            "replays": self.replays,
            "failures": self.failures,
            "duplicates": self.duplicates(),
        }

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def __enter__(self) -> FakeProvider:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _SmtpHandler:
    def __init__(self, sink: FakeSmtp) -> None:
        self.sink = sink

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        if "bounce" in address:
            return "550 5.1.1 no such mailbox"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
        with self.sink.lock:
            self.sink.messages.append(msg)
            self.sink.raw.append(envelope.original_content or envelope.content)
        return "250 Message accepted for delivery"


class FakeSmtp:
    """A real SMTP server (aiosmtpd) on a free loopback port that keeps every message."""

    def __init__(self, host: str = "127.0.0.1") -> None:
        from aiosmtpd.controller import Controller

        self.lock = threading.Lock()
        self.messages: list[EmailMessage] = []
        self.raw: list[bytes] = []  # as received, for signature checks
        self.host = host
        self.port = free_port(host)
        self.controller = Controller(_SmtpHandler(self), hostname=host, port=self.port)
        self.controller.start()

    def message_ids(self) -> Counter:
        with self.lock:
            return Counter(str(m["X-Notification-Id"] or m["Message-ID"]) for m in self.messages)

    def duplicates(self) -> int:
        return sum(n - 1 for n in self.message_ids().values() if n > 1)

    def close(self) -> None:
        self.controller.stop()

    def __enter__(self) -> FakeSmtp:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
