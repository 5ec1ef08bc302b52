"""Header layouts of the fifth set of invented log styles.

Layouts that the earlier sets leave out: a Windows event export with tab fields, a clock with
``AM``/``PM`` and a source of several words; the macOS unified log with hex thread and activity
columns, the type padded, and ``process: (library) [subsystem:category]``; fields joined by
``;`` with no space; gateway rows of epoch, address, switch, slot and pid with no level word;
RFC 5424 syslog with ``<pri>1`` and nil fields; a relay's ISO time and addresses before a BSD
syslog header; a log4j layout with ``[myid:N]`` and a thread of a quorum peer; fields wrapped
one by one in brackets with no level; a pipe layout led by its level. Every host, program and
value is invented.
"""

from __future__ import annotations

import random

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_headers import _MONTHS, hms


def _iso(r: random.Random) -> str:
    return f"2024-0{r.randint(1, 9)}-{r.randint(10, 28)}T{hms(r)}"


def win_events(r: random.Random, source: str, msg: str) -> str:
    """``Level<TAB>M/D/YYYY h:mm:ss AM<TAB>Source<TAB>EventId<TAB>Category<TAB>message``."""
    level, event_id, src = source.split(" ", 2)
    clock = f"{r.randint(1, 12)}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}"
    day = f"{r.randint(1, 12)}/{r.randint(1, 28)}/2024 {clock} {r.choice(('AM', 'PM'))}"
    return f"{level}\t{day}\t{src}\t{event_id}\tNone\t{msg}"


def mac_unified(r: random.Random, source: str, msg: str) -> str:
    """``date time.us-zone thread type activity pid ttl process: (lib) [sub:cat] msg``."""
    kind, proc, lib, sub = source.split(" ")
    t = f"2024-03-{r.randint(10, 28)} {hms(r)}.{r.randint(0, 999999):06d}-0800"
    activity = "0x0" if r.random() < 0.6 else f"0x{r.randint(0x1000, 0xFFFFF):x}"
    pid = 80 + 37 * (len(proc) % 13)
    lib_part = "" if lib == "-" else f"({lib}) "
    sub_part = "" if sub == "-" else f"[{sub}] "
    return (
        f"{t} 0x{r.randint(0x1000, 0xFFFFFF):<7x} {kind:<11} {activity:<20} {pid:<6} "
        f"{r.choice((0, 0, 14)):<4} {proc}: {lib_part}{sub_part}{msg}"
    )


def semicolons(r: random.Random, source: str, msg: str) -> str:
    """``ISO-time;host;pid;component;message`` with no space around ``;``."""
    host = f"web-{r.randint(1, 40):02d}"
    return f"{_iso(r)}.{r.randint(0, 999):03d}Z;{host};{r.randint(100, 65000)};{source};{msg}"


def gateway(r: random.Random, source: str, msg: str) -> str:
    """``epoch address switch slot pid message``: numbers and hosts only, no level word."""
    epoch = 1_709_000_000 + r.randint(0, 10**6)
    sw = f"sw-{r.randint(1, 60)}"
    return f"{epoch} {s.ip(r)} {sw} {r.randint(0, 15)} {r.randint(100, 32000)} {msg}"


def rfc5424(r: random.Random, source: str, msg: str) -> str:
    """``<pri>1 ISO-time host app procid msgid - message``."""
    app, msgid = source.split(" ")
    pri = r.choice((30, 27, 134, 86))
    host = r.choice((s.host(r), f"node{r.randint(1, 90)}.dc{r.randint(1, 3)}.example.net"))
    pid = r.choice(("-", str(r.randint(100, 40000))))
    return f"<{pri}>1 {_iso(r)}.{r.randint(0, 999999):06d}Z {host} {app} {pid} {msgid} - {msg}"


def iso_relay(r: random.Random, source: str, msg: str) -> str:
    """A relay's ISO time, relay name and source address, then ``Mon DD hh:mm:ss host prog``."""
    node = f"cn{r.randint(1, 300)}"
    prog = source if source.endswith(":") else f"{source}[{r.randint(100, 32000)}]:"
    day = f"{r.choice(_MONTHS)} {r.randint(1, 28):>2} {hms(r)}"
    return f"{_iso(r)}+00:00 relay{r.randint(1, 4)} {s.ip(r)} {day} {node} {prog} {msg}"


