"""The edge cache server: a lean pure-ASGI app in front of an upstream (shield or origin).

The hit path avoids any framework: look up, check freshness, answer. Misses are coalesced so
N concurrent requests for one key make one upstream fetch. A shield is this same app with
the origin as its upstream. Filling from the upstream is ``edgefill``, what passes through
uncached is ``edgerelay``, and control endpoints under ``/_cdn/`` are ``edgecontrol``.
Optionally: a per-client rate limit (``ratelimit``), ESI assembly of opted-in HTML (``esi``),
preload (``preload``) and HTTPS (``tls``, through the server that runs the app).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable
from pathlib import Path

from services.cdn import esi
from services.cdn.cachecontrol import RequestDirectives
from services.cdn.edgeconfig import EdgeConfig
from services.cdn.edgecontrol import EdgeControl
from services.cdn.edgefill import FILL_DROPPED, Outcome
from services.cdn.edgerelay import EdgeRelay
from services.cdn.purgelog import PurgeLog
from services.cdn.ratelimit import TokenBuckets, too_many
from services.cdn.respond import Reply, build_reply
from services.cdn.store import Entry, ObjectStore
from services.cdn.upstream import Fetched, Upstream
from services.cdn.wire import PREFLIGHT, is_preflight, request_headers, send_reply, text_reply


class Edge(EdgeRelay, EdgeControl):
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
