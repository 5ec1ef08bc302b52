"""Slot helpers (value generators) of the fourteenth set of invented log styles, drawn by its
event tables and headers. The set, with its record and ``FOURTEENTH_STYLES``, is
:mod:`tests.warehouse.logs.synthetic_styles_fourteenth`."""

from __future__ import annotations

import random

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_headers import hms, iso_day
from tests.warehouse.logs.synthetic_styles import Slot


def thousands(lo: int = 1000, hi: int = 10**9) -> Slot:
    return lambda r: f"{r.randint(lo, hi):,}"


def sci(r: random.Random) -> str:
    return f"{r.uniform(1, 9.99):.2f}e-{r.randint(3, 9):02d}"


def hex0x(n: int = 4) -> Slot:
    return lambda r: f"0x{r.getrandbits(4 * n):X}"


def ratio(hi: int = 8) -> Slot:
    def draw(r: random.Random) -> str:
        total = r.randint(1, hi)
        return f"{r.randint(0, total)}/{total}"

    return draw


def span(lo: int = 0, hi: int = 500) -> Slot:
    def draw(r: random.Random) -> str:
        a = r.randint(lo, hi)
        return f"{a}-{a + r.randint(1, 99)}"

    return draw


def clock(r: random.Random) -> str:
    """A duration ``h:mm:ss``."""
    return f"{r.randint(0, 23)}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}"


def naa(r: random.Random) -> str:
    return f"naa.{r.getrandbits(128):032x}"


def hba_path(r: random.Random) -> str:
    return f"vmhba{r.randint(0, 4)}:C0:T{r.randint(0, 7)}:L{r.randint(0, 63)}"


def job_name(r: random.Random) -> str:
    stamp = f"{iso_day(r)}_{hms(r).replace(':', '.')}"
    return f"{backup_job(r)}.{stamp}_{r.randint(1, 99):02d}"


datastore = s.pool("{W}Store", 0, 12)
heap = s.pool("{w}Heap", 12, 8)
vm = s.pool("{w}-{w}vm", 20, 20)
lb_host = s.pool("lb-{w}", 5, 6)
backend = s.pool("be_{w}", 10, 9)
server = s.pool("{w}", 0, 25)
group = s.pool("{W}Staff", 3, 14)
nameif = s.pool("{w}", 25, 7)
printer = s.pool("{W}_Laser", 8, 16)
cups_filter = s.pool("{w}topdf", 14, 10)
integration = s.pool("{w}", 2, 22)
entity = s.pool("sensor.{w}_temperature", 6, 18)
player_source = s.pool("{W}", 15, 12)
scene = s.pool("scene.{w}", 18, 10)
volume = s.pool("vol_{w}", 0, 20)
vserver = s.pool("svm_{w}", 30, 6)
aggregate = s.pool("aggr_{w}", 22, 8)
backup_job = s.pool("{W}Save", 9, 10)
tape_volume = s.pool("{W}", 4, 28)
device = s.pool("{W}Drive", 27, 6)
client = s.pool("{w}-fd", 1, 15)
satellite = s.pool("{W}Sat", 11, 20)
antenna = s.pool("{W}Dish", 33, 5)
command = s.pool("{W}", 19, 18)


disk = s.glued("1.0.", 0, 23)


def _ws(r: random.Random) -> str:
    return f"{r.uniform(0.5, 40):.1f}"
