"""Slot fillers for the synthetic message families: invented values of the kinds real
systems log (addresses, hosts, versions, paths, sizes, durations, component names)."""

from __future__ import annotations

import random
from collections.abc import Callable

from tests.warehouse.logs import synthetic_formats as fmt

Slot = Callable[[random.Random], str]

_ip = fmt._ip


def _float(lo: float = 0.0, hi: float = 100.0, digits: int = 3) -> Slot:
    return lambda r: f"{r.uniform(lo, hi):.{digits}f}"


def _list(item: Slot, lo: int = 1, hi: int = 4, sep: str = " ") -> Slot:
    return lambda r: sep.join(item(r) for _ in range(r.randint(lo, hi)))


def _uuid(r: random.Random) -> str:
    h = f"{r.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _addr(r: random.Random) -> str:
    return f"0x{r.getrandbits(40) | 1 << 44:x}"


def _mac(r: random.Random) -> str:
    return ":".join(f"{r.getrandbits(8):02x}" for _ in range(6))


def _iface(r: random.Random) -> str:
    return f"{r.choice(('en', 'wlan', 'utun', 'bridge'))}{r.randint(0, 9)}"


def _proc(r: random.Random) -> str:
    return r.choice(
        ("loginwindow", "Finder", "cloudsyncd", "photolibd", "mediaserverd", "Dock", "spotlightd")
        + ("softwareupdated", "notifyd", "bluetoothd", "airportd", "WindowManager")
    )


def _bundle(r: random.Random) -> str:
    vendor = r.choice(("example", "acme", "initech", "globex", "umbrella", "hooli"))
    part = r.choice(("sync", "media", "backup", "search", "audio", "notes", "mail", "vpn"))
    return f"com.{vendor}.{part}.{r.choice(('agent', 'helper', 'daemon', 'service'))}"


def _host(r: random.Random) -> str:
    tld = r.choice(("net", "com", "xyz", "tv", "io", "cloud", "dev", "me"))
    return f"{r.choice(('cdn', 'api', 'www', 'img', 'edge', 'push'))}.{_word(r)}.{tld}"


def _hostport(r: random.Random) -> str:
    host = _host(r) if r.random() < 0.7 else _ip(r)
    return f"{host}:{r.choice((80, 443, 8080, 8443, r.randint(1024, 65535)))}"


def _word(r: random.Random) -> str:
    return r.choice(
        ("orchid", "basalt", "tundra", "meadow", "harbor", "cobalt", "willow", "ember")
        + ("quartz", "falcon", "nimbus", "lagoon", "summit", "cedar", "prairie", "glacier")
    )


def _phrase(r: random.Random) -> str:
    """A name of one to three words, as a user or an app writes it: one variable."""
    return " ".join(
        r.choice(("Living", "Room", "Office", "Kitchen", "Sync", "Lock", "Main"))
        for _ in range(r.randint(1, 3))
    )


def _path(r: random.Random) -> str:
    return f"/var/lib/{_word(r)}/{r.choice(('cache', 'base', 'store'))}/{r.getrandbits(64):016x}"


def _version(r: random.Random) -> str:
    return ".".join(str(r.randint(0, 9999)) for _ in range(4))


def _pkg(r: random.Random) -> str:
    return f"com.{_word(r)}.{r.choice(('app', 'mobile', 'client', 'launcher'))}"


def _activity(r: random.Random) -> str:
    act = r.choice(("MainActivity", ".ui.HomeActivity", ".SettingsActivity", ".DetailActivity"))
    return f"{_pkg(r)}/{act}"


def _user(r: random.Random) -> str:
    return r.choice(("root", "alice", "bob", "svc_backup", "nagios", "carol", "dave", "erin"))


def _size(r: random.Random) -> str:
    return f"{r.uniform(1, 999):.2f} {r.choice(('KB', 'MB'))}"


def _lifetime(r: random.Random) -> str:
    roll = r.random()
    if roll < 0.3:
        return "<1 sec"
    if roll < 0.9:
        return f"{r.randint(0, 59):02d}:{r.randint(0, 59):02d}"
    return f"{r.randint(1, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}"


def _win_path(r: random.Random) -> str:
    return f"C:\\Windows\\{_word(r)}\\amd64_{_word(r)}_{r.getrandbits(64):016x}_{_version(r)}"


def _kb(r: random.Random) -> str:
    return (
        f"Package_for_KB{r.randint(100000, 9999999)}~{r.getrandbits(64):016x}~amd64~~{_version(r)}"
    )


def _node(r: random.Random) -> str:
    return f"node-{r.randint(0, 1023)}"


def _comp(r: random.Random) -> str:
    return r.choice(("\\042alt{}\\042", '"psu{}"', '"fan{}"', "\\042sw{}\\042")).format(
        r.randint(0, 9)
    )
