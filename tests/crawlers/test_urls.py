"""Canonical URLs and target safety (checked on resolved addresses)."""

from __future__ import annotations

import pytest

from crawlers.urls import (
    InvalidURL,
    UnsafeTarget,
    address_allowed,
    canonical_url,
    check_target,
)
from warehouse.urlsafety import parse_networks


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
    # A name looks harmless as text but may resolve to loopback.
    with pytest.raises(UnsafeTarget, match="resolves to 127.0.0.1, a loopback address"):
        check_target("http://innocent.example/", resolver=lambda _h: ["127.0.0.1"])
    nets = parse_networks(["127.0.0.0/8", "::1/128"])
    assert check_target("http://localhost/", allowed_networks=nets)


def test_only_http_and_https_are_fetchable() -> None:
    with pytest.raises(InvalidURL):
        check_target("file:///etc/passwd")


def _no_dns(host: str) -> list[str]:
    raise AssertionError(f"{host} must be refused before any DNS lookup")


@pytest.mark.parametrize(
    "url",
    [
        "http://%31%32%37%2e%30%2e%30%2e%31:18099/x",
        "http://127.0.0.%31/",
        "http://%31%36%39.254.169.254/latest/meta-data/",
        "http://2130706433/",
        "http://0x7f.1/",
        "http://0177.0.0.1/",
        "http://127.1/",
        "http://[::ffff:7f00:1]/",
        "http://%6c%6f%63%61%6c%68%6f%73%74/",
    ],
)
def test_hosts_are_read_as_browsers_read_them_and_refused_before_dns(url: str) -> None:
    with pytest.raises(UnsafeTarget, match="loopback|link-local"):
        check_target(url, resolver=_no_dns)


def test_a_name_resolving_to_one_private_address_among_public_ones_is_refused() -> None:
    with pytest.raises(UnsafeTarget, match="10.0.0.7, a private address"):
        check_target("http://mixed.example/", resolver=lambda _h: ["93.184.215.14", "10.0.0.7"])
    assert check_target("http://pub.example/", resolver=lambda _h: ["93.184.215.14"]) == [
        "93.184.215.14"
    ]


def test_a_name_that_does_not_resolve_is_unsafe_unless_allowed() -> None:
    def nxdomain(_host: str) -> list[str]:
        return []

    with pytest.raises(UnsafeTarget, match="does not resolve"):
        check_target("http://nowhere.example/", resolver=nxdomain)
    assert check_target("http://nowhere.example/", allow_unresolvable=True, resolver=nxdomain) == []


def test_credentials_before_the_host_make_an_invalid_url() -> None:
    with pytest.raises(InvalidURL, match="user name or password"):
        check_target("http://example.com@93.184.215.14/", resolver=_no_dns)


def test_allowed_networks_admit_every_spelling_of_an_address_in_them() -> None:
    nets = parse_networks(["127.0.0.0/8"])
    for url in ("http://127.1/", "http://0x7f.0.0.2/", "http://[::ffff:127.0.0.3]/"):
        assert check_target(url, allowed_networks=nets, resolver=_no_dns), url
    with pytest.raises(UnsafeTarget, match="10.0.0.1"):
        check_target("http://[::ffff:10.0.0.1]/", allowed_networks=nets, resolver=_no_dns)


def _middleware(lookup: dict[str, list[str]], **settings: object):
    from scrapy.utils.test import get_crawler

    from crawlers.middlewares import SafetyMiddleware

    mw = SafetyMiddleware(get_crawler(settings_dict=settings))

    async def fake_lookup(host: str) -> list[str]:
        if host not in lookup:
            raise OSError(f"[Errno -2] Name or service not known: {host}")
        return lookup[host]

    mw.lookup = fake_lookup  # type: ignore[method-assign]
    return mw


def _fetch(mw, url: str) -> None:
    import asyncio

    from scrapy import Request

    asyncio.run(mw.process_request(Request(url)))


@pytest.mark.parametrize(
    "url",
    ["http://%31%32%37%2e%30%2e%30%2e%31:18099/x", "http://127.1/", "http://0x7f.1/"],
)
def test_fetch_time_guard_reads_hosts_as_browsers_do(url: str) -> None:
    from crawlers.middlewares import UnsafeRequest

    with pytest.raises(UnsafeRequest, match="unsafe: 127.0.0.1 is a loopback address"):
        _fetch(_middleware({}), url)


def test_fetch_time_guard_rechecks_the_resolved_addresses() -> None:
    from crawlers.middlewares import UnsafeRequest

    mw = _middleware({"rebound.example": ["169.254.169.254"], "pub.example": ["93.184.215.14"]})
    with pytest.raises(UnsafeRequest, match="169.254.169.254, a link-local address"):
        _fetch(mw, "http://rebound.example/latest/meta-data/")
    _fetch(mw, "http://pub.example/")  # a public address goes through


def test_fetch_time_guard_checks_an_address_literal_without_a_lookup() -> None:
    from crawlers.middlewares import UnsafeRequest

    lab = _middleware({}, CRAWL_ALLOWED_NETWORKS=["127.0.0.0/8"])  # every lookup fails
    _fetch(lab, "http://127.0.0.1:8080/")
    _fetch(lab, "http://[::ffff:127.0.0.1]/")
    with pytest.raises(UnsafeRequest, match="10.0.0.1"):
        _fetch(lab, "http://10.0.0.1/")


def test_fetch_time_guard_honours_allowed_networks_and_unresolvable_names() -> None:
    from crawlers.middlewares import UnsafeRequest

    lab = _middleware({"127.1": ["127.0.0.1"]}, CRAWL_ALLOWED_NETWORKS=["127.0.0.0/8"])
    _fetch(lab, "http://127.1/")
    with pytest.raises(UnsafeRequest, match="dns: cannot resolve nowhere.example"):
        _fetch(lab, "http://nowhere.example/")
    _fetch(_middleware({}, CRAWL_ALLOW_UNRESOLVABLE=True), "http://nowhere.example/")
