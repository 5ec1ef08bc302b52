"""The request-body path of the platform's HTTP server (``services.server``), on a real server
on loopback with a small ASGI app that reports what it received: Content-Length and chunked
bodies byte for byte, the next request on a keep-alive connection, Expect: 100-continue,
flow control while the app does not read, and a client leaving mid-body."""

from __future__ import annotations

import asyncio
import hashlib
import os
import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import orjson
import pytest

from services.server import _content_length
from tests.conftest import serve_platform
from warehouse.settings import Settings

MiB = 1024 * 1024


class _App:
    """``/echo`` reads the body and answers its SHA-256, length and message count;
    ``/early`` answers without reading it; ``/gated`` reads only once ``gate`` is set;
    ``/watch`` records every message until a disconnect."""

    def __init__(self) -> None:
        self.gate = threading.Event()
        self.seen: list[dict] = []
        self.types: set[type] = set()

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        path = scope["path"]
        if path == "/early":
            await self._answer(send, {"read": False})
            return
        if path == "/watch":
            while True:
                message = await receive()
                self.seen.append({"type": message["type"], "n": len(message.get("body", b""))})
                if message["type"] == "http.disconnect":
                    return
        if path == "/gated":
            while not self.gate.is_set():
                await asyncio.sleep(0.01)
        digest, total, count = hashlib.sha256(), 0, 0
        more = True
        while more:
            message = await receive()
            assert message["type"] == "http.request", message
            body = message.get("body", b"")
            self.types.add(type(body))
            digest.update(body)
            total += len(body)
            count += 1
            more = message.get("more_body", False)
        await self._answer(send, {"sha256": digest.hexdigest(), "size": total, "messages": count})

    @staticmethod
    async def _answer(send, payload: dict) -> None:
        body = orjson.dumps(payload)
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})


@contextmanager
def _server(settings: Settings) -> Iterator[tuple[int, _App]]:
    app = _App()
    with serve_platform(app, settings) as port:
        yield port, app


def _responses(sock: socket.socket, count: int) -> list[tuple[bytes, dict]]:
    """``count`` responses (status line, JSON body) read from ``sock``."""
    sock.settimeout(10)
    buf = b""
    out = []
    while len(out) < count:
        head_end = buf.find(b"\r\n\r\n")
        if head_end >= 0:
            head = buf[:head_end]
            length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
            if len(buf) >= head_end + 4 + length:
                body = buf[head_end + 4 : head_end + 4 + length]
                buf = buf[head_end + 4 + length :]
                out.append((head.split(b"\r\n")[0], orjson.loads(body)))
                continue
        chunk = sock.recv(1 << 20)
        assert chunk, f"connection closed after {len(out)} responses"
        buf += chunk
    return out


def _put(path: str, size: int, extra: bytes = b"") -> bytes:
    return b"PUT %s HTTP/1.1\r\nHost: t\r\nContent-Length: %d\r\n%s\r\n" % (
        path.encode(),
        size,
        extra,
    )


def _expect(body: bytes) -> dict:
    return {"sha256": hashlib.sha256(body).hexdigest(), "size": len(body)}


def test_a_content_length_body_arrives_whole_and_the_next_request_follows(settings):
    body = os.urandom(3 * MiB + 12345)
    second = os.urandom(777)
    with _server(settings) as (port, app), socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(_put("/echo", len(body)) + body[:1000])  # headers and a first piece together
        time.sleep(0.05)
        view = memoryview(body)
        for i in range(1000, len(body) - 500, 300_001):
            s.sendall(view[i : min(i + 300_001, len(body) - 500)])
        # The body's tail, the next request and its whole body in one write.
        s.sendall(body[-500:] + _put("/echo", len(second)) + second + _put("/echo", 0))
        got = _responses(s, 3)
    assert [status for status, _ in got] == [b"HTTP/1.1 200 OK"] * 3
    for (_, answer), sent in zip(got, [body, second, b""], strict=True):
        assert {k: answer[k] for k in ("sha256", "size")} == _expect(sent)
    assert app.types == {bytes}


