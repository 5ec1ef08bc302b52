"""The control plane: edge registry, nearest-healthy routing with failover, purge fan-out."""

from __future__ import annotations

import httpx
import pytest

from services.cdn.process import start_edge
from services.cdn.routing import REGIONS, EdgeInfo, haversine_km, nearest_healthy
from tests.services.cdn.helpers import ScriptedOrigin


def test_haversine_distance_matches_a_known_city_pair():
    # Dublin to Frankfurt is about 1090 km.
    assert 1050 < haversine_km(REGIONS["eu-west"], REGIONS["eu-central"]) < 1130


def test_nearest_healthy_skips_unhealthy_edges_and_shields():
    edges = [
        EdgeInfo("dub", "http://a", "eu-west", *REGIONS["eu-west"], healthy=False),
        EdgeInfo("fra-shield", "http://b", "eu-central", *REGIONS["eu-central"], role="shield"),
        EdgeInfo("iad", "http://c", "us-east", *REGIONS["us-east"]),
    ]
    edge, _ = nearest_healthy(edges, REGIONS["eu-central"])
    assert edge.name == "iad"
    assert nearest_healthy([edges[0]], REGIONS["eu-west"]) is None


def test_registering_edges_needs_admin_and_a_known_region(client, admin_headers):
    body = {"name": "e1", "url": "http://127.0.0.1:9", "region": "eu-west"}
    assert client.post("/cdn/edges", json=body).status_code == 401
    bad = client.post("/cdn/edges", json={**body, "region": "mars"}, headers=admin_headers)
    assert bad.status_code == 422 and "unknown region" in bad.json()["detail"]
    assert (
        client.post(
            "/cdn/edges", json={**body, "url": "ftp://x"}, headers=admin_headers
        ).status_code
        == 422
    )
    ok = client.post("/cdn/edges", json=body, headers=admin_headers)
    assert ok.status_code == 201 and ok.json()["lat"] == REGIONS["eu-west"][0]
    assert client.get("/cdn/route").status_code == 422
    assert client.get("/cdn/route", params={"region": "mars"}).status_code == 422
    assert client.get("/cdn/route", params={"lat": 100, "lon": 0}).status_code == 422


@pytest.mark.slow
def test_routing_picks_nearest_healthy_edge_and_fails_over_when_it_dies(
    client, admin_headers, settings
):
    origin = ScriptedOrigin().start()
    eu = start_edge(
        origin.url, name="edge-eu", region="eu-west", settings=settings, ready_timeout=None
    )
    us = start_edge(
        origin.url, name="edge-us", region="us-east", settings=settings, ready_timeout=None
    )
    try:
        eu.wait_ready(30), us.wait_ready(30)
        for proc in (eu, us):
            reg = {"name": proc.name, "url": proc.url, "region": proc.region}
            assert client.post("/cdn/edges", json=reg, headers=admin_headers).status_code == 201
        route = client.get(
            "/cdn/route", params={"region": "eu-central", "path": "/x?cc=max-age%3D60"}
        )
        assert route.status_code == 200 and route.json()["edge"] == "edge-eu"
        assert httpx.get(route.json()["location"], trust_env=False).status_code == 200
        assert client.get("/cdn/route", params={"region": "us-west"}).json()["edge"] == "edge-us"

        # Purge fans out to every edge.
        purge = client.post("/cdn/purge", json={"prefix": "/x"}, headers=admin_headers)
        assert purge.status_code == 200
        purged = {r["edge"]: r["purged"] for r in purge.json()["results"]}
        assert purged == {"edge-eu": 1, "edge-us": 0}
        assert (
            client.post("/cdn/purge", json={"url": "x"}, headers=admin_headers).status_code == 422
        )
        assert (
            client.post(
                "/cdn/purge", json={"url": "/a", "prefix": "/b"}, headers=admin_headers
            ).status_code
            == 422
        )

        eu.kill()  # abrupt death
        health = client.post("/cdn/health/check", headers=admin_headers).json()
        assert {e["name"]: e["healthy"] for e in health} == {"edge-eu": False, "edge-us": True}
        moved = client.get("/cdn/route", params={"region": "eu-central"})
        assert moved.json()["edge"] == "edge-us"
        failed = client.post("/cdn/purge", json={"url": "/x"}, headers=admin_headers).json()
        assert [r["edge"] for r in failed["results"] if not r["ok"]] == ["edge-eu"]

        us.kill()
        client.post("/cdn/health/check", headers=admin_headers)
        none_left = client.get("/cdn/route", params={"region": "eu-central"})
        assert none_left.status_code == 503
    finally:
        eu.stop(), us.stop()
        origin.stop()


@pytest.mark.slow
def test_background_health_loop_notices_a_dead_edge(settings, emitter, monkeypatch):
    import time

    from fastapi.testclient import TestClient

    import services.cdn.api as cdn_api
    from services.app import create_app

    monkeypatch.setattr(cdn_api, "PROBE_SECONDS", 0.2)
    origin = ScriptedOrigin().start()
    edge = start_edge(origin.url, name="edge-bg", region="eu-west", settings=settings)
    try:
        with TestClient(create_app(settings, emitter)) as client:
            reg = {"name": edge.name, "url": edge.url, "region": "eu-west"}
            client.post("/cdn/edges", json=reg, headers={"X-API-Key": settings.admin_api_key})
            assert client.get("/cdn/route", params={"region": "eu-west"}).status_code == 200
            edge.kill()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if not client.get("/cdn/edges").json()[0]["healthy"]:
                    break
                time.sleep(0.1)
            assert client.get("/cdn/edges").json()[0]["healthy"] is False
    finally:
        edge.stop()
        origin.stop()