def quorum(r: random.Random, source: str, msg: str) -> str:
    """log4j: ``date time,ms [myid:N] - LEVEL  [thread:Class@line] - message``."""
    level, klass = source.split(" ")
    thread = r.choice(
        (
            f"QuorumPeer[myid={r.randint(1, 5)}]/0.0.0.0:{r.choice((2181, 2182))}",
            f"NIOServerCxn.Factory:0.0.0.0/0.0.0.0:{r.choice((2181, 2182))}",
            f"WorkerSender[myid={r.randint(1, 5)}]",
        )
    )
    return (
        f"2024-03-{r.randint(10, 28)} {hms(r)},{r.randint(0, 999):03d} "
        f"[myid:{r.randint(1, 5)}] - {level:<5} [{thread}:{klass}@{r.randint(50, 900)}] - {msg}"
    )


def bracketed(r: random.Random, source: str, msg: str) -> str:
    """``[date time] [node-N] [pid] [component] message``."""
    t = f"2024-03-{r.randint(10, 28)} {hms(r)}"
    return f"[{t}] [node-{r.randint(1, 99)}] [{r.randint(100, 65000)}] [{source}] {msg}"


def pipe_level(r: random.Random, source: str, msg: str) -> str:
    """``LEVEL|date time|service|thread|message``."""
    level, svc = source.split(" ")
    t = f"2024-03-{r.randint(10, 28)} {hms(r)}.{r.randint(0, 999):03d}"
    return f"{level}|{t}|{svc}|{s.glued('exec-', 1, 64)(r)}|{msg}"


def glued_brackets(r: random.Random, source: str, msg: str) -> str:
    """``[date time.ms][LEVEL][thread] message``: bracket fields with no space between."""
    t = f"2024-03-{r.randint(10, 28)} {hms(r)}.{r.randint(0, 999):03d}"
    return f"[{t}][{source}][{s.glued('worker-', 1, 16)(r)}] {msg}"


def logcat_brief(r: random.Random, source: str, msg: str) -> str:
    """logcat ``time`` format: ``MM-DD hh:mm:ss.ms L/Tag( pid): message``."""
    level, tag = source.split(" ")
    pid = 300 + 71 * (len(tag) % 9)
    day = f"{r.randint(1, 12):02d}-{r.randint(1, 28):02d}"
    return f"{day} {hms(r)}.{r.randint(0, 999):03d} {level}/{tag}({pid:>5}): {msg}"


def postgres(r: random.Random, source: str, msg: str) -> str:
    """``date time.ms UTC [pid] user@db LEVEL:  message``."""
    t = f"2024-03-{r.randint(10, 28)} {hms(r)}.{r.randint(0, 999):03d} UTC"
    who = r.choice((f"{s.user(r)}@{s.program(r)}", "[unknown]@[unknown]"))
    return f"{t} [{r.randint(100, 65000)}] {who} {source}:  {msg}"


def redis(r: random.Random, source: str, msg: str) -> str:
    """``pid:role DD Mon YYYY hh:mm:ss.ms mark message``; the mark (``*``, ``#``, ``-``) is the
    level."""
    role = r.choice("MSC")
    return (
        f"{r.randint(100, 65000)}:{role} {r.randint(1, 28):02d} {r.choice(_MONTHS)} 2024 "
        f"{hms(r)}.{r.randint(0, 999):03d} {source} {msg}"
    )


def mysql(r: random.Random, source: str, msg: str) -> str:
    """``ISO-time.usZ thread [Level] [MY-code] [Subsystem] message``."""
    level, code, sub = source.split(" ")
    return (
        f"{_iso(r)}.{r.randint(0, 999999):06d}Z {r.choice((0, r.randint(1, 999)))} "
        f"[{level}] [MY-{code}] [{sub}] {msg}"
    )


def csv_fields(r: random.Random, source: str, msg: str) -> str:
    """``date time,host,pid,component,message`` joined by commas; messages hold commas too."""
    t = f"2024-03-{r.randint(10, 28)} {hms(r)}"
    return f"{t},{s.host(r)},{r.randint(100, 65000)},{source},{msg}"
