"""Preload: the control plane asks chosen edges to warm paths through their own cache fill;
the first client request is then a hit and the origin saw one fetch."""

from __future__ import annotations

import threading

import httpx
import pytest

from tests.fake_clock import FakeClock
from tests.services.cdn.helpers import ScriptedOrigin, clocked_edge

TOKEN = "edge-preload-token-0123456789"
CACHED = "/warm?cc=max-age%3D600&etag=1"
PRIVATE = "/private?cc=no-store"
BROKEN = "/broken?cc=max-age%3D60"


@pytest.fixture
def warmable(cdn_settings):
    origin = ScriptedOrigin().start()
    origin.failing.add(BROKEN)
    with (
        clocked_edge(origin.url, FakeClock(), cdn_settings, "edge-a", purge_token=TOKEN) as a,
        clocked_edge(origin.url, FakeClock(), cdn_settings, "edge-b", purge_token=TOKEN[::-1]) as b,
    ):
        yield origin, a, b
    origin.stop()


def _register(client, admin_headers, edge, token: str) -> None:
    reg = {"name": edge.name, "url": edge.url, "region": "eu-west", "token": token}
    assert client.post("/cdn/edges", json=reg, headers=admin_headers).status_code == 201


def test_preload_through_the_control_plane_makes_the_first_request_a_hit(
    client, admin_headers, warmable
) -> None:
    origin, a, b = warmable
    _register(client, admin_headers, a, TOKEN)
    _register(client, admin_headers, b, TOKEN[::-1])
    body = {"paths": [CACHED, PRIVATE, BROKEN], "edges": ["edge-a"]}
    resp = client.post("/cdn/preload", json=body, headers=admin_headers)
    assert resp.status_code == 200, resp.text
    [report] = resp.json()["results"]
    assert report["edge"] == "edge-a" and report["ok"]
    results = {p["path"]: (p["result"], p["status"]) for p in report["paths"]}
    assert results == {
        CACHED: ("stored", 200),
        PRIVATE: ("not-cacheable", 200),
        BROKEN: ("error", 503),
    }
    first = httpx.get(a.url + CACHED, trust_env=False)
    assert first.headers["x-cache"].startswith("HIT")
    assert origin.counts[CACHED] == 1
    # edge-b was not chosen: its first request is a miss
    assert httpx.get(b.url + CACHED, trust_env=False).headers["x-cache"].startswith("MISS")
    assert origin.counts[CACHED] == 2
    # again, on every edge by default: already stored, no new origin fetch
    again = client.post("/cdn/preload", json={"paths": [CACHED]}, headers=admin_headers).json()
    assert {r["edge"]: r["paths"][0]["result"] for r in again["results"]} == {
        "edge-a": "stored",
        "edge-b": "stored",
    }
    assert origin.counts[CACHED] == 2


def test_preload_refuses_bad_input_and_callers_without_the_key(
    client, admin_headers, warmable
) -> None:
    _, a, _ = warmable
    _register(client, admin_headers, a, TOKEN)
    assert client.post("/cdn/preload", json={"paths": ["/x"]}).status_code == 401
    for bad in ({"paths": []}, {"paths": ["no-slash"]}, {"paths": ["//evil.example/x"]}, {}):
        assert client.post("/cdn/preload", json=bad, headers=admin_headers).status_code == 422
    unknown = client.post(
        "/cdn/preload", json={"paths": ["/x"], "edges": ["nope"]}, headers=admin_headers
    )
    assert unknown.status_code == 404
    direct = a.url + "/_cdn/preload"
    assert httpx.post(direct, json={"paths": ["/x"]}, trust_env=False).status_code == 403
    wrong = httpx.post(
        direct, json={"paths": ["/x"]}, headers={"X-CDN-Token": TOKEN[::-1]}, trust_env=False
    )
    assert wrong.status_code == 403
    token = {"X-CDN-Token": TOKEN}
    assert httpx.post(direct, content=b"{", headers=token, trust_env=False).status_code == 400
    many = {"paths": ["/x"] * 101}
    assert httpx.post(direct, json=many, headers=token, trust_env=False).status_code == 422


def test_a_preload_racing_a_client_shares_one_origin_fetch(warmable) -> None:
    origin, a, _ = warmable
    slow = "/slow?cc=max-age%3D600&delay=400"
    got: dict = {}

    def client_fetch() -> None:
        got["resp"] = httpx.get(a.url + slow, trust_env=False, timeout=10)

    thread = threading.Thread(target=client_fetch)
    thread.start()
    resp = httpx.post(
        a.url + "/_cdn/preload",
        json={"paths": [slow]},
        headers={"X-CDN-Token": TOKEN},
        trust_env=False,
        timeout=10,
    )
    thread.join(timeout=10)
    assert resp.json()["results"][0]["result"] == "stored"
    assert got["resp"].status_code == 200
    assert origin.counts[slow] == 1
