"""Servers in a thread of the test process. Origins, so tests can count the requests that
reach them: a scripted origin whose responses are set by the query string, and a raw-socket
origin that misbehaves (cuts bodies short, lies in Content-Length, hangs). And edges on a fake
clock, so tests move time past a max-age instead of sleeping through it."""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import Counter
from email.utils import formatdate
from typing import Any
from urllib.parse import parse_qs

import uvicorn

from tests.fake_clock import FakeClock


class ScriptedOrigin:
    """``/anything?cc=max-age%3D60&etag=1&lm=1&vary=Accept-Language&status=200&delay=0&size=N
    &ctype=...`` answers as told. ``bump(url)`` changes an object's content (and ETag)."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.conditional: Counter[str] = Counter()
        self.versions: Counter[str] = Counter()
        self.failing: set[str] = set()  # URLs that answer 503 for now
        self.server: uvicorn.Server | None = None
        self.thread: threading.Thread | None = None
        self.port = 0

    def bump(self, url: str) -> None:
        self.versions[url] += 1

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        qs = scope["query_string"].decode()
        url = scope["path"] + ("?" + qs if qs else "")
        q = {k: v[0] for k, v in parse_qs(qs).items()}
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        if scope["path"] == "/healthz":
            await _reply(send, 200, [], b"ok")
            return
        self.counts[url] += 1
        if "delay" in q:
            await asyncio.sleep(int(q["delay"]) / 1000)
        if url in self.failing:
            await _reply(send, 503, [(b"cache-control", b"no-store")], b"overloaded")
            return
        version = self.versions[url]
        vary = q.get("vary")
        varied = headers.get(vary.lower(), "") if vary else ""
        etag = f'"v{version}-{varied}"'
        out: list[tuple[bytes, bytes]] = []
        if "cc" in q:
            out.append((b"cache-control", q["cc"].encode()))
        if q.get("etag"):
            out.append((b"etag", etag.encode()))
        if q.get("lm"):
            modified = formatdate(1_700_000_000 + version, usegmt=True)
            out.append((b"last-modified", modified.encode()))
        if vary:
            out.append((b"vary", vary.encode()))
        out.append((b"content-type", q.get("ctype", "application/octet-stream").encode()))
        if q.get("etag") and headers.get("if-none-match") == etag:
            self.conditional[url] += 1
            await _reply(send, 304, out, b"")
            return
        body = f"{url} v{version} {varied}".encode()
        size = int(q.get("size", "0"))
        if size > len(body):
            body = body + b"." * (size - len(body))
        await _reply(send, int(q.get("status", "200")), out, body)

    def start(self) -> ScriptedOrigin:
        self.server, self.thread, self.port = serve_in_thread(self, lifespan="off")
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self.server is not None:
            self.server.should_exit = True
        if self.thread is not None:
            self.thread.join(timeout=10)


def serve_in_thread(
    app, *, lifespan: str, **options: Any
) -> tuple[uvicorn.Server, threading.Thread, int]:
    """Serve ``app`` on a free loopback port from a daemon thread; returns once it listens.
    ``options`` are more ``uvicorn.Config`` arguments (``date_header=False``...)."""
    config = uvicorn.Config(
        app,
        host="127.0.0.1",
        port=0,
        log_level="warning",
        lifespan=lifespan,
        access_log=False,
        **options,
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise TimeoutError(f"{app!r} did not start serving")
        time.sleep(0.02)
    return server, thread, server.servers[0].sockets[0].getsockname()[1]


def wait_until(predicate, timeout: float = 5.0, what: str = "condition") -> None:
    """Poll ``predicate`` until it holds; fail after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what} did not hold within {timeout}s")
        time.sleep(0.01)


class ThreadServer:
    """Any ASGI app (an edge, an origin) served from a thread of the test process."""

    def __init__(self, app, name: str) -> None:
        self.app = app
        self.name = name
        self.server, self.thread, self.port = serve_in_thread(app, lifespan="on")

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def alive(self) -> bool:
        return self.thread.is_alive()

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)

    def __enter__(self) -> ThreadServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def clocked_edge(upstream: str, clock: FakeClock, settings, name: str, **config) -> ThreadServer:
    """An edge built by the CDN's composition root, on ``clock``, without an access log."""
    from services.cdn.edgeconfig import EdgeConfig
    from services.cdn.system import build_edge

    edge_config = EdgeConfig(name=name, upstream=upstream, access_log=False, **config)
    return ThreadServer(build_edge(edge_config, settings, clock=clock), name)


async def _reply(send, status: int, headers: list, body: bytes) -> None:
    headers = headers + [(b"content-length", str(len(body)).encode())]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


class FaultyOrigin:
    """A raw TCP origin. Paths: ``/cut`` declares 200 000 bytes, sends 1000, closes;
    ``/short-cl`` declares 5000 bytes, sends 3000, then closes; ``/big-cut`` declares 3 MB,
    sends 1 MB, closes; ``/hang`` sends nothing; ``/drop-once/...`` closes the connection
    without a response the first time it is asked, and answers 200 after that."""

    def __init__(self) -> None:
        self.counts: Counter[str] = Counter()
        self.loop = asyncio.new_event_loop()
        self.port = 0
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(Exception):
            head = await reader.readuntil(b"\r\n\r\n")
            path = head.split(b" ", 2)[1].decode().split("?")[0]
            self.counts[path] += 1
            cc = b"cache-control: public, max-age=60\r\ncontent-type: video/iso.segment\r\n"
            if path == "/healthz":
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\nok")
            elif path == "/cut":
                writer.write(b"HTTP/1.1 200 OK\r\n" + cc + b"content-length: 200000\r\n\r\n")
                writer.write(b"x" * 1000)
            elif path == "/short-cl":
                writer.write(b"HTTP/1.1 200 OK\r\n" + cc + b"content-length: 5000\r\n\r\n")
                writer.write(b"y" * 3000)
                await writer.drain()
                await asyncio.sleep(0.3)
            elif path == "/big-cut":
                writer.write(b"HTTP/1.1 200 OK\r\n" + cc + b"content-length: 3000000\r\n\r\n")
                writer.write(b"z" * 1_000_000)
                await writer.drain()
                await asyncio.sleep(0.3)
            elif path == "/hang":
                await asyncio.sleep(30)
            elif path.startswith("/drop-once/") and self.counts[path] > 1:
                writer.write(b"HTTP/1.1 200 OK\r\ncontent-length: 4\r\n\r\ndone")
            await writer.drain()
        writer.close()

    def start(self) -> FaultyOrigin:
        self.thread.start()
        server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", 0), self.loop
        ).result(5)
        self.server = server
        self.port = server.sockets[0].getsockname()[1]
        return self

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        async def close() -> None:
            self.server.close()

        asyncio.run_coroutine_threadsafe(close(), self.loop).result(5)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)
