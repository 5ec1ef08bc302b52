import re
import time

import pytest
from sqlalchemy import event

from services.shortener.codes import code_for


def test_create_returns_a_seven_char_base62_code_that_redirects_with_302(client, shorten):
    r = shorten("https://example.com/a?b=1")
    assert r.status_code == 201
    code = r.json()["code"]
    assert re.fullmatch(r"[0-9A-Za-z]{7}", code)
    assert r.json()["short_url"].endswith(f"/s/{code}")
    resp = client.get(f"/s/{code}", follow_redirects=False)
    assert resp.status_code == 302
    assert resp.headers["location"] == "https://example.com/a?b=1"


def test_code_is_derived_from_the_hash_and_salted_on_collision(client, shorten):
    url = "https://example.com/collide"
    first = code_for(url, "alice", 0)
    # Somebody else's alias already holds the code the hash gives first.
    taken = shorten("https://example.org/other", alias=first)
    assert taken.status_code == 201
    r = shorten(url)
    assert r.status_code == 201
    assert r.json()["code"] == code_for(url, "alice", 1)


def test_redirect_on_a_cache_hit_does_not_touch_the_database(client, shorten):
    code = shorten().json()["code"]
    engine = client.app.state.services["shortener"].store.engine
    queries = []
    listener = lambda *a, **k: queries.append(a[2])  # noqa: E731
    event.listen(engine, "before_cursor_execute", listener)
    try:
        for _ in range(5):
            assert client.get(f"/s/{code}", follow_redirects=False).status_code == 302
        assert queries == []
        # A miss does read it, once, and then it is cached.
        client.app.state.services["shortener"].cache.delete(f"shortener:link:{code}")
        assert client.get(f"/s/{code}", follow_redirects=False).status_code == 302
        assert client.get(f"/s/{code}", follow_redirects=False).status_code == 302
        assert len(queries) == 1
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def test_redirects_keep_working_from_the_cache_when_the_database_is_gone(client, shorten):
    code = shorten().json()["code"]
    engine = client.app.state.services["shortener"].store.engine

    def refuse(*_a, **_k):
        raise RuntimeError("database unavailable")

    event.listen(engine, "before_cursor_execute", refuse)
    try:
        assert client.get(f"/s/{code}", follow_redirects=False).status_code == 302
    finally:
        event.remove(engine, "before_cursor_execute", refuse)


def test_custom_alias_works_and_a_taken_alias_is_a_conflict(client, shorten):
    r = shorten(alias="my-Link_1")
    assert r.status_code == 201 and r.json()["custom"] is True
    assert client.get("/s/my-Link_1", follow_redirects=False).status_code == 302
    assert shorten("https://example.com/x", alias="my-Link_1").status_code == 409


@pytest.mark.parametrize(
    "alias", ["admin", "API", "s", "a b", "x/y", "ab", "é-acute", "-lead", "<script>", "a" * 33]
)
def test_reserved_or_odd_aliases_are_rejected(shorten, alias):
    r = shorten(alias=alias)
    assert r.status_code == 422, r.text
    assert r.json()["detail"]


@pytest.mark.parametrize(
    "url,reason",
    [
        ("javascript:alert(1)", "http and https"),
        ("data:text/html,<b>x</b>", "http and https"),
        ("file:///etc/passwd", "http and https"),
        ("ftp://example.com/f", "http and https"),
        ("http://127.0.0.1:8000/s/abc", "itself"),
        ("http://localhost/admin", "localhost is a loopback name"),
        ("http://10.1.2.3/", "10.1.2.3 is a private address"),
        ("http://169.254.169.254/latest/meta-data", "169.254.169.254 is a link-local address"),
        ("http://[::1]/", "::1 is a loopback address"),
        ("https://example.com/" + "a" * 2100, "limit"),
        ("http://", "no host"),
        ("http:///nohost", "nohost does not resolve"),  # browsers read it as http://nohost/
    ],
)
def test_unsafe_targets_get_a_clear_422(shorten, url, reason):
    r = shorten(url)
    assert r.status_code == 422
    assert reason in r.json()["detail"]


def test_a_public_name_resolving_to_a_private_address_is_refused(client, shorten):
    client.app.state.services["shortener"].resolver = lambda host: ["192.168.1.10"]
    r = shorten("https://innocent.example/")
    assert r.status_code == 422 and "192.168.1.10" in r.json()["detail"]


