"""The platform's URL-safety check against a table of SSRF and open-redirect payloads.

Every row is a URL and its verdict: allowed (and the normalised URL it comes back as), or
refused (which rule, and a phrase the message must contain). Names resolve through a fake
resolver (``DNS`` below); no test reaches real DNS.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from warehouse.urlsafety import (
    Policy,
    UnsafeURLError,
    address_problem,
    check_url,
    parse_networks,
)

PUBLIC_V4 = "93.184.215.14"
PUBLIC_V6 = "2606:2800:21f:cb07:6820:80da:af6b:8b2c"
SELF = "https://sho.rt"

DNS: dict[str, list[str]] = {
    "example.com": [PUBLIC_V4, PUBLIC_V6],
    "www.example.org": [PUBLIC_V4],
    "xn--exmple-cua.com": [PUBLIC_V4],
    "sho.rt": [PUBLIC_V4],
    "innocent.example": ["127.0.0.1"],
    "intranet.example": ["10.0.0.5"],
    "router.example": ["192.168.1.1"],
    "metadata.example": ["169.254.169.254"],
    "rebind.example": [PUBLIC_V4, "127.0.0.1"],
    "cgnat.example": ["100.64.0.9"],
    "v6local.example": ["fd12:3456::1"],
    "v6linklocal.example": ["fe80::1%eth0"],
    "mapped.example": ["::ffff:10.0.0.1"],
    "nat64.example": ["64:ff9b::a9fe:a9fe"],
    "127.0.0.1.nip.io": ["127.0.0.1"],
    "zero.example": ["0.0.0.0"],
    "multicast.example": ["224.0.0.251"],
}


def fake_resolver(host: str) -> list[str]:
    name = host.rstrip(".").lower()
    if name == "broken.example":
        raise OSError("resolver timed out")
    return DNS.get(name, [])


@dataclass(frozen=True)
class Ok:
    href: str  # the normalised URL the check returns


@dataclass(frozen=True)
class No:
    kind: str  # the rule that refuses it
    says: str  # a phrase its message contains


LOOPBACK_V4 = No("address", "127.0.0.1 is a loopback address")
METADATA = No("address", "169.254.169.254 is a link-local address")
LOCALHOST = No("address", "is a loopback name")
USERINFO = No("userinfo", "user name or password")
CONTROL = No("malformed", "remove it")
SCHEME = No("scheme", "only http and https")
NOT_ABSOLUTE = No("scheme", "not an absolute URL")
SELF_LINK = No("self", "itself")
UNRESOLVABLE = No("unresolvable", "does not resolve")

PAYLOADS: list[tuple[str, Ok | No]] = [
    # -- the reported payloads: percent-encoded hosts -------------------------------------------
    ("http://%31%32%37%2e%30%2e%30%2e%31:18099/x", LOOPBACK_V4),
    ("http://127.0.0.%31/", LOOPBACK_V4),
    ("http://%6c%6f%63%61%6c%68%6f%73%74/", LOCALHOST),
    ("http://%31%36%39.254.169.254/latest/meta-data/", METADATA),
    ("https://sho%2ert/x", SELF_LINK),
    ("http://%31%30.0.0.1/", No("address", "10.0.0.1 is a private address")),
    ("http://%31%32%37.1/", LOOPBACK_V4),
    ("http://127%2E0%2E0%2E1/", LOOPBACK_V4),
    ("http://%30x7f.1/", LOOPBACK_V4),
    ("http://127.0.0.1%2e/", LOOPBACK_V4),
    ("http://%5B::1%5D/", No("malformed", "not a valid host")),
    ("http://%zz/", No("malformed", "not a valid host")),
    # -- IPv4 in decimal, octal, hex, short and mixed forms --------------------------------------
    ("http://2130706433/", LOOPBACK_V4),
    ("http://0x7f000001/", LOOPBACK_V4),
    ("http://017700000001/", LOOPBACK_V4),
    ("http://0x7f.1/", LOOPBACK_V4),
    ("http://0177.0.0.1/", LOOPBACK_V4),
    ("http://0177.1/", LOOPBACK_V4),
    ("http://127.1/", LOOPBACK_V4),
    ("http://127.0.1/", LOOPBACK_V4),
    ("http://0x7f.0x0.0x0.0x1/", LOOPBACK_V4),
    ("http://0x7F.00.0.01/", LOOPBACK_V4),
    ("http://127.0.0.1:/", LOOPBACK_V4),
    ("http://167772161/", No("address", "10.0.0.1 is a private address")),
    ("http://0xa9fea9fe/", METADATA),
    ("http://0251.0376.0251.0376/", METADATA),
    ("http://169.254.43518/", METADATA),
    ("http://0/", No("address", "0.0.0.0 is the unspecified address")),
    ("http://0.0.0.0:8080/", No("address", "0.0.0.0 is the unspecified address")),
    ("http://0.1.2.3/", No("address", "'this network' address")),
    ("http://10.255.255.255/", No("address", "private")),
    ("http://172.16.0.1/", No("address", "private")),
    ("http://172.31.255.254/", No("address", "private")),
    ("http://192.168.0.1/", No("address", "private")),
    ("http://100.64.0.1/", No("address", "carrier-grade NAT")),
    ("http://100.127.255.255/", No("address", "carrier-grade NAT")),
    ("http://198.18.0.1/", No("address", "benchmarking")),
    ("http://198.19.255.255/", No("address", "benchmarking")),
    ("http://192.0.0.1/", No("address", "IETF protocol")),
    ("http://192.0.2.1/", No("address", "documentation")),
    ("http://198.51.100.1/", No("address", "documentation")),
    ("http://203.0.113.1/", No("address", "documentation")),
    ("http://224.0.0.1/", No("address", "multicast")),
    ("http://239.255.255.250/", No("address", "multicast")),
    ("http://240.0.0.1/", No("address", "reserved")),
    ("http://4294967295/", No("address", "broadcast")),
    ("http://4294967296/", No("malformed", "not a valid host")),
    ("http://999.1.1.1/", No("malformed", "not a valid host")),
    ("http://1.2.3.4.5/", No("malformed", "not a valid host")),
    ("http://foo.0x7f/", No("malformed", "not a valid host")),
    ("http://8.8.8.8/", Ok("http://8.8.8.8/")),
    ("http://134744072/", Ok("http://8.8.8.8/")),
    ("http://0x08080808:8080/a", Ok("http://8.8.8.8:8080/a")),
    ("http://172.32.0.1/", Ok("http://172.32.0.1/")),
    ("http://100.128.0.1/", Ok("http://100.128.0.1/")),
    # -- IPv6 ------------------------------------------------------------------------------------
    ("http://[::1]/", No("address", "::1 is a loopback address")),
    ("http://[::1]:8080/", No("address", "loopback")),
    ("http://[0:0:0:0:0:0:0:1]/", No("address", "::1 is a loopback address")),
    ("http://[::]/", No("address", "unspecified")),
    ("http://[::ffff:127.0.0.1]/", No("address", "IPv4-mapped IPv6 address of 127.0.0.1")),
    ("http://[::ffff:7f00:1]/", No("address", "IPv4-mapped IPv6 address of 127.0.0.1")),
    ("http://[0:0:0:0:0:ffff:127.0.0.1]/", No("address", "of 127.0.0.1, a loopback")),
    ("http://[::ffff:169.254.169.254]/", No("address", "of 169.254.169.254, a link-local")),
    ("http://[::127.0.0.1]/", No("address", "IPv4-compatible IPv6 address of 127.0.0.1")),
    ("http://[::8.8.8.8]/", No("address", "IPv4-compatible IPv6 address (deprecated)")),
    ("http://[fe80::1]/", No("address", "fe80::1 is a link-local address")),
    ("http://[fe80::1%25eth0]/", No("malformed", "not a valid host")),
    ("http://[fc00::1]/", No("address", "unique-local")),
    ("http://[fd00:ec2::254]/", No("address", "unique-local")),
    ("http://[fec0::1]/", No("address", "site-local")),
    ("http://[ff02::1]/", No("address", "multicast")),
    ("http://[64:ff9b::a00:1]/", No("address", "NAT64 address of 10.0.0.1, a private")),
    ("http://[64:ff9b::169.254.169.254]/", No("address", "NAT64 address of 169.254.169.254")),
    ("http://[64:ff9b:1::1]/", No("address", "local-use NAT64")),
    ("http://[2002:7f00:1::]/", No("address", "6to4 address of 127.0.0.1")),
    ("http://[2002:a9fe:a9fe::1]/", No("address", "6to4 address of 169.254.169.254")),
    ("http://[2001:db8::1]/", No("address", "documentation")),
    ("http://[2001::1]/", No("address", "Teredo")),
    ("http://[100::1]/", No("address", "discard-only")),
    ("http://[::1", No("malformed", "not a valid host")),
    ("http://[2606:4700:4700::1111]/", Ok("http://[2606:4700:4700::1111]/")),
    ("http://[::ffff:8.8.8.8]/", Ok("http://[::ffff:808:808]/")),
    ("http://[64:ff9b::8.8.8.8]/", Ok("http://[64:ff9b::808:808]/")),
    # -- IDNA and Unicode hosts ------------------------------------------------------------------
    ("http://１２７.０.０.１/", LOOPBACK_V4),
    ("http://２１３０７０６４３３/", LOOPBACK_V4),
    ("http://①②⑦.0.0.1/", LOOPBACK_V4),
    ("http://127。0。0。1/", LOOPBACK_V4),
    ("http://ⓛocalhost/", LOCALHOST),
    ("http://LOCALHOST/", LOCALHOST),
    ("http://foo.localhost/", LOCALHOST),
    ("https://exämple.com/päth", Ok("https://xn--exmple-cua.com/p%C3%A4th")),
    ("http://ｅｘａｍｐｌｅ.com/", Ok("http://example.com/")),
    ("http://exa\u00admple.com/", Ok("http://example.com/")),
    ("http://EXAMPLE.COM/", Ok("http://example.com/")),
    # -- trailing dots ---------------------------------------------------------------------------
    ("http://127.0.0.1./", LOOPBACK_V4),
    ("http://localhost./", LOCALHOST),
    ("https://sho.rt./x", SELF_LINK),
    ("http://example.com./", Ok("http://example.com./")),
    # -- user-info confusion ---------------------------------------------------------------------
    ("http://example.com@127.0.0.1/", USERINFO),
    ("http://example.com:80@127.0.0.1/", USERINFO),
    ("http://example.com%2F@127.0.0.1/", USERINFO),
    ("http://user:pass@example.com/", USERINFO),
    ("http://1.1.1.1 &@2.2.2.2# @3.3.3.3/", USERINFO),
    ("http://127.0.0.1#@example.com/", LOOPBACK_V4),
    ("http://127.0.0.1?@example.com/", LOOPBACK_V4),
    ("http://@example.com/", Ok("http://example.com/")),
    # -- backslashes and missing slashes ---------------------------------------------------------
    ("http:\\\\127.0.0.1", LOOPBACK_V4),
    ("http:/\\127.0.0.1/", LOOPBACK_V4),
    ("http:127.0.0.1", LOOPBACK_V4),
    ("https:\\\\example.com\\a", Ok("https://example.com/a")),
    # -- tabs, newlines and control characters ---------------------------------------------------
    ("http://127.0.0.1\t/", CONTROL),
    ("http://exa\tmple.com/", CONTROL),
    ("http://127.0.\n0.1/", CONTROL),
    ("https://example.com/a\r\nSet-Cookie: x=1", CONTROL),
    ("https://example.com/\x00", CONTROL),
    ("java\tscript:alert(1)", CONTROL),
    ("  https://example.com/  ", Ok("https://example.com/")),
    # -- schemes ---------------------------------------------------------------------------------
    ("javascript:alert(1)", SCHEME),
    ("JavaScript:alert(1)", SCHEME),
    ("file:///etc/passwd", SCHEME),
    ("gopher://127.0.0.1:25/_HELO", SCHEME),
    ("data:text/html,<script>alert(1)</script>", SCHEME),
    ("ftp://example.com/f", SCHEME),
    ("dict://127.0.0.1:11211/stats", SCHEME),
    ("ws://example.com/", SCHEME),
    ("blob:https://example.com/uuid", SCHEME),
    ("//example.com/x", NOT_ABSOLUTE),
    ("example.com", NOT_ABSOLUTE),
    ("/relative", NOT_ABSOLUTE),
    # -- names resolving to private addresses (fake resolver) ------------------------------------
    ("http://innocent.example/", No("address", "resolves to 127.0.0.1, a loopback address")),
    ("http://intranet.example/", No("address", "resolves to 10.0.0.5, a private address")),
    ("http://router.example/", No("address", "192.168.1.1, a private address")),
    ("http://metadata.example/latest/", No("address", "169.254.169.254, a link-local")),
    ("http://rebind.example/", No("address", "resolves to 127.0.0.1")),
    ("http://cgnat.example/", No("address", "carrier-grade NAT")),
    ("http://v6local.example/", No("address", "fd12:3456::1, a unique-local")),
    ("http://v6linklocal.example/", No("address", "fe80::1, a link-local")),
    ("http://mapped.example/", No("address", "IPv4-mapped IPv6 address of 10.0.0.1")),
    ("http://nat64.example/", No("address", "NAT64 address of 169.254.169.254")),
    ("http://127.0.0.1.nip.io/", No("address", "127.0.0.1, a loopback address")),
    ("http://zero.example/", No("address", "unspecified")),
    ("http://multicast.example/", No("address", "multicast")),
    # -- names that do not resolve ---------------------------------------------------------------
    ("http://nowhere.example/", UNRESOLVABLE),
    ("http://broken.example/", UNRESOLVABLE),
    ("http://intranet/", UNRESOLVABLE),
    ("http:///nohost", UNRESOLVABLE),  # browsers read it as http://nohost/
    # -- the service itself ----------------------------------------------------------------------
    ("https://SHO.RT/x", SELF_LINK),
    ("http://sho.rt/x", SELF_LINK),
    ("https://sho.rt:443/", SELF_LINK),
    ("https://sho.rt:8443/", Ok("https://sho.rt:8443/")),
    # -- malformed -------------------------------------------------------------------------------
    ("http://", No("malformed", "no host")),
    ("http://:80/", No("malformed", "no host")),
    ("http://example.com:99999/", No("malformed", "port '99999'")),
    ("http://example.com:0/", No("malformed", "port 0")),
    ("http://a b/", No("malformed", "not a valid host")),
    ("https://example.com/" + "a" * 2100, No("length", "the limit is 2048")),
    # -- public targets come back normalised -----------------------------------------------------
    ("HTTPS://Example.COM:443/a/./b/../c?q=ü#frag", Ok("https://example.com/a/c?q=%C3%BC#frag")),
    ("http://example.com:80/", Ok("http://example.com/")),
    ("http://example.com:8080/x", Ok("http://example.com:8080/x")),
    ("http://example.com:/x", Ok("http://example.com/x")),
    ("https://www.example.org/a b", Ok("https://www.example.org/a%20b")),
    ("https://example.com/?q=<script>", Ok("https://example.com/?q=%3Cscript%3E")),
    ("https://example.com/%7Euser", Ok("https://example.com/%7Euser")),
]

REFUSED = sum(isinstance(verdict, No) for _, verdict in PAYLOADS)


def test_the_payload_table_is_large_and_mostly_hostile() -> None:
    assert len(PAYLOADS) >= 100
    assert len({url for url, _ in PAYLOADS}) == len(PAYLOADS)  # no row twice
    assert 0.8 * len(PAYLOADS) <= REFUSED


@pytest.mark.parametrize(("url", "verdict"), PAYLOADS, ids=[repr(u)[:60] for u, _ in PAYLOADS])
def test_each_payload_gets_its_verdict(url: str, verdict: Ok | No) -> None:
    policy = Policy(public_base_url=SELF)
    if isinstance(verdict, Ok):
        target = check_url(url, policy, resolver=fake_resolver)
        assert target.href == verdict.href
        assert target.addresses  # every allowed target was vetted on real addresses
    else:
        with pytest.raises(UnsafeURLError) as caught:
            check_url(url, policy, resolver=fake_resolver)
        assert caught.value.kind == verdict.kind, str(caught.value)
        assert verdict.says in str(caught.value)
        assert str(caught.value).startswith("refused: ")


def test_literal_hosts_are_refused_without_asking_the_resolver() -> None:
    asked: list[str] = []

    def spy(host: str) -> list[str]:
        asked.append(host)
        return [PUBLIC_V4]

    for url in ("http://0x7f.1/", "http://[::ffff:7f00:1]/", "http://%6c%6f%63%61%6c%68%6f%73%74/"):
        with pytest.raises(UnsafeURLError):
            check_url(url, resolver=spy)
    assert asked == []
    assert check_url("http://8.8.8.8/", resolver=spy).addresses == ("8.8.8.8",)
    assert asked == []


def test_allow_private_admits_private_addresses_but_never_multicast_or_unspecified() -> None:
    lenient = Policy(allow_private=True)
    for url in (
        "http://10.1.2.3/",
        "http://127.1/",
        "http://[fd00::1]/",
        "http://innocent.example/",
    ):
        assert check_url(url, lenient, resolver=fake_resolver).href
    for url in (
        "http://224.0.0.1/",
        "http://0.0.0.0/",
        "http://[::]/",
        "http://multicast.example/",
    ):
        with pytest.raises(UnsafeURLError, match="multicast|unspecified"):
            check_url(url, lenient, resolver=fake_resolver)


def test_allowed_networks_admit_only_their_addresses_in_any_spelling() -> None:
    lab = Policy(allowed_networks=parse_networks(["10.0.0.0/8"]))
    assert check_url("http://167772161/", lab, resolver=fake_resolver).href == "http://10.0.0.1/"
    assert check_url("http://[::ffff:a00:5]/", lab, resolver=fake_resolver).addresses
    assert check_url("http://intranet.example/", lab, resolver=fake_resolver).addresses == (
        "10.0.0.5",
    )
    with pytest.raises(UnsafeURLError, match="192.168.1.1"):
        check_url("http://router.example/", lab, resolver=fake_resolver)


def test_unresolvable_names_pass_only_when_the_policy_allows_them() -> None:
    with pytest.raises(UnsafeURLError, match="does not resolve"):
        check_url("https://nowhere.example/a", resolver=fake_resolver)
    target = check_url(
        "HTTPS://Nowhere.Example/a", Policy(allow_unresolvable=True), resolver=fake_resolver
    )
    assert target.href == "https://nowhere.example/a" and target.addresses == ()
    # A name that resolves is still vetted when unresolvable names are allowed.
    with pytest.raises(UnsafeURLError, match="loopback"):
        check_url(
            "http://innocent.example/", Policy(allow_unresolvable=True), resolver=fake_resolver
        )


def test_the_self_rule_compares_normalised_hosts_and_ports() -> None:
    policy = Policy(public_base_url="http://127.0.0.1:8000", allow_private=True)
    for url in (
        "http://127.0.0.1:8000/s/x",
        "http://2130706433:8000/",
        "http://[::ffff:7f00:1]:8000/",
    ):
        with pytest.raises(UnsafeURLError, match="itself"):
            check_url(url, policy, resolver=fake_resolver)
    assert check_url("http://127.0.0.1:8001/", policy, resolver=fake_resolver).href


@pytest.mark.parametrize(
    ("addr", "why"),
    [
        ("127.0.0.1", "a loopback address"),
        ("::ffff:10.0.0.1", "an IPv4-mapped IPv6 address of 10.0.0.1, a private address"),
        ("fe80::1%eth0", "a link-local address"),
        ("93.184.215.14", None),
        (PUBLIC_V6, None),
    ],
)
def test_address_problem_names_what_an_address_is(addr: str, why: str | None) -> None:
    assert address_problem(addr) == why
