"""Representations served from a stored response: HEAD and ranges (RFC 9110 §9.3.2, §14),
compression that keeps the origin's fields (RFC 9110 §7.7, §8.4), and CDN-Cache-Control
(RFC 9213). Set-up: ``tests.services.cdn.rfc_edge``.
"""

from __future__ import annotations

import pytest

from tests.services.cdn.rfc_edge import (
    FRESH,
    conformance_edge,  # noqa: F401 (the edge fixture)
    reused,
    send,
)
from tests.services.cdn.rfc_origin import Answer


# -- RFC 9110 §9.3.2 HEAD and §14 ranges from a stored response --------------------------------
def test_head_is_answered_from_the_stored_get_response_rfc9110_9_3_2(edge, origin):
    case = origin.case(Answer(headers=[*FRESH, ("X-Meta", "m")]))
    send(edge, case)
    head = send(edge, case, method="HEAD")
    assert head.status_code == 200 and head.content == b"" and head.headers["x-meta"] == "m"
    assert case.count == 1


def test_ranges_are_served_from_a_stored_complete_response_rfc9110_14(edge, origin):
    case = origin.case(Answer(headers=[*FRESH, ("A", "1")], body=b"0123456789A"))
    send(edge, case)
    for spec, body in (("bytes=0-1", b"01"), ("bytes=1-", b"123456789A"), ("bytes=-1", b"A")):
        part = send(edge, case, [("Range", spec)])
        assert part.status_code == 206 and part.content == body and part.headers["a"] == "1"
    assert case.count == 1


# -- RFC 9110 §7.7 and §8.4: compression without rewriting the origin's fields -----------------
def test_unconfigured_types_pass_untouched_with_the_origin_vary_and_etag_rfc9110_7_7(edge, origin):
    text = b"hello world " * 200
    case = origin.case(
        Answer(headers=[*FRESH, ("ETag", '"t1"'), ("Vary", "Foo"), ("Content-Type", "text/html")])
    )
    case.answers[0].body = text
    got = send(edge, case, [("Accept-Encoding", "gzip, br")])
    assert "content-encoding" not in got.headers and got.content == text
    assert got.headers["etag"] == '"t1"' and got.headers["vary"] == "Foo"


def test_playlists_are_compressed_with_their_own_etag_and_vary_rfc9110_8_4(edge, origin):
    playlist = b"#EXTM3U\n" + b"#EXTINF:2.0,\nsegment.m4s\n" * 100
    ctype = ("Content-Type", "application/vnd.apple.mpegurl")
    case = origin.case(Answer(headers=[*FRESH, ("ETag", '"p1"'), ctype], body=playlist))
    plain = send(edge, case, [("Accept-Encoding", "identity")])
    assert plain.headers["etag"] == '"p1"' and "vary" not in plain.headers
    packed = send(edge, case, [("Accept-Encoding", "gzip")])
    assert packed.headers["content-encoding"] == "gzip" and packed.content == playlist
    assert packed.headers["etag"] != '"p1"' and packed.headers["vary"] == "Accept-Encoding"


def test_no_transform_is_never_compressed_rfc9110_7_7(edge, origin):
    playlist = b"#EXTM3U\n" + b"#EXTINF:2.0,\nsegment.m4s\n" * 100
    headers = [
        ("Cache-Control", "max-age=3600, no-transform"),
        ("Content-Type", "application/vnd.apple.mpegurl"),
    ]
    case = origin.case(Answer(headers=headers, body=playlist))
    got = send(edge, case, [("Accept-Encoding", "gzip, br")])
    assert "content-encoding" not in got.headers and "vary" not in got.headers


# -- RFC 9213: CDN-Cache-Control ---------------------------------------------------------------
@pytest.mark.parametrize(
    ("headers", "fresh"),
    [
        ([("CDN-Cache-Control", "max-age=3600")], True),
        ([("CDN-Cache-Control", "max-age=2147483648")], True),
        ([("CDN-Cache-Control", "foobar, max-age=3600")], True),
        ([("CDN-Cache-Control", "max-age=3600"), ("Expires", -10000), ("Date", 0)], True),
        ([("CDN-Cache-Control", "max-age=3600"), ("Expires", "0"), ("Date", 0)], True),
        ([("Cache-Control", "max-age=0"), ("CDN-Cache-Control", "max-age=3600")], True),
        ([("Cache-Control", "no-store"), ("CDN-Cache-Control", "max-age=10000")], True),
        ([("Date", 0), ("CDN-Cache-Control", "max-age=3600"), ("Age", "7200")], False),
        ([("CDN-Cache-Control", "max-age=0")], False),
        ([("CDN-Cache-Control", "max-age=0"), ("Expires", 10000), ("Date", 0)], False),
        ([("Cache-Control", "max-age=3600"), ("CDN-Cache-Control", "max-age=0")], False),
        ([("CDN-Cache-Control", "private"), ("Cache-Control", "max-age=10000")], False),
        ([("CDN-Cache-Control", "no-cache"), ("Cache-Control", "max-age=10000")], False),
        ([("Cache-Control", "max-age=10000"), ("CDN-Cache-Control", "no-store")], False),
        ([("CDN-Cache-Control", "max-age=10000, &&&&&"), ("Cache-Control", "no-store")], False),
        ([("CDN-Cache-Control", 'max-age="10000"'), ("Cache-Control", "no-store")], False),
    ],
)
def test_cdn_cache_control_governs_the_cdn_over_cache_control_rfc9213_2(
    edge, origin, headers, fresh
):
    assert reused(edge, origin, headers) is fresh


def test_cdn_cache_control_is_forwarded_downstream_rfc9213_2_1(edge, origin):
    case = origin.case(Answer(headers=[*FRESH, ("CDN-Cache-Control", "foo")]))
    assert send(edge, case).headers["cdn-cache-control"] == "foo"
