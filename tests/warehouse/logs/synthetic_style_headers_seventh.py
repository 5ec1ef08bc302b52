"""Header layouts of the seventh set of invented log styles.

Layouts the earlier sets leave out: an extra leading column on only some lines (a sequence
number, a relay's name) before the usual header; a Windows event export joined by commas and
led by its level, whose source holds spaces and whose clock has ``AM``/``PM``; fields joined by
``|`` with a compact clock and no level; RAS records of numbers and node names with a
component and a state word but no level; syslog behind an ingest time, an address and a
``facility.severity`` word; router lines numbered ``000123:`` with a starred clock; logcat
with a uid column of names and numbers. Every host, program and value is invented.
"""

from __future__ import annotations

import random

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_headers import _MONTHS, hms, iso_day, logcat_clock


def optional_seq(r: random.Random, source: str, msg: str) -> str:
    """``[seq] date time,ms LEVEL [thread] logger - message``; about 30% of the lines carry a
    sequence number first (the records a forwarder numbered), the rest do not."""
    level, logger = source.split(" ")
    lead = f"{r.randint(1, 9_999_999):08d} " if r.random() < 0.3 else ""
    t = f"{iso_day(r)} {hms(r)},{r.randint(0, 999):03d}"
    return f"{lead}{t} {level:<5} [{s.glued('pool-1-thread-', 1, 24)(r)}] {logger} - {msg}"


def optional_relay(r: random.Random, source: str, msg: str) -> str:
    """BSD syslog ``Mon DD hh:mm:ss host program[pid]: message``; about 30% of the lines were
    forwarded and open with the relay's name."""
    relay = r.choice(("relay-east", "relay-west", "gw-core")) + " " if r.random() < 0.3 else ""
    host = r.choice((f"db{r.randint(1, 40)}", s.host(r), f"app-{r.randint(1, 9)}"))
    prog = source if source.endswith(":") else f"{source}[{r.randint(100, 32000)}]:"
    day = f"{r.choice(_MONTHS)} {r.randint(1, 28):>2} {hms(r)}"
    return f"{relay}{day} {host} {prog} {msg}"


def win_csv(r: random.Random, source: str, msg: str) -> str:
    """``Level,M/D/YYYY h:mm:ss AM,Source,EventId,Category,message`` joined by commas."""
    level, event_id, src = source.split(" ", 2)
    clock = f"{r.randint(1, 12)}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}"
    day = f"{r.randint(1, 12)}/{r.randint(1, 28)}/2026 {clock} {r.choice(('AM', 'PM'))}"
    category = r.choice(("None", "None", "(1)", "Logon"))
    return f"{level},{day},{src},{event_id},{category},{msg}"


def step_pipes(r: random.Random, source: str, msg: str) -> str:
    """``yyyyMMdd-hh:mm:ss:ms|Component|pid|message``: no level, no spaces around ``|``."""
    t = f"202503{r.randint(10, 28)}-{hms(r)}:{r.randint(0, 999)}"
    return f"{t}|{source}|{30000000 + r.randint(0, 9999)}|{msg}"


def ras_records(r: random.Random, source: str, msg: str) -> str:
    """``record epoch date node component state message``: no level word."""
    comp, state = source.split(" ")
    epoch = 1_740_000_000 + r.randint(0, 10**7)
    cabinet = f"c{r.randint(0, 7)}-{r.randint(0, 3)}"
    node = f"{cabinet}c{r.randint(0, 2)}s{r.randint(0, 15)}n{r.randint(0, 3)}"
    day = f"2025.03.{r.randint(10, 28)}"
    return f"{r.randint(1, 10**6)} {epoch} {day} {node} {comp} {state} {msg}"


def facility_relay(r: random.Random, source: str, msg: str) -> str:
    """A collector's ISO time, source address and ``facility.severity``, then BSD syslog."""
    fac = r.choice(("daemon.info", "daemon.notice", "auth.info", "local3.warning", "kern.err"))
    prog = source if source.endswith(":") else f"{source}[{r.randint(100, 32000)}]:"
    day = f"{r.choice(_MONTHS)} {r.randint(1, 28):>2} {hms(r)}"
    node = f"edge{r.randint(1, 120):03d}"
    return (
        f"{iso_day(r)}T{hms(r)}.{r.randint(0, 999):03d}Z {s.ip(r)} {fac} {day} {node} {prog} {msg}"
    )


def router_seq(r: random.Random, source: str, msg: str) -> str:
    """``000123: *Mon DD hh:mm:ss.ms UTC: %FAC-N-MNEMONIC: message`` (the mnemonic is the
    event's own text)."""
    star = r.choice(("*", "*", "."))
    day = f"{r.choice(_MONTHS)} {r.randint(1, 28):>2} {hms(r)}.{r.randint(0, 999):03d}"
    return f"{r.randint(1, 999_999):06d}: {star}{day} UTC: {source}: {msg}"


