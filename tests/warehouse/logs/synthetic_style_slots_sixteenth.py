"""Slot helpers (value generators) of the sixteenth set of invented log styles, drawn by its
event tables and headers. The set, with its record and ``SIXTEENTH_STYLES``, is
:mod:`tests.warehouse.logs.synthetic_styles_sixteenth`."""

from __future__ import annotations

import random

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_headers import hms, iso_day

_WORDS = s.USERS  # coined words with no digits


def worker(r: random.Random) -> str:
    """A worker host: ``worker-12`` on most lines, a name with no digits on some."""
    return s.host(r) if r.random() < 0.3 else f"worker-{r.randint(1, 64)}"


def channel(r: random.Random) -> str:
    """A call's channel: ``PJSIP/alice-0000001a``."""
    return f"PJSIP/{s.user(r)}-{r.getrandbits(32):08x}"


def extension(r: random.Random) -> str:
    return r.choice((str(r.randint(100, 999)), s.user(r), f"+{r.randint(10**9, 10**11)}"))


def dial_target(r: random.Random) -> str:
    return f"PJSIP/{s.user(r)},{r.choice((20, 30, 45, 60))}"


def sip_uri(r: random.Random) -> str:
    return f"sip:{s.user(r)}@{s.ip(r)}:{r.choice((5060, 5061, r.randint(1024, 65535)))}"


def samba_addr(r: random.Random) -> str:
    return f"ipv4:{s.ip(r)}:{r.randint(1024, 65535)}"


def sid(r: random.Random) -> str:
    parts = "-".join(str(r.randint(10**8, 4 * 10**9)) for _ in range(3))
    return f"S-1-5-21-{parts}-{r.randint(500, 9999)}"


def uptime(r: random.Random) -> str:
    """An X server's uptime, ``[    12.345]``: padded to ten, wider as it grows."""
    secs = r.choice((r.uniform(0, 99), r.uniform(0, 9999), r.uniform(0, 999999)))
    return f"[{secs:10.3f}]"


def input_name(r: random.Random) -> str:
    """An input device's name: one to three title-case words, written bare."""
    return " ".join(w.title() for w in r.sample(_WORDS[:16], r.randint(1, 3)))


def option_value(r: random.Random) -> str:
    """An option's setting: a switch, a number or a name (an open set)."""
    return r.choice(("on", "off", str(r.randint(0, 4096)), s.user(r)))


def output(r: random.Random) -> str:
    return f"{r.choice(('HDMI', 'DP', 'eDP', 'VGA'))}-{r.randint(1, 4)}"


def pg(r: random.Random) -> str:
    """A placement group, ``pool.hex``: ``2.1f``, ``11.a``, ``3.10``."""
    return f"{r.randint(1, 14)}.{r.randint(0, 0x3FF):x}"


def acting(r: random.Random) -> str:
    """An acting set, ids joined by commas with no spaces: ``3,7,12``."""
    return ",".join(str(r.randint(0, 300)) for _ in range(r.randint(2, 3)))


def ceph_stamp(r: random.Random) -> str:
    return f"{iso_day(r)}T{hms(r)}.{r.randint(0, 999999):06d}+0000"


def ceph_addr(r: random.Random) -> str:
    return f"{s.ip(r)}:{r.randint(6800, 7300)}"


def osd(r: random.Random) -> str:
    return f"osd.{r.randint(0, 300)}"


def spid(r: random.Random) -> str:
    return f"spid{r.randint(1, 200)}{r.choice(('', '', 's'))}"


def lsn(r: random.Random) -> str:
    return f"{r.randint(1, 99999)}:{r.randint(1, 99999)}:{r.randint(1, 9)}"


def backup_file(r: random.Random) -> str:
    return f"D:\\Backup\\{r.choice(_WORDS[:12])}_log_{r.randint(10**11, 10**12 - 1)}.trn"


def jail(r: random.Random) -> str:
    return r.choice(("sshd", "sshd", "recidive", s.user(r), f"{s.user(r)}-auth"))


def log_path(r: random.Random) -> str:
    return f"/var/log/{s.user(r)}/{r.choice(('access', 'auth', 'error'))}.log"


def iso_clock(r: random.Random) -> str:
    return f"{iso_day(r)} {hms(r)}"


def task(r: random.Random) -> str:
    return f"{r.randint(0, 2000)}.{r.choice((0, 0, 0, 1))}"


def block_id(r: random.Random) -> str:
    """A block: ``rdd_42_3``, ``broadcast_12`` or ``broadcast_12_piece0``."""
    n = r.randint(0, 999)
    return r.choice((f"rdd_{n}_{r.randint(0, 999)}", f"broadcast_{n}", f"broadcast_{n}_piece0"))


def cname(r: random.Random) -> str:
    """A node's place in the machine: ``c3-1c2s7n1``."""
    return f"{blade(r)}n{r.randint(0, 3)}"


def blade(r: random.Random) -> str:
    return f"c{r.randint(0, 11)}-{r.randint(0, 3)}c{r.randint(0, 2)}s{r.randint(0, 7)}"


def nid(r: random.Random) -> str:
    return f"nid{r.randint(0, 9999):05d}"


context = s.pool("{w}-in", 0, 12)
macro = s.pool("macro-{w}", 4, 8)
app = s.pick("Dial", "Playback", "Set", "Answer", "Queue", "Voicemail", "Goto", "NoOp")
share = s.pool("{w}", 6, 20)
smb_func = s.pool("{w}_{w}", 0, 6)
module = s.pool("{w}", 10, 14)
pool_name = s.pool("{w}_data", 2, 10)
database = s.pool("{w}db", 3, 16)
login = s.skewed([*(f"CORP\\{w}" for w in _WORDS[:20]), "sa"])
klass = s.pool("{W}Job", 8, 10)


def clock(r: random.Random) -> str:
    return hms(r)
