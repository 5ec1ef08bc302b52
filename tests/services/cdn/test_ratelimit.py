"""The edge's per-client rate limit: token buckets, 429 with Retry-After, bounded memory, and
control calls with the edge's token never limited."""

from __future__ import annotations

import httpx

from services.cdn.ratelimit import TokenBuckets
from tests.fake_clock import FakeClock
from tests.services.cdn.helpers import ScriptedOrigin, clocked_edge


def test_a_bucket_allows_its_burst_then_refuses_until_it_refills() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(rate=2, burst=3, clock=clock)
    assert [buckets.check("a") for _ in range(3)] == [None, None, None]
    wait = buckets.check("a")
    assert wait is not None and 0 < wait <= 0.5
    assert buckets.check("b") is None  # another client has its own bucket
    clock.advance(0.5)
    assert buckets.check("a") is None
    assert buckets.check("a") is not None
    assert buckets.refused == 2


def test_idle_buckets_are_dropped_and_the_map_never_exceeds_its_cap() -> None:
    clock = FakeClock()
    buckets = TokenBuckets(rate=10, burst=5, max_clients=100, clock=clock)
    for i in range(1000):  # an attacker rotating addresses
        buckets.check(f"10.0.{i // 256}.{i % 256}")
        assert len(buckets) <= 100
    clock.advance(1.0)  # burst / rate = 0.5 s: every bucket is full again, hence forgettable
    buckets.check("192.0.2.1")
    assert len(buckets) == 1 and buckets.evicted >= 999


def test_the_edge_answers_429_with_retry_after_but_lets_its_purges_through(cdn_settings) -> None:
    origin = ScriptedOrigin().start()
    config = {"rate_limit_rps": 0.5, "rate_limit_burst": 3, "purge_token": "t" * 32}
    try:
        with (
            clocked_edge(origin.url, FakeClock(), cdn_settings, "edge-rl", **config) as edge,
            httpx.Client(base_url=edge.url, trust_env=False, timeout=5) as http,
        ):
            codes = [http.get("/obj?cc=max-age%3D60").status_code for _ in range(3)]
            assert codes == [200, 200, 200]
            limited = http.get("/obj?cc=max-age%3D60")
            assert limited.status_code == 429
            assert int(limited.headers["retry-after"]) >= 1
            assert limited.headers["content-type"] == "application/problem+json"
            assert limited.json()["status"] == 429
            assert origin.counts["/obj?cc=max-age%3D60"] == 1
            assert http.get("/healthz").status_code == 200  # probes are never limited
            purge = http.post(
                "/_cdn/purge", json={"url": "/obj"}, headers={"X-CDN-Token": "t" * 32}
            )
            assert purge.status_code == 200
            guess = http.post("/_cdn/purge", json={"url": "/obj"}, headers={"X-CDN-Token": "x"})
            assert guess.status_code == 429  # token guesses count against the client
            stats = http.get("/_cdn/stats", headers={"X-CDN-Token": "t" * 32}).json()
            assert stats["limited"] == 2
    finally:
        origin.stop()


def test_without_a_configured_rate_the_edge_does_not_limit(cdn_settings) -> None:
    origin = ScriptedOrigin().start()
    try:
        with (
            clocked_edge(origin.url, FakeClock(), cdn_settings, "edge-free") as edge,
            httpx.Client(base_url=edge.url, trust_env=False, timeout=5) as http,
        ):
            assert {http.get("/free?cc=max-age%3D60").status_code for _ in range(30)} == {200}
    finally:
        origin.stop()
