"""``Surrogate-Control`` (W3C Edge Architecture Specification 1.0 §3; RFC 9213 §1 names it the
precedent of ``CDN-Cache-Control``): the origin's directives to its surrogates. Untargeted
caching directives govern the edge in place of ``Cache-Control``; directives targeted at
another device, and ``content`` alone, leave ``Cache-Control`` in charge. Set-up:
``tests.services.cdn.rfc_edge``.
"""

from __future__ import annotations

import pytest

from services.cdn.cachecontrol import response_policy
from services.cdn.surrogate import surrogate_directives
from tests.services.cdn.rfc_edge import (
    conformance_edge,  # noqa: F401 (the edge fixture)
    reused,
    send,
)
from tests.services.cdn.rfc_origin import Answer


# -- reading the field ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, None),
        ("max-age=120", {"max-age": "120"}),
        ("No-Store", {"no-store": None}),
        ("max-age=10+300", {"max-age": "10", "stale-if-error": "300"}),
        ('content="ESI/1.0"', None),  # processing only: Cache-Control still decides
        ("max-age=120;backend-7", None),  # targeted at another surrogate
        ("no-store;backend-7, max-age=5", {"max-age": "5"}),
        ('content="ESI/1.0, ESI-Inline/1.0", max-age=9', {"max-age": "9"}),
        ("max-age=soon", {"max-age": "0"}),  # malformed lifetime: stale, never fresh
        ("max-age =120", None),  # not the directive's syntax: an unknown extension
    ],
)
def test_untargeted_caching_directives_are_read_edge_arch_3(value, expected):
    assert surrogate_directives(value) == expected


def test_surrogate_lifetime_replaces_cache_control_and_expires_edge_arch_3():
    headers = {
        "surrogate-control": "max-age=600",
        "cache-control": "no-store, max-age=0",
        "expires": "Thu, 01 Jan 1970 00:00:00 GMT",
    }
    policy = response_policy(200, headers, now=0.0)
    assert policy.storable and policy.lifetime == 600


def test_surrogate_no_store_forbids_storing_despite_cache_control_edge_arch_3():
    headers = {"surrogate-control": "no-store", "cache-control": "public, max-age=3600"}
    assert not response_policy(200, headers, now=0.0).storable


def test_cdn_cache_control_takes_precedence_over_surrogate_control_rfc9213_2_1():
    headers = {"cdn-cache-control": "max-age=30", "surrogate-control": "no-store"}
    policy = response_policy(200, headers, now=0.0)
    assert policy.storable and policy.lifetime == 30


# -- through a real edge -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("headers", "fresh"),
    [
        ([("Surrogate-Control", "max-age=3600"), ("Cache-Control", "no-store")], True),
        ([("Surrogate-Control", "max-age=3600"), ("Cache-Control", "max-age=0")], True),
        ([("Surrogate-Control", "max-age=0"), ("Cache-Control", "max-age=3600")], False),
        ([("Surrogate-Control", "max-age=0"), ("Expires", 3600), ("Date", 0)], False),
        ([("Surrogate-Control", "no-store"), ("Cache-Control", "max-age=3600")], False),
        ([("Surrogate-Control", "max-age=60"), ("Date", 0), ("Age", "120")], False),
        ([("Surrogate-Control", "max-age=3600;backend-7"), ("Cache-Control", "no-store")], False),
        ([("Surrogate-Control", "no-store;backend-7"), ("Cache-Control", "max-age=3600")], True),
        ([("Surrogate-Control", 'content="ESI/1.0"'), ("Cache-Control", "max-age=3600")], True),
        ([("Surrogate-Control", 'content="ESI/1.0"'), ("Cache-Control", "no-store")], False),
    ],
)
def test_surrogate_control_governs_the_edge_edge_arch_3(edge, origin, headers, fresh):
    assert reused(edge, origin, headers) is fresh


def test_stale_extension_of_max_age_serves_stale_on_upstream_error_edge_arch_3(edge, origin):
    """``max-age=N+M``: after N seconds the response may still stand in for M more seconds
    when the origin fails; without ``+M`` the error goes through."""
    stale = [("Date", 0), ("Age", "100")]
    extended = origin.case(
        Answer(headers=[("Surrogate-Control", "max-age=1+3600"), *stale]), Answer(503)
    )
    plain = origin.case(Answer(headers=[("Surrogate-Control", "max-age=1"), *stale]), Answer(503))
    send(edge, extended), send(edge, plain)
    kept = send(edge, extended)
    assert kept.status_code == 200 and kept.text == extended.path and extended.count == 2
    assert send(edge, plain).status_code == 503 and plain.count == 2
