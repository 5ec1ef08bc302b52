"""The edge cache server: a lean pure-ASGI app in front of an upstream (shield or origin).

The hit path avoids any framework: look up, check freshness, answer. Misses are coalesced so
N concurrent requests for one key make one upstream fetch. A shield is this same app with
the origin as its upstream. Control endpoints live under ``/_cdn/``.
"""

from __future__ import annotations

import asyncio
import hmac
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import orjson

from services.cdn.cachecontrol import initial_age, parse_cache_control, response_policy
from services.cdn.respond import HOP_BY_HOP, Reply, build_reply
from services.cdn.store import Entry, ObjectStore, parse_vary, vary_values
from services.cdn.upstream import Fetched, Upstream, UpstreamError

#: Request headers forwarded upstream (plus any the object is known to vary on).
FORWARDED = ("accept", "accept-language", "origin", "user-agent")
ERROR_STATUSES = frozenset({500, 502, 503, 504})
#: CORS preflight answer, so players in a page on another origin may send Range etc.
PREFLIGHT = (
    (b"access-control-allow-origin", b"*"),
    (b"access-control-allow-methods", b"GET, HEAD, OPTIONS"),
    (b"access-control-allow-headers", b"Range, If-None-Match, If-Modified-Since, Accept-Encoding"),
    (b"access-control-max-age", b"86400"),
    (b"content-length", b"0"),
)


@dataclass
class EdgeConfig:
    """How one edge (or shield) process is set up."""

    name: str
    upstream: str
    region: str = "local"
    role: str = "edge"  # or "shield"
    memory_bytes: int = 256 * 1024 * 1024
    disk_dir: str | None = None
    max_object_bytes: int = 64 * 1024 * 1024
    connect_timeout: float = 2.0
    read_timeout: float = 10.0
    purge_token: str | None = None  # this edge's own; without one it refuses purges
    access_log: bool = True


@dataclass(slots=True)
class Outcome:
    """What a (possibly shared) upstream fetch produced."""

    cache: str  # MISS, REVALIDATED, STALE, BYPASS, ERROR
    entry: Entry | None = None
    shareable: bool = True
    error: UpstreamError | None = None
    stream: Fetched | None = None


