"""Cache-Control, validators, ranges, Vary and compression at an edge process.

Expiry is tested on an edge in this process on a fake clock (``clocked``): the test moves
time past a max-age rather than sleeping through it.
"""

from __future__ import annotations

import gzip
from collections.abc import Iterator
from urllib.parse import quote

import brotli
import httpx
import pytest

from services.cdn.process import ServerProcess
from tests.fake_clock import FakeClock
from tests.services.cdn.helpers import ThreadServer, clocked_edge, wait_until


@pytest.fixture(scope="module")
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture(scope="module")
def clocked(scripted, cdn_settings, clock) -> Iterator[ThreadServer]:
    with clocked_edge(scripted.url, clock, cdn_settings, "edge-clocked") as edge:
        yield edge


def get(edge: ServerProcess | ThreadServer, url: str, **headers: str) -> httpx.Response:
    return httpx.get(edge.url + url, headers=headers, timeout=10, trust_env=False)


def obj(name: str, cc: str | None = None, **params: str) -> str:
    query = [f"{k}={quote(v)}" for k, v in params.items()]
    if cc is not None:
        query.append(f"cc={quote(cc)}")
    return f"/{name}?" + "&".join(query)


def test_max_age_response_is_served_from_cache_until_it_expires(clocked, scripted, clock):
    url = obj("max-age", "max-age=2")
    first, second = get(clocked, url), get(clocked, url)
    assert first.headers["x-cache"].startswith("MISS") and second.headers["x-cache"].startswith(
        "HIT"
    )
    assert second.content == first.content and scripted.counts[url] == 1
    clock.advance(1.9)
    assert get(clocked, url).headers["x-cache"].startswith("HIT")
    clock.advance(0.3)
    assert get(clocked, url).headers["x-cache"].startswith("MISS")
    assert scripted.counts[url] == 2


def test_s_maxage_overrides_max_age_for_the_shared_cache(edge, scripted):
    url = obj("s-maxage", "max-age=0, s-maxage=60")
    get(edge, url)
    assert get(edge, url).headers["x-cache"].startswith("HIT")
    assert scripted.counts[url] == 1


@pytest.mark.parametrize("cc", ["no-store", "private, max-age=60"])
def test_no_store_and_private_responses_are_never_stored(edge, scripted, cc):
    url = obj("uncacheable", cc)
    for _ in range(3):
        resp = get(edge, url)
        assert resp.status_code == 200 and resp.headers["x-cache"].startswith("BYPASS")
    assert scripted.counts[url] == 3


def test_no_cache_is_stored_but_revalidated_on_every_use(edge, scripted):
    url = obj("no-cache", "no-cache", etag="1")
    first = get(edge, url)
    second = get(edge, url)
    assert second.headers["x-cache"].startswith("REVALIDATED")
    assert second.content == first.content
    assert scripted.counts[url] == 2 and scripted.conditional[url] == 1


def test_expired_object_with_etag_is_revalidated_with_a_304_not_refetched(clocked, scripted, clock):
    url = obj("revalidate", "max-age=2", etag="1", size="5000")
    get(clocked, url)
    clock.advance(2.2)
    resp = get(clocked, url)
    assert resp.headers["x-cache"].startswith("REVALIDATED") and len(resp.content) == 5000
    assert scripted.conditional[url] == 1
    assert get(clocked, url).headers["x-cache"].startswith("HIT")


def test_stale_while_revalidate_serves_stale_then_refreshes_in_background(clocked, scripted, clock):
    url = obj("swr", "max-age=2, stale-while-revalidate=30")
    old = get(clocked, url).content
    scripted.bump(url)
    clock.advance(2.2)
    stale = get(clocked, url)
    assert stale.headers["x-cache"].startswith("STALE") and stale.content == old
    # The refresh was started before the stale answer went out; it ends once it has stored.
    wait_until(lambda: not clocked.app.refreshing, what="the background refresh")
    fresh = get(clocked, url)
    assert fresh.headers["x-cache"].startswith("HIT") and b" v1 " in fresh.content
    assert scripted.counts[url] == 2


