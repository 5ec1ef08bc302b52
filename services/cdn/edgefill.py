"""How the edge fills its cache from the upstream: one coalesced fetch per key, conditional
revalidation of what it holds, stale answers when allowed (RFC 9111 §4.2.4, RFC 5861), and
storing what may be stored. A mixin of ``services.cdn.edge.Edge``."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import dataclass

from services.cdn.cachecontrol import RequestDirectives, initial_age, response_policy
from services.cdn.edgeconfig import EdgeConfig
from services.cdn.purgelog import PurgeLog
from services.cdn.respond import connection_listed
from services.cdn.store import Entry, ObjectStore, parse_vary, vary_values
from services.cdn.upstream import Fetched, Upstream, UpstreamError
from services.cdn.wire import end_to_end, storable_copy

#: Request fields a cache fill does not forward: the edge fetches the whole identity
#: representation and answers the client's conditionals and ranges from it.
FILL_DROPPED = frozenset(
    {"if-none-match", "if-modified-since", "if-match", "if-unmodified-since", "if-range", "range"}
)
#: Fields never forwarded upstream: the upstream is another authority with its own framing.
NOT_FORWARDED = frozenset({"host", "content-length", "expect"})


@dataclass(slots=True)
class Outcome:
    """What a (possibly shared) upstream fetch produced."""

    cache: str  # MISS, REVALIDATED, STALE, BYPASS, ERROR
    entry: Entry | None = None
    shareable: bool = True
    error: UpstreamError | None = None
    stream: Fetched | None = None


class EdgeFill:
    """Upstream fetches, revalidation and storing of an edge's cache."""

    config: EdgeConfig
    clock: Callable[[], float]
    store: ObjectStore
    upstream: Upstream | None
    purges: PurgeLog
    inflight: dict[str, asyncio.Future[Outcome]]
    refreshing: set[asyncio.Task]
    stats: dict[str, int]

    def _via(self, upstream_via: str | None) -> str:
        """``Via`` with this edge appended (RFC 9110 §7.6.3)."""
        hop = f"1.1 {self.config.name}"
        return f"{upstream_via}, {hop}" if upstream_via else hop

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