class Edge:
    """ASGI application of one edge process.

    ``clock`` is the edge's wall time: it decides freshness and the Age it reports, so tests
    move it instead of sleeping through a max-age. Build one through
    ``services.cdn.system.build_edge``.
    """

    def __init__(
        self, config: EdgeConfig, access_log=None, *, clock: Callable[[], float] = time.time
    ) -> None:
        self.config = config
        self.clock = clock
        self.store = ObjectStore(
            config.memory_bytes, disk_dir=Path(config.disk_dir) if config.disk_dir else None
        )
        self.upstream: Upstream | None = None
        self.access_log = access_log
        self.inflight: dict[str, asyncio.Future[Outcome]] = {}
        self.purges = 0  # a fetch that overlapped a purge is served but not stored
        self.refreshing: set[asyncio.Task] = set()
        self.stats = dict.fromkeys(
            ("HIT", "MISS", "STALE", "REVALIDATED", "BYPASS", "ERROR", "coalesced"), 0
        )

    # -- ASGI --------------------------------------------------------------------------
    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        if path in ("/healthz", "/metrics") or path.startswith("/_cdn/"):
            await self._control(scope, receive, send)
            return
        started = time.perf_counter()
        method = scope["method"]
        if method == "OPTIONS":
            await _send(send, Reply(204, list(PREFLIGHT), b""))
            return
        if method not in ("GET", "HEAD"):
            allow = [(b"allow", b"GET, HEAD, OPTIONS")]
            await _send(send, _text(405, "only GET and HEAD are served by the edge", allow))
            return
        qs = scope["query_string"]
        raw_path = scope.get("raw_path") or path.encode("utf-8")
        url = raw_path.decode("latin-1") + ("?" + qs.decode("latin-1") if qs else "")
        headers = {k.decode("latin-1"): v.decode("latin-1") for k, v in scope["headers"]}
        cache, reply, stream = await self.handle(url, headers, method == "HEAD")
        self.stats[cache] += 1
        if stream is not None:
            sent = await self._send_stream(send, stream, method == "HEAD")
            status = stream.status
        else:
            await _send(send, reply)
            sent, status = len(reply.body), reply.status
        if self.access_log is not None:
            latency = (time.perf_counter() - started) * 1000
            self.access_log.record(method, url, status, cache, sent, latency)

    async def _lifespan(self, receive, send) -> None:
        while True:
            message = await receive()
            if message["type"] == "lifespan.startup":
                self.upstream = Upstream(
                    self.config.upstream,
                    connect_timeout=self.config.connect_timeout,
                    read_timeout=self.config.read_timeout,
                    max_object_bytes=self.config.max_object_bytes,
                    clock=self.clock,
                )
                await send({"type": "lifespan.startup.complete"})
            elif message["type"] == "lifespan.shutdown":
                for task in list(self.refreshing):
                    task.cancel()
                if self.upstream is not None:
                    await self.upstream.aclose()
                if self.access_log is not None:
                    await asyncio.to_thread(self.access_log.close)
                await send({"type": "lifespan.shutdown.complete"})
                return

    # -- caching logic -----------------------------------------------------------------
    async def handle(
        self, url: str, headers: dict[str, str], head: bool = False
    ) -> tuple[str, Reply | None, Fetched | None]:
        """Answer one GET/HEAD: (cache status, reply, or a pass-through stream)."""
        key = self.store.key_for(url, headers)
        entry = self.store.get(key)
        req_cc = parse_cache_control(headers["cache-control"]) if "cache-control" in headers else {}
        force = "no-cache" in req_cc or headers.get("pragma", "").lower() == "no-cache"
        if entry is not None:
            now = self.clock()
            if not force and entry.is_fresh(now):
                return "HIT", self._reply(entry, headers, head, "HIT", now), None
            if not force and entry.policy.stale_ok_for_revalidate(entry.staleness(now)):
                self._refresh_in_background(key, url, headers, entry)
                return "STALE", self._reply(entry, headers, head, "STALE", now), None
        outcome = await self._coalesced(key, url, headers, entry, req_cc)
        if outcome.stream is not None:
            return outcome.cache, None, outcome.stream
        if outcome.entry is not None:
            reply = self._reply(outcome.entry, headers, head, outcome.cache, self.clock())
            return outcome.cache, reply, None
        assert outcome.error is not None
        return "ERROR", _text(outcome.error.status, outcome.error.reason), None

    def _reply(self, entry: Entry, headers, head: bool, cache: str, now: float) -> Reply:
        encodings = len(entry.encoded)
        reply = build_reply(
            entry, headers, head=head, cache_status=cache, edge_name=self.config.name, now=now
        )
        if len(entry.encoded) != encodings:  # a compressed copy was made: charge its bytes
            self.store.touch(entry)
        return reply

    async def _coalesced(self, key, url, headers, entry, req_cc) -> Outcome:
        """One upstream fetch per key at a time; followers share its outcome when allowed."""
        leader = self.inflight.get(key)
        if leader is not None:
            self.stats["coalesced"] += 1
            outcome = await asyncio.shield(leader)
            if outcome.shareable and self._fits(outcome, headers):
                return outcome
            return await self._fetch(url, headers, None, req_cc)
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self.inflight[key] = future
        try:
            outcome = await self._fetch(url, headers, entry, req_cc)
        except BaseException:
            future.set_result(Outcome("ERROR", shareable=False))
            raise
        finally:
            self.inflight.pop(key, None)
        if not future.done():
            future.set_result(outcome)
        return outcome

    @staticmethod
    def _fits(outcome: Outcome, headers: dict[str, str]) -> bool:
        entry = outcome.entry
        return entry is None or entry.vary_values == vary_values(entry.vary, headers)

    def _refresh_in_background(self, key, url, headers, entry) -> None:
        if key in self.inflight:
            return
        task = asyncio.get_running_loop().create_task(
            self._coalesced(key, url, dict(headers), entry, {})
        )
        self.refreshing.add(task)
        task.add_done_callback(self.refreshing.discard)

    def _upstream_headers(self, url: str, headers: dict[str, str]) -> dict[str, str]:
        out = {"accept-encoding": "identity", "via": f"1.1 {self.config.name}"}
        for name in (*FORWARDED, *self.store.vary_names(url)):
            if name in headers:
                out[name] = headers[name]
        return out

    async def _fetch(self, url, headers, entry: Entry | None, req_cc) -> Outcome:
        """Fetch (or revalidate ``entry``) from upstream, store what may be stored."""
        assert self.upstream is not None
        up = self._upstream_headers(url, headers)
        if entry is not None:
            if etag := entry.headers.get("etag"):
                up["if-none-match"] = etag
            if last_modified := entry.headers.get("last-modified"):
                up["if-modified-since"] = last_modified
        purges_before = self.purges
        try:
            fetched = await self.upstream.fetch(url, up)
        except UpstreamError as exc:
            if entry is not None and entry.policy.stale_ok_on_error(entry.staleness(self.clock())):
                return Outcome("STALE", entry)
            return Outcome("ERROR", error=exc)
        if fetched.response is not None:  # too big to cache: stream it through
            return Outcome("BYPASS", shareable=False, stream=fetched)
        if entry is not None and fetched.status == 304:
            return Outcome("REVALIDATED", self._refreshed(entry, fetched, purges_before))
        if (
            entry is not None
            and fetched.status in ERROR_STATUSES
            and entry.policy.stale_ok_on_error(entry.staleness(fetched.response_time))
        ):
            return Outcome("STALE", entry)
        vary = parse_vary(fetched.headers.get("vary"))
        new = Entry(
            url=url,
            status=fetched.status,
            headers=_end_to_end(fetched.raw_headers),
            body=fetched.body or b"",
            stored_at=fetched.response_time,
            initial_age=initial_age(fetched.headers, fetched.request_time, fetched.response_time),
            policy=response_policy(fetched.status, fetched.headers, now=fetched.response_time),
            vary=vary,
            vary_values=vary_values(vary, headers),
        )
        if not new.policy.storable:
            if entry is not None:
                self.store.purge_url(url)  # the origin now forbids storing it
            return Outcome("BYPASS", new, shareable=False)
        if "no-store" not in req_cc and self.purges == purges_before:
            self.store.put(new)
        return Outcome("MISS", new)

    def _refreshed(self, entry: Entry, fetched: Fetched, purges_before: int) -> Entry:
        """A 304 renews the stored object with the new response's metadata (RFC 9111 §4.3.4)."""
        headers = dict(entry.headers)
        for name, value in _end_to_end(fetched.raw_headers).items():
            if name not in ("content-type", "content-encoding", "content-range"):
                headers[name] = value
        entry.headers = headers
        entry.prepared.clear()
        entry.stored_at = fetched.response_time
        entry.initial_age = initial_age(
            fetched.headers, fetched.request_time, fetched.response_time
        )
        entry.policy = response_policy(entry.status, headers, now=fetched.response_time)
        if self.purges == purges_before:
            self.store.put(entry)
        return entry

    async def _send_stream(self, send, fetched: Fetched, head: bool) -> int:
        """Stream an uncacheable-size body through. If the upstream breaks mid-body the
        exception propagates, so the server aborts the connection rather than end the
        response as if it were complete."""
        assert fetched.response is not None
        headers = [
            (k.lower().encode("latin-1"), v.encode("latin-1"))
            for k, v in fetched.raw_headers
            if k.lower() not in HOP_BY_HOP or k.lower() == "content-length"
        ]
        headers.append((b"x-cache", f"BYPASS from {self.config.name}".encode()))
        await send({"type": "http.response.start", "status": fetched.status, "headers": headers})
        sent = 0
        try:
            if not head:
                for chunk in fetched.prefix:
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                    sent += len(chunk)
                async for chunk in fetched.response.aiter_raw():
                    await send({"type": "http.response.body", "body": chunk, "more_body": True})
                    sent += len(chunk)
        finally:
            await fetched.aclose()
        await send({"type": "http.response.body", "body": b"", "more_body": False})
        return sent

    # -- control endpoints -------------------------------------------------------------
    async def _control(self, scope, receive, send) -> None:
        path, method = scope["path"], scope["method"]
        if path in ("/healthz", "/_cdn/healthz"):
            c = self.config
            body = {"status": "ok", "name": c.name, "region": c.region, "role": c.role}
            await _send(send, _json(200, body))
        elif path == "/_cdn/stats":
            await _send(send, _json(200, self.snapshot()))
        elif path == "/metrics":
            body = self.prometheus().encode()
            headers = [
                (b"content-type", b"text/plain; version=0.0.4"),
                (b"content-length", str(len(body)).encode()),
            ]
            await _send(send, Reply(200, headers, body))
        elif path == "/_cdn/purge" and method == "POST":
            await _send(send, await self._purge(scope, receive))
        else:
            await _send(send, _text(404, f"no control endpoint {method} {path}"))

    def snapshot(self) -> dict:
        """Counters of this process: cache outcomes, upstream fetches, stored objects."""
        return {
            **self.stats,
            "name": self.config.name,
            "role": self.config.role,
            "upstream_fetches": self.upstream.requests if self.upstream else 0,
            "objects": len(self.store),
            "memory_bytes": self.store.bytes,
            "disk_bytes": self.store.disk_bytes,
        }

    def prometheus(self) -> str:
        """The counters in Prometheus text format."""
        s, edge = self.snapshot(), self.config.name
        lines = ["# TYPE cdn_requests_total counter"]
        for status in ("HIT", "MISS", "STALE", "REVALIDATED", "BYPASS", "ERROR"):
            lines.append(f'cdn_requests_total{{edge="{edge}",cache="{status}"}} {s[status]}')
        lines += [
            "# TYPE cdn_coalesced_total counter",
            f'cdn_coalesced_total{{edge="{edge}"}} {s["coalesced"]}',
            "# TYPE cdn_upstream_fetches_total counter",
            f'cdn_upstream_fetches_total{{edge="{edge}"}} {s["upstream_fetches"]}',
            "# TYPE cdn_store_bytes gauge",
            f'cdn_store_bytes{{edge="{edge}",tier="memory"}} {s["memory_bytes"]}',
            f'cdn_store_bytes{{edge="{edge}",tier="disk"}} {s["disk_bytes"]}',
            "# TYPE cdn_objects gauge",
            f'cdn_objects{{edge="{edge}"}} {s["objects"]}',
        ]
        return "\n".join(lines) + "\n"

    async def _purge(self, scope, receive) -> Reply:
        """Only with this edge's own token (``X-CDN-Token``); an edge started without a
        token refuses every purge."""
        token = self.config.purge_token
        if not token:
            return _text(403, "this edge has no purge token configured: it accepts no purges")
        given = dict(scope["headers"]).get(b"x-cdn-token", b"")
        if not hmac.compare_digest(given, token.encode()):
            return _text(403, "purge needs the edge's X-CDN-Token")
        raw = b""
        while True:
            message = await receive()
            raw += message.get("body", b"")
            if len(raw) > 65_536:
                return _text(413, "purge body over 64 KiB")
            if not message.get("more_body"):
                break
        try:
            body = orjson.loads(raw)
        except orjson.JSONDecodeError:
            return _text(400, 'purge body must be JSON: {"url": ...} or {"prefix": ...}')
        if not isinstance(body, dict):
            return _text(400, "purge body must be a JSON object")
        url, prefix = body.get("url"), body.get("prefix")
        self.purges += 1
        if isinstance(url, str) and url.startswith("/"):
            return _json(200, {"purged": self.store.purge_url(url), "url": url})
        if isinstance(prefix, str) and prefix.startswith("/"):
            return _json(200, {"purged": self.store.purge_prefix(prefix), "prefix": prefix})
        return _text(422, "give a 'url' or 'prefix' that starts with '/'")


def _end_to_end(raw: list[tuple[str, str]]) -> dict[str, str]:
    out: dict[str, str] = {}
    for name, value in raw:
        name = name.lower()
        if name in HOP_BY_HOP:
            continue
        out[name] = f"{out[name]}, {value}" if name in out else value
    return out


def _text(status: int, message: str, extra: list | None = None) -> Reply:
    body = message.encode() + b"\n"
    headers = [(b"content-type", b"text/plain; charset=utf-8"), (b"cache-control", b"no-store")]
    length = [(b"content-length", str(len(body)).encode())]
    return Reply(status, headers + (extra or []) + length, body)


def _json(status: int, payload: dict) -> Reply:
    body = orjson.dumps(payload)
    headers = [
        (b"content-type", b"application/json"),
        (b"cache-control", b"no-store"),
        (b"content-length", str(len(body)).encode()),
    ]
    return Reply(status, headers, body)


async def _send(send, reply: Reply) -> None:
    await send({"type": "http.response.start", "status": reply.status, "headers": reply.headers})
    await send({"type": "http.response.body", "body": reply.body})
