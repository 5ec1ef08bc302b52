"""The platform's one URL-safety check: parse as browsers do, refuse private destinations.

Every system that stores, redirects to or fetches a URL someone else gave it (the shortener,
the crawler, link health) asks this module. A URL is read with ``ada-url``, by the WHATWG URL
standard that browsers and ``fetch`` follow: the host is percent-decoded, mapped
through IDNA (fullwidth digits, circled letters), and a host that reads as a number is an
IPv4 address in any of its spellings (``2130706433``, ``0x7f.1``, ``0177.0.0.1``, ``127.1``).
So the host checked here is the host a client will connect to, and the URL to keep is the
re-serialised one (``Target.href``), never the raw input.

The rules, in order (the first broken one raises ``UnsafeURLError``):

1. the raw text: at most ``max_length`` characters, no tab, newline or control character;
2. an absolute ``http`` or ``https`` URL that parses, with a host and a non-zero port;
3. no user name or password before the host (``https://bank.example@evil.example/``);
4. not the service itself (``public_base_url``: normalised host and port compared);
5. an IP-literal host, and ``localhost``/``*.localhost`` (RFC 6761), must be an allowed
   address, before any DNS;
6. a name must resolve, and every address it resolves to must be allowed.

An address is allowed when it is globally routable: loopback, private, link-local,
carrier-grade NAT, benchmarking, documentation, multicast, broadcast, unspecified and
reserved addresses are not, and neither are IPv6 addresses that embed such an IPv4 address
(IPv4-mapped ``::ffff:0:0/96``, IPv4-compatible ``::/96``, NAT64 ``64:ff9b::/96``, 6to4
``2002::/16``). ``allowed_networks`` lets listed networks through; ``allow_private`` lets
every non-public address through except multicast, broadcast and unspecified ones. Names that
do not resolve are refused unless ``allow_unresolvable`` is set.

The resolver is a parameter (``host -> addresses``, empty when the name does not resolve), so
tests never touch real DNS. Example::

    >>> check_url("HTTPS://Example.COM:443/a/../b", resolver=lambda host: ["93.184.215.14"]).href
    'https://example.com/b'
    >>> check_url("http://%31%32%37.0.0.1/x", resolver=lambda host: [])
    Traceback (most recent call last):
    ...
    UnsafeURLError: refused: 127.0.0.1 is a loopback address
"""

from __future__ import annotations

import ipaddress
import re
import socket
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Literal

from ada_url import URL, HostType

MAX_URL_LENGTH = 2048
ALLOWED_SCHEMES = frozenset({"http", "https"})
DEFAULT_PORTS = {"http": 80, "https": 443}

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Resolver = Callable[[str], Sequence[str]]
Kind = Literal["length", "malformed", "scheme", "userinfo", "self", "address", "unresolvable"]

_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.\-]*):")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_CONTROL_NAMES = {"\t": "a tab", "\n": "a newline", "\r": "a carriage return"}


class UnsafeURLError(ValueError):
    """A URL refused by the rules above; ``str()`` says why, ``kind`` says which rule.

    ``detail`` is the message without its ``refused:`` prefix, for callers that add their own.
    """

    def __init__(self, detail: str, *, kind: Kind) -> None:
        super().__init__(f"refused: {detail}")
        self.detail = detail
        self.kind = kind


@dataclass(frozen=True)
class Policy:
    """What a system lets through. The defaults are the strict ones."""

    allow_private: bool = False
    allowed_networks: tuple[Network, ...] = ()
    allow_unresolvable: bool = False
    public_base_url: str | None = None
    max_length: int | None = MAX_URL_LENGTH


@dataclass(frozen=True)
class Target:
    """A parsed URL: ``href`` is its normalised WHATWG serialisation (the one to store)."""

    href: str
    scheme: str
    host: str  # ASCII: a domain name (punycode), dotted IPv4, or IPv6 without brackets
    port: int  # the effective port (80/443 when the URL names none)
    ip: IPAddress | None  # set when the host is an IP literal
    addresses: tuple[str, ...] = ()  # the addresses that were checked (after DNS)


# -- addresses ---------------------------------------------------------------------------------

