"""Slot helpers (value generators) of the thirteenth set of invented log styles, drawn by its
event tables and headers. The set, with its record and ``THIRTEENTH_STYLES``, is
:mod:`tests.warehouse.logs.synthetic_styles_thirteenth`."""

from __future__ import annotations

import random

from tests.warehouse.logs import synthetic_style_slots as s


def mac(r: random.Random) -> str:
    return ":".join(f"{r.getrandbits(8):02x}" for _ in range(6))


def iface(r: random.Random) -> str:
    return r.choice(("eth", "wlan", "br-lan", "enp3s", "wlp2s")) + str(r.randint(0, 3))


# a bridge's name: an open set of interface names, a few common and many rare
bridge = s.skewed(["br-lan", "br-guest", *(f"br-{name}" for name in s.PROGRAMS)])


def port(r: random.Random) -> str:
    return str(r.randint(1024, 65535))


def job_id(r: random.Random) -> str:
    return f"{r.randint(1000, 99999)}.{s.host(r)}"


def hex0x(n: int) -> s.Slot:
    return s.hexn(n, "0x")


def dev(r: random.Random) -> str:
    return r.choice(("sd", "nvme0n", "mmcblk")) + str(r.randint(0, 3)) + r.choice(("", "p1"))


def pci(r: random.Random) -> str:
    return f"0000:{r.randint(0, 9):02x}:{r.randint(0, 31):02x}.{r.randint(0, 7)}"


def ktime(r: random.Random) -> str:
    """The kernel ring buffer's ``[   12.345678]``, padded to a width of twelve."""
    return f"[{r.uniform(0, 99999):12.6f}]"
