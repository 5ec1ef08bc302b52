"""The redirect-only edge server and the raw redirect mount of the platform app."""

from fastapi.testclient import TestClient

from services.shortener.edge import create_edge_app


def test_edge_serves_links_created_through_the_platform_app(client, shorten, settings):
    code = shorten("https://example.com/edge").json()["code"]
    with TestClient(create_edge_app(settings)) as edge:
        r = edge.get(f"/s/{code}", follow_redirects=False)
        assert r.status_code == 302 and r.headers["location"] == "https://example.com/edge"
        edge.get(f"/s/{code}", follow_redirects=False)
        stats = edge.app.state.cache.stats()
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
