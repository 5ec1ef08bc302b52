"""Request coalescing, the edge -> shield -> origin tiers, and purge by URL and prefix."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import httpx
import pytest

from services.cdn.demo import write_demo_tree
from services.cdn.origin import create_origin_app
from services.cdn.process import ServerProcess, run_tier
from tests.fake_clock import FakeClock
from tests.services.cdn.helpers import ThreadServer, clocked_edge
from warehouse.settings import Settings


async def _burst(url: str, n: int) -> list[httpx.Response]:
    limits = httpx.Limits(max_connections=n)
    async with httpx.AsyncClient(limits=limits, timeout=20, trust_env=False) as client:
        return await asyncio.gather(*(client.get(url) for _ in range(n)))


def test_100_concurrent_misses_make_exactly_one_origin_fetch(edge, scripted):
    url = "/coalesce?cc=max-age%3D60&delay=1000&size=100000"
    responses = asyncio.run(_burst(edge.url + url, 100))
    assert all(r.status_code == 200 and len(r.content) == 100_000 for r in responses)
    assert scripted.counts[url] == 1
    stats = httpx.get(edge.url + "/_cdn/stats", trust_env=False).json()
    assert stats["coalesced"] >= 50  # any later arrivals found the object stored: hits


def test_coalesced_followers_of_an_uncacheable_response_fetch_for_themselves(edge, scripted):
    url = "/private-burst?cc=private&delay=200"
    responses = asyncio.run(_burst(edge.url + url, 5))
    assert all(r.status_code == 200 for r in responses)
    assert scripted.counts[url] == 5  # a private answer is never handed to another client


@pytest.fixture(scope="module")
def tiers(tmp_path_factory, cdn_settings: Settings) -> Iterator[dict[str, ServerProcess]]:
    root = tmp_path_factory.mktemp("blobs")
    write_demo_tree(root)
    with run_tier(root, regions=("eu-west", "us-east"), settings=cdn_settings) as tier:
        yield {
            "origin": tier.origin,
            "shield": tier.shield,
            "eu": tier.edge("eu-west"),
            "us": tier.edge("us-east"),
        }


def origin_count(tiers, path: str) -> int:
    token = {"X-CDN-Token": tiers["origin"].token}
    stats = httpx.get(tiers["origin"].url + "/_origin/stats", headers=token, trust_env=False).json()
    return stats["by_path"].get(path, 0)


def test_shield_absorbs_misses_so_two_edges_cost_one_origin_fetch(tiers):
    path = "/cdn-demo/640x360/seg_00001.m4s"
    eu = httpx.get(tiers["eu"].url + path, trust_env=False)
    us = httpx.get(tiers["us"].url + path, trust_env=False)
    assert eu.status_code == us.status_code == 200 and eu.content == us.content
    assert eu.headers["x-cache"] == "MISS from edge-eu-west"
    assert origin_count(tiers, path) == 1
    shield = httpx.get(tiers["shield"].url + "/_cdn/stats", trust_env=False).json()
    assert shield["MISS"] == 1 and shield["HIT"] == 1
    metrics = httpx.get(tiers["shield"].url + "/metrics", trust_env=False).text
    assert 'cdn_requests_total{edge="shield-eu-central",cache="HIT"} 1' in metrics
    assert eu.headers["content-type"] == "video/iso.segment"
    assert "immutable" in eu.headers["cache-control"]


def test_purge_by_url_and_prefix_drops_only_matching_objects(tiers):
    edge = tiers["eu"].url
    paths = [
        "/cdn-demo/1280x720/seg_00001.m4s",
        "/cdn-demo/1280x720/seg_00002.m4s",
        "/cdn-demo/readme.txt",
    ]
    for path in paths:
        httpx.get(edge + path, trust_env=False)
    token = {"X-CDN-Token": tiers["eu"].token}
    denied = httpx.post(edge + "/_cdn/purge", json={"url": paths[0]}, trust_env=False)
    assert denied.status_code == 403
    bad = httpx.post(edge + "/_cdn/purge", json={"url": "no-slash"}, headers=token, trust_env=False)
    assert bad.status_code == 422
    one = httpx.post(edge + "/_cdn/purge", json={"url": paths[0]}, headers=token, trust_env=False)
    assert one.json()["purged"] == 1
    assert httpx.get(edge + paths[0], trust_env=False).headers["x-cache"].startswith("MISS")
    assert httpx.get(edge + paths[1], trust_env=False).headers["x-cache"].startswith("HIT")
    prefix = httpx.post(
        edge + "/_cdn/purge", json={"prefix": "/cdn-demo/1280x720/"}, headers=token, trust_env=False
    )
    assert prefix.json()["purged"] == 2
    assert httpx.get(edge + paths[1], trust_env=False).headers["x-cache"].startswith("MISS")
    assert httpx.get(edge + paths[2], trust_env=False).headers["x-cache"].startswith("HIT")


def test_age_from_the_shield_is_carried_into_the_edge_copy(tmp_path, cdn_settings):
    write_demo_tree(tmp_path)
    clock = FakeClock()  # shield and edge share it, as machines share NTP time
    path = "/cdn-demo/thumbs.vtt"
    with (
        ThreadServer(create_origin_app(tmp_path), "origin") as origin,
        clocked_edge(origin.url, clock, cdn_settings, "shield-eu-central", role="shield") as shield,
        clocked_edge(shield.url, clock, cdn_settings, "edge-us-east") as edge,
    ):
        assert httpx.get(shield.url + path, trust_env=False).status_code == 200
        clock.advance(1.2)
        resp = httpx.get(edge.url + path, trust_env=False)
    assert resp.headers["x-cache"] == "MISS from edge-us-east"
    assert resp.headers["age"] == "1"  # the shield's copy was already 1.2 s old


def test_missing_file_is_a_404_through_every_tier(tiers):
    assert httpx.get(tiers["eu"].url + "/cdn-demo/none.m4s", trust_env=False).status_code == 404
