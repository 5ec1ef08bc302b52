"""Who may drive the CDN: the control plane's routes need the admin key (clients only route);
every edge purges only with its own token, which the control plane stores and sends in place
of the admin key; the origin's counters need the origin's token; /cdn/regions has a response
schema that OpenAPI 3.1 tooling accepts."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest
from starlette.testclient import TestClient

from services.cdn.demo import write_demo_tree
from services.cdn.edge import Edge
from services.cdn.edgeconfig import EdgeConfig
from services.cdn.origin import create_origin_app
from services.cdn.process import run_tier, start_edge, start_origin
from tests.fake_clock import FakeClock
from tests.services.cdn.helpers import ThreadServer, clocked_edge, serve_in_thread

TOKEN_A = "edge-a-token-0123456789"
TOKEN_B = "edge-b-token-9876543210"


@pytest.fixture
def user_headers(client, admin_headers) -> dict[str, str]:
    resp = client.post(
        "/auth/keys", json={"user_id": "viewer", "roles": ["user"]}, headers=admin_headers
    )
    return {"X-API-Key": resp.json()["api_key"]}


class PurgeRecorder:
    """Answers ``POST /_cdn/purge`` like an edge and keeps the ``X-CDN-Token`` it was sent."""

    def __init__(self) -> None:
        self.tokens: list[str | None] = []
        self.server, self.thread, self.port = serve_in_thread(self, lifespan="off")

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            return
        headers = dict(scope["headers"])
        if scope["path"] == "/_cdn/purge":
            token = headers.get(b"x-cdn-token")
            self.tokens.append(token.decode() if token is not None else None)
        body = b'{"purged": 0}'
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": body})

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


def _purge(url: str, token: str | None) -> int:
    headers = {} if token is None else {"X-CDN-Token": token}
    return httpx.post(
        url + "/_cdn/purge", json={"prefix": "/"}, headers=headers, trust_env=False
    ).status_code


# -- the control plane's routes ---------------------------------------------------------------
def test_listing_edges_and_every_control_route_need_the_admin_key(
    client, admin_headers, user_headers
) -> None:
    body = {"name": "e1", "url": "http://127.0.0.1:9", "region": "eu-west", "token": TOKEN_A}
    routes = [
        ("GET", "/cdn/edges", None),
        ("POST", "/cdn/edges", body),
        ("DELETE", "/cdn/edges/e1", None),
        ("POST", "/cdn/health/check", None),
        ("GET", "/cdn/stats", None),
        ("POST", "/cdn/purge", {"prefix": "/"}),
    ]
    for method, path, payload in routes:
        anonymous = client.request(method, path, json=payload)
        assert anonymous.status_code == 401, (method, path)
        user = client.request(method, path, json=payload, headers=user_headers)
        assert user.status_code == 403, (method, path)
    assert client.post("/cdn/edges", json=body, headers=admin_headers).status_code == 201
    listed = client.get("/cdn/edges", headers=admin_headers)
    assert listed.status_code == 200 and [e["name"] for e in listed.json()] == ["e1"]
    assert client.get("/cdn/regions").status_code == 200  # clients find edges without a key
    assert client.get("/cdn/route", params={"region": "eu-west"}).status_code in (200, 503)


def test_edge_tokens_are_write_only_their_own_and_never_the_admin_key(
    client, admin_headers, settings
) -> None:
    edge = {"name": "e1", "url": "http://127.0.0.1:9", "region": "eu-west"}
    admin_token = {**edge, "token": settings.admin_api_key}
    refused = client.post("/cdn/edges", json=admin_token, headers=admin_headers)
    assert refused.status_code == 422 and "admin" in refused.json()["detail"]
    generated = client.post("/cdn/edges", json=edge, headers=admin_headers)
    assert generated.status_code == 201
    token = generated.json()["token"]
    assert len(token) >= 32 and token != settings.admin_api_key
    given = client.post(
        "/cdn/edges", json={**edge, "name": "e2", "token": TOKEN_A}, headers=admin_headers
    )
    assert given.status_code == 201 and given.json()["token"] is None  # not echoed back
    again = client.post(
        "/cdn/edges", json={**edge, "name": "e2", "token": TOKEN_A}, headers=admin_headers
    )
    assert again.status_code == 201  # re-registering an edge with its own token is fine
    stolen = client.post(
        "/cdn/edges", json={**edge, "name": "e3", "token": token}, headers=admin_headers
    )
    assert stolen.status_code == 409
    short = client.post(
        "/cdn/edges", json={**edge, "name": "e4", "token": "short"}, headers=admin_headers
    )
    assert short.status_code == 422
    listing = client.get("/cdn/edges", headers=admin_headers).text
    assert token not in listing and TOKEN_A not in listing and "token" not in listing


def test_the_control_plane_sends_each_edge_its_own_token_and_never_the_admin_key(
    client, admin_headers, settings
) -> None:
    a, b = PurgeRecorder(), PurgeRecorder()
    try:
        for name, rec, token in (("rec-a", a, TOKEN_A), ("rec-b", b, TOKEN_B)):
            reg = {"name": name, "url": rec.url, "region": "eu-west", "token": token}
            assert client.post("/cdn/edges", json=reg, headers=admin_headers).status_code == 201
        purge = client.post("/cdn/purge", json={"prefix": "/v/"}, headers=admin_headers)
        assert purge.status_code == 200
        assert all(r["ok"] for r in purge.json()["results"]), purge.json()
    finally:
        a.stop(), b.stop()
    assert a.tokens == [TOKEN_A] and b.tokens == [TOKEN_B]
    assert settings.admin_api_key not in a.tokens + b.tokens


# -- the edges --------------------------------------------------------------------------------
def test_an_edge_accepts_purges_only_with_its_own_token(cdn_settings, tmp_path) -> None:
    write_demo_tree(tmp_path)
    clock = FakeClock()
    with (
        ThreadServer(create_origin_app(tmp_path), "origin") as origin,
        clocked_edge(origin.url, clock, cdn_settings, "edge-a", purge_token=TOKEN_A) as edge_a,
        clocked_edge(origin.url, clock, cdn_settings, "edge-b", purge_token=TOKEN_B) as edge_b,
    ):
        for token in (None, "", cdn_settings.admin_api_key, TOKEN_B, TOKEN_A + "x"):
            assert _purge(edge_a.url, token) == 403, token
        assert _purge(edge_b.url, TOKEN_A) == 403
        assert _purge(edge_a.url, TOKEN_A) == 200
        assert _purge(edge_b.url, TOKEN_B) == 200


def test_an_edge_without_a_token_refuses_every_purge(tmp_path) -> None:
    bare = Edge(EdgeConfig(name="bare", upstream="http://127.0.0.1:9", access_log=False))
    with ThreadServer(bare, "bare") as edge:
        assert _purge(edge.url, None) == 403
        assert _purge(edge.url, "") == 403


def test_edge_processes_each_get_their_own_token_off_the_command_line(
    edge, scripted, cdn_settings
) -> None:
    assert _purge(edge.url, cdn_settings.admin_api_key) == 403
    with start_edge(scripted.url, name="edge-second", settings=cdn_settings) as second:
        assert _purge(second.url, cdn_settings.admin_api_key) == 403
        assert _purge(second.url, edge.token) == 403  # another edge's token
        assert _purge(edge.url, second.token) == 403
        assert _purge(second.url, second.token) == 200
    assert _purge(edge.url, edge.token) == 200
    assert edge.token != second.token
    cmdline = Path(f"/proc/{edge.proc.pid}/cmdline")
    if cmdline.exists():
        assert edge.token.encode() not in cmdline.read_bytes()


@pytest.mark.slow
def test_purge_through_the_control_plane_reaches_shield_and_edges_end_to_end(
    client, admin_headers, settings, tmp_path
) -> None:
    write_demo_tree(tmp_path)
    path = "/cdn-demo/640x360/seg_00001.m4s"
    with run_tier(tmp_path, regions=("eu-west",), settings=settings) as tier:
        for proc in (tier.shield, *tier.edges):
            reg = {
                "name": proc.name,
                "url": proc.url,
                "region": proc.region,
                "role": proc.role,
                "token": proc.token,
            }
            assert client.post("/cdn/edges", json=reg, headers=admin_headers).status_code == 201
        edge = tier.edge("eu-west").url
        assert httpx.get(edge + path, trust_env=False).headers["x-cache"].startswith("MISS")
        assert httpx.get(edge + path, trust_env=False).headers["x-cache"].startswith("HIT")
        purge = client.post("/cdn/purge", json={"prefix": "/cdn-demo/"}, headers=admin_headers)
        results = {r["edge"]: (r["ok"], r["purged"]) for r in purge.json()["results"]}
        assert results == {tier.shield.name: (True, 1), "edge-eu-west": (True, 1)}
        assert httpx.get(edge + path, trust_env=False).headers["x-cache"].startswith("MISS")
        counters = httpx.get(
            tier.origin.url + "/_origin/stats",
            headers={"X-CDN-Token": tier.origin.token},
            trust_env=False,
        ).json()
        assert counters["by_path"][path] == 2  # the shield's copy was purged too


# -- the origin -------------------------------------------------------------------------------
def test_the_origin_counters_need_the_origin_token(tmp_path) -> None:
    write_demo_tree(tmp_path)
    client = TestClient(create_origin_app(tmp_path, token="origin-token-0123456789"))
    client.get("/cdn-demo/readme.txt")
    good = {"X-CDN-Token": "origin-token-0123456789"}
    for headers in ({}, {"X-CDN-Token": "wrong"}):
        assert client.get("/_origin/stats", headers=headers).status_code == 403
        assert client.post("/_origin/reset", headers=headers).status_code == 403
    assert client.get("/_origin/stats", headers=good).json()["requests"] == 1
    assert client.post("/_origin/reset", headers=good).status_code == 200
    assert client.get("/_origin/stats", headers=good).json()["requests"] == 0
    closed = TestClient(create_origin_app(tmp_path))
    assert closed.get("/_origin/stats").status_code == 403
    assert closed.post("/_origin/reset", headers=good).status_code == 403


def test_an_origin_process_opens_its_counters_to_its_own_token_only(tmp_path, cdn_settings) -> None:
    write_demo_tree(tmp_path)
    with start_origin(tmp_path, settings=cdn_settings) as origin:
        url = origin.url + "/_origin/stats"
        assert httpx.get(url, trust_env=False).status_code == 403
        assert httpx.post(origin.url + "/_origin/reset", trust_env=False).status_code == 403
        admin = {"X-CDN-Token": cdn_settings.admin_api_key}
        assert httpx.get(url, headers=admin, trust_env=False).status_code == 403
        assert origin.token and origin.token != cdn_settings.admin_api_key
        own = {"X-CDN-Token": origin.token}
        assert httpx.get(url, headers=own, trust_env=False).status_code == 200
        cmdline = Path(f"/proc/{origin.proc.pid}/cmdline")
        if cmdline.exists():
            assert origin.token.encode() not in cmdline.read_bytes()


# -- the OpenAPI schema -----------------------------------------------------------------------
def _constructs(node, found: set[str]) -> set[str]:
    if isinstance(node, dict):
        if "prefixItems" in node:
            found.add("prefixItems")
        if isinstance(node.get("items"), list):
            found.add("items as a list")
        for value in node.values():
            _constructs(value, found)
    elif isinstance(node, list):
        for value in node:
            _constructs(value, found)
    return found


def test_cdn_regions_response_schema_is_valid_openapi_3_1(client) -> None:
    spec = client.get("/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    schema = spec["paths"]["/cdn/regions"]["get"]["responses"]["200"]
    assert _constructs(schema, set()) == set(), json.dumps(schema)
    response = client.get("/cdn/regions")
    assert response.status_code == 200 and response.json()["eu-west"] == [53.35, -6.26]
    schemathesis = pytest.importorskip("schemathesis", reason="schemathesis validates the schema")
    operation = schemathesis.openapi.from_dict(spec)["/cdn/regions"]["GET"]
    operation.validate_response(response)  # raises on an invalid response schema or a mismatch
