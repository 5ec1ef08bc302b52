"""Cache-Control directives (RFC 9111 §5.2.2 response, §5.2.1 request, §5.4 Pragma) and
stale-if-error (RFC 5861 §4). Set-up: ``tests.services.cdn.rfc_edge``.
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
