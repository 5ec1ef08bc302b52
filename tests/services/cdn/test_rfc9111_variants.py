"""Stored variants selected by ``Vary`` (RFC 9111 §4.1), and conditional requests answered from
the cache or sent upstream with the stored validator (RFC 9110 §13, RFC 9111 §4.3.1).
Set-up: ``tests.services.cdn.rfc_edge``.
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

# -- RFC 9111 §4.1: Vary ----------------------------------------------------------------------
VARY = [("Cache-Control", "max-age=5000"), ("Last-Modified", -3000), ("Date", 0)]


@pytest.mark.parametrize(
    ("vary", "first", "second", "fresh"),
    [
        ("Foo", [("Foo", "1")], [("Foo", "1")], True),
        ("Foo", [("Foo", "1")], [("Foo", "2")], False),
        ("Foo", [], [("Foo", "1")], False),
        ("Foo", [("Foo", "1")], [], False),
        ("Foo", [("Foo", "1"), ("Other", "2")], [("Foo", "1"), ("Other", "3")], True),
        ("Foo, Bar", [("Foo", "1"), ("Bar", "abc")], [("Foo", "1"), ("Bar", "abc")], True),
        ("Foo, Bar", [("Foo", "1"), ("Bar", "abc")], [("Foo", "2"), ("Bar", "abc")], False),
        ("Foo, Bar", [("Foo", "1"), ("Bar", "abc")], [], False),
        ("Foo, Bar, Baz", [("Foo", "1"), ("Baz", "789")], [("Foo", "1"), ("Baz", "789")], True),
        (
            "Foo, Bar, Baz",
            [("Foo", "1"), ("Bar", "abc"), ("Baz", "789")],
            [("Foo", "1"), ("Baz", "789"), ("Bar", "abcde")],
            False,
        ),
        ("Foo", [("Foo", "1, 2")], [("Foo", "1"), ("Foo", "2")], True),
        ("Foo", [("Foo", "1,2")], [("Foo", "1,   2")], True),
    ],
)
def test_vary_selects_stored_responses_by_request_fields_section_4_1(
    edge, origin, vary, first, second, fresh
):
    assert reused(edge, origin, [*VARY, ("Vary", vary)], second, first) is fresh


@pytest.mark.parametrize("lines", [["*"], ["*, *"], ["*", "*"], [", *"], ["", "*"], ["*, Foo"]])
def test_vary_star_is_never_reused_section_4_1(edge, origin, lines):
    request = [("Foo", "1"), ("Baz", "789")]
    headers = VARY + [("Vary", v) for v in lines]
    assert not reused(edge, origin, headers, request, request)


def test_two_variants_are_stored_side_by_side_section_4_1(edge, origin):
    case = origin.case(
        Answer(headers=[*VARY, ("Vary", "Foo")], body=b"foo_1"),
        Answer(headers=[*VARY, ("Vary", "Foo")], body=b"foo_2"),
    )
    assert send(edge, case, [("Foo", "1")]).text == "foo_1"
    assert send(edge, case, [("Foo", "2")]).text == "foo_2"
    assert send(edge, case, [("Foo", "1")]).text == "foo_1"
    assert send(edge, case, [("Foo", "2")]).text == "foo_2"
    assert case.count == 2


# -- RFC 9110 §13: conditional requests answered from the cache ------------------------------
@pytest.mark.parametrize(
    ("etag", "inm"),
    [
        ('"abcdef"', '"abcdef"'),
        ("abcdef", "abcdef"),
        ('W/"abcdef"', 'W/"abcdef"'),
        ('"abcdef"', 'W/"abcdef"'),
        ('"abcdef"', '"abcdef", "1234", "5678"'),
        ('"abcdef"', '"1234", "abcdef", "5678"'),
        ('"abcdef"', '"1234", "5678", "abcdef"'),
        ('"abcdef"', "*"),
    ],
)
def test_if_none_match_is_answered_304_from_cache_rfc9110_13_1_2(edge, origin, etag, inm):
    case = origin.case(Answer(headers=[("Expires", 100000), ("ETag", etag), ("Date", 0)]))
    send(edge, case)
    answer = send(edge, case, [("If-None-Match", inm)])
    assert answer.status_code == 304 and answer.headers["etag"] == etag and case.count == 1


def test_if_none_match_mismatch_gets_the_full_response_rfc9110_13_1_2(edge, origin):
    case = origin.case(Answer(headers=[("Expires", 100000), ("ETag", '"a"'), ("Date", 0)]))
    send(edge, case)
    assert send(edge, case, [("If-None-Match", '"b"')]).status_code == 200


def test_if_modified_since_is_answered_from_cache_rfc9110_13_1_3(edge, origin):
    case = origin.case(Answer(headers=[*FRESH, ("Last-Modified", -3600)]))
    lm = send(edge, case).headers["last-modified"]
    assert send(edge, case, [("If-Modified-Since", lm)]).status_code == 304
    earlier = "Mon, 01 Jan 2001 00:00:00 GMT"
    assert send(edge, case, [("If-Modified-Since", earlier)]).status_code == 200
    # If-None-Match takes precedence over If-Modified-Since (RFC 9110 §13.1.3).
    both = [("If-None-Match", '"other"'), ("If-Modified-Since", lm)]
    assert send(edge, case, both).status_code == 200
    assert case.count == 1


@pytest.mark.parametrize(
    ("validator", "request_field"),
    [
        (("ETag", '"abcdef"'), "if-none-match"),
        (("ETag", 'W/"abcdef"'), "if-none-match"),
        (("Last-Modified", "Wed, 01 Jan 2020 00:00:00 GMT"), "if-modified-since"),
    ],
)
def test_stale_response_is_revalidated_with_its_exact_validator_section_4_3_1(
    edge, origin, validator, request_field
):
    case = origin.case(
        Answer(headers=[("Expires", 0), ("Date", 0), validator]), Answer(304, [("Date", 0)])
    )
    send(edge, case)
    assert send(edge, case).status_code == 200
    assert case.count == 2 and case.last.headers[request_field] == validator[1]
