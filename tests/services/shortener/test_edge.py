"""The redirect-only edge server and the raw redirect mount of the platform app."""

import pytest
from fastapi.testclient import TestClient

from services.errors import NotFound
from services.shortener.edge import create_edge_app
from tests.services.shortener.conftest import public_resolver


def test_edge_serves_links_created_through_the_platform_app(client, shorten, settings):
    code = shorten("https://example.com/edge").json()["code"]
    with TestClient(create_edge_app(settings)) as edge:
        r = edge.get(f"/s/{code}", follow_redirects=False)
        assert r.status_code == 302 and r.headers["location"] == "https://example.com/edge"
        edge.get(f"/s/{code}", follow_redirects=False)
        stats = edge.app.state.services["shortener"].cache.stats()
        assert stats["loads"] == 1 and stats["hits"] >= 1  # one database read, then cache
        unknown = edge.get("/s/nothing1", follow_redirects=False)
        assert unknown.status_code == 404
        assert unknown.headers["content-type"] == "application/problem+json"
        assert edge.get("/shortener/links").status_code == 404
        assert edge.get("/healthz").json()["served"] == 3


def test_edge_rate_limits_per_client_address_with_retry_after(settings):
    strict = settings.model_copy(update={"rate_limit_per_minute": 2})
    with TestClient(create_edge_app(strict)) as edge:
        codes = [edge.get("/s/abcdefg", follow_redirects=False).status_code for _ in range(3)]
        assert codes == [404, 404, 429]
        r = edge.get("/s/abcdefg", follow_redirects=False)
        assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1


def test_redirect_mount_answers_head_and_refuses_other_methods(client, shorten):
    code = shorten().json()["code"]
    assert client.head(f"/s/{code}", follow_redirects=False).status_code == 302
    r = client.post(f"/s/{code}")
    assert r.status_code == 405 and r.headers["allow"] == "GET, HEAD"
    assert client.get(f"/s/{code}/extra", follow_redirects=False).status_code == 404


def test_a_process_local_cache_forgets_a_link_deleted_elsewhere_within_its_local_ttl(settings):
    """The redirect edge cannot hear of a delete made through the platform app: its cached
    copy, loaded on a miss, must lapse after ``local_ttl_s``, not after the shared tier's hour."""
    from services.shortener.system import build
    from warehouse.emitter import Emitter, SpoolTransport

    now = [1_000_000.0]

    def clock() -> float:
        return now[0]

    emitter = Emitter(SpoolTransport(settings, "edge-test"))
    app_side = build(settings, emitter, clock=clock, cache_clock=clock, resolver=public_resolver)
    edge_side = build(settings, emitter, clock=clock, cache_clock=clock)
    try:
        link = app_side.create("alice", "https://example.com/forget-me")
        assert edge_side.resolve(link.code).cache == "miss"  # loaded into the edge's cache
        assert edge_side.resolve(link.code).cache == "hit"
        app_side.delete(link.code, "alice")
        assert edge_side.conf.local_ttl_s < edge_side.conf.link_ttl_s
        now[0] += edge_side.conf.local_ttl_s + 1
        with pytest.raises(NotFound):
            edge_side.resolve(link.code)
    finally:
        app_side.close()
        edge_side.close()
        emitter.close()
