"""Caching rules, the object store and the origin, without processes."""

from __future__ import annotations

import time

import pytest
from starlette.testclient import TestClient

from services.cdn.cachecontrol import (
    RequestDirectives,
    age_value,
    http_date,
    parse_cache_control,
    parse_cdn_cache_control,
    response_policy,
)
from services.cdn.demo import write_demo_tree
from services.cdn.origin import create_origin_app
from services.cdn.respond import choose_encoding, compressible, parse_range
from services.cdn.store import Entry, ObjectStore


def test_cache_control_parsing_lowercases_names_and_keeps_arguments():
    cc = parse_cache_control('Max-Age=60, no-cache, private="set-cookie", , s-maxage=x')
    assert cc == {"max-age": "60", "no-cache": None, "private": "set-cookie", "s-maxage": "x"}


def test_freshness_precedence_s_maxage_then_max_age_then_expires_then_heuristic():
    assert response_policy(200, {"cache-control": "max-age=5, s-maxage=50"}).lifetime == 50
    assert response_policy(200, {"cache-control": "max-age=5"}).lifetime == 5
    expires = {"date": "Mon, 01 Jan 2024 00:00:00 GMT", "expires": "Mon, 01 Jan 2024 00:01:40 GMT"}
    assert response_policy(200, expires).lifetime == 100
    heuristic = {
        "date": "Mon, 01 Jan 2024 00:00:00 GMT",
        "last-modified": "Sun, 31 Dec 2023 23:00:00 GMT",
    }
    assert response_policy(200, heuristic).lifetime == 360  # 10% of an hour
    assert not response_policy(200, {}).storable  # nothing to reuse without freshness/validators
    # RFC 9111 §3: Set-Cookie does not forbid storing, explicit freshness makes any final
    # status storable, Vary: * never is.
    assert response_policy(200, {"cache-control": "max-age=9", "set-cookie": "a=b"}).storable
    assert not response_policy(200, {"cache-control": "max-age=9", "vary": "*"}).storable
    assert response_policy(500, {"cache-control": "max-age=9"}).storable
    assert not response_policy(500, {"last-modified": "Sun, 31 Dec 2023 23:00:00 GMT"}).storable


def test_stale_windows_are_closed_by_must_revalidate():
    swr = response_policy(200, {"cache-control": "max-age=1, stale-while-revalidate=10"})
    assert swr.stale_ok_for_revalidate(5) and not swr.stale_ok_for_revalidate(11)
    strict = response_policy(200, {"cache-control": "max-age=1, must-revalidate, stale-if-error=9"})
    assert not strict.stale_ok_on_error(1)


def test_range_parsing_covers_suffix_open_and_unsatisfiable_ranges():
    assert parse_range("bytes=0-9", 100) == (0, 9)
    assert parse_range("bytes=90-200", 100) == (90, 99)
    assert parse_range("bytes=-10", 100) == (90, 99)
    assert parse_range("bytes=100-", 100) == "unsatisfiable"
    assert parse_range("bytes=5-2", 100) is None
    assert parse_range("items=0-1", 100) is None


def test_encoding_choice_honours_q_values():
    assert choose_encoding("gzip, br") == "br"
    assert choose_encoding("br;q=0, gzip") == "gzip"
    assert choose_encoding("identity") is None
    assert choose_encoding("*;q=0") is None


def _entry(url: str, size: int) -> Entry:
    headers = {"cache-control": "max-age=60"}
    return Entry(url, 200, headers, b"x" * size, time.time(), 0.0, response_policy(200, headers))


def test_memory_lru_respects_its_byte_budget_and_spills_to_disk(tmp_path):
    store = ObjectStore(max_bytes=3_000, disk_dir=tmp_path / "disk")
    for name in "abc":
        store.put(_entry(f"/{name}", 1_000))
    assert store.bytes <= 3_000 and "/a" not in store._mem  # oldest went to disk
    again = store.get("/a")
    assert again is not None and again.body == b"x" * 1_000
    reopened = ObjectStore(max_bytes=3_000, disk_dir=tmp_path / "disk")
    assert reopened.get("/a") is not None  # the disk tier survives a restart


def test_purge_prefix_reaches_memory_and_disk(tmp_path):
    store = ObjectStore(max_bytes=2_000, disk_dir=tmp_path / "disk")
    for url in ("/v/1", "/v/2", "/w/1"):
        store.put(_entry(url, 900))
    assert store.purge_prefix("/v/") == 2
    assert store.get("/v/1") is None and store.get("/v/2") is None
    assert store.get("/w/1") is not None