def test_a_chunked_body_arrives_whole_and_the_next_request_follows(settings):
    body = os.urandom(2 * MiB + 3)
    sizes = [1, 70_000, 300_000, 5, 1 * MiB]
    framed, at = b"", 0
    for n in [*sizes, len(body) - sum(sizes)]:
        framed += b"%x\r\n%s\r\n" % (n, body[at : at + n])
        at += n
    framed += b"0\r\n\r\n"
    head = b"POST /echo HTTP/1.1\r\nHost: t\r\nTransfer-Encoding: chunked\r\n\r\n"
    with _server(settings) as (port, _app), socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(head + framed[:100])
        s.sendall(framed[100:] + _put("/echo", 3) + b"abc")
        got = _responses(s, 2)
    assert {k: got[0][1][k] for k in ("sha256", "size")} == _expect(body)
    assert {k: got[1][1][k] for k in ("sha256", "size")} == _expect(b"abc")


def test_expect_100_continue_is_answered_when_the_app_reads(settings):
    body = os.urandom(500_000)
    with _server(settings) as (port, _app), socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(_put("/echo", len(body), b"Expect: 100-continue\r\n"))
        s.settimeout(5)
        interim = b""
        while b"\r\n\r\n" not in interim:
            interim += s.recv(1)
        assert interim == b"HTTP/1.1 100 Continue\r\n\r\n"
        s.sendall(body)
        ((status, answer),) = _responses(s, 1)
    assert status == b"HTTP/1.1 200 OK" and answer["size"] == len(body)
    assert answer["sha256"] == hashlib.sha256(body).hexdigest()


def test_a_body_the_app_does_not_read_yet_is_not_buffered_without_bound(settings):
    """While the app does not read, the server stops reading the socket: the client can only
    fill the kernel's buffers, far less than the body."""
    body = os.urandom(96 * MiB)
    with _server(settings) as (port, app), socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(_put("/gated", len(body)))
        s.setblocking(False)
        view, sent, idle_since = memoryview(body), 0, time.monotonic()
        while sent < len(body) and time.monotonic() - idle_since < 1.0:
            try:
                n = s.send(view[sent : sent + MiB])
            except BlockingIOError:
                time.sleep(0.01)
                continue
            sent += n
            idle_since = time.monotonic()
        assert sent < 48 * MiB, f"{sent} bytes taken while the app read nothing"
        app.gate.set()
        s.setblocking(True)
        s.sendall(view[sent:])
        ((_, answer),) = _responses(s, 1)
    assert {k: answer[k] for k in ("sha256", "size")} == _expect(body)


def test_an_answer_before_the_body_keeps_the_connection_usable(settings):
    body = os.urandom(2 * MiB)
    with _server(settings) as (port, _app), socket.create_connection(("127.0.0.1", port)) as s:
        s.sendall(_put("/early", len(body)))
        ((_, first),) = _responses(s, 1)
        assert first == {"read": False}
        s.sendall(body + _put("/echo", 4) + b"next")
        ((_, second),) = _responses(s, 1)
    assert {k: second[k] for k in ("sha256", "size")} == _expect(b"next")


def test_a_client_leaving_mid_body_is_a_disconnect(settings):
    with _server(settings) as (port, app):
        with socket.create_connection(("127.0.0.1", port)) as s:
            s.sendall(_put("/watch", 10 * MiB) + os.urandom(2 * MiB))
            time.sleep(0.2)
        deadline = time.monotonic() + 5
        while not app.seen or app.seen[-1]["type"] != "http.disconnect":
            assert time.monotonic() < deadline, app.seen[-3:]
            time.sleep(0.02)
    assert sum(m["n"] for m in app.seen) <= 2 * MiB
    assert all(m["type"] == "http.request" for m in app.seen[:-1])


@pytest.mark.parametrize(
    ("headers", "expected"),
    [
        ([(b"content-length", b"10")], 10),
        ([(b"host", b"t"), (b"content-length", b"0")], 0),
        ([(b"content-length", b"10"), (b"transfer-encoding", b"chunked")], 0),
        ([(b"transfer-encoding", b"chunked"), (b"content-length", b"10")], 0),
        ([(b"content-length", b"10"), (b"content-length", b"10")], 0),
        ([(b"content-length", b"0"), (b"content-length", b"10")], 0),
        ([(b"content-length", b"1x")], 0),
        ([], 0),
    ],
)
def test_only_a_body_framed_by_one_content_length_skips_the_parser(headers, expected):
    assert _content_length(headers) == expected
