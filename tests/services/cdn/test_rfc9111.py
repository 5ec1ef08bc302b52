"""The edge as a shared HTTP cache, against RFC 9111 (HTTP Caching), RFC 9110 (HTTP
Semantics) and RFC 9213 (CDN-Cache-Control), each test naming the section it checks.

A real edge process sits in front of a scripted origin on loopback. Each case is a fresh
URL whose origin answers are scripted in order; "reused" means the second request never
reached the origin, "not reused" that it did. Staleness comes from ``Age``, ``Date`` and
``Expires`` values (and ``max-age=0``) rather than from sleeping, so the file runs in seconds.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
from collections.abc import Iterator, Sequence

import httpx
import pytest

from services.cdn.cachecontrol import http_date
from services.cdn.process import ServerProcess, start_edge
from tests.services.cdn.rfc_origin import Answer, Case, ConformanceOrigin

Headers = Sequence[tuple[str, str | int]]
FRESH = [("Cache-Control", "max-age=3600"), ("Date", 0)]
#: One keep-alive client for the whole file: a connection per request would dominate its time.
CLIENT = httpx.Client(timeout=10, trust_env=False)


@pytest.fixture(scope="module", autouse=True)
def _close_client() -> Iterator[None]:
    yield
    CLIENT.close()


@pytest.fixture(scope="module")
def origin() -> Iterator[ConformanceOrigin]:
    server = ConformanceOrigin().start()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def edge(origin, cdn_settings) -> Iterator[ServerProcess]:
    with start_edge(origin.url, name="edge-rfc", settings=cdn_settings) as proc:
        yield proc


def send(
    edge: ServerProcess,
    case: Case,
    headers: Sequence[tuple[str, str | bytes]] = (),
    method: str = "GET",
    content: bytes | None = None,
    path: str | None = None,
) -> httpx.Response:
    return CLIENT.request(
        method, edge.url + (path or case.path), headers=list(headers), content=content
    )


def reused(
    edge: ServerProcess,
    origin: ConformanceOrigin,
    response_headers: Headers,
    request: Sequence[tuple[str, str]] = (),
    first_request: Sequence[tuple[str, str]] = (),
    status: int = 200,
) -> bool:
    """Store one response, ask again; True when the second answer came from the cache."""
    case = origin.case(
        Answer(status, list(response_headers)), Answer(status, list(response_headers))
    )
    first = send(edge, case, first_request)
    assert first.status_code == status
    second = send(edge, case, request)
    assert second.status_code == status, second.text
    return case.count == 1


# -- RFC 9111 §5.2 and §5.2.2: parsing Cache-Control and freshness ---------------------------
def test_positive_max_age_is_reused_section_5_2_2_1(edge, origin):
    assert reused(edge, origin, [("Cache-Control", "max-age=3600")])


@pytest.mark.parametrize(
    "value",
    ["max-age=0", "max-age=-3600", "max-age=a3600", "max-age=3600a", "max-age =3600"]
    + ["max-age= 3600", "max-age='3600'", 'extension="max-age=3600", max-age=0']
    + ['max-age=0, extension="max-age=3600"', "max-age=1.5"],
)
def test_invalid_or_zero_max_age_is_not_reused_section_5_2(edge, origin, value):
    assert not reused(edge, origin, [("Cache-Control", value)])


@pytest.mark.parametrize(
    "value",
    ["max-age=003600", 'max-age="3600"', "MaX-aGe=3600", "foobar, max-age=3600"]
    + ["max-age=2147483648", "max-age=99999999999", "s-maxage=3600"],
)
def test_valid_max_age_forms_are_reused_section_1_2_2_and_5_2(edge, origin, value):
    assert reused(edge, origin, [("Cache-Control", value)])


@pytest.mark.parametrize(
    "lines",
    [["max-age=3600, s-maxage=0"], ["s-maxage=0, max-age=3600"], ["max-age=3600", "s-maxage=0"]],
)
def test_shared_cache_prefers_a_shorter_s_maxage_section_5_2_2_10(edge, origin, lines):
    assert not reused(edge, origin, [("Cache-Control", v) for v in lines])


def test_shared_cache_prefers_a_longer_s_maxage_over_max_age_0_section_5_2_2_10(edge, origin):
    assert reused(edge, origin, [("Cache-Control", "max-age=0, s-maxage=3600"), ("Expires", -10)])


def test_age_above_max_age_makes_it_stale_section_4_2_3(edge, origin):
    assert not reused(
        edge, origin, [("Date", 0), ("Cache-Control", "max-age=3600"), ("Age", "7200")]
    )


def test_date_in_the_past_counts_as_apparent_age_section_4_2_3(edge, origin):
    assert not reused(edge, origin, [("Date", -7200), ("Cache-Control", "max-age=3600")])


def test_max_age_wins_over_expires_both_ways_section_4_2_1(edge, origin):
    assert reused(
        edge, origin, [("Cache-Control", "max-age=3600"), ("Expires", -7200), ("Date", 0)]
    )
    assert reused(edge, origin, [("Cache-Control", "max-age=3600"), ("Expires", "0"), ("Date", 0)])
    assert not reused(
        edge, origin, [("Cache-Control", "max-age=0"), ("Expires", 3600), ("Date", 0)]
    )


# -- RFC 9111 §5.1: Age -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("ages", "fresh"),
    [
        (["abc"], True),
        (["-7200"], True),
        (["7200.0"], True),
        (["0, 7200"], True),
        (["0", "7200"], True),
        (["0, 0"], True),
        (["0", "0"], True),
        (["2147483647"], False),
        (["2147483648"], False),
        (["2147483649"], False),
        (["7200, 0"], False),
        (["7200", "0"], False),
    ],
)
def test_age_uses_the_first_valid_integer_else_is_ignored_section_5_1(edge, origin, ages, fresh):
    headers = [("Date", 0), ("Cache-Control", "max-age=3600")] + [("Age", a) for a in ages]
    assert reused(edge, origin, headers) is fresh


def test_two_age_lines_below_the_lifetime_are_fresh_section_5_1(edge, origin):
    headers = [("Date", 0), ("Cache-Control", "max-age=10000"), ("Age", "3600"), ("Age", "3600")]
    assert reused(edge, origin, headers)


def test_age_is_generated_and_grows_from_the_upstream_age_section_5_1(edge, origin):
    case = origin.case(Answer(headers=[*FRESH, ("Age", "30")]))
    assert int(send(edge, case).headers["age"]) >= 30
    hit = send(edge, case)
    assert case.count == 1 and int(hit.headers["age"]) >= 30


def test_date_and_expires_are_not_rewritten_on_a_hit_section_5_6_7(edge, origin):
    case = origin.case(Answer(headers=[("Expires", 30 * 86400), ("Date", 0)]))
    first = send(edge, case)
    hit = send(edge, case)
    assert case.count == 1
    assert hit.headers["date"] == first.headers["date"]
    assert hit.headers["expires"] == first.headers["expires"]


def test_a_response_without_date_gets_the_time_it_arrived_rfc9110_6_6_1(edge, origin):
    case = origin.case(Answer(headers=[("Cache-Control", "max-age=3600")]))
    first = send(edge, case)
    hit = send(edge, case)
    assert case.count == 1 and http_date(first.headers["date"]) is not None
    assert hit.headers["date"] == first.headers["date"]


def test_via_names_the_edge_in_both_directions_rfc9110_7_6_3(edge, origin):
    case = origin.case(Answer(headers=[*FRESH, ("Via", "1.1 origin-proxy")]))
    first = send(edge, case, [("Via", "1.1 client-proxy")])
    assert case.last.headers["via"] == "1.1 client-proxy, 1.1 edge-rfc"
    assert (
        first.headers["via"] == send(edge, case).headers["via"] == "1.1 origin-proxy, 1.1 edge-rfc"
    )


# -- RFC 9111 §5.3 and RFC 9110 §5.6.7: Expires ----------------------------------------------
@pytest.mark.parametrize(
    ("headers", "fresh"),
    [
        ([("Expires", 30 * 86400), ("Date", 0)], True),
        ([("Expires", -30 * 86400), ("Date", 0)], False),
        ([("Expires", 0), ("Date", 0)], False),
        ([("Expires", 300), ("Date", 400)], False),
        ([("Expires", "0"), ("Date", 0)], False),
        ([("Date", "foo"), ("Expires", 10)], True),
        ([("Date", -10), ("Expires", 10), ("Age", "25")], False),
        ([("Date", 10), ("Expires", 20), ("Age", "15")], False),
    ],
)
def test_expires_minus_date_gives_the_lifetime_section_4_2_1(edge, origin, headers, fresh):
    assert reused(edge, origin, headers) is fresh


@pytest.mark.parametrize(
    ("value", "valid"),
    [
        ("Tue, 19 Jan 2038 14:14:08 GMT", True),
        ("Sun, 21 Nov 2286 04:46:39 GMT", True),
        ("Thursday, 18-Aug-50 02:01:18 GMT", True),
        ("Thu Aug  8 02:01:18 2050", True),
        ("THU, 18 Aug 2050 02:01:18 GMT", True),
        ("Thu, 18 AUG 2050 02:01:18 GMT", True),
        ("Thu, 18 Aug 2050 02:01:18 gMT", True),
        ("Thu, 18 Aug 2050 02:01:18 UTC", False),
        ("Thu, 18 Aug 2050 02:01:18 AEST", False),
        ("Thu, 18 Aug 50 02:01:18 GMT", False),
        ("Thu 18 Aug 2050 02:01:18 GMT", False),
        ("Thu, 18  Aug  2050 02:01:18 GMT", False),
        ("Thu, 18-Aug-2050 02:01:18 GMT", False),
        ("Thu, 18 Aug 2050 02.01.18 GMT", False),
        ("Thu, 18 Aug 2050 2:01:18 GMT", False),
    ],
)
def test_only_the_three_http_date_forms_are_valid_rfc9110_5_6_7(edge, origin, value, valid):
    assert reused(edge, origin, [("Expires", value), ("Date", 0)]) is valid


def test_expires_on_two_lines_is_invalid_section_5_3(edge, origin):
    headers = [("Expires", "Thu, 18 Aug 2050 02:01:18 GMT")] * 2 + [("Date", 0)]
    assert not reused(edge, origin, headers)


# -- RFC 9111 §4.2.2: heuristic freshness; §3: status codes ---------------------------------
@pytest.mark.parametrize(
    ("status", "extra", "fresh"),
    [
        (200, [], True),
        (203, [], True),
        (204, [], True),
        (404, [], True),
        (405, [], True),
        (410, [], True),
        (414, [], True),
        (501, [], True),
        (201, [], False),
        (202, [], False),
        (403, [], False),
        (502, [], False),
        (503, [], False),
        (504, [], False),
        (599, [], False),
        (599, [("Cache-Control", "public")], True),
    ],
)
def test_heuristic_freshness_only_for_heuristically_cacheable_statuses_section_4_2_2(
    edge, origin, status, extra, fresh
):
    headers = [("Last-Modified", -86400), ("Date", 0), *extra]
    assert reused(edge, origin, headers, status=status) is fresh


def test_no_freshness_and_no_validator_is_not_reused_section_4_2_2(edge, origin):
    assert not reused(edge, origin, [])


STATUSES = [200, 203, 204, 299, 301, 302, 303, 307, 308, 400, 404, 410, 499, 500, 502, 503]
STATUSES += [504, 599]


@pytest.mark.parametrize("status", STATUSES)
def test_any_final_status_with_explicit_freshness_is_reused_while_fresh_section_3(
    edge, origin, status
):
    fresh = [("Expires", 100000), ("Cache-Control", "max-age=100000"), ("Date", 0)]
    assert reused(edge, origin, [*fresh, ("Last-Modified", 0)], status=status)
    stale = [("Expires", -5000), ("Last-Modified", -100000), ("Date", 0)]
    assert not reused(edge, origin, stale, status=status)


def test_must_understand_with_an_unknown_status_is_not_stored_section_5_2_2_3(edge, origin):
    cc = [("Cache-Control", "max-age=3600, no-store, must-understand")]
    assert not reused(edge, origin, cc, status=599)
    assert reused(edge, origin, cc, status=200)


# -- RFC 9111 §5.2.2: response directives ----------------------------------------------------
@pytest.mark.parametrize(
    "headers",
    [
        [("Cache-Control", "private, max-age=3600")],
        [("Cache-Control", "no-store")],
        [("Cache-Control", "No-StOrE")],
        [("Cache-Control", "max-age=10000, no-store"), ("Expires", 10000), ("Date", 0)],
        [("Cache-Control", "max-age=10000, no-cache"), ("Expires", 10000), ("Date", 0)],
        [("Cache-Control", "max-age=10000, No-CaChE"), ("Expires", 10000), ("Date", 0)],
    ],
)
def test_private_no_store_and_no_cache_prevent_reuse_section_5_2_2(edge, origin, headers):
    assert not reused(edge, origin, headers)


def test_no_cache_response_is_revalidated_on_every_use_section_5_2_2_4(edge, origin):
    answer = Answer(headers=[("Cache-Control", "max-age=10000, no-cache"), ("ETag", '"abcd"')])
    case = origin.case(answer, Answer(304, [("ETag", '"abcd"')]))
    send(edge, case)
    second = send(edge, case)
    assert case.count == 2 and case.last.headers["if-none-match"] == '"abcd"'
    assert second.status_code == 200 and second.text == case.path


def test_newer_no_store_response_leaves_the_stored_one_usable_section_5_2_2_5(edge, origin):
    case = origin.case(
        Answer(headers=[*FRESH, ("A", "1")]), Answer(headers=[("Cache-Control", "no-store")])
    )
    send(edge, case)
    assert send(edge, case).headers["a"] == "1" and case.count == 1


def test_qualified_no_cache_and_private_fields_are_not_stored_section_5_2_2_4(edge, origin):
    headers = [
        ("Cache-Control", 'no-cache="a, b", private="d"'),
        ("Cache-Control", "max-age=3600"),
        ("A", "1"),
        ("B", "2"),
        ("C", "3"),
        ("D", "4"),
    ]
    case = origin.case(Answer(headers=headers))
    first = send(edge, case)
    assert first.headers["a"] == "1" and first.headers["d"] == "4"  # the fetching client
    hit = send(edge, case)
    assert case.count == 1 and hit.headers["c"] == "3"
    assert "a" not in hit.headers and "b" not in hit.headers and "d" not in hit.headers


def test_must_revalidate_stale_response_is_validated_section_5_2_2_2(edge, origin):
    cc = ("Cache-Control", "max-age=3600, must-revalidate")
    case = origin.case(
        Answer(headers=[cc, ("ETag", '"abcd"'), ("Age", "7200")]), Answer(304, [("ETag", '"abcd"')])
    )
    send(edge, case)
    second = send(edge, case, [("Cache-Control", "max-stale=100000")])
    assert case.count == 2 and case.last.headers["if-none-match"] == '"abcd"'
    assert second.status_code == 200


@pytest.mark.parametrize("directive", ["proxy-revalidate", "s-maxage=3600"])
def test_proxy_revalidate_and_s_maxage_forbid_serving_stale_section_5_2_2_8(
    edge, origin, directive
):
    headers = [("Cache-Control", f"max-age=3600, {directive}"), ("Age", "7200")]
    assert not reused(edge, origin, headers, request=[("Cache-Control", "max-stale=100000")])


def test_stale_if_error_window_past_lets_the_error_through_rfc5861_4(edge, origin):
    case = origin.case(
        Answer(headers=[("Cache-Control", "max-age=0, stale-if-error=1"), ("Age", "10")]),
        Answer(500, []),
    )
    send(edge, case)
    assert send(edge, case).status_code == 500


def test_stale_if_error_within_the_window_serves_the_stored_response_rfc5861_4(edge, origin):
    case = origin.case(
        Answer(headers=[("Cache-Control", "max-age=0, stale-if-error=3600")]), Answer(500, [])
    )
    send(edge, case)
    assert send(edge, case).status_code == 200 and case.count == 2


def test_request_stale_if_error_is_honoured_and_bounded_rfc5861_4(edge, origin):
    case = origin.case(Answer(headers=[("Cache-Control", "max-age=0")]), Answer(500, []))
    send(edge, case)
    assert send(edge, case, [("Cache-Control", "stale-if-error=3600")]).status_code == 200
    late = origin.case(Answer(headers=[("Cache-Control", "max-age=0"), ("Age", "10")]), Answer(500))
    send(edge, late)
    assert send(edge, late, [("Cache-Control", "stale-if-error=1")]).status_code == 500


# -- RFC 9111 §5.2.1: request directives -----------------------------------------------------
@pytest.mark.parametrize(
    ("response", "request_cc"),
    [
        (FRESH, "max-age=0"),
        ([("Cache-Control", "max-age=3600"), ("Age", "1800")], "max-age=600"),
        ([("Cache-Control", "max-age=1500")], "min-fresh=2000"),
        ([("Cache-Control", "max-age=1500"), ("Age", "1000")], "min-fresh=1000"),
        ([("Cache-Control", "max-age=3600")], "no-cache"),
    ],
)
def test_request_directives_refuse_a_stored_response_section_5_2_1(
    edge, origin, response, request_cc
):
    assert not reused(edge, origin, response, request=[("Cache-Control", request_cc)])


def test_request_max_stale_accepts_a_stale_response_section_5_2_1_2(edge, origin):
    stale = [("Cache-Control", "max-age=1500"), ("Age", "2000")]
    assert reused(edge, origin, stale, request=[("Cache-Control", "max-stale=1000")])
    assert reused(edge, origin, stale, request=[("Cache-Control", "max-stale")])
    assert not reused(edge, origin, stale, request=[("Cache-Control", "max-stale=100")])


@pytest.mark.parametrize(
    ("validator", "sent"),
    [(("ETag", '"abc"'), "if-none-match"), (("Last-Modified", -10000), "if-modified-since")],
)
def test_request_no_cache_revalidates_with_the_stored_validator_section_5_2_1_4(
    edge, origin, validator, sent
):
    case = origin.case(Answer(headers=[*FRESH, validator]), Answer(304, [("Date", 0)]))
    first = send(edge, case)
    second = send(edge, case, [("Cache-Control", "no-cache")])
    assert case.count == 2 and case.last.headers[sent] == first.headers[validator[0].lower()]
    assert second.status_code == 200 and second.text == case.path


def test_pragma_no_cache_counts_only_without_cache_control_section_5_4(edge, origin):
    assert not reused(edge, origin, FRESH, request=[("Pragma", "no-cache")])
    both = [("Pragma", "no-cache"), ("Cache-Control", "nothing-to-see")]
    assert reused(edge, origin, FRESH, request=both)


def test_request_no_store_keeps_nothing_of_the_answer_section_5_2_1_5(edge, origin):
    case = origin.case(Answer(headers=FRESH))
    send(edge, case, [("Cache-Control", "no-store")])
    send(edge, case)
    assert case.count == 2


def test_only_if_cached_gives_504_without_going_upstream_section_5_2_1_7(edge, origin):
    case = origin.case(Answer(headers=FRESH))
    assert send(edge, case, [("Cache-Control", "only-if-cached")]).status_code == 504
    assert case.count == 0
    send(edge, case)
    hit = send(edge, case, [("Cache-Control", "only-if-cached")])
    assert hit.status_code == 200 and case.count == 1


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


# -- RFC 9111 §3.1, §3.2, §4.3.4: which fields are stored and how a 304 updates them ----------
def test_fields_named_in_connection_are_not_stored_or_relayed_section_3_1(edge, origin):
    headers = [*FRESH, ("Connection", "a, b"), ("A", "1"), ("B", "2"), ("C", "3")]
    case = origin.case(Answer(headers=headers))
    first = send(edge, case)
    hit = send(edge, case)
    assert case.count == 1 and hit.headers["c"] == "3"
    for response in (first, hit):
        assert "a" not in response.headers and "b" not in response.headers


@pytest.mark.parametrize(
    "name",
    ["Keep-Alive", "Proxy-Authenticate", "Proxy-Authentication-Info", "Proxy-Connection"]
    + ["Upgrade", "TE", "Trailer"],
)
def test_hop_by_hop_fields_are_not_stored_section_3_1(edge, origin, name):
    case = origin.case(Answer(headers=[*FRESH, (name, "x-value")]))
    send(edge, case)
    hit = send(edge, case)
    assert case.count == 1 and name.lower() not in hit.headers


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Test-Header", "v"),
        ("X-Test-Header", "v"),
        ("Content-Foo", "v"),
        ("X-Content-Foo", "v"),
        ("Content-Location", "/foo"),
        ("Content-MD5", "rL0Y20zC+Fzt72VPzMSk2A=="),
        ("Content-Security-Policy", "default-src 'self'"),
        ("Clear-Site-Data", "cache"),
        ("ETag", '"abcdef"'),
        ("Public-Key-Pins", "v"),
        ("Set-Cookie", "a=b"),
        ("Set-Cookie2", "a=b"),
        ("X-Frame-Options", "deny"),
        ("X-XSS-Protection", "1; mode=block"),
    ],
)
def test_end_to_end_fields_are_stored_and_returned_section_3_1(edge, origin, name, value):
    case = origin.case(Answer(headers=[*FRESH, (name, value)]))
    send(edge, case)
    hit = send(edge, case)
    assert case.count == 1 and hit.headers[name] == value


def test_set_cookie_lines_are_stored_and_sent_apart_section_3_1(edge, origin):
    case = origin.case(Answer(headers=[*FRESH, ("Set-Cookie", "a=b"), ("Set-Cookie", "c=d")]))
    send(edge, case)
    raw = httpx.get(edge.url + case.path, trust_env=False).headers.get_list("set-cookie")
    assert case.count == 1 and raw == ["a=b", "c=d"]


def test_request_with_a_cookie_still_reuses_the_stored_response_section_3(edge, origin):
    assert reused(edge, origin, FRESH, request=[("Cookie", "a=b")])


@pytest.mark.parametrize(
    ("name", "old", "new"),
    [
        ("Test-Header", "A", "B"),
        ("X-Test-Header", "A", "B"),
        ("Content-Foo", "A", "B"),
        ("X-Content-Foo", "A", "B"),
        ("Content-Type", "text/plain", "text/plain;charset=utf-8"),
        ("X-Frame-Options", "deny", "sameorigin"),
    ],
)
def test_a_304_updates_the_stored_fields_section_3_2(edge, origin, name, old, new):
    validator = ("ETag", '"v1"')
    case = origin.case(
        Answer(headers=[("Cache-Control", "max-age=0"), validator, (name, old)]),
        Answer(304, [("Cache-Control", "max-age=3600"), validator, (name, new)]),
    )
    assert send(edge, case).headers[name] == old
    assert send(edge, case).headers[name] == new
    third = send(edge, case)
    assert case.count == 2 and third.headers[name] == new  # fresh again per the 304's max-age


def test_a_304_that_omits_a_field_keeps_the_stored_one_section_3_2(edge, origin):
    lm = "Wed, 01 Jan 2020 00:00:00 GMT"
    case = origin.case(
        Answer(
            headers=[("Cache-Control", "max-age=0"), ("Last-Modified", lm), ("Test-Header", "A")]
        ),
        Answer(304, [("Last-Modified", lm), ("Date", 0)]),
    )
    send(edge, case)
    second = send(edge, case)
    assert case.last.headers["if-modified-since"] == lm and second.headers["test-header"] == "A"


def test_a_304_never_changes_the_stored_content_length_section_3_2(edge, origin):
    case = origin.case(
        Answer(headers=[("Cache-Control", "max-age=0"), ("ETag", '"v"')], body=b"12345"),
        Answer(304, [("ETag", '"v"'), ("Content-Length", "10")]),
    )
    send(edge, case)
    second = send(edge, case)
    assert second.content == b"12345" and second.headers["content-length"] == "5"


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


# -- RFC 9110 §15.2 and RFC 9111 §3: interim responses ----------------------------------------
class EarlyHintsOrigin:
    """A raw origin that sends ``103 Early Hints`` before a cacheable 200."""

    def __init__(self) -> None:
        self.count = 0
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.server = asyncio.run_coroutine_threadsafe(
            asyncio.start_server(self._handle, "127.0.0.1", 0), self.loop
        ).result(5)
        self.url = f"http://127.0.0.1:{self.server.sockets[0].getsockname()[1]}"

    async def _handle(self, reader, writer) -> None:
        with contextlib.suppress(Exception):
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                if b"/healthz" not in head.split(b"\r\n", 1)[0]:
                    self.count += 1
                    writer.write(b"HTTP/1.1 103 Early Hints\r\nLink: </s.css>; rel=preload\r\n\r\n")
                body = b"final"
                writer.write(
                    b"HTTP/1.1 200 OK\r\ncache-control: max-age=100000\r\n"
                    b"content-length: 5\r\n\r\n" + body
                )
                await writer.drain()
        writer.close()

    def stop(self) -> None:
        self.loop.call_soon_threadsafe(self.server.close)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=5)


def test_interim_responses_are_never_stored_section_3(cdn_settings):
    hints = EarlyHintsOrigin()
    try:
        with start_edge(hints.url, name="edge-1xx", settings=cdn_settings) as proc:
            first = httpx.get(proc.url + "/page", trust_env=False, timeout=10)
            second = httpx.get(proc.url + "/page", trust_env=False, timeout=10)
        assert first.status_code == second.status_code == 200 and second.text == "final"
        assert hints.count == 1 and "link" not in second.headers
    finally:
        hints.stop()
