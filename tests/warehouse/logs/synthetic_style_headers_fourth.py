"""Header layouts of the fourth set of invented log styles.

Variants of the first set's layouts that the earlier fixtures leave out: RAS rows with a
component and a state column and node names of several shapes, collector syslog with
``local@host`` origins and programs written ``prog(module)`` or ``suite/prog``, logcat with
the tag padded before its colon, macOS hosts that hold digits and change mid-log, pipe fields
whose time holds a space, and oslo.log lines with a five-dash request context. Every host,
program and value is invented.
"""

from __future__ import annotations

import random

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_headers import _MONTHS, hms, logcat_clock


def ras(r: random.Random, source: str, msg: str) -> str:
    """RAS rows: record id, node, component, state, epoch, flag, message."""
    node = r.choice(
        (
            f"node-{r.randint(0, 255)}",
            f"sw{r.randint(1, 40)}",
            f"node-{r.choice('ABCD')}{r.randint(0, 9)}",
        )
    )
    comp, state = source.split(" ")
    epoch = 1_100_000_000 + r.randint(0, 10**7)
    return f"{r.randint(1, 500_000)} {node} {comp} {state} {epoch} {r.randint(0, 1)} {msg}"


def relayed(r: random.Random, source: str, msg: str) -> str:
    """Syslog behind a relay's fields: alert tag, epoch, dotted date, node, BSD date, then
    the origin (``node/node`` or ``local@node``) and ``program[pid]:`` or ``program:``."""
    node = r.choice((f"bx{r.randint(1, 400)}", f"adm-{r.choice('pq')}{r.randint(1, 4)}"))
    day = r.randint(1, 28)
    origin = f"{node}/{node}" if r.random() < 0.8 else f"local@{node}"
    tag = "-" if r.random() < 0.8 else r.choice(("HWERR", "NETWARN", "FSFULL"))
    epoch = 1_130_000_000 + r.randint(0, 10**6)
    prog = source if source.endswith(":") else f"{source}[{r.randint(100, 32000)}]:"
    return f"{tag} {epoch} 2005.11.{day:02d} {node} Nov {day:>2} {hms(r)} {origin} {prog} {msg}"


def logcat_padded(r: random.Random, source: str, msg: str) -> str:
    """logcat ``threadtime`` with two spaces before pid and tid, one pid per tag family."""
    level, tag = source.split(" ", 1)
    pid = 600 + 53 * (len(tag) % 11)
    tid = pid + r.randint(0, 300)
    clock = logcat_clock(r)
    return f"{clock}  {pid:>4}  {tid:>4} {level} {tag}: {msg}"


def mac_hosts(r: random.Random, source: str, msg: str) -> str:
    """macOS syslog whose host name carries its address (``lab-10-4-7-12``) or is a plain
    name; the kernel has pid 0; the daemon's own notes name no process."""
    host = r.choice(
        (f"lab-10-4-{r.randint(0, 9)}-{r.randint(1, 254)}", "quill-MacBook-Air", "sparrow-imac")
    )
    pid = "0" if source == "kernel" else str(r.randint(40, 9999))
    date = f"{r.choice(_MONTHS)} {r.randint(1, 28):>2} {hms(r)}"
    if not source:  # the syslog daemon's own notes name no process
        return f"{date} {host} {msg}"
    return f"{date} {host} {source}[{pid}]: {msg}"


def pipe_spaced(r: random.Random, source: str, msg: str) -> str:
    """``YYYY-MM-DD HH:MM:SS.mmm|Component|pid|message``."""
    t = f"2024-0{r.randint(1, 9)}-{r.randint(10, 28)} {hms(r)}.{r.randint(0, 999):03d}"
    return f"{t}|{source}|{r.randint(1000, 65000)}|{msg}"


def servicing(r: random.Random, source: str, msg: str) -> str:
    """CBS and CSI servicing lines; a CSI line starts with a glued sequence and time."""
    level, comp = source.split(" ", 1)
    date = f"2024-{r.randint(1, 12):02d}-{r.randint(1, 28):02d} {hms(r)}"
    if comp == "CSI":
        seq = f"{r.randint(1, 0xFFF):08x}@2024/{r.randint(1, 12)}/{r.randint(1, 28)}"
        msg = f"{seq}:{hms(r)}.{r.randint(0, 999):03d} {msg}"
    return f"{date}, {level:<21} {comp:<6} {msg}"


def oslo_wide(r: random.Random, source: str, msg: str) -> str:
    """oslo.log with file prefix; the request context holds five dashes or is ``[-]``."""
    service, level, module = source.split(" ")
    if r.random() < 0.25:
        ctx = "[-]"
    else:
        ctx = f"[req-{s.uuid(r)} {s.hexn(32)(r)} {s.hexn(32)(r)} - - - - -]"
    t = hms(r)
    return (
        f"{service}.log.{r.randint(1, 3)}.2024-05-1{r.randint(0, 9)}_{t} "
        f"2024-05-16 {t}.{r.randint(0, 999):03d} {r.randint(1000, 40000)} {level} {module} "
        f"{ctx} {msg}"
    )


def proxy_conn(r: random.Random, source: str, msg: str) -> str:
    """``[MM.DD HH:MM:SS] program.exe - target message``; the target is a host or an
    address with its port; 64-bit programs carry ``*64``."""
    prog = s.program(r) + ".exe" + (" *64" if r.random() < 0.4 else "")
    target = s.host_port(r) if r.random() < 0.6 else s.ip_port(r)
    return f"[{r.randint(1, 12):02d}.{r.randint(1, 28):02d} {hms(r)}] {prog} - {target} {msg}"