# (network, what it is, refused even when private targets are allowed)
_V4_RULES: tuple[tuple[ipaddress.IPv4Network, str, bool], ...] = tuple(
    (ipaddress.IPv4Network(net), label, always)
    for net, label, always in (
        ("0.0.0.0/32", "the unspecified address", True),
        ("255.255.255.255/32", "the broadcast address", True),
        ("0.0.0.0/8", "a 'this network' address (0.0.0.0/8)", False),
        ("10.0.0.0/8", "a private address", False),
        ("100.64.0.0/10", "a carrier-grade NAT address (100.64.0.0/10)", False),
        ("127.0.0.0/8", "a loopback address", False),
        ("169.254.0.0/16", "a link-local address", False),
        ("172.16.0.0/12", "a private address", False),
        ("192.0.0.0/24", "an IETF protocol address (192.0.0.0/24)", False),
        ("192.0.2.0/24", "a documentation address (192.0.2.0/24)", False),
        ("192.88.99.0/24", "a 6to4 relay anycast address (192.88.99.0/24)", False),
        ("192.168.0.0/16", "a private address", False),
        ("198.18.0.0/15", "a benchmarking address (198.18.0.0/15)", False),
        ("198.51.100.0/24", "a documentation address (198.51.100.0/24)", False),
        ("203.0.113.0/24", "a documentation address (203.0.113.0/24)", False),
        ("224.0.0.0/4", "a multicast address", True),
        ("240.0.0.0/4", "a reserved address (240.0.0.0/4)", False),
    )
)
_V6_RULES: tuple[tuple[ipaddress.IPv6Network, str, bool], ...] = tuple(
    (ipaddress.IPv6Network(net), label, always)
    for net, label, always in (
        ("::/128", "the unspecified address", True),
        ("::1/128", "a loopback address", False),
        ("64:ff9b:1::/48", "a local-use NAT64 address (64:ff9b:1::/48)", False),
        ("100::/64", "a discard-only address (100::/64)", False),
        ("2001::/32", "a Teredo tunnel address (2001::/32)", False),
        ("2001:db8::/32", "a documentation address (2001:db8::/32)", False),
        ("2001::/23", "an IETF protocol address (2001::/23)", False),
        ("fc00::/7", "a unique-local (private) address", False),
        ("fe80::/10", "a link-local address", False),
        ("fec0::/10", "a site-local address (deprecated)", False),
        ("ff00::/8", "a multicast address", True),
    )
)
LOOPBACK = ipaddress.IPv4Address("127.0.0.1")
_MAPPED = ipaddress.IPv6Network("::ffff:0:0/96")
_COMPAT = ipaddress.IPv6Network("::/96")
_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")
_6TO4 = ipaddress.IPv6Network("2002::/16")


def parse_networks(specs: Iterable[str]) -> tuple[Network, ...]:
    """Parse an allow-list such as ``["127.0.0.0/8"]`` (host bits may be set)."""
    return tuple(ipaddress.ip_network(s, strict=False) for s in specs)


def parse_address(addr: str) -> IPAddress:
    """An address as a resolver or a URL spells it (brackets and an IPv6 zone id dropped)."""
    return ipaddress.ip_address(addr.strip("[]").split("%", 1)[0])


def _embedded_v4(ip: ipaddress.IPv6Address) -> tuple[str, ipaddress.IPv4Address] | None:
    """The IPv4 address an IPv6 address carries, and how it carries it."""
    if ip in _MAPPED:
        return "an IPv4-mapped IPv6 address", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _NAT64:
        return "a NAT64 address", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip in _6TO4:
        return "a 6to4 address", ipaddress.IPv4Address((int(ip) >> 80) & 0xFFFFFFFF)
    if ip in _COMPAT and int(ip) > 1:
        return "an IPv4-compatible IPv6 address", ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    return None


def _classify(ip: IPAddress) -> tuple[str, bool] | None:
    """``(what it is, refused even when private targets are allowed)``, or None if public."""
    rules = _V4_RULES if ip.version == 4 else _V6_RULES
    for net, label, always in rules:
        if ip in net:
            return label, always
    if not ip.is_global or ip.is_reserved:
        return f"a reserved (not globally routable) IPv{ip.version} address", False
    return None