def test_client_no_cache_forces_revalidation(edge, scripted):
    url = obj("client-no-cache", "max-age=60", etag="1")
    get(edge, url)
    resp = get(edge, url, **{"cache-control": "no-cache"})
    assert resp.headers["x-cache"].startswith("REVALIDATED")
    assert scripted.conditional[url] == 1


def test_if_none_match_and_if_modified_since_get_304_from_the_edge(edge, scripted):
    url = obj("conditional", "max-age=60", etag="1", lm="1")
    first = get(edge, url)
    etag, modified = first.headers["etag"], first.headers["last-modified"]
    by_etag = get(edge, url, **{"if-none-match": etag})
    assert by_etag.status_code == 304 and by_etag.content == b"" and by_etag.headers["etag"] == etag
    assert get(edge, url, **{"if-none-match": f"W/{etag}"}).status_code == 304
    assert get(edge, url, **{"if-modified-since": modified}).status_code == 304
    assert get(edge, url, **{"if-none-match": '"other"'}).status_code == 200
    assert (
        get(edge, url, **{"if-modified-since": "Mon, 01 Jan 2001 00:00:00 GMT"}).status_code == 200
    )
    assert scripted.counts[url] == 1


def test_range_requests_get_206_from_cache_and_416_when_unsatisfiable(edge, scripted):
    url = obj("range", "max-age=60", etag="1", size="10000")
    full = get(edge, url).content
    part = get(edge, url, range="bytes=100-199")
    assert part.status_code == 206 and part.content == full[100:200]
    assert part.headers["content-range"] == "bytes 100-199/10000"
    suffix = get(edge, url, range="bytes=-50")
    assert suffix.status_code == 206 and suffix.content == full[-50:]
    open_ended = get(edge, url, range="bytes=9990-")
    assert open_ended.content == full[9990:]
    bad = get(edge, url, range="bytes=20000-")
    assert bad.status_code == 416 and bad.headers["content-range"] == "bytes */10000"
    assert get(edge, url, range="bytes=0-1,5-6").status_code == 200  # several ranges: whole
    stale_if_range = get(edge, url, range="bytes=0-9", **{"if-range": '"old"'})
    assert stale_if_range.status_code == 200 and stale_if_range.content == full
    assert scripted.counts[url] == 1


def test_vary_keeps_one_cached_variant_per_header_value(edge, scripted):
    url = obj("vary", "max-age=60", vary="Accept-Language")
    en = get(edge, url, **{"accept-language": "en"})
    fr = get(edge, url, **{"accept-language": "fr"})
    assert en.content.endswith(b"en") and fr.content.endswith(b"fr")
    again = get(edge, url, **{"accept-language": "en"})
    assert again.headers["x-cache"].startswith("HIT") and again.content == en.content
    assert "Accept-Language" in again.headers["vary"]
    assert scripted.counts[url] == 2


def test_playlists_are_compressed_by_accept_encoding_and_segments_never(edge, scripted):
    body_url = obj(
        "master.m3u8", "max-age=60", ctype="application/vnd.apple.mpegurl", size="4000", etag="1"
    )
    plain = get(edge, body_url, **{"accept-encoding": "identity"})
    assert "content-encoding" not in plain.headers
    assert "vary" not in plain.headers and plain.headers["etag"] == '"v0-"'  # as the origin sent
    with httpx.Client(trust_env=False) as client:
        raw = client.build_request("GET", edge.url + body_url, headers={"accept-encoding": "gzip"})
        gz = client.send(raw, stream=True)
        gz_bytes = b"".join(gz.iter_raw())
        raw = client.build_request("GET", edge.url + body_url, headers={"accept-encoding": "br"})
        br = client.send(raw, stream=True)
        br_bytes = b"".join(br.iter_raw())
    assert gz.headers["content-encoding"] == "gzip" and gzip.decompress(gz_bytes) == plain.content
    assert br.headers["content-encoding"] == "br" and brotli.decompress(br_bytes) == plain.content
    assert len(gz_bytes) < len(plain.content) and gz.headers["etag"] != plain.headers["etag"]
    assert gz.headers["vary"] == br.headers["vary"] == "Accept-Encoding"
    segment = obj("seg.m4s", "max-age=60", ctype="video/iso.segment", size="4000")
    seg = get(edge, segment, **{"accept-encoding": "gzip, br"})
    assert "content-encoding" not in seg.headers and len(seg.content) == 4000
    assert scripted.counts[body_url] == 1


