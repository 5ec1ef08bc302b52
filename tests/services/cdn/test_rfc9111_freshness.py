"""Freshness of stored responses (RFC 9111 §4.2, §5.2, §5.3, §3): ``max-age`` and
``s-maxage``, ``Expires`` and the HTTP-date forms (RFC 9110 §5.6.7), heuristic freshness and
which statuses may be stored. Set-up: ``tests.services.cdn.rfc_edge``.
"""

from __future__ import annotations

import pytest

from tests.services.cdn.rfc_edge import (
    conformance_edge,  # noqa: F401 (the edge fixture)
    reused,
)


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
