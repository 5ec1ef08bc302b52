"""Request limits: rate-limit identity, bounded buckets, trusted proxies, header limits, body
limits and slow clients (the slow-client tests run a real server on loopback, bounded to a few
seconds each)."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from fastapi.testclient import TestClient
from pydantic import ValidationError

from services.app import create_app
from services.middleware import PlatformMiddleware, client_bucket
from services.ratelimit import TokenBucketLimiter
from tests.conftest import serve_platform
from warehouse.settings import Settings, get_settings

# -- helpers ----------------------------------------------------------------------------------


def _key(client: TestClient, admin: dict[str, str], user: str = "ann") -> str:
    r = client.post("/auth/keys", json={"user_id": user}, headers=admin)
    assert r.status_code == 201, r.text
    return r.json()["api_key"]


@contextmanager
def _server(settings: Settings, emitter) -> Iterator[int]:
    """The platform app (only the shortener) as ``blueprint serve`` runs it."""
    with serve_platform(create_app(settings, emitter, only=["shortener"]), settings) as port:
        yield port


def _read_until_closed(sock: socket.socket, limit_s: float) -> bytes:
    """Everything the server sends until it closes the connection (or ``limit_s`` passes)."""
    sock.settimeout(limit_s)
    got = b""
    deadline = time.monotonic() + limit_s
    while time.monotonic() < deadline:
        try:
            chunk = sock.recv(65536)
        except (TimeoutError, ConnectionResetError):
            break
        if not chunk:
            return got
        got += chunk
    raise AssertionError(f"connection still open after {limit_s}s; got {got[:200]!r}")


def _http(port: int, request: bytes) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
        sock.sendall(request)
        sock.settimeout(5)
        data = b""
        while b"\r\n\r\n" not in data:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
        return data


# -- rate-limit identity ----------------------------------------------------------------------


def _trickle_until_closed(s: socket.socket, piece: bytes, began: float) -> bytes:
    """Send ``piece`` every quarter second and gather the answer until the server closes the
    connection (or 5 s pass)."""
    s.settimeout(0.25)
    got = b""
    while time.monotonic() - began < 5:
        try:
            s.sendall(piece)
            chunk = s.recv(65536)
        except TimeoutError:
            continue
        except (BrokenPipeError, ConnectionResetError):
            break
        if not chunk:
            break
        got += chunk
    return got


def test_every_spelling_of_one_key_shares_one_rate_limit_bucket(settings, emitter):
    limited = settings.model_copy(update={"rate_limit_per_minute": 4})
    with TestClient(create_app(limited, emitter, only=["shortener"])) as c:
        key = _key(c, {"X-API-Key": limited.admin_api_key})
        spellings = [
            {"Authorization": f"Bearer {key}"},
            {"Authorization": f"bearer {key}"},
            {"Authorization": f"Bearer  {key}"},
            {"X-API-Key": key},
            {"Authorization": f"BEARER\t{key} "},
        ]
        codes = [c.get("/auth/me", headers=h).status_code for h in spellings]
        assert codes == [200, 200, 200, 200, 429]


def test_unknown_keys_do_not_buy_fresh_buckets(settings, emitter):
    """Callers without a valid key share their address's bucket, whatever key they make up."""
    limited = settings.model_copy(update={"rate_limit_per_minute": 3})
    with TestClient(create_app(limited, emitter, only=["shortener"])) as c:
        codes = [c.get("/auth/me", headers={"X-API-Key": f"made-up-{i}"}) for i in range(4)]
        assert [r.status_code for r in codes] == [401, 401, 401, 429]
        assert c.get("/auth/me").status_code == 429  # the same address, no key at all


def test_a_valid_key_has_its_own_bucket_apart_from_its_address(settings, emitter):
    limited = settings.model_copy(update={"rate_limit_per_minute": 2})
    with TestClient(create_app(limited, emitter, only=["shortener"])) as c:
        key = _key(c, {"X-API-Key": limited.admin_api_key})
        assert [c.get("/auth/me").status_code for _ in range(3)] == [401, 401, 429]
        assert c.get("/auth/me", headers={"X-API-Key": key}).status_code == 200


