"""Slot helpers (value generators) of the twelfth set of invented log styles, drawn by its event
tables and headers. The set, with its record and ``TWELFTH_STYLES``, is
:mod:`tests.warehouse.logs.synthetic_styles_twelfth`."""

from __future__ import annotations

import random

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_headers import _MONTHS, hms, iso_day
from tests.warehouse.logs.synthetic_styles import Slot

_METHODS = ("process", "handle", "run", "invoke", "doFilter", "read0", "lambda$submit$3", "call")
_FRAME_PACKAGES = ("org.lokavo.orders", "org.lokavo.core.http", "io.rendri.channel", "java.util")


def frame(r: random.Random) -> str:
    """A stack frame's code location: ``pkg.Class.method(Class.java:123)``; now and then a
    native method, written with a space."""
    cls = s.klass(r)
    where = "Native Method" if r.random() < 0.1 else f"{cls}.java:{r.randint(20, 2400)}"
    return f"{r.choice(_FRAME_PACKAGES)}.{cls}.{r.choice(_METHODS)}({where})"


def order_id(r: random.Random) -> str:
    return f"ORD-2025{r.randint(0, 99999):05d}"


def iso_time(r: random.Random) -> str:
    """A date and time in one word: ``2025-04-12T10:11:12Z`` or with an offset."""
    zone = r.choice(("Z", "+02:00", "-05:00"))
    return f"{iso_day(r)}T{hms(r)}{zone}"


def rfc_date(r: random.Random) -> str:
    """``Tue, 02 Apr 2025 10:11:12 +0200``: one value of five words."""
    day = r.choice(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))
    zone = r.choice(("+0000", "+0200", "-0700"))
    return f"{day}, {r.randint(1, 28):02d} {r.choice(_MONTHS)} 2025 {hms(r)} {zone}"


def ipv6(r: random.Random) -> str:
    groups = [f"{r.getrandbits(16):x}" for _ in range(r.randint(2, 4))]
    return r.choice(("2001:db8:", "fe80:", "fd12:3456:")) + ":" + ":".join(groups)


def mac(r: random.Random) -> str:
    return ":".join(f"{r.getrandbits(8):02x}" for _ in range(6))


def duration_hms(r: random.Random) -> str:
    """Go's duration of hours, minutes and seconds: ``1h2m3s``, ``14m5s``, ``42s``."""
    h, m, sec = r.randint(0, 3), r.randint(0, 59), r.randint(0, 59)
    if h:
        return f"{h}h{m}m{sec}s"
    return f"{m}m{sec}s" if m else f"{sec}s"


def glued_unit(units: tuple[str, ...], lo: float, hi: float, digits: int = 1) -> Slot:
    """A number with its unit glued on: ``1.2GB``, ``-67dBm``, ``-3.5°C``."""
    return lambda r: f"{r.uniform(lo, hi):.{digits}f}{r.choice(units)}"


def release(r: random.Random) -> str:
    """A version: ``v1.2.3``, now and then a pre-release ``v1.2.3-rc1``."""
    base = f"v{r.randint(0, 4)}.{r.randint(0, 20)}.{r.randint(0, 30)}"
    return base + (f"-rc{r.randint(1, 4)}" if r.random() < 0.3 else "")


def camel_id(r: random.Random) -> str:
    """A device name in camelCase with a number: ``doorSensor12``."""
    return f"{r.choice(('door', 'temp', 'motion', 'leak', 'smoke'))}Sensor{r.randint(1, 64)}"


def query_url(r: random.Random) -> str:
    path = f"/api/v3/repos/{s.user(r)}/runs"
    return f"https://ci.example.org{path}?page={r.randint(1, 40)}&per_page={r.choice((30, 100))}"


def request_path(r: random.Random) -> str:
    """A request's path, now and then with a query string."""
    path = r.choice(("/", "/shop/cart", f"/img/{s.hexn(8)(r)}.png", f"/p/{r.randint(1, 9999)}"))
    return path + (f"?q={s.user(r)}&page={r.randint(1, 9)}" if r.random() < 0.3 else "")


def referer(r: random.Random) -> str:
    return '"-"' if r.random() < 0.4 else f'"https://{s.host(r)}.example.org/{s.user(r)}"'


_AGENTS = (
    "Mozilla/5.0 (X11; Linux x86_64; rv:{v}.0) Gecko/20100101 Firefox/{v}.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/{v}.0.0.0 Safari/537.36",
    "curl/8.{v}.1",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_{v} like Mac OS X) AppleWebKit/605.1.15",
    "kelvobot/{v}.1 (+https://kelvo.example.net/bot)",
)


