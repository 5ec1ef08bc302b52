"""The edge's wire helpers: request fields as a dict, a response's end-to-end fields, and the
small plain-text and JSON replies the edge writes itself."""

from __future__ import annotations

import dataclasses

import orjson

from services.cdn.cachecontrol import format_http_date
from services.cdn.respond import Reply, connection_listed
from services.cdn.store import Entry

#: CORS preflight answer, so players in a page on another origin may send Range etc.
PREFLIGHT = (
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", b"GET, HEAD, OPTIONS"),
    (b"access-control-allow-headers", b"Range, If-None-Match, If-Modified-Since, Accept-Encoding"),
    (b"access-control-max-age", b"86400"),
    (b"content-length", b"0"),
)


def is_preflight(headers: dict[str, str]) -> bool:
    """A CORS preflight (answered here); any other OPTIONS goes to the origin."""
    return "origin" in headers and (
        "access-control-request-method" in headers or "access-control-request-headers" in headers
    )


def request_headers(raw: list[tuple[bytes, bytes]]) -> dict[str, str]:
    """ASGI request headers as lowercased names to combined values (RFC 9110 §5.3)."""
    out: dict[str, str] = {}
    for k, v in raw:
        name, value = k.decode("latin-1").lower(), v.decode("latin-1")
        if name in out:
            out[name] = f"{out[name]}{'; ' if name == 'cookie' else ', '}{value}"
        else:
            out[name] = value
    return out


def end_to_end(raw: list[tuple[str, str]], *, received_at: float | None = None) -> dict[str, str]:
    """A response's fields without hop-by-hop ones and those its Connection names, which a
    cache must not store or forward (RFC 9111 §3.1); repeated fields combined. With
    ``received_at``, a missing Date is added as the time it arrived (RFC 9110 §6.6.1)."""
    out: dict[str, str] = {}
    for name, value in raw:
        name = name.lower()
        if name in out:
            out[name] = f"{out[name]}{chr(10) if name == 'set-cookie' else ', '}{value}"
        else:
            out[name] = value
    drop = connection_listed(out)
    out = {k: v for k, v in out.items() if k not in drop}
    if received_at is not None and "date" not in out:
        out["date"] = format_http_date(received_at)
    return out


def storable_copy(entry: Entry) -> Entry:
    """The entry as it may be kept: without the fields a qualified ``no-cache`` or
    ``private`` names (the client that fetched it still gets them)."""
    if not entry.policy.strip:
        return entry
    headers = {k: v for k, v in entry.headers.items() if k not in entry.policy.strip}
    return dataclasses.replace(entry, headers=headers, encoded={}, prepared={})


def text_reply(status: int, message: str, extra: list | None = None) -> Reply:
    body = message.encode() + b"\n"
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"cache-control", b"no-store")]
    length = [(b"content-length", str(len(body)).encode())]
    return Reply(status, headers + (extra or []) + length, body)


def json_reply(status: int, payload: dict) -> Reply:
    body = orjson.dumps(payload)
    headers = [
        (b"content-type", b"application/json"),
        (b"cache-control", b"no-store"),
        (b"content-length", str(len(body)).encode()),
    ]
    return Reply(status, headers, body)


async def send_reply(send, reply: Reply) -> None:
    await send({"type": "http.response.start", "status": reply.status, "headers": reply.headers})
    await send({"type": "http.response.body", "body": reply.body})
