"""Slot helpers (value generators) of the eleventh set of invented log styles, drawn by its
event tables. The set, with its record and ``ELEVENTH_STYLES``, is
:mod:`tests.warehouse.logs.synthetic_styles_eleventh`."""

from __future__ import annotations

import random

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_headers import iso_day
from tests.warehouse.logs.synthetic_styles import Slot


def words(item: Slot, lo: int, hi: int, sep: str = " ") -> Slot:
    """A bare list of ``lo`` to ``hi`` items joined by ``sep``: one variable, any length."""
    return lambda r: sep.join(item(r) for _ in range(r.randint(lo, hi)))


def dump(name: str, fields: dict[str, Slot], sep: str = " ", brace: str = "{}") -> Slot:
    """``Name{a=1 b=2}``: an object dump holding a random, non-empty subset of its fields in
    order; one variable, whatever its number of fields."""
    keys = list(fields)

    def make(r: random.Random) -> str:
        chosen = [k for k in keys if r.random() < 0.6] or [keys[0]]
        inner = sep.join(f"{k}={fields[k](r)}" for k in chosen)
        return f"{name}{brace[0]}{inner}{brace[1]}"

    return make


def upper_name(r: random.Random) -> str:
    """A device or port name in capitals with a digit: ``XHC1``, ``GPE0``."""
    return r.choice(("XHC", "GPE", "RTC", "EC", "PWRB", "LID", "ARPT")) + str(r.randint(0, 3))


def api_path(r: random.Random) -> str:
    """A compute API path of one of several endpoint shapes, with a tenant id in it."""
    tenant = s.hexn(32)(r)
    return r.choice(
        (
            f"/v2/{tenant}/servers/detail",
            f"/v2/{tenant}/servers/{s.uuid(r)}",
            f"/v2/{tenant}/flavors/{r.randint(1, 40)}",
            f"/v2/{tenant}/os-server-external-events",
            f"/v2/{tenant}/servers/detail?all_tenants=True&changes-since={iso_day(r)}",
        )
    )


def post_path(r: random.Random) -> str:
    tenant = s.hexn(32)(r)
    return r.choice(
        (
            f"/v2/{tenant}/servers",
            f"/v2/{tenant}/os-server-external-events",
            f"/v2/{tenant}/servers/{s.uuid(r)}/action",
        )
    )


def node_set(r: random.Random) -> str:
    """A node set in one word: ``node-[12,15,20-24]``."""
    parts = []
    for _ in range(r.randint(1, 4)):
        lo = r.randint(0, 500)
        parts.append(str(lo) if r.random() < 0.5 else f"{lo}-{lo + r.randint(1, 30)}")
    return "node-[" + ",".join(parts) + "]"


def cron_command(r: random.Random) -> str:
    """A command line of one to four words: one variable."""
    prog = r.choice(("run-parts", "/usr/sbin/logrotate", "/opt/ganglia/bin/probe", "sa1"))
    args = [r.choice(("-v", "-f", "1", "--quiet", s.unix_path(r))) for _ in range(r.randint(0, 3))]
    return " ".join([prog, *args])


def proxy_chain(r: random.Random) -> str:
    """``a:1 -> b:2``: a chain of two or three proxies, one variable."""
    return " -> ".join(s.host_port(r) for _ in range(r.randint(2, 3)))


def dism_switches(r: random.Random) -> str:
    """A command line's switches, any number of them: one variable."""
    pool = ("/Online", "/NoRestart", "/Quiet", f"/PackagePath:{s.win_path(r)}", "/LimitAccess")
    return " ".join(r.sample(pool, r.randint(1, 4)))


def byte_count(r: random.Random) -> str:
    """A count of bytes of 1 KB or more, as written before its size in parentheses."""
    return f"{r.randint(1024, 10**7)}"


def lifetime(r: random.Random) -> str:
    return r.choice(
        (
            "<1 sec",
            f"00:{r.randint(1, 59):02d}",
            f"{r.randint(1, 59):02d}:{r.randint(0, 59):02d}",
            f"{r.randint(1, 9):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}",
        )
    )


def kb(r: random.Random) -> str:
    return f"{r.uniform(1, 999):.2f} {r.choice(('KB', 'MB'))}"
