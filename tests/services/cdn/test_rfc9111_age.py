"""``Age``, ``Date`` and ``Via`` on stored responses (RFC 9111 §5.1, RFC 9110 §6.6.1, §7.6.3).
Set-up: ``tests.services.cdn.rfc_edge``.
"""

from __future__ import annotations

import pytest

from services.cdn.cachecontrol import http_date
from tests.services.cdn.rfc_edge import (
    FRESH,
    conformance_edge,  # noqa: F401 (the edge fixture)
    reused,
    send,
)
from tests.services.cdn.rfc_origin import Answer


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
