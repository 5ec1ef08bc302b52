"""The edge cache server: a lean pure-ASGI app in front of an upstream (shield or origin).

The hit path avoids any framework: look up, check freshness, answer. Misses are coalesced so
N concurrent requests for one key make one upstream fetch. A shield is this same app with
the origin as its upstream. Control endpoints live under ``/_cdn/`` (``edgecontrol``).
Optionally: a per-client rate limit (``ratelimit``), ESI assembly of opted-in HTML (``esi``),
preload (``preload``) and HTTPS (``tls``, through the server that runs the app).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin, urlsplit

from services.cdn import esi
from services.cdn.cachecontrol import (
    RequestDirectives,
    initial_age,
    response_policy,
)
from services.cdn.edgecontrol import EdgeControl
from services.cdn.purgelog import PurgeLog
from services.cdn.ratelimit import TokenBuckets, too_many
from services.cdn.respond import (
    COMPRESSIBLE_TYPES,
    REGENERATED,
    Reply,
    build_reply,
    connection_listed,
    field_lines,
)
from services.cdn.store import Entry, ObjectStore, parse_vary, vary_values
from services.cdn.upstream import Fetched, Upstream, UpstreamError
from services.cdn.wire import (
    PREFLIGHT,
    end_to_end,
    is_preflight,
    request_headers,
    send_reply,
    storable_copy,
    text_reply,
)

#: Request fields a cache fill does not forward: the edge fetches the whole identity
#: representation and answers the client's conditionals and ranges from it.
FILL_DROPPED = frozenset(
    {"if-none-match", "if-modified-since", "if-match", "if-unmodified-since", "if-range", "range"}
)
#: Fields never forwarded upstream: the upstream is another authority with its own framing.
NOT_FORWARDED = frozenset({"host", "content-length", "expect"})
#: Largest request body an unsafe method may carry through the edge.
MAX_REQUEST_BODY = 16 * 1024 * 1024


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
    #: Content types (prefixes) the edge compresses; playlists and manifests by default.
    compress_types: tuple[str, ...] = COMPRESSIBLE_TYPES
    #: How stale a stored response may be served when the upstream cannot be reached (RFC 9111
    #: §4.2.4 allows it when disconnected, unless a directive forbids it); 0 turns it off.
    stale_if_disconnected_s: float = 3600.0
    #: Per-client rate limit (requests per second per client address, token bucket); 0 turns
    #: it off. Purges and preloads with this edge's token and health probes are never limited.
    rate_limit_rps: float = 0.0
    #: Requests a client may make at once (bucket size); 0 means twice the rate.
    rate_limit_burst: float = 0.0
    #: Most client buckets kept (idle ones are dropped first): bounds the limiter's memory.
    rate_limit_clients: int = 65_536
    #: Serve HTTPS with this certificate and key (``services.cdn.tls``); plain HTTP without.
    tls_certfile: str | None = None
    tls_keyfile: str | None = None

    def __post_init__(self) -> None:
        self.compress_types = tuple(t.lower() for t in self.compress_types)


@dataclass(slots=True)
class Outcome:
    """What a (possibly shared) upstream fetch produced."""

    cache: str  # MISS, REVALIDATED, STALE, BYPASS, ERROR
    entry: Entry | None = None
    shareable: bool = True
    error: UpstreamError | None = None
    stream: Fetched | None = None


class Edge(EdgeControl):
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
        self.purges = PurgeLog()  # a fill that overlapped a purge of its URL is not stored
        self.refreshing: set[asyncio.Task] = set()
        self.stats = dict.fromkeys(
            ("HIT", "MISS", "STALE", "REVALIDATED", "BYPASS", "ERROR")
            + ("coalesced", "limited", "preloaded"),
            0,
        )
        self.limiter: TokenBuckets | None = None
        if config.rate_limit_rps > 0:
            self.limiter = TokenBuckets(
                config.rate_limit_rps,
                config.rate_limit_burst or 2 * config.rate_limit_rps,
                max_clients=config.rate_limit_clients,
            )

    # -- ASGI --------------------------------------------------------------------------
    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] == "lifespan":
            await self._lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        path: str = scope["path"]
        if self.limiter is not None and not self._exempt(scope):
            client = (scope.get("client") or ("unknown", 0))[0]
            wait = self.limiter.check(client)
            if wait is not None:
                self.stats["limited"] += 1
                await send_reply(send, too_many(wait, client))
                return
        if path in ("/healthz", "/metrics") or path.startswith("/_cdn/"):
            await self._control(scope, receive, send)
            return
        started = time.perf_counter()
        method = scope["method"]
        headers = request_headers(scope["headers"])
        if method == "OPTIONS" and is_preflight(headers):
            await send_reply(send, Reply(204, list(PREFLIGHT), b""))
            return
        qs = scope["query_string"]
        raw_path = scope.get("raw_path") or path.encode("utf-8")
        url = raw_path.decode("latin-1") + ("?" + qs.decode("latin-1") if qs else "")
        if method in ("GET", "HEAD"):
            cache, reply, stream = await self.handle(url, headers, method == "HEAD")
        else:
            cache, reply, stream = await self.pass_through(method, url, headers, receive)
        self.stats[cache] += 1
        if stream is not None:
            sent = await self._send_stream(send, stream, method == "HEAD")
            status = stream.status
        else:
            await send_reply(send, reply)
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
        self, url: str, headers: dict[str, str], head: bool = False, *, depth: int = 0
    ) -> tuple[str, Reply | None, Fetched | None]:
        """Answer one GET/HEAD: (cache status, reply, or a pass-through stream). ``depth``
        is how deep this request is nested in ESI includes.

        The request's own directives (RFC 9111 §5.2.1) decide whether a stored response may
        answer it: ``max-age``, ``min-fresh``, ``max-stale``, ``no-cache`` (revalidate),
        ``no-store`` (keep nothing of the answer; a stored response may still be used, as
        §5.2.1.5 allows), ``only-if-cached`` (504 rather than go upstream).
        """
        req = RequestDirectives.parse(headers)
        key = self.store.key_for(url, headers)
        entry = self.store.get(key)
        now = self.clock()
        if entry is not None:
            if req.allows(entry.age(now), entry.policy):
                return "HIT", await self._answer(entry, headers, head, "HIT", now, depth), None
            if req.only_if_cached:
                return (
                    "MISS",
                    text_reply(504, "only-if-cached: no stored response may be used"),
                    None,
                )
            if not (
                req.no_cache or req.max_age is not None or req.min_fresh is not None
            ) and entry.policy.stale_ok_for_revalidate(entry.staleness(now)):
                self._refresh_in_background(key, url, headers, entry)
                reply = await self._answer(entry, headers, head, "STALE", now, depth)
                return "STALE", reply, None
        elif req.only_if_cached:
            return "MISS", text_reply(504, "only-if-cached: nothing stored for this request"), None
        if req.no_store:
            outcome = await self._fetch(url, headers, None, req)
        else:
            outcome = await self._coalesced(key, url, headers, entry, req)
        if outcome.stream is not None:
            return outcome.cache, None, outcome.stream
        if outcome.entry is not None:
            reply = await self._answer(
                outcome.entry, headers, head, outcome.cache, self.clock(), depth
            )
            return outcome.cache, reply, None
        assert outcome.error is not None
        return "ERROR", text_reply(outcome.error.status, outcome.error.reason), None

    async def pass_through(
        self, method: str, url: str, headers: dict[str, str], receive
    ) -> tuple[str, Reply | None, Fetched | None]:
        """Forward an unsafe (or unknown) method to the upstream and relay its answer; on a
        non-error status invalidate the target URI and the same-origin ``Location`` and
        ``Content-Location`` URIs (RFC 9111 §4.4)."""
        assert self.upstream is not None
        body = bytearray()
        while True:
            message = await receive()
            body += message.get("body", b"")
            if len(body) > MAX_REQUEST_BODY:
                return "BYPASS", text_reply(413, "request body too large for the edge"), None
            if not message.get("more_body"):
                break
        up = self._upstream_headers(headers, fill=False)
        try:
            fetched = await self.upstream.fetch(
                url, up, method=method, content=bytes(body) if body or method != "GET" else None
            )
        except UpstreamError as exc:
            return "ERROR", text_reply(exc.status, exc.reason), None
        if fetched.status < 400:
            self._invalidate(url, headers, fetched.headers)
        if fetched.response is not None:
            return "BYPASS", None, fetched
        relay = end_to_end(fetched.raw_headers, received_at=fetched.response_time)
        relay["via"] = self._via(relay.get("via"))
        out = [
            line
            for k, v in relay.items()
            if k not in REGENERATED
            for line in field_lines(k.encode("latin-1"), v.encode("latin-1"))
        ]
        payload = fetched.body or b""
        if fetched.status not in (204, 304) and fetched.status >= 200:
            out.append((b"content-length", str(len(payload)).encode()))
        out.append((b"x-cache", f"BYPASS from {self.config.name}".encode()))
        no_body = method == "HEAD" or fetched.status in (204, 304)
        return "BYPASS", Reply(fetched.status, out, b"" if no_body else payload), None

    def _via(self, upstream_via: str | None) -> str:
        """``Via`` with this edge appended (RFC 9110 §7.6.3)."""
        hop = f"1.1 {self.config.name}"
        return f"{upstream_via}, {hop}" if upstream_via else hop

    def _invalidate(self, url: str, request: dict[str, str], response: dict[str, str]) -> None:
        """Drop every stored variant of ``url`` and of the response's Location and
        Content-Location when they point at this same authority."""
        self._purge_url(url)
        host = request.get("host", "").lower()
        for name in ("location", "content-location"):
            value = response.get(name)
            if not value:
                continue
            target = urlsplit(urljoin(url, value.strip()))
            if target.netloc and target.netloc.lower() != host:
                continue
            path = target.path or "/"
            self._purge_url(path + (f"?{target.query}" if target.query else ""))

    def _purge_url(self, url: str) -> int:
        """Drop every stored variant of ``url``; a fill of it in flight will not be stored."""
        self.purges.purged(url)
        return self.store.purge_url(url)

    async def _answer(
        self, entry: Entry, headers, head: bool, cache: str, now: float, depth: int
    ) -> Reply:
        """The reply for a stored (or just fetched) response: an ESI template is assembled
        (``services.cdn.esi``), anything else answered as stored."""
        if not esi.is_template(entry.status, entry.headers):
            return self._reply(entry, headers, head, cache, now)
        if depth >= esi.MAX_DEPTH:
            return text_reply(502, f"ESI includes nested deeper than {esi.MAX_DEPTH}")
        plain = {k: v for k, v in headers.items() if k not in FILL_DROPPED}
        plain.pop("accept-encoding", None)  # fragments and template as identity bodies
        page = self._reply(entry, plain, False, cache, now)

        async def fetch(path: str) -> esi.Fragment | None:
            status, reply, stream = await self.handle(path, plain, depth=depth + 1)
            if stream is not None:  # too large to include
                await stream.aclose()
                return None
            if reply is None or not 200 <= reply.status < 300:
                return None
            control = dict(reply.headers).get(b"cache-control", b"").lower()
            private = b"no-store" in control or b"private" in control
            return esi.Fragment(reply.body, status not in ("BYPASS", "ERROR") and not private)

        try:
            body, cacheable = await esi.assemble(page.body, fetch, entry.url, headers.get("host"))
        except esi.IncludeFailed as exc:
            return text_reply(502, str(exc))
        out = [(k, v) for k, v in page.headers if k not in esi.NOT_FORWARDED]
        if not cacheable:  # a personal fragment: no cache downstream may keep the page
            out = [(k, v) for k, v in out if k != b"cache-control"]
            out.append((b"cache-control", b"private, no-store"))
        out.append((b"content-length", str(len(body)).encode()))
        return Reply(200, out, b"" if head else body)

    def _reply(self, entry: Entry, headers, head: bool, cache: str, now: float) -> Reply:
        encodings = len(entry.encoded)
        reply = build_reply(
            entry,
            headers,
            head=head,
            cache_status=cache,
            edge_name=self.config.name,
            now=now,
            compress_types=self.config.compress_types,
        )
        if len(entry.encoded) != encodings:  # a compressed copy was made: charge its bytes
            self.store.touch(entry)
        return reply

    async def _coalesced(self, key, url, headers, entry, req: RequestDirectives) -> Outcome:
        """One upstream fetch per key at a time; followers share its outcome when allowed."""
        leader = self.inflight.get(key)
        if leader is not None:
            self.stats["coalesced"] += 1
            outcome = await asyncio.shield(leader)
            if outcome.shareable and self._fits(outcome, headers):
                return outcome
            return await self._fetch(url, headers, None, req)
        future: asyncio.Future[Outcome] = asyncio.get_running_loop().create_future()
        self.inflight[key] = future
        try:
            outcome = await self._fetch(url, headers, entry, req)
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
            self._coalesced(key, url, dict(headers), entry, RequestDirectives())
        )
        self.refreshing.add(task)
        task.add_done_callback(self.refreshing.discard)

    def _upstream_headers(self, headers: dict[str, str], *, fill: bool) -> dict[str, str]:
        """The client's end-to-end fields (RFC 9110 §7.6.1): hop-by-hop ones and those named
        in ``Connection`` dropped, ``Via`` extended. A cache fill also drops conditionals and
        ranges and asks for the identity body."""
        drop = connection_listed(headers) | NOT_FORWARDED
        if fill:
            drop = drop | FILL_DROPPED
        out = {k: v for k, v in headers.items() if k not in drop}
        out["via"] = self._via(out.get("via"))
        if fill:
            out["accept-encoding"] = "identity"
        return out

    async def _fetch(self, url, headers, entry: Entry | None, req: RequestDirectives) -> Outcome:
        """Fetch (or revalidate ``entry``) from upstream, store what may be stored."""
        assert self.upstream is not None
        up = self._upstream_headers(headers, fill=True)
        if entry is not None:
            if etag := entry.headers.get("etag"):
                up["if-none-match"] = etag
            if last_modified := entry.headers.get("last-modified"):
                up["if-modified-since"] = last_modified
        purges_before = self.purges.mark()
        try:
            fetched = await self.upstream.fetch(url, up)
        except UpstreamError as exc:
            window = self._disconnected_window(exc, req)
            if entry is not None and entry.policy.stale_ok_on_error(
                entry.staleness(self.clock()), req.stale_if_error, window
            ):
                return Outcome("STALE", entry)
            return Outcome("ERROR", error=exc)
        if fetched.response is not None:  # too big to cache: stream it through
            return Outcome("BYPASS", shareable=False, stream=fetched)
        if entry is not None and fetched.status == 304:
            return Outcome("REVALIDATED", self._refreshed(entry, fetched, purges_before))
        if (
            entry is not None
            and fetched.status >= 500
            and entry.policy.stale_ok_on_error(
                entry.staleness(fetched.response_time), req.stale_if_error
            )
        ):
            return Outcome("STALE", entry)
        vary = parse_vary(fetched.headers.get("vary"))
        headers_e2e = end_to_end(fetched.raw_headers, received_at=fetched.response_time)
        new = Entry(
            url=url,
            status=fetched.status,
            headers=headers_e2e,
            body=fetched.body or b"",
            stored_at=fetched.response_time,
            initial_age=initial_age(fetched.headers, fetched.request_time, fetched.response_time),
            policy=response_policy(
                fetched.status,
                fetched.headers,
                request_headers=headers,
                now=fetched.response_time,
            ),
            vary=vary,
            vary_values=vary_values(vary, headers),
        )
        if not new.policy.storable:
            if entry is not None:
                self.store.purge_url(url)  # the origin now forbids storing it
            return Outcome("BYPASS", new, shareable=False)
        if req.no_store:  # storable, but this client asked that nothing of it be kept
            return Outcome("MISS", new, shareable=False)
        if not self.purges.overlapped(url, purges_before):
            self.store.put(storable_copy(new))
        return Outcome("MISS", new)

    def _disconnected_window(self, exc: UpstreamError, req: RequestDirectives) -> float:
        """How stale a stored response may be to stand in when the upstream is unreachable:
        ``stale_if_disconnected_s``, unless the client asked for a validated or fresher
        answer (``no-cache``, ``max-age``, ``min-fresh``) or the upstream did answer."""
        if not exc.disconnected or req.no_cache or req.max_age is not None:
            return 0.0
        return 0.0 if req.min_fresh is not None else self.config.stale_if_disconnected_s

    def _refreshed(self, entry: Entry, fetched: Fetched, purges_before: int) -> Entry:
        """A 304 renews the stored object: every field it carries replaces the stored one,
        except Content-Length (RFC 9111 §3.2) and the content coding of the body kept here."""
        headers = dict(entry.headers)
        for name, value in end_to_end(fetched.raw_headers).items():
            if name not in ("content-length", "content-encoding"):
                headers[name] = value
        entry.headers = headers
        entry.prepared.clear()
        entry.stored_at = fetched.response_time
        entry.initial_age = initial_age(
            fetched.headers, fetched.request_time, fetched.response_time
        )
        entry.policy = response_policy(entry.status, headers, now=fetched.response_time)
        if entry.policy.strip:
            entry.headers = {k: v for k, v in headers.items() if k not in entry.policy.strip}
        if not self.purges.overlapped(entry.url, purges_before) and entry.policy.storable:
            self.store.put(entry)
        return entry

    async def _send_stream(self, send, fetched: Fetched, head: bool) -> int:
        """Stream an uncacheable-size body through. If the upstream breaks mid-body the
        exception propagates, so the server aborts the connection rather than end the
        response as if it were complete."""
        assert fetched.response is not None
        drop = connection_listed(fetched.headers) | (REGENERATED - {"content-length"})
        headers = [
            (k.lower().encode("latin-1"), v.encode("latin-1"))
            for k, v in fetched.raw_headers
            if k.lower() not in drop
        ]
        headers = [h for h in headers if h[0] != b"via"]
        headers.append((b"via", self._via(fetched.headers.get("via")).encode("latin-1")))
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
