"""Slot helpers (value generators) of the fifteenth set of invented log styles, drawn by its
event tables. The set, with its record and ``FIFTEENTH_STYLES``, is
:mod:`tests.warehouse.logs.synthetic_styles_fifteenth`."""

from __future__ import annotations

import random

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_headers import hms, iso_day
from tests.warehouse.logs.synthetic_styles import Slot

_WORDS = s.USERS  # coined words with no digits


def guid(r: random.Random) -> str:
    h = f"{r.getrandbits(128):032X}"
    return f"{{{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}}}"


def spaced_dir(r: random.Random) -> str:
    """A Windows folder whose names may hold spaces: ``C:\\Program Files\\Kavo Tools\\``."""
    base = r.choice(("C:\\Program Files\\", "C:\\Program Files (x86)\\", "D:\\Apps\\"))
    words = " ".join(w.title() for w in r.sample(_WORDS[:20], r.randint(1, 2)))
    return f"{base}{words}\\"


def prop_value(r: random.Random) -> str:
    """A property's value: a folder, a GUID or a number."""
    return r.choice((spaced_dir, spaced_dir, guid, s.num(0, 9999)))(r)


def tls(r: random.Random) -> str:
    """``no``, or a protocol version and a cipher suite."""
    if r.random() < 0.4:
        return "no"
    suite = r.choice(("AES_256_GCM_SHA384", "AES_128_GCM_SHA256", "CHACHA20_POLY1305_SHA256"))
    return f"TLSv1.{r.choice((2, 3))}/TLS_{suite}"


def hex_addr(r: random.Random) -> str:
    return f"0x{r.randint(0x55D000000000, 0x55DFFFFFFFFF):x}"


def dotted_port(r: random.Random) -> str:
    """An address with its port after a dot, as SOCKS servers write it: ``10.1.2.3.51234``."""
    return f"{s.ip(r)}.{r.randint(1024, 65535)}"


def web_path(r: random.Random) -> str:
    """A request path: a route of two to four segments, an id on some."""
    parts = [r.choice(_WORDS[:25]) for _ in range(r.randint(1, 3))]
    if r.random() < 0.6:
        parts.append(str(r.randint(1, 99999)))
    return "/api/" + "/".join(parts)


def sensor(prefix: str, n: int) -> Slot:
    """A sensor written by number (``#0x30``) or by a name with a digit (``FAN3``)."""

    def draw(r: random.Random) -> str:
        if r.random() < 0.5:
            return f"#0x{r.randint(0, 0xFF):02x}"
        return prefix.format(r.randint(0, n))

    return draw


def hardware_id(r: random.Random) -> str:
    return f"usb\\vid_{r.getrandbits(16):04x}&pid_{r.getrandbits(16):04x}&rev_{r.randint(1, 9)}00"


def instance_path(r: random.Random) -> str:
    tail = f"{r.randint(1, 9)}&{r.getrandbits(28):x}&0&{r.randint(1, 9)}"
    return f"USB\\VID_{r.getrandbits(16):04X}&PID_{r.getrandbits(16):04X}\\{tail}"


def oem_inf(r: random.Random) -> str:
    return f"oem{r.randint(0, 120)}.inf"


def inf_path(r: random.Random) -> str:
    return f"C:\\Windows\\INF\\{oem_inf(r)}"


def driver_date(r: random.Random) -> str:
    return f"{r.randint(1, 12):02d}/{r.randint(1, 28):02d}/20{r.randint(10, 25)}"


def clock_ms(r: random.Random) -> str:
    return f"{hms(r)}.{r.randint(0, 999):03d}"


def section_clock(r: random.Random) -> str:
    return f"{iso_day(r, '/')} {hms(r)}.{r.randint(0, 999):03d}"


action = s.pool("{W}Costing", 0, 30)
table = s.pool("{W}Table", 4, 12)
component = s.pool("cmp_{w}", 6, 30)
feature = s.pool("{W}Feature", 10, 10)
prop = s.skewed([*(f"{w.title()}DIR" for w in _WORDS[12:28]), "ProductCode", "ALLUSERS"])
dll = s.pool("{w}.dll", 2, 30)
product = s.pool("{W}", 14, 12)
policy = s.pool("Disable{W}", 8, 8)
database = s.pool("{w}db", 0, 14)
pool_user = s.pool("{w}", 10, 20)
cluster = s.pool("{w}_svc", 3, 18)
package = s.pool("com.{w}.app", 5, 20)
activity = s.pool("{W}Activity", 1, 15)


def clock(r: random.Random) -> str:
    return hms(r)
