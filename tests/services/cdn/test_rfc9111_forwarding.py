"""Invalidation by unsafe methods (RFC 9111 §4.4) and what the edge forwards upstream (RFC 9110
§7.6, RFC 9111 §2, §3.5). Set-up: ``tests.services.cdn.rfc_edge``.
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


# -- RFC 9111 §4.4: invalidation by unsafe methods -------------------------------------------
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "M-SEARCH"])
def test_unsafe_method_success_invalidates_the_target_section_4_4(edge, origin, method):
    case = origin.case(Answer(headers=FRESH), Answer(200, []), Answer(headers=FRESH))
    send(edge, case)
    sent = send(edge, case, method=method, content=b"abc")
    assert sent.status_code == 200 and case.last.method == method and case.last.body == b"abc"
    send(edge, case)
    assert case.count == 3


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "M-SEARCH"])
def test_unsafe_method_failure_does_not_invalidate_section_4_4(edge, origin, method):
    case = origin.case(Answer(headers=FRESH), Answer(500, []))
    send(edge, case)
    assert send(edge, case, method=method, content=b"abc").status_code == 500
    send(edge, case)
    assert case.count == 2


@pytest.mark.parametrize("field", ["Location", "Content-Location"])
@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "M-SEARCH"])
def test_unsafe_method_invalidates_location_and_content_location_section_4_4(
    edge, origin, field, method
):
    target = origin.case(Answer(headers=FRESH))
    send(edge, target)
    poster = origin.case(Answer(201, [(field, target.path)]))
    assert send(edge, poster, method=method, content=b"abc").status_code == 201
    send(edge, target)
    assert target.count == 2


def test_location_on_another_host_is_not_invalidated_section_4_4(edge, origin):
    target = origin.case(Answer(headers=FRESH))
    send(edge, target)
    poster = origin.case(Answer(201, [("Location", f"http://elsewhere.test{target.path}")]))
    send(edge, poster, method="POST", content=b"abc")
    send(edge, target)
    assert target.count == 1


# -- RFC 9110 §7.6: what the edge forwards -----------------------------------------------------
def test_end_to_end_request_fields_reach_the_origin_rfc9110_7_6(edge, origin):
    case = origin.case(Answer(headers=FRESH))
    sent = [("X-Custom", "yes"), ("Accept-Language", "de"), ("Req-Num", "1"), ("Cookie", "a=b")]
    send(edge, case, sent)
    seen = case.last.headers
    assert seen["x-custom"] == "yes" and seen["accept-language"] == "de"
    assert seen["req-num"] == "1" and seen["cookie"] == "a=b" and "edge-rfc" in seen["via"]


def test_field_values_with_obs_text_pass_byte_for_byte_rfc9110_5_5(edge, origin):
    case = origin.case(Answer(headers=[*FRESH, ("ETag", '"abcdefü"')]))
    sent = send(edge, case, [("X-Obs", "caf\xe9".encode("latin-1"))])
    assert case.last.headers["x-obs"] == "caf\xe9"
    assert sent.headers.raw[[k for k, _ in sent.headers.raw].index(b"etag")][1] == b'"abcdef\xfc"'
    again = send(edge, case, [("If-None-Match", '"abcdefü"'.encode("latin-1"))])
    assert again.status_code == 304 and case.count == 1


def test_hop_by_hop_request_fields_are_not_forwarded_rfc9110_7_6_1(edge, origin):
    case = origin.case(Answer(headers=FRESH))
    sent = [
        ("Connection", "x-private"),
        ("X-Private", "1"),
        ("Keep-Alive", "timeout=5"),
        ("Proxy-Authorization", "Basic Zm9vOmJhcg=="),
        ("X-Public", "2"),
    ]
    send(edge, case, sent)
    seen = case.last.headers
    assert seen["x-public"] == "2"
    for name in ("x-private", "keep-alive", "proxy-authorization"):
        assert name not in seen
    assert "x-private" not in seen.get("connection", "")


def test_authorized_request_is_not_stored_unless_the_response_allows_it_section_3_5(edge, origin):
    auth = [("Authorization", "FOO")]
    case = origin.case(Answer(headers=FRESH))
    send(edge, case, auth)
    assert case.last.headers["authorization"] == "FOO"
    send(edge, case)
    assert case.count == 2
    for cc in ("max-age=3600, public", "max-age=3600, must-revalidate", "s-maxage=3600"):
        assert reused(edge, origin, [("Cache-Control", cc)], first_request=auth)


def test_query_strings_are_part_of_the_cache_key_section_2(edge, origin):
    one = origin.case(Answer(headers=FRESH), query="test=1")
    two = origin.case(Answer(headers=FRESH), query="test=2")
    send(edge, one)
    send(edge, two)
    send(edge, one)
    assert one.count == 1 and two.count == 1