def user_agent(r: random.Random) -> str:
    """A quoted user agent of one to sixteen words: one slot."""
    return '"' + r.choice(_AGENTS).format(v=r.randint(1, 130)) + '"'


def params(r: random.Random) -> str:
    """A statement's bound parameters: ``[12, "kato"]``, any number of them, one slot."""
    items = [r.choice((str(r.randint(1, 99999)), f'"{s.user(r)}"')) for _ in range(r.randint(1, 4))]
    return "[" + ", ".join(items) + "]"


def raw_statement(r: random.Random) -> str:
    """A statement built at run time with its literals inline: one slot of any length."""
    table = s.user(r) + "s"
    return r.choice(
        (
            f"SELECT * FROM {table} WHERE id = {r.randint(1, 9999)}",
            f"DELETE FROM {table} WHERE created < '{iso_day(r)}'",
            f"UPDATE {table} SET seen = 1 WHERE owner = '{s.user(r)}' AND id > {r.randint(1, 99)}",
        )
    )


def file_name(r: random.Random) -> str:
    """A quoted file name that may hold spaces and digits: ``"build output 2.zip"``."""
    words = [r.choice(("build", "output", "test", "results", "Release", "notes", "logs"))]
    words += [
        r.choice(("output", "results", str(r.randint(1, 9)), "final"))
        for _ in range(r.randint(0, 2))
    ]
    return '"' + " ".join(words) + r.choice((".zip", ".txt", ".tar.gz")) + '"'


def win_tool(r: random.Random) -> str:
    """A Windows path that may hold spaces: one slot."""
    return r.choice(
        (
            "C:\\Program Files\\Git\\bin\\git.exe",
            "C:\\Program Files (x86)\\Windows Kits\\10\\bin\\signtool.exe",
            f"D:\\a\\_work\\{s.program(r)}\\tools\\pack.exe",
            "C:\\hostedtoolcache\\windows\\node\\20.11.1\\x64\\node.exe",
        )
    )


_NAME_PARTS = ("Zoë", "Łukasz", "小龙", "ミサキ", "Renée", "kato", "drift", "Ørjan", "선우", "sumi")
# player names from an open set: a few common, many rare
_PLAYERS = [a + b for a in _NAME_PARTS for b in ("", "_x", "ç", "龍", "Pro", "ñ")]
player_name = s.skewed(_PLAYERS)


def player(r: random.Random) -> str:
    """A player's name, often not ASCII, with a user id and a account id: the team follows."""
    sid = f"STEAM_1:{r.randint(0, 1)}:{r.randint(1000, 9999999)}"
    return f"{player_name(r)}<{r.randint(2, 64)}><{sid}>"


_CHAT = (
    "gg",
    "wp",
    "nice",
    "rush",
    "bonjour",
    "à",
    "gauche",
    "加油",
    "好球",
    "défense",
    "ok",
    "lol",
)


def chat(r: random.Random) -> str:
    """A chat line of one to six words: one slot."""
    return '"' + " ".join(r.choice(_CHAT) for _ in range(r.randint(1, 6))) + '"'


_SUBJECT = (
    "Réunion",
    "Facture",
    "été",
    "urgent",
    "订单",
    "确认",
    "offre",
    "spéciale",
    "Ihre",
    "Bestellung",
)


def subject(r: random.Random) -> str:
    """A mail subject of one to five words, often not ASCII: one slot."""
    return '"' + " ".join(r.choice(_SUBJECT) for _ in range(r.randint(1, 5))) + '"'


def signed(r: random.Random) -> str:
    """A change written with its sign: ``-12``, ``+7``."""
    return f"{r.choice('+-')}{r.randint(1, 50)}"


def route(r: random.Random) -> str:
    """A route's name, from an open set: ``app_kalo_show``."""
    return f"app_{s.user(r)}_{r.choice(('show', 'list', 'edit'))}"


def client_address(r: random.Random) -> str:
    """A client's address: ``10.1.2.3`` or ``[2001:db8::1]:51234``, one value."""
    return s.ip(r) if r.random() < 0.8 else f"[{ipv6(r)}]:{r.randint(1024, 65535)}"


def maybe(slot: Slot, empty: str = "") -> Slot:
    """A value that is empty on some lines (``user=``)."""
    return lambda r: empty if r.random() < 0.3 else slot(r)


def message_id(r: random.Random) -> str:
    return f"<{s.hexn(12)(r)}@{s.host(r)}.example.com>"
