"""The control plane: edge registry, nearest-healthy routing with failover, purge fan-out."""

from __future__ import annotations

import asyncio
import json

import httpx
import pytest

from services.cdn.process import start_edge
from services.cdn.routing import REGIONS, EdgeInfo, haversine_km, nearest_healthy
from services.cdn.settings import CdnSettings
from services.cdn.system import build
from services.errors import Invalid, NotFound, Unavailable
from tests.conftest import free_port
from tests.fake_clock import FakeClock
from tests.services.cdn.helpers import ScriptedOrigin
from warehouse.ingest import ingest_spool
from warehouse.lake import Lake


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
            reg = {"name": proc.name, "url": proc.url, "region": proc.region, "token": proc.token}
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
def test_background_health_loop_notices_a_dead_edge(settings, emitter):
    import time

    from fastapi.testclient import TestClient

    from services.app import create_app

    origin = ScriptedOrigin().start()
    edge = start_edge(origin.url, name="edge-bg", region="eu-west", settings=settings)
    try:
        app = create_app(settings, emitter)
        built = app.state.services["cdn"]
        app.state.services["cdn"] = build(settings, emitter, conf=CdnSettings(probe_interval_s=0.2))
        built.close()
        with TestClient(app) as client:
            admin = {"X-API-Key": settings.admin_api_key}
            reg = {"name": edge.name, "url": edge.url, "region": "eu-west"}
            client.post("/cdn/edges", json=reg, headers=admin)
            assert client.get("/cdn/route", params={"region": "eu-west"}).status_code == 200
            edge.kill()
            deadline = time.monotonic() + 10
            while time.monotonic() < deadline:
                if not client.get("/cdn/edges", headers=admin).json()[0]["healthy"]:
                    break
                time.sleep(0.1)
            assert client.get("/cdn/edges", headers=admin).json()[0]["healthy"] is False
    finally:
        edge.stop()
        origin.stop()


def test_routing_reprobes_only_health_older_than_twice_the_probe_interval(settings, emitter):
    origin = ScriptedOrigin().start()  # answers /healthz like an edge
    clock = FakeClock()
    svc = build(settings, emitter, conf=CdnSettings(probe_interval_s=5), clock=clock)
    try:
        svc.register(name="live", url=origin.url, region="eu-west")
        svc.register(name="dead", url=f"http://127.0.0.1:{free_port()}", region="eu-central")
        route = asyncio.run(svc.route(region="eu-central", path="/v/a.m4s"))
        assert route.edge.name == "live" and route.location == origin.url + "/v/a.m4s"
        first = {e.name: e.checked_at for e in svc.edges()}
        assert first == {"live": clock.now, "dead": clock.now}
        clock.advance(9.9)
        asyncio.run(svc.route(region="eu-west"))
        assert {e.name: e.checked_at for e in svc.edges()} == first  # fresh enough
        clock.advance(0.2)
        asyncio.run(svc.route(region="eu-west"))
        assert {e.checked_at for e in svc.edges()} == {clock.now}
    finally:
        svc.close()
        origin.stop()


def test_control_plane_refuses_bad_requests_with_domain_errors(settings, emitter):
    svc = build(settings, emitter)
    try:
        with pytest.raises(Invalid, match="unknown region"):
            svc.register(name="e", url="http://127.0.0.1:9", region="mars")
        with pytest.raises(Invalid, match="role"):
            svc.register(name="e", url="http://127.0.0.1:9", region="eu-west", role="cache")
        with pytest.raises(NotFound):
            svc.remove("nobody")
        with pytest.raises(Unavailable, match="no healthy edge"):
            asyncio.run(svc.route(region="eu-west"))
        with pytest.raises(Invalid, match="exactly one"):
            asyncio.run(svc.purge(url="/a", prefix="/b"))
        with pytest.raises(Invalid, match="exactly one"):
            asyncio.run(svc.purge(url="relative"))
    finally:
        svc.close()


def test_control_plane_changes_and_decisions_are_events_in_the_lake(settings, emitter):
    """Registering, routing, purging, an edge going down and its removal, in that order."""
    origin = ScriptedOrigin().start()
    svc = build(settings, emitter)
    try:
        svc.register(name="e1", url=origin.url, region="eu-west", actor="ops")
        asyncio.run(svc.route(region="eu-central"))
        asyncio.run(svc.purge(prefix="/v/", actor="ops"))
        origin.stop()
        asyncio.run(svc.check_health())
        svc.remove("e1", actor="ops")
    finally:
        svc.close()
    emitter.flush()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    rows = (
        Lake(settings.lake_dir)
        .query(
            "SELECT type, actor, entity, attrs FROM events WHERE system = 'cdn' ORDER BY ts, seq"
        )
        .to_dicts()
    )
    assert [(r["type"], r["actor"], r["entity"]) for r in rows] == [
        ("edge_registered", "ops", "e1"),
        ("route", None, "e1"),
        ("purge", "ops", "/v/"),
        ("edge_down", None, "e1"),
        ("edge_removed", "ops", "e1"),
    ]
    # The scripted origin is no edge: its answer to a purge counts as a failed purge.
    assert json.loads(rows[2]["attrs"]) == {"kind": "prefix", "purged": 0, "failed": ["e1"]}