def address_problem(
    addr: str | IPAddress,
    *,
    allow_private: bool = False,
    allowed_networks: Iterable[Network] = (),
) -> str | None:
    """Why ``addr`` may not be reached (e.g. ``"a loopback address"``), or None if it may.

    Raises ``ValueError`` when ``addr`` is not an IP address.
    """
    if isinstance(addr, ipaddress.IPv4Address | ipaddress.IPv6Address):
        ip = addr
    else:
        ip = parse_address(addr)
    nets = tuple(allowed_networks)
    if any(ip in net for net in nets if net.version == ip.version):
        return None
    if ip.version == 6:
        embedded = _embedded_v4(ip)
        if embedded is not None:
            how, v4 = embedded
            inner = address_problem(v4, allow_private=allow_private, allowed_networks=nets)
            if inner is not None:
                return f"{how} of {v4}, {inner}"
            if how.startswith("an IPv4-compatible") and not allow_private:
                return f"{how} (deprecated) of {v4}"
            return None
    found = _classify(ip)
    if found is None:
        return None
    label, always = found
    return label if always or not allow_private else None


def system_resolver(host: str) -> list[str]:
    """Every address ``host`` resolves to through the system resolver (empty if none)."""
    try:
        infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
    except (OSError, UnicodeError):
        return []
    return sorted({str(info[4][0]) for info in infos})


# -- URLs --------------------------------------------------------------------------------------


def _check_text(url: str, max_length: int | None) -> str:
    text = url.strip(" \t\n\r\f\v")
    if max_length is not None and len(text) > max_length:
        raise UnsafeURLError(
            f"the URL is {len(text)} characters long; the limit is {max_length}", kind="length"
        )
    bad = _CONTROL.search(text)
    if bad:
        char = bad.group()
        name = _CONTROL_NAMES.get(char, f"the control character {char!r}")
        raise UnsafeURLError(
            f"the URL contains {name} at position {bad.start()}; remove it", kind="malformed"
        )
    return text


def _diagnose(text: str) -> str:
    """Why the WHATWG parser refused ``text``, said as precisely as we can."""
    rest = _SCHEME.sub("", text, count=1).lstrip("/\\")
    authority = re.split(r"[/\\?#]", rest, maxsplit=1)[0].rpartition("@")[2]
    if not authority:
        return "the URL has no host"
    if authority.startswith("["):  # an IPv6 literal, perhaps with a port after "]:"
        head, bracket, tail = authority.partition("]")
        host, port = head + bracket, tail[1:]
    else:
        host, colon, port = authority.rpartition(":")
        if not colon or ":" in host:  # no port, or colons a bare host cannot have
            host, port = authority, ""
    if not host:
        return "the URL has no host"
    if port and not (port.isdigit() and int(port) <= 65535):
        return f"the port {port!r} is not a number from 1 to 65535"
    return f"the host {host[:100]!r} is not a valid host name or IP address"


def parse_url(url: str, *, max_length: int | None = MAX_URL_LENGTH) -> Target:
    """Rules 1-3: parse ``url`` as a browser would, or raise ``UnsafeURLError``."""
    text = _check_text(url, max_length)
    match = _SCHEME.match(text)
    if match is None:
        raise UnsafeURLError(
            f"{text[:100]!r} is not an absolute URL; it must start with http:// or https://",
            kind="scheme",
        )
    scheme = match.group(1).lower()
    if scheme not in ALLOWED_SCHEMES:
        raise UnsafeURLError(
            f"only http and https URLs are allowed, not {scheme + ':'!r}", kind="scheme"
        )
    try:
        parsed = URL(text)
    except ValueError as exc:
        raise UnsafeURLError(f"malformed URL: {_diagnose(text)}", kind="malformed") from exc
    host = parsed.hostname
    if not host:  # pragma: no cover - the WHATWG parser refuses hostless http(s) URLs
        raise UnsafeURLError("the URL has no host", kind="malformed")
    if parsed.username or parsed.password:
        raise UnsafeURLError(
            f"the URL puts a user name or password before its host {host} (user@host); "
            "links may not carry credentials",
            kind="userinfo",
        )
    port = int(parsed.port) if parsed.port else DEFAULT_PORTS[scheme]
    if port == 0:
        raise UnsafeURLError("port 0 cannot be connected to", kind="malformed")
    href = parsed.href
    if max_length is not None and len(href) > max_length:
        raise UnsafeURLError(
            f"the URL is {len(href)} characters long once encoded; the limit is {max_length}",
            kind="length",
        )
    ip: IPAddress | None = None
    if parsed.host_type in (HostType.IPV4, HostType.IPV6):
        ip = parse_address(host)
        host = str(ip)
    return Target(href=href, scheme=scheme, host=host, port=port, ip=ip)


