"""Header layouts of the invented log styles, each as its format is documented.

A header takes the event's source (its tag, component, process or module, as the style's
events name it) and the message, and writes one raw line. Every host, program and value here
is invented.
"""

from __future__ import annotations

import random

from tests.warehouse.logs import synthetic_style_slots as s

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def hms(r: random.Random) -> str:
    return f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}"


def iso_day(r: random.Random, sep: str = "-") -> str:
    """A day of 2025 as ``yyyy-mm-dd`` (or joined by ``sep``)."""
    return f"2025{sep}0{r.randint(1, 9)}{sep}{r.randint(10, 28)}"


def logcat_clock(r: random.Random) -> str:
    """logcat's ``MM-DD HH:MM:SS.mmm``."""
    return f"{r.randint(1, 12):02d}-{r.randint(1, 28):02d} {hms(r)}.{r.randint(0, 999):03d}"


def logcat(r: random.Random, source: str, msg: str) -> str:
    """Android logcat ``threadtime``: ``MM-DD HH:MM:SS.mmm  PID  TID L Tag: message``."""
    level, tag = source.split(" ", 1)
    pid = 1000 + 37 * (len(tag) % 17)
    tid = pid + r.randint(0, 40)
    clock = logcat_clock(r)
    return f"{clock} {pid:>5} {tid:>5} {level} {tag}: {msg}"


def cbs(r: random.Random, source: str, msg: str) -> str:
    """Windows CBS: date, time and a comma, the level padded, the component padded."""
    level, comp = source.split(" ", 1)
    date = f"2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d} {hms(r)}"
    return f"{date}, {level:<21} {comp:<6} {msg}"


def mac(r: random.Random, source: str, msg: str) -> str:
    """macOS syslog: ``Mon DD HH:MM:SS host process[pid] (subsystem): message``; the
    subsystem is optional, the host holds no digit, a process name may hold spaces."""
    host = ("maple-book", "quartz-studio", "lantern-air")[r.randrange(3)]
    pid = "0" if source == "kernel" else str(r.randint(50, 9999))
    sub = " (org.lantern.core)" if source.endswith("d") and r.random() < 0.3 else ""
    date = f"{r.choice(_MONTHS)} {r.randint(1, 28):>2} {hms(r)}"
    return f"{date} {host} {source}[{pid}]{sub}: {msg}"


def oslo(r: random.Random, source: str, msg: str) -> str:
    """OpenStack oslo.log behind the collector's file name: ``file.log.N.date_time date
    time.ms pid LEVEL module [req-uuid user tenant - - -] message`` (``[-]`` without a
    request)."""
    service, level, module = source.split(" ")
    ctx = "[-]" if level == "DEBUG" else f"[req-{s.uuid(r)} {s.hexn(32)(r)} {s.hexn(32)(r)} - - -]"
    t = hms(r)
    pid = r.randint(1000, 40000)
    return (
        f"{service}.log.{r.randint(1, 2)}.2024-03-0{r.randint(1, 9)}_{t} "
        f"2024-03-05 {t}.{r.randint(0, 999):03d} {pid} {level} {module} {ctx} {msg}"
    )


def proxifier(r: random.Random, source: str, msg: str) -> str:
    """Proxifier: ``[MM.DD HH:MM:SS] program.exe - host:port message``; a 64-bit program
    carries `` *64``, and events of the client itself name no target."""
    prog = s.program(r) + ".exe" + (" *64" if r.random() < 0.3 else "")
    target = f" {s.host_port(r)}" if source == "target" else ""
    return f"[{r.randint(1, 12):02d}.{r.randint(1, 28):02d} {hms(r)}] {prog} -{target} {msg}"


def hpc(r: random.Random, source: str, msg: str) -> str:
    """Cluster RAS columns, no level word: record, node, subsystem, event, epoch, flag."""
    epoch = 1_600_000_000 + r.randint(0, 10**7)
    return f"{r.randint(1, 10**6)} {s.node(r)} {source} {epoch} {r.randint(0, 1)} {msg}"


def collected(r: random.Random, source: str, msg: str) -> str:
    """Syslog behind a collector's fields: alert tag, epoch, dotted date, host, then a BSD
    syslog line whose host is written ``host/host``."""
    host = f"cn{r.randint(1, 300)}"
    day = r.randint(1, 28)
    pid = "" if source == "kernel" else f"[{r.randint(100, 30000)}]"
    tag = "-" if r.random() < 0.85 else r.choice(("KERNDTLB", "ECC", "PBS_CHK"))
    epoch = 1_700_000_000 + r.randint(0, 10**6)
    return (
        f"{tag} {epoch} 2024.03.{day:02d} {host} Mar {day:>2} {hms(r)} {host}/{host} "
        f"{source}{pid}: {msg}"
    )


def pipes(r: random.Random, source: str, msg: str) -> str:
    """Application fields joined by ``|``: ISO time, level, component, thread, message."""
    level, comp = source.split(" ")
    t = f"2024-03-{r.randint(1, 28):02d}T{hms(r)}.{r.randint(0, 999):03d}Z"
    return f"{t}|{level}|{comp}|tid-{r.randint(1, 64)}|{msg}"
