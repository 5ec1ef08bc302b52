"""Slot helpers (value generators) of the seventeenth set of invented log styles, drawn by its
event tables and headers. The set, with its record and ``SEVENTEENTH_STYLES``, is
:mod:`tests.warehouse.logs.synthetic_styles_seventeenth`."""

from __future__ import annotations

import random

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_headers import _MONTHS, hms
from tests.warehouse.logs.synthetic_styles import Slot

_WORDS = s.USERS  # coined words with no digits
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def port(r: random.Random) -> str:
    return str(r.choice((22, 80, 443, 3389, r.randint(1024, 65535))))


def addr(r: random.Random) -> str:
    """An address with its port: ``10.1.2.3:443``."""
    return f"{s.ip(r)}:{port(r)}"


def go_duration(r: random.Random) -> str:
    """A Go duration as hclog writes it: ``812.3µs``, ``12.045ms``, ``1.5s``."""
    return r.choice(
        (f"{r.uniform(1, 999):.1f}µs", f"{r.uniform(1, 999):.3f}ms", f"{r.uniform(1, 9):.1f}s")
    )


def node_name(r: random.Random) -> str:
    """An agent's node: ``agent-12`` on most lines, a name with no digits on some."""
    return s.host(r) if r.random() < 0.3 else f"agent-{r.randint(1, 40)}"


def api_path(r: random.Random) -> str:
    kind = r.choice(("kv", "catalog/service", "health/service", "agent/check"))
    query = r.choice(("", "?index=" + str(r.randint(1, 99999)), "?stale="))
    return f"/v1/{kind}/{r.choice(_WORDS[:20])}{query}"


def alloc(r: random.Random) -> str:
    return s.uuid(r)


def empty_or(slot: Slot, share: float = 0.5) -> Slot:
    """A value that is empty on some lines (``key=``)."""
    return lambda r: "" if r.random() < share else slot(r)


def ldap_dn(r: random.Random) -> str:
    """A distinguished name: ``uid=alice,ou=people,dc=example,dc=com``."""
    unit = r.choice(("people", "people", "groups", "hosts", "services"))
    return f"uid={s.user(r)},ou={unit},dc=example,dc=com"


def ldap_base(r: random.Random) -> str:
    return r.choice(
        ("dc=example,dc=com", "ou=people,dc=example,dc=com", "ou=groups,dc=example,dc=com", "")
    )


def ldap_filter(r: random.Random) -> str:
    """A search filter: ``(uid=alice)``, ``(&(objectClass=posixAccount)(uid=bob))``."""
    return r.choice(
        (
            f"(uid={s.user(r)})",
            f"(&(objectClass=posixAccount)(uid={s.user(r)}))",
            "(objectClass=*)",
            f"(|(cn={s.user(r)}*)(mail={s.user(r)}@*))",
            f"(memberUid={s.user(r)})",
        )
    )


_ATTRS = ("cn", "mail", "uid", "uidNumber", "gidNumber", "memberOf", "sn", "loginShell", "1.1")


def attr_list(r: random.Random) -> str:
    """Attribute names joined by spaces, any number of them: one value."""
    return " ".join(r.sample(_ATTRS, r.randint(1, 5)))


def slapd_stamp(r: random.Random) -> str:
    """slapd's own stamp: epoch seconds and nanoseconds, each as eight hex digits."""
    return f"{r.randint(0x65000000, 0x67000000):08x}.{r.getrandbits(30):08x}"


_ETYPES = (
    "aes256-cts-hmac-sha1-96(18)",
    "aes128-cts-hmac-sha1-96(17)",
    "aes256-cts-hmac-sha384-192(20)",
    "aes128-cts-hmac-sha256-128(19)",
    "DEPRECATED:arcfour-hmac(23)",
    "camellia256-cts-cmac(26)",
)


def etype_list(r: random.Random) -> str:
    """A client's encryption types and their count: ``2 etypes {a(18), b(17)}``, one to six
    of them."""
    n = r.randint(1, 6)
    return f"{n} etypes {{" + ", ".join(r.sample(_ETYPES, n)) + "}"


def etype(r: random.Random) -> str:
    return r.choice(_ETYPES[:4])