def test_the_rate_limiter_and_authentication_look_a_key_up_once(client, admin_headers):
    key = _key(client, admin_headers)
    store = client.app.state.keystore
    calls: list[str] = []
    resolve = store.resolve

    def counting(k: str):
        calls.append(k)
        return resolve(k)

    store.resolve = counting
    assert client.get("/auth/me", headers={"Authorization": f"bearer  {key}"}).status_code == 200
    assert calls == [key]


def test_rate_limit_buckets_are_bounded_least_recently_used_first():
    now = [0.0]
    limiter = TokenBucketLimiter(1, 60.0, max_keys=3, clock=lambda: now[0])
    for i in range(10):
        assert limiter.acquire(f"client{i}") == 0.0
    assert len(limiter) == 3
    assert limiter.acquire("client9") > 0  # recent: still remembered, still empty
    assert limiter.acquire("client0") == 0.0  # evicted long ago: a new, full bucket
    assert len(limiter) == 3


def _scope(host: str) -> dict:
    return {"type": "http", "method": "GET", "path": "/x", "headers": [], "client": (host, 9)}


async def _call(mw: PlatformMiddleware, host: str) -> int:
    sent: list[dict] = []

    async def receive():
        return {"type": "http.request", "body": b"", "more_body": False}

    async def send(message):
        sent.append(message)

    await mw(_scope(host), receive, send)
    return sent[0]["status"]


def test_anonymous_clients_are_keyed_by_address_and_ipv6_by_its_64():
    async def ok(scope, receive, send):
        await send({"type": "http.response.start", "status": 204, "headers": []})
        await send({"type": "http.response.body", "body": b""})

    mw = PlatformMiddleware(ok, limiter=TokenBucketLimiter(1, 60.0), max_body_bytes=10)

    async def run() -> list[int]:
        hosts = ["10.0.0.1", "10.0.0.2", "10.0.0.1"]
        hosts += ["2001:db8::1", "2001:db8::2", "::ffff:10.0.0.2"]
        return [await _call(mw, h) for h in hosts]

    assert asyncio.run(run()) == [204, 204, 429, 204, 429, 429]
    assert client_bucket("2001:db8:0:0:ffff::1") == "ip:2001:db8::/64"


def test_trusted_proxies_must_be_addresses_or_networks(tmp_path):
    ok = Settings(data_dir=tmp_path, trusted_proxies="10.0.0.0/8, 192.168.1.7,::1")
    assert ok.trusted_proxy_list == ["10.0.0.0/8", "192.168.1.7", "::1"]
    assert Settings(data_dir=tmp_path).trusted_proxy_list == []
    with pytest.raises(ValidationError, match="not an IP address or CIDR"):
        Settings(data_dir=tmp_path, trusted_proxies="10.0.0.0/8,*")


@pytest.mark.parametrize(
    ("trusted", "codes"),
    [
        ("", [401, 429, 429]),  # the default: a loopback client cannot pick its bucket
        ("127.0.0.1", [401, 401, 429]),  # behind a trusted proxy each forwarded client counts
    ],
)
def test_x_forwarded_for_is_believed_only_from_trusted_proxies(settings, emitter, trusted, codes):
    conf = settings.model_copy(update={"rate_limit_per_minute": 1, "trusted_proxies": trusted})
    with _server(conf, emitter) as port:
        got = []
        for forwarded in ["203.0.113.1", "203.0.113.2", "203.0.113.1"]:
            head = _http(
                port,
                b"GET /auth/me HTTP/1.1\r\nHost: t\r\nConnection: close\r\n"
                b"X-Forwarded-For: " + forwarded.encode() + b"\r\n\r\n",
            )
            got.append(int(head.split(b" ", 2)[1]))
        assert got == codes


# -- headers ----------------------------------------------------------------------------------


def test_too_many_headers_get_431(client):
    many = {f"x-h{i}": "v" for i in range(150)}
    r = client.get("/auth/me", headers=many)
    assert r.status_code == 431
    assert r.headers["content-type"] == "application/problem+json"
    assert "at most 100" in r.json()["detail"]