def test_private_targets_are_allowed_when_configured(client, shorten):
    svc = client.app.state.services["shortener"]
    svc.conf = svc.conf.model_copy(update={"allow_private_targets": True})
    assert shorten("http://10.1.2.3/internal").status_code == 201


def test_expired_link_answers_410_and_unknown_404(client, shorten):
    code = shorten(ttl_seconds=1).json()["code"]
    assert client.get(f"/s/{code}", follow_redirects=False).status_code == 302
    svc = client.app.state.services["shortener"]
    svc.clock = lambda: time.time() + 5
    assert client.get(f"/s/{code}", follow_redirects=False).status_code == 410
    assert client.get("/s/zzzzzzz", follow_redirects=False).status_code == 404


def test_expiry_in_the_past_is_rejected(shorten):
    r = shorten(expires_at="2001-01-01T00:00:00Z")
    assert r.status_code == 422 and "future" in r.json()["detail"]


def test_delete_by_owner_makes_the_code_404_and_others_cannot_delete(
    client, shorten, user_headers, alice
):
    code = shorten().json()["code"]
    bob = user_headers("bob")
    assert client.delete(f"/shortener/links/{code}", headers=bob).status_code == 403
    assert client.delete(f"/shortener/links/{code}", headers=alice).status_code == 204
    assert client.get(f"/s/{code}", follow_redirects=False).status_code == 404
    assert client.delete(f"/shortener/links/{code}", headers=alice).status_code == 404
    assert client.get("/shortener/links", headers=alice).json() == []


def test_creating_links_needs_an_api_key(client):
    r = client.post("/shortener/links", json={"url": "https://example.com"})
    assert r.status_code == 401


def test_per_key_rate_limit_answers_429_with_retry_after(client, shorten, alice, user_headers):
    from services.ratelimit import TokenBucketLimiter

    client.app.state.services["shortener"].create_limiter = TokenBucketLimiter(3, 60.0, burst=3)
    codes = [shorten(f"https://example.com/{i}").status_code for i in range(4)]
    assert codes == [201, 201, 201, 429]
    r = shorten("https://example.com/again")
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    # Another key has its own bucket.
    assert shorten("https://example.com/b", headers=user_headers("bob")).status_code == 201


def test_clicks_are_events_with_referrer_user_agent_and_time(client, shorten, emitter, settings):
    from warehouse.ingest import ingest_spool
    from warehouse.lake import Lake

    code = shorten().json()["code"]
    client.get(
        f"/s/{code}",
        follow_redirects=False,
        headers={"Referer": "https://news.example/", "User-Agent": "pytest-agent"},
    )
    client.app.state.services["shortener"].clicks.flush()
    emitter.flush()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    df = Lake(settings.lake_dir).query(
        "SELECT ts, entity, attrs FROM events WHERE system='shortener' AND type='click'"
    )
    assert df.height == 1 and df["entity"][0] == code
    assert "news.example" in df["attrs"][0] and "pytest-agent" in df["attrs"][0]
    assert df["ts"][0] is not None


def test_purge_removes_expired_links(client, shorten):
    code = shorten(ttl_seconds=1).json()["code"]
    keep = shorten("https://example.com/keep").json()["code"]
    svc = client.app.state.services["shortener"]
    svc.clock = lambda: time.time() + 10
    assert svc.purge_expired() == 1
    assert svc.store.get(code) is None and svc.store.get(keep) is not None
    assert client.get(f"/s/{code}", follow_redirects=False).status_code == 404


def test_non_ascii_targets_are_stored_ascii_safe_for_the_location_header(client, shorten):
    r = shorten("https://exämple.com/päth?q=ü")
    assert r.status_code == 201
    assert r.json()["url"] == "https://xn--exmple-cua.com/p%C3%A4th?q=%C3%BC"
    resp = client.get(f"/s/{r.json()['code']}", follow_redirects=False)
    assert resp.headers["location"] == "https://xn--exmple-cua.com/p%C3%A4th?q=%C3%BC"


@pytest.mark.parametrize(
    "url",
    [
        "https://example.com/a\r\nSet-Cookie: x=1",
        "https://example.com/\x00",
        "https://example.com:99999/",
    ],
)
def test_header_injection_and_malformed_urls_are_refused(shorten, url):
    r = shorten(url)
    assert r.status_code == 422 and r.json()["detail"]