def _host_key(target: Target) -> str:
    """The host to compare: no trailing dot, an IPv4-mapped IPv6 address as its IPv4 one."""
    if isinstance(target.ip, ipaddress.IPv6Address) and target.ip.ipv4_mapped:
        return str(target.ip.ipv4_mapped)
    return target.host.rstrip(".")


def _same_service(target: Target, public_base_url: str) -> bool:
    try:
        own = parse_url(public_base_url, max_length=None)
    except UnsafeURLError:
        return False
    if _host_key(target) != _host_key(own):
        return False
    both_default = (
        target.port == DEFAULT_PORTS[target.scheme] and own.port == DEFAULT_PORTS[own.scheme]
    )
    return target.port == own.port or both_default


def is_local_name(host: str) -> bool:
    """``localhost`` and ``*.localhost``: loopback by definition (RFC 6761), whatever DNS says."""
    name = host.rstrip(".").lower()
    return name == "localhost" or name.endswith(".localhost")


def check_literal(target: Target, policy: Policy | None = None) -> None:
    """Rules 4-5, before any DNS: not ourselves, and an IP-literal host is allowed."""
    policy = policy or Policy()
    if policy.public_base_url and _same_service(target, policy.public_base_url):
        raise UnsafeURLError(
            f"{target.host}:{target.port} is this service itself; links to itself are not allowed",
            kind="self",
        )
    if target.ip is not None:
        why = address_problem(
            target.ip,
            allow_private=policy.allow_private,
            allowed_networks=policy.allowed_networks,
        )
        if why is not None:
            raise UnsafeURLError(f"{target.ip} is {why}", kind="address")
    elif is_local_name(target.host) and address_problem(
        LOOPBACK, allow_private=policy.allow_private, allowed_networks=policy.allowed_networks
    ):
        raise UnsafeURLError(
            f"{target.host} is a loopback name (RFC 6761: it always means this machine)",
            kind="address",
        )


def check_addresses(host: str, addresses: Iterable[str], policy: Policy | None = None) -> list[str]:
    """Rule 6 for the addresses ``host`` resolved to; returns them, normalised and sorted.

    Raises ``UnsafeURLError`` when there are none (unless allowed) or any one is not allowed.
    """
    policy = policy or Policy()
    try:
        ips = sorted({parse_address(a) for a in addresses}, key=lambda ip: (ip.version, ip))
    except ValueError as exc:
        raise UnsafeURLError(f"{host} resolved to a non-address: {exc}", kind="address") from exc
    if is_local_name(host):
        ips = sorted({*ips, LOOPBACK}, key=lambda ip: (ip.version, ip))
    if not ips:
        if policy.allow_unresolvable:
            return []
        raise UnsafeURLError(
            f"the host {host} does not resolve to any address; check its spelling",
            kind="unresolvable",
        )
    bad = []
    for ip in ips:
        why = address_problem(
            ip, allow_private=policy.allow_private, allowed_networks=policy.allowed_networks
        )
        if why is not None:
            bad.append(f"{ip}, {why}")
    if bad:
        raise UnsafeURLError(f"{host} resolves to {' and to '.join(bad)}", kind="address")
    return [str(ip) for ip in ips]


def resolve_host(host: str, resolver: Resolver) -> list[str]:
    """``resolver(host)``, with a resolver failure read as "does not resolve"."""
    try:
        return list(resolver(host))
    except (OSError, UnicodeError):
        return []


def check_url(
    url: str,
    policy: Policy | None = None,
    *,
    resolver: Resolver = system_resolver,
) -> Target:
    """Every rule: the checked ``Target`` (store ``.href``), or ``UnsafeURLError``."""
    policy = policy or Policy()
    target = parse_url(url, max_length=policy.max_length)
    check_literal(target, policy)
    if target.ip is not None:
        return replace(target, addresses=(str(target.ip),))
    addresses = check_addresses(target.host, resolve_host(target.host, resolver), policy)
    return replace(target, addresses=tuple(addresses))