def client_principal(r: random.Random) -> str:
    if r.random() < 0.2:
        return f"host/{s.host(r)}.example.com@EXAMPLE.COM"
    return f"{s.user(r)}@EXAMPLE.COM"


def service_principal(r: random.Random) -> str:
    kind = r.choice(("HTTP", "ldap", "host", "nfs", "imap"))
    return f"{kind}/{s.host(r)}.example.com@EXAMPLE.COM"


def epoch(r: random.Random) -> str:
    return str(r.randint(1_700_000_000, 1_760_000_000))


def ntp_source(r: random.Random) -> str:
    return s.ip(r) if r.random() < 0.7 else f"2001:db8::{r.randint(1, 0xFFFF):x}"


ntp_name = s.pool("{w}.pool.example.org", 0, 10)


def offset(r: random.Random) -> str:
    return f"{r.uniform(-3, 3):.6f}"


def fe(r: random.Random) -> str:
    """A frontend, ``~`` when it terminates TLS."""
    return r.choice(("fe_http", "fe_https~", "fe_api~", "fe_" + r.choice(_WORDS[:6])))


backend = s.pool("be_{w}", 4, 10)


def server(r: random.Random) -> str:
    return f"{r.choice(_WORDS[10:18])}{r.randint(1, 9)}"


def hap_clock(r: random.Random) -> str:
    month = r.choice(_MONTHS)
    return f"[{r.randint(1, 28):02d}/{month}/2025:{hms(r)}.{r.randint(0, 999):03d}]"


def no_server(r: random.Random) -> str:
    """A request refused before any backend: ``fe_http fe_http/<NOSRV>``."""
    name = fe(r)
    return f"{name} {name.rstrip('~')}/<NOSRV>"


def http_timers(r: random.Random) -> str:
    """``TR/Tw/Tc/Tr/Ta``: a timer is ``-1`` when its step never happened."""
    tr, tw, tc, tt = (r.randint(0, 40) for _ in range(4))
    resp = r.choice((str(r.randint(0, 5000)), str(r.randint(0, 90)), "-1"))
    return f"{tr}/{tw}/{tc}/{resp}/{tt + r.randint(0, 6000)}"


def conn_counts(r: random.Random) -> str:
    """``actconn/feconn/beconn/srv_conn/retries``."""
    a = r.randint(1, 900)
    return f"{a}/{r.randint(1, a)}/{r.randint(0, a)}/{r.randint(0, 90)}/{r.randint(0, 3)}"


def queues(r: random.Random) -> str:
    return f"{r.choice((0, 0, 0, r.randint(0, 40)))}/{r.choice((0, 0, r.randint(0, 90)))}"


def term_state(r: random.Random) -> str:
    return r.choice(("----", "----", "----", "CD--", "SD--", "cD--", "CH--"))


def request_path(r: random.Random) -> str:
    parts = "/".join(r.choice(_WORDS[:25]) for _ in range(r.randint(1, 3)))
    query = r.choice(("", "", f"?id={r.randint(1, 99999)}", f"?page={r.randint(1, 40)}&q=a"))
    return f"/{parts}{query}"


def ftp_client(r: random.Random) -> str:
    """A client as a server listening on IPv6 writes it: IPv4 clients mapped, ``::ffff:1.2.3.4``."""
    if r.random() < 0.7:
        return f"::ffff:{s.ip(r)}"
    return f"2001:db8:{r.randint(1, 0xFFFF):x}::{r.randint(1, 0xFFFF):x}"


def ftp_path(r: random.Random) -> str:
    parts = [r.choice(_WORDS[:30]) for _ in range(r.randint(1, 4))]
    return "/home/" + "/".join(parts) + r.choice((".tar.gz", ".csv", ".pdf", "", ".iso"))


def rate(r: random.Random) -> str:
    return f"{r.uniform(0.1, 99999):.2f}"


def session(r: random.Random) -> str:
    """A mail server's session id: sixteen base64 characters."""
    chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"
    return "".join(r.choice(chars) for _ in range(16))


def msgid(r: random.Random) -> str:
    return f"{r.getrandbits(48):012x}.{r.randint(1, 999)}@{r.choice(_WORDS[:8])}.example.net"


mailbox = s.pool("{W}", 12, 10)