def test_headers_over_the_byte_limit_get_431(client):
    r = client.get("/auth/me", headers={f"x-big{i}": "a" * 8000 for i in range(5)})
    assert r.status_code == 431 and "bytes" in r.json()["detail"]


def test_the_server_refuses_a_header_block_past_its_buffer_with_431(settings, emitter):
    with _server(settings, emitter) as port:
        big = b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 100_000 + b"\r\n\r\n"
        assert _http(port, big).startswith(b"HTTP/1.1 431 ")
        lots = b"".join(b"X-H%d: v\r\n" % i for i in range(10_000))
        assert _http(port, b"GET /healthz HTTP/1.1\r\nHost: t\r\n" + lots + b"\r\n").startswith(
            b"HTTP/1.1 431 "
        )
        # Still no end of the header block past the server's buffer: refused before the app.
        endless = b"GET /healthz HTTP/1.1\r\nHost: t\r\nX-Big: " + b"a" * 100_000
        refused = _http(port, endless)
        assert refused.startswith(b"HTTP/1.1 431 ") and b"connection: close" in refused
        ok = _http(port, b"GET /healthz HTTP/1.1\r\nHost: t\r\nConnection: close\r\n\r\n")
        assert ok.startswith(b"HTTP/1.1 200 ")


def test_a_header_block_growing_past_the_bound_over_many_reads_gets_431(settings, emitter):
    with (
        _server(settings, emitter) as port,
        socket.create_connection(("127.0.0.1", port), timeout=5) as s,
    ):
        s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")
        try:
            for i in range(4 * settings.max_header_bytes // 100):
                s.sendall(b"X-H%d: %s\r\n" % (i, b"v" * 90))
                time.sleep(0.0005 if i % 50 else 0.02)  # many reads, not one
        except OSError:
            pass  # refused while still sending
        got = _read_until_closed(s, 5)
        assert got.startswith(b"HTTP/1.1 431 "), got[:200]


# -- bodies -----------------------------------------------------------------------------------


def test_a_chunked_json_body_over_the_limit_gets_413(client, admin_headers):
    def chunks():
        for _ in range(30):
            yield b"x" * 100_000

    h = {**admin_headers, "content-type": "application/json"}
    r = client.post("/auth/keys", content=chunks(), headers=h)
    assert r.status_code == 413, r.text
    assert "1048576-byte limit" in r.json()["detail"]
    assert r.headers["connection"] == "close"


def test_waiting_for_a_disconnect_after_the_body_is_not_a_timeout():
    """Streaming responses call receive() after the body to hear of a disconnect: no
    deadline applies then."""
    disconnect = asyncio.Event()
    sent: list[dict] = []

    async def receive():
        if not sent_body[0]:
            sent_body[0] = True
            return {"type": "http.request", "body": b"{}", "more_body": False}
        await disconnect.wait()
        return {"type": "http.disconnect"}

    sent_body = [False]

    async def app(scope, receive, send):
        await receive()
        await send({"type": "http.response.start", "status": 200, "headers": []})
        assert (await receive())["type"] == "http.disconnect"
        await send({"type": "http.response.body", "body": b"bye"})

    async def send(message):
        sent.append(message)

    mw = PlatformMiddleware(
        app, limiter=TokenBucketLimiter(10, 60.0), max_body_bytes=100, body_timeout_s=0.05
    )

    async def run():
        asyncio.get_running_loop().call_later(0.3, disconnect.set)
        await mw(_scope("10.0.0.1"), receive, send)

    asyncio.run(run())
    assert [m.get("status") for m in sent][0] == 200 and sent[-1]["body"] == b"bye"


# -- slow clients (real server) ---------------------------------------------------------------


def _slow_settings(settings: Settings, **update) -> Settings:
    return settings.model_copy(
        update={"header_timeout_s": 1.0, "body_timeout_s": 1.0, "keep_alive_s": 5, **update}
    )


def test_a_stalled_body_is_cut_off_with_408(settings, emitter):
    conf = _slow_settings(settings, body_min_bytes_per_s=0)
    with _server(conf, emitter) as port, socket.create_connection(("127.0.0.1", port)) as s:
        began = time.monotonic()
        s.sendall(
            b"POST /auth/keys HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n{"
        )
        got = _read_until_closed(s, 5)
        assert got.startswith(b"HTTP/1.1 408 "), got[:200]
        assert time.monotonic() - began < 4


def test_a_body_trickling_below_the_minimum_rate_is_cut_off_with_408(settings, emitter):
    """Each byte comes well within the stall timeout, but far too slowly on average."""
    conf = _slow_settings(settings, body_min_bytes_per_s=100)
    with _server(conf, emitter) as port, socket.create_connection(("127.0.0.1", port)) as s:
        began = time.monotonic()
        s.sendall(
            b"POST /auth/keys HTTP/1.1\r\nHost: t\r\nContent-Type: application/json\r\n"
            b"Content-Length: 1000\r\n\r\n"
        )
        got = _trickle_until_closed(s, b" ", began)
        assert got.startswith(b"HTTP/1.1 408 "), got[:200]
        assert time.monotonic() - began < 4


def test_headers_trickling_past_the_header_timeout_get_408_and_a_close(settings, emitter):
    with _server(_slow_settings(settings), emitter) as port:
        with socket.create_connection(("127.0.0.1", port)) as s:
            began = time.monotonic()
            s.sendall(b"GET /healthz HTTP/1.1\r\nHost: t\r\n")
            got = _trickle_until_closed(s, b"X-Slow: 1\r\n", began)
            assert got.startswith(b"HTTP/1.1 408 "), got[:200]
            head, _, body = got.partition(b"\r\n\r\n")
            assert f"content-length: {len(body)}".encode() in head.lower()
            assert time.monotonic() - began < 4
        with socket.create_connection(("127.0.0.1", port)) as idle:
            began = time.monotonic()
            assert _read_until_closed(idle, 5) == b""  # said nothing: closed, no answer
            assert time.monotonic() - began < 4


def test_a_keep_alive_connection_outlives_the_header_timeout_between_requests(settings, emitter):
    with (
        _server(_slow_settings(settings), emitter) as port,
        socket.create_connection(("127.0.0.1", port), timeout=5) as s,
    ):
        request = b"GET /healthz HTTP/1.1\r\nHost: t\r\n\r\n"
        s.sendall(request)
        assert s.recv(65536).startswith(b"HTTP/1.1 200 ")
        time.sleep(1.5)  # longer than header_timeout_s, shorter than keep_alive_s
        s.sendall(request)
        assert s.recv(65536).startswith(b"HTTP/1.1 200 ")


def test_blueprint_serve_runs_with_the_platform_limits(settings, monkeypatch):
    import uvicorn
    from click.testing import CliRunner

    from pipelines.cli import main
    from services.server import GuardedHttpToolsProtocol

    monkeypatch.setenv("BLUEPRINT_TRUSTED_PROXIES", "10.1.0.0/16")
    monkeypatch.setenv("BLUEPRINT_HEADER_TIMEOUT_S", "7")
    get_settings.cache_clear()
    seen: list[uvicorn.Config] = []

    class Captured:
        def __init__(self, config: uvicorn.Config) -> None:
            seen.append(config)
            self.started = True

        def run(self) -> None:
            pass

    monkeypatch.setattr(uvicorn, "Server", Captured)
    result = CliRunner().invoke(main, ["serve", "--only", "shortener", "--port", "8123"])
    assert result.exit_code == 0, result.output
    (config,) = seen
    assert issubclass(config.http, GuardedHttpToolsProtocol) and config.http.header_timeout_s == 7
    assert config.http.max_header_block == 2 * settings.max_header_bytes
    assert config.proxy_headers and config.forwarded_allow_ips == ["10.1.0.0/16"]
    assert config.limit_concurrency == settings.max_connections
    assert config.timeout_keep_alive == settings.keep_alive_s and config.port == 8123