def logcat_uid(r: random.Random, source: str, msg: str) -> str:
    """logcat ``threadtime,uid``: ``MM-DD hh:mm:ss.ms uid pid tid L Tag: message``; the uid is a
    name (``system``, ``u0_a123``) or a number."""
    level, tag = source.split(" ", 1)
    uid = r.choice(("system", "root", f"u0_a{r.randint(10, 300)}", str(r.randint(1000, 1099))))
    pid = 700 + 41 * (len(tag) % 13)
    tid = pid + r.randint(0, 200)
    return f"{logcat_clock(r)} {uid:>8} {pid:>5} {tid:>5} {level} {tag}: {msg}"


def pipe_values(r: random.Random, source: str, msg: str) -> str:
    """``node|epoch|component|state|message``: numbers and names joined by ``|``, no level."""
    comp, state = source.split(" ")
    node = f"n{r.randint(0, 4)}-{r.randint(0, 63):02d}"
    return f"{node}|{1_740_000_000 + r.randint(0, 10**7)}|{comp}|{state}|{msg}"


def optional_device(r: random.Random, source: str, msg: str) -> str:
    """logcat ``threadtime`` merged from several devices: about 30% of the lines open with the
    device's serial (``emulator-5554``, ``R58M12ABCDE``)."""
    serial = r.choice(("emulator-5554", "emulator-5556", "R58M21KQZ3X")) + " "
    level, tag = source.split(" ", 1)
    pid = 900 + 29 * (len(tag) % 11)
    line = f"{logcat_clock(r)} {pid:>5} {pid + r.randint(0, 90):>5} {level} {tag}: {msg}"
    return serial + line if r.random() < 0.3 else line


def optional_vhost(r: random.Random, source: str, msg: str) -> str:
    """httpd error log, ``[Day Mon DD hh:mm:ss YYYY] [level] message``; about 30% of the lines
    open with the virtual host and port that logged them."""
    vhost = f"{s.host(r)}.example.org:{r.choice((80, 443))} " if r.random() < 0.3 else ""
    day = f"{r.choice(('Mon', 'Tue', 'Wed'))} {r.choice(_MONTHS)} {r.randint(1, 28):02d}"
    return f"{vhost}[{day} {hms(r)} 2025] [{source}] {msg}"


def optional_record(r: random.Random, source: str, msg: str) -> str:
    """RAS rows ``node component state epoch flag message`` with no level; about 30% of the
    lines open with the record number a collector gave them."""
    comp, state = source.split(" ")
    rec = f"{r.randint(1, 10**6)} " if r.random() < 0.3 else ""
    epoch = 1_740_000_000 + r.randint(0, 10**7)
    return f"{rec}node-{r.randint(0, 255)} {comp} {state} {epoch} {r.randint(0, 1)} {msg}"


def quoted_csv(r: random.Random, source: str, msg: str) -> str:
    """A Windows event export as a spreadsheet writes it: every field in double quotes,
    ``"Level","M/D/YYYY h:mm:ss AM","Source","EventId","Category","message"``."""
    return ",".join(f'"{f}"' for f in win_csv(r, source, "\x00").split(",")).replace(
        '"\x00"', '"' + msg.replace('"', '""') + '"'
    )


def optional_pipe_field(r: random.Random, source: str, msg: str) -> str:
    """The ``|``-joined fields of :func:`step_pipes`; about 30% of the lines were forwarded and
    open with one more field, the relay's name (``relay2|``)."""
    line = step_pipes(r, source, msg)
    return f"relay{r.randint(1, 4)}|{line}" if r.random() < 0.3 else line


def tagged_records(r: random.Random, source: str, msg: str) -> str:
    """``tag record epoch date node component state message``: an alert tag (``-`` in most
    lines), then numbers, a node, and a component and state that any event may carry."""
    tag = "-" if r.random() < 0.7 else r.choice(("KERNDTLB", "APPREAD"))
    comp = r.choice(("fabric", "cpu", "mem", "sched", "power"))
    state = r.choice(("ok", "degraded", "unavailable"))
    epoch = 1_740_000_000 + r.randint(0, 10**7)
    node = f"c{r.randint(0, 7)}-{r.randint(0, 3)}n{r.randint(0, 3)}"
    day = f"2025.03.{r.randint(10, 28)}"
    return f"{tag} {r.randint(1, 10**6)} {epoch} {day} {node} {comp} {state} {msg}"
