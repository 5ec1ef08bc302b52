"""Canonical URLs and target safety (checked on resolved addresses)."""

from __future__ import annotations

import pytest

from crawlers.urls import (
    InvalidURL,
    UnsafeTarget,
    address_allowed,
    canonical_url,
    check_target,
    parse_networks,
)


def test_canonical_form_normalises_case_port_dots_query_order_and_fragment() -> None:
    assert canonical_url("HTTP://Example.COM:80/a/./b/../c?b=2&a=1#frag") == (
        "http://example.com/a/c?a=1&b=2"
    )
    assert canonical_url("https://example.com:443/%7euser") == "https://example.com/~user"


def test_relative_links_resolve_against_the_base() -> None:
    assert canonical_url("../x?z=1", base="http://h.example/a/b/c") == "http://h.example/a/x?z=1"


@pytest.mark.parametrize(
    ("url", "why"),
    [
        ("ftp://h/x", "unsupported scheme"),
        ("http://[::1", "unparseable"),
        ("http://h:99999/", "unparseable"),
        ("http:///nohost", "no host"),
        ("javascript:alert(1)", "unsupported scheme"),
    ],
)
def test_invalid_urls_raise_with_a_reason(url: str, why: str) -> None:
    with pytest.raises(InvalidURL, match=why):
        canonical_url(url)


def test_private_loopback_and_link_local_are_refused_by_default() -> None:
    for addr in (
        "127.0.0.1",
        "10.0.0.5",
        "192.168.1.1",
        "169.254.169.254",
        "::1",
        "fe80::1",
        "::ffff:127.0.0.1",
        "0.0.0.0",
    ):
        assert not address_allowed(addr), addr
    assert address_allowed("93.184.216.34")


def test_allow_list_admits_only_its_networks() -> None:
    nets = parse_networks(["127.0.0.0/8"])
    assert address_allowed("127.0.0.5", allowed_networks=nets)
    assert not address_allowed("10.0.0.1", allowed_networks=nets)


def test_safety_is_checked_after_dns_resolution() -> None:
    # "localhost" looks harmless as text but resolves to loopback.
    with pytest.raises(UnsafeTarget, match="non-public address"):
        check_target("http://localhost/")
    nets = parse_networks(["127.0.0.0/8", "::1/128"])
    assert check_target("http://localhost/", allowed_networks=nets)


def test_only_http_and_https_are_fetchable() -> None:
    with pytest.raises(InvalidURL):
        check_target("file:///etc/passwd")
