"""The edge's own endpoints: health, counters (JSON and Prometheus), and the control calls
that need the edge's token (purge, preload), plus who skips the rate limit. A mixin of
``services.cdn.edge.Edge``, kept apart so the cache logic stays readable."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

import orjson

from services.cdn.preload import bad_paths, warm
from services.cdn.respond import Reply
from services.cdn.wire import json_reply, send_reply, text_reply

if TYPE_CHECKING:
    from services.cdn.edgeconfig import EdgeConfig
    from services.cdn.purgelog import PurgeLog
    from services.cdn.store import ObjectStore
    from services.cdn.upstream import Upstream


class EdgeControl:
    """Control endpoints under ``/_cdn/`` (and ``/healthz``, ``/metrics``) of an edge."""

    config: EdgeConfig
    stats: dict[str, int]
    store: ObjectStore
    upstream: Upstream | None
    purges: PurgeLog

    def _purge_url(self, url: str) -> int:
        raise NotImplementedError  # the edge's, which also marks fills in flight

    def _exempt(self, scope) -> bool:
        """Health probes and control calls carrying this edge's token skip the rate limit
        (a purge must get through while the edge is under attack); everything else counts,
        token guesses included."""
        path = scope["path"]
        if path in ("/healthz", "/_cdn/healthz"):
            return True
        return path.startswith("/_cdn/") and self._token_ok(scope)

    def _token_ok(self, scope) -> bool:
        token = self.config.purge_token
        if not token:
            return False
        given = dict(scope["headers"]).get(b"x-cdn-token", b"")
        return hmac.compare_digest(given, token.encode())

    async def _control(self, scope, receive, send) -> None:
        path, method = scope["path"], scope["method"]
        if path in ("/healthz", "/_cdn/healthz"):
            c = self.config
            body = {"status": "ok", "name": c.name, "region": c.region, "role": c.role}
            await send_reply(send, json_reply(200, body))
        elif path == "/_cdn/stats":
            await send_reply(send, json_reply(200, self.snapshot()))
        elif path == "/metrics":
            body = self.prometheus().encode()
            headers = [
                (b"content-type", b"text/plain; version=0.0.4"),
                (b"content-length", str(len(body)).encode()),
            ]
            await send_reply(send, Reply(200, headers, body))
        elif path == "/_cdn/purge" and method == "POST":
            await send_reply(send, await self._purge(scope, receive))
        elif path == "/_cdn/preload" and method == "POST":
            await send_reply(send, await self._preload(scope, receive))
        else:
            await send_reply(send, text_reply(404, f"no control endpoint {method} {path}"))

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
            "# TYPE cdn_rate_limited_total counter",
            f'cdn_rate_limited_total{{edge="{edge}"}} {s["limited"]}',
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
        if not self.config.purge_token:
            return text_reply(403, "this edge has no purge token configured: it accepts no purges")
        if not self._token_ok(scope):
            return text_reply(403, "purge needs the edge's X-CDN-Token")
        body = await _json_body(receive, 'purge body must be JSON: {"url": ...} or {"prefix": ...}')
        if isinstance(body, Reply):
            return body
        url, prefix = body.get("url"), body.get("prefix")
        if isinstance(url, str) and url.startswith("/"):
            return json_reply(200, {"purged": self._purge_url(url), "url": url})
        if isinstance(prefix, str) and prefix.startswith("/"):
            self.purges.purged_prefix()
            return json_reply(200, {"purged": self.store.purge_prefix(prefix), "prefix": prefix})
        return text_reply(422, "give a 'url' or 'prefix' that starts with '/'")

    async def _preload(self, scope, receive) -> Reply:
        """Warm ``{"paths": [...]}`` through the normal cache fill (``services.cdn.preload``);
        only with this edge's own token, like a purge."""
        if not self._token_ok(scope):
            return text_reply(403, "preload needs the edge's X-CDN-Token")
        body = await _json_body(receive, 'preload body must be JSON: {"paths": ["/a", ...]}')
        if isinstance(body, Reply):
            return body
        problem = bad_paths(body.get("paths"))
        if problem is not None:
            return text_reply(422, problem)
        return json_reply(200, {"results": await warm(self, body["paths"])})


async def _json_body(receive, usage: str, limit: int = 65_536) -> dict | Reply:
    """A control call's JSON object body, or the 4xx reply that refuses it."""
    raw = b""
    while True:
        message = await receive()
        raw += message.get("body", b"")
        if len(raw) > limit:
            return text_reply(413, f"control body over {limit // 1024} KiB")
        if not message.get("more_body"):
            break
    try:
        body = orjson.loads(raw)
    except orjson.JSONDecodeError:
        return text_reply(400, usage)
    if not isinstance(body, dict):
        return text_reply(400, usage)
    return body
