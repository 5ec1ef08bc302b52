"""The local gateway as an ASGI app (``blueprint booking gateway`` serves it as a process),
and the same gateway as an in-process ``httpx`` transport for the embedded default.

Both deliver chaos the way a network would: ``timeout`` answers only after the client has
given up; ``drop`` commits, starts the response and closes the connection before the body
(an aborted response; in-process it is ``httpx.RemoteProtocolError``). Either way the charge
happened and the client does not know: only a retry with the same key tells it.
Control routes (``/_chaos``, ``/_stats``) need the gateway's API key like every other route.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qsl

import anyio.to_thread
import httpx

from services.payments.gateway import LocalGateway
from services.payments.gateway_wire import Reply, RequestError, parse_form

MAX_BODY = 64 * 1024


def _dispatch(gateway: LocalGateway, method: str, path: str, body: bytes, headers) -> Reply:
    """One request as it arrives over the wire: control routes, else the form-encoded API."""
    if path == "/_chaos" and method == "POST":
        return _chaos(gateway, body, headers)
    if path == "/_stats" and method == "GET":
        reply = gateway.request("GET", "/v1/payment_intents/_auth_probe", {}, headers)
        if reply.status == 401:
            return reply
        return Reply(200, gateway.totals())
    try:
        params = parse_form(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
    except (UnicodeDecodeError, ValueError):
        return RequestError(400, "invalid_request_error", "body is not form-encoded").reply()
    except RequestError as exc:
        return exc.reply()
    return gateway.request(method, path, params, headers)


def _chaos(gateway: LocalGateway, body: bytes, headers) -> Reply:
    if headers.get("authorization", "") != f"Bearer {gateway.api_key}":
        return RequestError(401, "invalid_request_error", "invalid API key").reply()
    try:
        spec = json.loads(body or b"{}")
        if spec.get("clear"):
            gateway.chaos.clear()
        if "kind" in spec:
            gateway.chaos.inject(str(spec["kind"]), int(spec.get("n", 1)))
        if "delay_s" in spec:
            gateway.chaos.delay_s = max(0.0, min(30.0, float(spec["delay_s"])))
    except (ValueError, TypeError, AttributeError) as exc:
        return RequestError(400, "invalid_request_error", f"bad chaos spec: {exc}").reply()
    return Reply(200, {"ok": True})


class _Headers(dict):
    """Lower-cased header names, as ``LocalGateway.request`` reads them."""

    @classmethod
    def of(cls, pairs) -> _Headers:
        return cls((k.lower(), v) for k, v in pairs)


def gateway_app(gateway: LocalGateway, *, timeout_s: float = 30.0) -> Callable[..., Any]:
    """A raw ASGI app serving ``gateway``; a ``timeout`` fault answers after ``timeout_s``."""

    async def app(scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            while True:
                message = await receive()
                if message["type"] == "lifespan.startup":
                    await send({"type": "lifespan.startup.complete"})
                elif message["type"] == "lifespan.shutdown":
                    await send({"type": "lifespan.shutdown.complete"})
                    return
        if scope["type"] != "http":
            return
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if len(body) > MAX_BODY:
                reply = RequestError(413, "invalid_request_error", "body too large").reply()
                break
            if not message.get("more_body"):
                headers = _Headers.of(
                    (k.decode("latin-1"), v.decode("latin-1")) for k, v in scope["headers"]
                )
                reply = await anyio.to_thread.run_sync(
                    _dispatch, gateway, scope["method"], scope["path"], body, headers
                )
                break
        payload = json.dumps(reply.body).encode()
        extra = [(k.lower().encode(), v.encode()) for k, v in reply.headers.items()]
        if reply.fault == "timeout":
            await asyncio.sleep(timeout_s)
        declared_extra = 64 if reply.fault == "drop" else 0  # a body that never comes
        start = {
            "type": "http.response.start",
            "status": reply.status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(payload) + declared_extra).encode()),
                *extra,
            ],
        }
        await send(start)
        if reply.fault == "drop":
            await send({"type": "http.response.body", "body": payload[:1], "more_body": True})
            raise ConnectionAbortedError("response dropped on command")
        await send({"type": "http.response.body", "body": payload})
        await anyio.to_thread.run_sync(gateway.deliver_webhooks)

    return app


class _Answer:
    """The part of ``httpx.Response`` the gateway adapter reads."""

    __slots__ = ("status_code", "headers", "_body")

    def __init__(self, status: int, body: dict[str, Any], headers: dict[str, str]) -> None:
        self.status_code = status
        self.headers = headers
        self._body = body

    def json(self) -> dict[str, Any]:
        return self._body


class InProcessClient:
    """The gateway called in-process through the slice of ``httpx.Client`` that
    ``LocalGatewayAdapter`` uses (``request``, ``close``), without building HTTP messages.

    The parameters go through the same form parsing as over the wire, so a request means the
    same (and has the same idempotency fingerprint) either way, and chaos reaches the caller
    as the same ``httpx`` errors a socket would raise. Webhooks go out after each call when
    ``deliver_inline``, else whoever runs the gateway pumps them off the payment path.
    """

    def __init__(self, gateway: LocalGateway, *, deliver_inline: bool = True) -> None:
        self.gateway = gateway
        self.deliver_inline = deliver_inline

    def request(
        self,
        method: str,
        path: str,
        *,
        data: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ) -> _Answer:
        lowered = _Headers.of((headers or {}).items())
        try:
            params = parse_form(list((data or {}).items()))
        except RequestError as exc:
            reply = exc.reply()
        else:
            reply = self.gateway.request(method, path, params, lowered)
        if reply.fault is not None:
            request = httpx.Request(method, f"http://gateway.local{path}")
            if reply.fault == "drop":
                raise httpx.RemoteProtocolError(
                    "server closed the connection mid-response", request=request
                )
            raise httpx.ReadTimeout("timed out waiting for the gateway", request=request)
        if self.deliver_inline:
            self.gateway.deliver_webhooks()
        return _Answer(reply.status, reply.body, reply.headers)

    def close(self) -> None:
        """Nothing to release: there is no connection."""


def in_process_transport(
    gateway: LocalGateway, *, deliver_inline: bool = True
) -> httpx.MockTransport:
    """``gateway`` behind an ``httpx`` transport: the embedded default's gateway, no socket."""

    def handle(request: httpx.Request) -> httpx.Response:
        headers = _Headers.of(request.headers.items())
        reply = _dispatch(gateway, request.method, request.url.path, request.content, headers)
        if reply.fault == "drop":
            raise httpx.RemoteProtocolError(
                "server closed the connection mid-response", request=request
            )
        if reply.fault == "timeout":
            raise httpx.ReadTimeout("timed out waiting for the gateway", request=request)
        if deliver_inline:
            gateway.deliver_webhooks()
        return httpx.Response(reply.status, json=reply.body, headers=reply.headers)

    return httpx.MockTransport(handle)
