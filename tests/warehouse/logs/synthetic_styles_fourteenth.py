"""A fourteenth set of invented log styles, held out from every fix before it: appliances and
agents whose values come in many number formats and often read as words.

Same rules as :mod:`tests.warehouse.logs.synthetic_styles`, with the header layouts here: a
hypervisor's ``vmkernel`` (``yyyy-mm-ddThh:mm:ss.msZ cpuN:world)Module: message``), a load
balancer's health checks behind BSD syslog, a VPN concentrator's ``Mon dd yyyy hh:mm:ss:
%ASA-level-id: message`` (the message id is header), a print server's ``error_log`` (``L
[dd/Mon/yyyy:hh:mm:ss +zone] message``), a smart-home hub's ``date time.ms LEVEL (thread)
[logger] message``, a storage array's event log (``Wed Apr 02 10:11:12 +0200 [node:
event.name:severity]: message``), a backup director's job log (``dd-Mon hh:mm daemon JobId N:
message``) and a satellite ground station's ``yyyy-dddThh:mm:ss.msZ [subsystem] message``
(day of the year).

Between them the messages hold: values that are the only difference between events of one
length and come from a mid-sized set of names (five to thirty printers, backends, volumes,
antennas: open sets, so slots); events of one program the same but for one closed-set word near
the end (``state changed to idle``/``stopped``, ``TCP FINs``/``TCP Reset-I``, ``acknowledged``
/``rejected``); numbers in many formats (``1,234,567``, ``1.2e-05``, ``0x1F``, ``85%``,
``3/8``, ``10-20``, ``-3.5``); values that read as words (user names, host names and volume
labels with no digits, a media player's input); messages of twenty to forty words and of one.

First scores, before any fix (mean of seeds 0-2; drain3 on the bare messages in brackets):
1.00 for the vmkernel (0.83), 0.81 for the health checks (0.78), 1.00 for the VPN concentrator
(0.43), 1.00 for the print server (0.44), 0.76 for the smart-home hub (0.71), 1.00 for the
storage array (0.97), 1.00 for the backup director (0.93), 1.00 for the ground station (0.61).
These are scored after fixture errors were put right: a command, a broker's error text and a
drive's error text written as slots (closed sets, now one event each). Fixed by one rule: a
token wholly in parentheses after the level (a thread, ``(MainThread)``) is header, as a
bracketed ``[thread]`` is (the smart-home hub, 1.00).

The health checks were left out at 0.81: a message of a load balancer opens on a backend and
server glued to a colon (``be_kavo/mita: weight changed from {} to {}``), the name was kept as
text, so the event split by server, as the thirteenth set's ``{}.service: Deactivated
successfully.`` did. Fixed later by one rule: a first word that is a name glued to a colon joins
a template of its length whose other words all agree (a label of a few words is split back out
by refinement); the health checks score 1.00 and are back in the set.

No line is copied from any dataset.
"""

from __future__ import annotations

import random

from tests.warehouse.logs.synthetic_style_events_fourteenth import (
    BALANCER,
    CONCENTRATOR,
    HYPERVISOR,
    PRINT_SERVER,
)
from tests.warehouse.logs.synthetic_style_events_fourteenth_2 import BACKUP, HUB, STATION, STORAGE
from tests.warehouse.logs.synthetic_style_headers import _MONTHS, hms, iso_day
from tests.warehouse.logs.synthetic_style_slots_fourteenth import client, lb_host
from tests.warehouse.logs.synthetic_styles import Event, Header

# -- headers ---------------------------------------------------------------------------------


def vmkernel(r: random.Random, source: str, msg: str) -> str:
    """``yyyy-mm-ddThh:mm:ss.msZ cpuN:world)Module: message``."""
    t = f"{iso_day(r)}T{hms(r)}.{r.randint(0, 999):03d}Z"
    return f"{t} cpu{r.randint(0, 63)}:{r.randint(2097152, 2299999)}){source}: {msg}"


def balancer(r: random.Random, source: str, msg: str) -> str:
    """``Mon dd hh:mm:ss host haproxy[pid]: message``."""
    day = f"{r.choice(_MONTHS)} {r.randint(1, 28):>2}"
    return f"{day} {hms(r)} {lb_host(r)} {source}[{r.randint(300, 65000)}]: {msg}"


def asa(r: random.Random, source: str, msg: str) -> str:
    """``Mon dd yyyy hh:mm:ss: %ASA-level-id: message``."""
    day = f"{r.choice(_MONTHS)} {r.randint(1, 28):02d} 2025"
    return f"{day} {hms(r)}: %ASA-{source}: {msg}"


def cups(r: random.Random, source: str, msg: str) -> str:
    """``L [dd/Mon/yyyy:hh:mm:ss +zone] message``."""
    t = f"{r.randint(1, 28):02d}/{r.choice(_MONTHS)}/2025:{hms(r)} +0200"
    return f"{source} [{t}] {msg}"


def hub(r: random.Random, source: str, msg: str) -> str:
    """``yyyy-mm-dd hh:mm:ss.ms LEVEL (thread) [logger] message``."""
    level, logger = source.split(" ")
    thread = r.choice(("MainThread", "MainThread", f"SyncWorker_{r.randint(0, 9)}", "Recorder"))
    return f"{iso_day(r)} {hms(r)}.{r.randint(0, 999):03d} {level} ({thread}) [{logger}] {msg}"


def ems(r: random.Random, source: str, msg: str) -> str:
    """``Wed Apr 02 10:11:12 +0200 [node: event.name:severity]: message``."""
    day = r.choice(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))
    t = f"{day} {r.choice(_MONTHS)} {r.randint(1, 28):02d} {hms(r)} +0200"
    return f"{t} [{r.choice(('nas-a-01', 'nas-a-02', 'nas-b-01', 'nas-b-02'))}: {source}]: {msg}"


def bacula(r: random.Random, source: str, msg: str) -> str:
    """``dd-Mon hh:mm daemon JobId N: message``."""
    daemon = client(r) if source == "fd" else f"backup-{source}"
    t = f"{r.randint(1, 28):02d}-{r.choice(_MONTHS)} {hms(r)[:5]}"
    return f"{t} {daemon} JobId {r.randint(1, 99999)}: {msg}"


def ground_station(r: random.Random, source: str, msg: str) -> str:
    """``yyyy-dddThh:mm:ss.msZ [subsystem] message``."""
    return f"2025-{r.randint(1, 365):03d}T{hms(r)}.{r.randint(0, 999):03d}Z [{source}] {msg}"


FOURTEENTH_STYLES: dict[str, tuple[list[Event], Header]] = {
    "vmkernel": (HYPERVISOR, vmkernel),
    "vpn_asa": (CONCENTRATOR, asa),
    "cups_error": (PRINT_SERVER, cups),
    "home_hub": (HUB, hub),
    "storage_ems": (STORAGE, ems),
    "backup_jobs": (BACKUP, bacula),
    "ground_station": (STATION, ground_station),
    "lb_health": (BALANCER, balancer),
}