def test_unsafe_methods_reach_the_origin_instead_of_a_405(edge, scripted):
    resp = httpx.post(edge.url + "/anything-posted", content=b"x", trust_env=False)
    assert resp.status_code == 200 and scripted.counts["/anything-posted"] == 1


def test_cors_preflight_is_answered_by_the_edge_for_players_on_other_origins(edge):
    resp = httpx.options(
        edge.url + "/v/seg.m4s",
        trust_env=False,
        headers={"origin": "http://player.test", "access-control-request-headers": "range"},
    )
    assert resp.status_code == 204 and resp.headers["access-control-allow-origin"] == "*"
    assert "Range" in resp.headers["access-control-allow-headers"]


def test_head_is_answered_from_cache_without_a_body(edge, scripted):
    url = obj("head", "max-age=60", size="3000")
    get(edge, url)
    resp = httpx.head(edge.url + url, trust_env=False)
    assert resp.status_code == 200 and resp.headers["content-length"] == "3000"
    assert resp.content == b"" and scripted.counts[url] == 1


def test_client_no_store_skips_storing_without_evicting_the_cached_copy(edge, scripted):
    url = obj("client-no-store", "max-age=60")
    assert get(edge, url, **{"cache-control": "no-store"}).headers["x-cache"].startswith("MISS")
    assert get(edge, url).headers["x-cache"].startswith("MISS")  # the first was not kept
    assert get(edge, url, **{"cache-control": "no-store"}).headers["x-cache"].startswith("HIT")
    assert get(edge, url).headers["x-cache"].startswith("HIT")
    assert scripted.counts[url] == 2


def test_purge_that_overlaps_a_fetch_is_not_undone_by_it(edge, scripted):
    import threading

    url = obj("purge-race", "max-age=60", delay="600")
    slow = threading.Thread(target=get, args=(edge, url))
    slow.start()
    wait_until(lambda: scripted.counts[url] == 1, what="the slow fetch reaching the origin")
    token = {"X-CDN-Token": edge.token}
    purge = httpx.post(edge.url + "/_cdn/purge", json={"url": url}, headers=token, trust_env=False)
    assert purge.status_code == 200
    slow.join()
    assert get(edge, url).headers["x-cache"].startswith("MISS")
    assert scripted.counts[url] == 2


def test_disk_tier_serves_what_the_memory_budget_evicted(scripted, cdn_settings, tmp_path):
    from services.cdn.process import start_edge

    with start_edge(
        scripted.url,
        name="edge-disk",
        settings=cdn_settings,
        memory_bytes=300_000,
        disk_dir=str(tmp_path / "disk"),
    ) as small:
        urls = [obj(f"disk{i}", "max-age=60", size="200000") for i in range(3)]
        for url in urls:
            assert get(small, url).headers["x-cache"].startswith("MISS")
        for url in urls:
            resp = get(small, url)
            assert resp.headers["x-cache"].startswith("HIT") and len(resp.content) == 200_000
        stats = get(small, "/_cdn/stats").json()
        assert stats["memory_bytes"] <= 300_000 and stats["disk_bytes"] > 0
        assert all(scripted.counts[url] == 1 for url in urls)
