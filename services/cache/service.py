"""The cache system's own service: its tier's stats and placement, and a key-value face.

Every other system builds its own tier with ``services.cache.build_cache`` and uses the client
directly. This service is the cache system seen from outside: callers store JSON values under
keys with a TTL, read and delete them, and watch hit ratio, fail-overs and per-node counters,
so the tier can be used and measured through its own API.

A caller picks eventual or strong consistency per request (``consistency``; the tier's
default otherwise): both are clients over the same nodes, so a strong read sees eventual
writes in version order and the other way round.

Keys are namespaced per caller (``cache:kv:<owner>:<key>``): scaled out, every tier shares the
Redis servers, and one caller must not read another's values or a system's internal keys.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import orjson

from services.cache.client import CacheClient, CacheUnavailable, QuorumUnavailable
from services.cache.nodes import InProcessNode
from services.cache.settings import CacheSettings
from services.errors import Conflict, Invalid, NotFound, TooLarge, Unavailable
from warehouse.emitter import Emitter

NAME = "cache"
MAX_KEY_CHARS = 250
_MISS: Any = object()


def storage_key(owner: str, key: str) -> str:
    """Where a caller's ``key`` lives in the tier."""
    return f"cache:kv:{owner}:{key}"


class CacheService:
    """Owns the cache system's client (its own tier, reporting to the lake as ``cache``)."""

    def __init__(
        self,
        client: CacheClient,
        emitter: Emitter,
        *,
        conf: CacheSettings,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.client = client
        self._views = {client.consistency: client}
        self.emitter = emitter
        self.conf = conf
        self.clock = clock

    def close(self) -> None:
        """Report the last counts to the lake and release the nodes."""
        self.client.close()

    # -- observing the tier ------------------------------------------------------------------
    def stats(self) -> dict[str, Any]:
        """Hit ratio, fail-overs and per-node entries/evictions of this tier."""
        return self.client.stats()

    def owners(self, key: str) -> list[str]:
        """The nodes that hold ``key`` (as stored in the tier), owner first."""
        return self.client.replicas_for(key)

    def report(self) -> None:
        """Send the counts gathered since the last report to the lake now."""
        self.client.metrics.report(self.client)

    # -- key-value face ----------------------------------------------------------------------
    def client_for(self, consistency: str | None) -> CacheClient:
        """The tier's client of ``consistency`` (None: the configured default)."""
        if consistency is None:
            return self.client
        view = self._views.get(consistency)
        if view is None:
            try:
                view = self.client.with_consistency(consistency)  # type: ignore[arg-type]
            except ValueError as exc:
                raise Invalid(str(exc)) from exc
            self._views[consistency] = view
        return view

    def get(self, owner: str, key: str, consistency: str | None = None) -> Any:
        """The value ``owner`` stored under ``key``; ``NotFound`` on a miss (or expiry),
        ``Unavailable`` when a strong read cannot reach its read quorum."""
        client = self.client_for(consistency)
        try:
            value = client.get(storage_key(owner, _check_key(key)), _MISS)
        except QuorumUnavailable as exc:
            raise Unavailable(f"{exc}; retry shortly") from exc
        if value is _MISS:
            raise NotFound(f"no cached value under {key!r} (never set, expired or evicted)")
        return value

    def put(
        self,
        owner: str,
        key: str,
        value: Any,
        ttl_s: float | None = None,
        consistency: str | None = None,
    ) -> tuple[int, float]:
        """Store ``value`` (JSON) for ``ttl_s`` seconds (the default TTL when None).

        Returns (replicas that took it, the TTL used). ``Invalid`` for a bad key or TTL,
        ``TooLarge`` past ``max_value_bytes``, ``Unavailable`` when no replica answers (strong:
        fewer than W).
        """
        key = _check_key(key)
        client = self.client_for(consistency)
        ttl = self.conf.default_ttl_s if ttl_s is None else ttl_s
        if not 0 < ttl <= self.conf.max_ttl_s:
            raise Invalid(f"ttl_s must be above 0 and at most {self.conf.max_ttl_s:g} seconds")
        try:
            size = len(orjson.dumps(value))
        except orjson.JSONEncodeError as exc:
            raise Invalid(
                f"value cannot be stored as JSON ({exc}): integers must fit in 64 bits and "
                "text must be valid Unicode"
            ) from exc
        if size > self.conf.max_value_bytes:
            raise TooLarge(
                f"value is {size} bytes as JSON; the cache takes at most "
                f"{self.conf.max_value_bytes}"
            )
        try:
            acks = client.set(storage_key(owner, key), value, ttl)
        except QuorumUnavailable as exc:
            raise Unavailable(f"{exc}; retry shortly") from exc
        except CacheUnavailable as exc:
            raise Unavailable(f"no replica of {key!r} is reachable; retry shortly") from exc
        return acks, ttl

    def delete(self, owner: str, key: str, consistency: str | None = None) -> None:
        """Drop ``key`` from every replica (nothing happens when it is absent); strong: a
        tombstone on W replicas, else ``Unavailable``."""
        client = self.client_for(consistency)
        try:
            client.delete(storage_key(owner, _check_key(key)))
        except QuorumUnavailable as exc:
            raise Unavailable(f"{exc}; retry shortly") from exc

    # -- fault drills ------------------------------------------------------------------------
    def set_node_up(self, name: str, up: bool, *, actor: str | None = None) -> dict[str, Any]:
        """Take an in-process node down (reads fail over to replicas) or bring it back.

        ``NotFound`` for an unknown node; ``Conflict`` for a Redis node, which is stopped by
        stopping its server, not through this API.
        """
        node = self.client.nodes.get(name)
        if node is None:
            raise NotFound(f"no cache node {name!r}; nodes: {', '.join(sorted(self.client.nodes))}")
        if not isinstance(node, InProcessNode):
            raise Conflict(f"{name} is a Redis server: stop or start the server itself")
        if node.down == (not up):
            return self.node_state(name)
        node.down = not up
        self.emitter.emit(
            NAME,
            "node_up" if up else "node_down",
            actor=actor,
            entity=name,
            attrs={"nodes": len(self.client.nodes), "replicas": self.client.replicas},
        )
        return self.node_state(name)

    def node_state(self, name: str) -> dict[str, Any]:
        node = self.client.nodes[name]
        down = bool(getattr(node, "down", False))
        return {"name": name, "up": not down, **({} if down else node.stats())}


def _check_key(key: str) -> str:
    if not key or len(key) > MAX_KEY_CHARS:
        raise Invalid(f"a key has 1 to {MAX_KEY_CHARS} characters")
    if any(ord(c) < 32 or ord(c) == 127 for c in key):
        raise Invalid("a key may not contain control characters")
    return key
