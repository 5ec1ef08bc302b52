"""Slot helpers (value generators) of the nineteenth set of invented log styles, drawn by its
event tables and headers. The set, with its record and ``NINETEENTH_STYLES``, is
:mod:`tests.warehouse.logs.synthetic_styles_nineteenth`."""

from __future__ import annotations

import random

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_styles import Slot

_WORDS = s.USERS  # coined words with no digits
_DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def mac_addr(r: random.Random) -> str:
    return ":".join(f"{r.getrandbits(8):02x}" for _ in range(6))


def lan_ip(r: random.Random) -> str:
    return f"192.168.{r.choice((1, 1, 8, 100))}.{r.randint(2, 254)}"


def ipv6(r: random.Random) -> str:
    return "fe80::" + ":".join(f"{r.getrandbits(16):x}" for _ in range(4))


# a device's host name: with or without digits, some with dashes, some unknown
device = s.skewed(
    [*(f"{w}-phone" for w in _WORDS[:6]), *_WORDS[6:14], "android-5f2c81d0a3b4e6f7", "*"]
)
player = s.skewed(
    [*(w.title() for w in _WORDS[:10]), *(f"{w}_{i}" for i, w in enumerate(_WORDS[10:20], 7))]
)
mob = s.skewed(["Zombie", "Skeleton", "Creeper", "Spider", "Enderman", "Drowned", "Husk", "Witch"])


def coords(r: random.Random) -> str:
    return f"{r.uniform(-3000, 3000):.1f}, {r.uniform(-60, 250):.1f}, {r.uniform(-3000, 3000):.1f}"


def advancement(r: random.Random) -> str:
    """An advancement's title: one to three words in brackets, one value."""
    return "[" + " ".join(w.title() for w in r.sample(_WORDS[:16], r.randint(1, 3))) + "]"


def chat(r: random.Random) -> str:
    """A chat line: one to six words typed by a player, one value."""
    return " ".join(r.choice(_WORDS) for _ in range(r.randint(1, 6)))


def ue_name(kind: str) -> Slot:
    """An object's name with its unique index: ``PlayerController_2147482301``."""
    return lambda r: f"{kind}_{r.randint(2147480000, 2147483000)}"


def ue_map(r: random.Random) -> str:
    return f"/Game/Maps/{r.choice(_WORDS[:8]).title()}"


def ffptr(r: random.Random) -> str:
    return f"0x{r.choice(('55', '56', '7f'))}{r.getrandbits(40):010x}"


def pad(slot: Slot, width: int) -> Slot:
    """A value right-aligned to ``width`` as ``printf("%5d")`` writes it."""
    return lambda r: f"{slot(r):>{width}}"


def fftime(r: random.Random) -> str:
    clock = f"{r.randint(0, 2):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}"
    return f"{clock}.{r.randint(0, 99):02d}"


def speed(r: random.Random) -> str:
    return f"{r.uniform(0.1, 9.9):.3g}x"


def smb_path(r: random.Random) -> str:
    ext = r.choice(("mkv", "mp4", "avi", "ts"))
    folder = r.choice(("movies", "tv", "music", "kids"))
    share = f"smb://{r.choice(_WORDS[:4])}-nas/{folder}"
    return f"{share}/{r.choice(_WORDS).title()}.{r.randint(1990, 2024)}.{ext}"


def audio_device(r: random.Random) -> str:
    """A sink as the audio engine names it: ``ALSA:hdmi:CARD=KATA,DEV=3``,
    ``PULSE:alsa_output.pci-0000_00_1f.3.analog-stereo``; an open set."""
    if r.random() < 0.6:
        kind = r.choice(("hdmi", "sysdefault", "surround51", "iec958"))
        return f"ALSA:{kind}:CARD={r.choice(_WORDS[:12]).upper()},DEV={r.randint(0, 9)}"
    bus = f"pci-0000_{r.randint(0, 9):02d}_{r.randint(0, 31):02x}.{r.randint(0, 7)}"
    return f"PULSE:alsa_output.{bus}.{r.choice(('analog-stereo', 'hdmi-stereo', 'iec958-stereo'))}"


def addon(r: random.Random) -> str:
    return (
        f"{r.choice(('plugin.video', 'script.module', 'service', 'skin'))}.{r.choice(_WORDS[:20])}"
    )


def skin_file(r: random.Random) -> str:
    kind = r.choice(("Dialog", "Custom", "Includes", "Home", "MyVideo"))
    return f"{kind}{r.choice(_WORDS[:10]).title()}.xml"


def req_id(r: random.Random) -> str:
    return f"[Req#{r.getrandbits(r.choice((12, 16, 20))):x}]"


def plex_path(r: random.Random) -> str:
    return r.choice(
        (
            f"/library/metadata/{r.randint(1, 99999)}",
            f"/library/sections/{r.randint(1, 12)}/all",
            f"/library/metadata/{r.randint(1, 99999)}/thumb/{r.randint(10**9, 2 * 10**9)}",
            f"/video/:/transcode/universal/session/{s.uuid(r)}/base/index.m3u8",
            "/:/timeline",
            "/status/sessions",
        )
    )


def media_file(r: random.Random) -> str:
    folder = (
        f"{r.choice(('Movies', 'TV Shows'))}/{r.choice(_WORDS).title()} ({r.randint(1970, 2024)})"
    )
    return f"/data/media/{folder}/{r.choice(_WORDS).title()}.mkv"


def hex_addr(n: int) -> Slot:
    return lambda r: f"{r.getrandbits(4 * n):0{n}x}"


def kib_rate(r: random.Random) -> str:
    return f"{r.uniform(1, 999):.1f} {r.choice(('KiB/s', 'MiB/s'))}"