def test_origin_sets_type_cache_control_validators_and_ranges(tmp_path):
    files = write_demo_tree(tmp_path)
    client = TestClient(create_origin_app(tmp_path, token="origin-control-token"))
    seg = client.get("/cdn-demo/640x360/seg_00001.m4s")
    assert seg.headers["content-type"] == "video/iso.segment"
    assert "immutable" in seg.headers["cache-control"]
    assert seg.headers["access-control-allow-origin"] == "*"
    assert seg.content == files["cdn-demo/640x360/seg_00001.m4s"]
    playlist = client.get("/cdn-demo/master.m3u8")
    assert playlist.headers["content-type"] == "application/vnd.apple.mpegurl"
    assert "stale-while-revalidate" in playlist.headers["cache-control"]
    assert client.get("/cdn-demo/manifest.mpd").headers["content-type"] == "application/dash+xml"
    assert client.get("/cdn-demo/thumbs.vtt").headers["content-type"].startswith("text/vtt")
    etag = seg.headers["etag"]
    cond = client.get("/cdn-demo/640x360/seg_00001.m4s", headers={"if-none-match": etag})
    assert cond.status_code == 304
    part = client.get("/cdn-demo/640x360/seg_00001.m4s", headers={"range": "bytes=10-19"})
    assert part.status_code == 206 and part.content == seg.content[10:20]
    assert client.get("/../etc/passwd").status_code == 404
    assert client.get("/cdn-demo/%2e%2e/%2e%2e/etc/passwd").status_code == 404
    stats = client.get("/_origin/stats", headers={"X-CDN-Token": "origin-control-token"})
    assert stats.json()["requests"] >= 6


def test_edges_built_by_the_composition_root_never_take_the_admin_key_as_their_token(tmp_path):
    from services.cdn.edgeconfig import EdgeConfig
    from services.cdn.system import build_edge
    from warehouse.settings import Settings

    settings = Settings(data_dir=tmp_path, admin_api_key="secret-admin-key-0123")
    edge = build_edge(
        EdgeConfig(name="e", upstream="http://127.0.0.1:9", access_log=False), settings
    )
    assert edge.config.purge_token is None and edge.access_log is None  # refuses purges
    own = EdgeConfig(name="e", upstream="http://x", access_log=False, purge_token="t" * 20)
    assert build_edge(own, settings).config.purge_token == "t" * 20
    admin = EdgeConfig(
        name="e", upstream="http://x", access_log=False, purge_token=settings.admin_api_key
    )
    with pytest.raises(ValueError, match="admin"):
        build_edge(admin, settings)


def test_quoted_strings_hide_commas_and_directives_rfc9111_5_2():
    cc = parse_cache_control('ext="a, max-age=9", max-age=1, max-age=50, max-age =7, x= 3')
    assert cc == {"ext": "a, max-age=9", "max-age": "1"}  # first wins, malformed ignored


def test_http_dates_accept_the_three_forms_and_nothing_else_rfc9110_5_6_7():
    imf = http_date("Sun, 06 Nov 1994 08:49:37 GMT")
    assert imf == 784111777.0
    assert http_date("Sunday, 06-Nov-94 08:49:37 GMT", now=1.7e9) == imf
    assert http_date("Sun Nov  6 08:49:37 1994") == imf
    for bad in ("Sun, 06 Nov 1994 08:49:37 UTC", "Sun 06 Nov 1994 08:49:37 GMT", "0", ""):
        assert http_date(bad) is None


def test_age_reads_the_first_non_negative_integer_rfc9111_5_1():
    assert age_value({"age": "7200, 0"}) == 7200
    assert age_value({"age": "-5"}) == age_value({"age": "1.5"}) == 0
    assert age_value({"age": "99999999999"}) == 2**31


def test_cdn_cache_control_must_be_a_valid_structured_dictionary_rfc9213_2_1():
    assert parse_cdn_cache_control("max-age=60, no-store") == {"max-age": "60", "no-store": None}
    assert parse_cdn_cache_control("max-age=60, &&&") is None
    assert parse_cdn_cache_control('max-age="60"') is None
    policy = response_policy(
        200, {"cache-control": "no-store", "cdn-cache-control": "max-age=60", "expires": "0"}
    )
    assert policy.storable and policy.lifetime == 60


def test_request_directives_bound_reuse_rfc9111_5_2_1():
    policy = response_policy(200, {"cache-control": "max-age=100"})
    parse = RequestDirectives.parse
    assert parse({}).allows(50, policy) and not parse({}).allows(150, policy)
    assert not parse({"cache-control": "max-age=10"}).allows(50, policy)
    assert not parse({"cache-control": "min-fresh=60"}).allows(50, policy)
    assert parse({"cache-control": "max-stale=60"}).allows(150, policy)
    assert parse({"cache-control": "max-stale"}).allows(10_000, policy)
    assert not parse({"pragma": "no-cache"}).allows(0, policy)
    assert parse({"pragma": "no-cache", "cache-control": "x"}).allows(0, policy)
    strict = response_policy(200, {"cache-control": "max-age=100, must-revalidate"})
    assert not parse({"cache-control": "max-stale"}).allows(150, strict)


def test_only_configured_types_are_compressed_and_never_no_transform_rfc9110_7_7():
    def entry(ctype: str, cc: str = "max-age=60") -> Entry:
        headers = {"content-type": ctype, "cache-control": cc}
        return Entry(
            "/x", 200, headers, b"x" * 4096, time.time(), 0.0, response_policy(200, headers)
        )

    assert compressible(entry("application/vnd.apple.mpegurl"))
    assert compressible(entry("application/dash+xml; charset=utf-8"))
    assert not compressible(entry("text/html"))
    assert compressible(entry("text/html"), ("text/",))
    assert not compressible(entry("application/dash+xml", "max-age=60, No-Transform"))
