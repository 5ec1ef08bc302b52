"""A sixth set of invented log styles: runtime and service layouts with prefixes of their own.

Same rules as :mod:`tests.warehouse.logs.synthetic_styles`. A container runtime's stream and
tag columns, the JVM's unified logging with glued bracket fields, an Erlang node's process id
after the level, a search engine's padded level inside brackets, Python's ``LEVEL:logger:``
default, a compose prefix of service and ``|`` before an inner header, lines numbered before
their clock, BSD syslog behind an alert tag of one or two words, and ``;`` fields led by a
level. First scores: 1.0 but for the runtime's stream (0.0: its stream and flag columns were
taken for message words, each predicting the other), fixed by judging a word column by what
the next token adds over the column's commonest value; the last two, added after that fix,
scored 0.0 and 0.15 (a two-word tag shifted the learned header; a level, not a value, opened
the fused fields) until the rules were generalised. No line is copied from
any dataset; every name and value is invented.
"""

from __future__ import annotations

import random

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_headers import _MONTHS, hms
from tests.warehouse.logs.synthetic_styles import Event, Header
from tests.warehouse.logs.synthetic_styles_fifth import ISO_RELAY, SEMICOLONS


def _day(r: random.Random) -> str:
    return f"2024-03-{r.randint(10, 28)}"


def _cri(r: random.Random, source: str, msg: str) -> str:
    stream = r.choice(("stdout", "stdout", "stderr"))
    return f"{_day(r)}T{hms(r)}.{r.randint(0, 10**9 - 1):09d}Z {stream} {r.choice('FFFP')} {msg}"


def _jvm(r: random.Random, source: str, msg: str) -> str:
    level, tags = source.split(" ")
    up = f"{r.uniform(0, 9000):.3f}s"
    return f"[{_day(r)}T{hms(r)}.{r.randint(0, 999):03d}+0000][{up}][{level}][{tags}] {msg}"


def _erlang(r: random.Random, source: str, msg: str) -> str:
    pid = f"<0.{r.randint(100, 9999)}.0>"
    return f"{_day(r)} {hms(r)}.{r.randint(0, 999999):06d}+00:00 [{source}] {pid} {msg}"


def _search(r: random.Random, source: str, msg: str) -> str:
    level, logger = source.split(" ")
    t = f"{_day(r)}T{hms(r)},{r.randint(0, 999):03d}"
    return f"[{t}][{level:<5}][{logger:<28}] [node-{r.randint(1, 6)}] {msg}"


def _python(r: random.Random, source: str, msg: str) -> str:
    return f"{source}:{msg}"


def _compose(r: random.Random, source: str, msg: str) -> str:
    svc = r.choice(("web-1", "worker-1", "worker-2", "db-1"))
    level = source
    return f"{svc:<10}| {_day(r)} {hms(r)},{r.randint(0, 999):03d} {level} {msg}"


def _tagged(r: random.Random, source: str, msg: str) -> str:
    """BSD syslog behind an alert tag of one or two words (``-``, ``HW_FAULT``, ``NET WARN``)."""
    tag = r.choice(("-", "-", "-", "HW_FAULT", "NET WARN"))
    prog = source if source.endswith(":") else f"{source}[{r.randint(100, 32000)}]:"
    day = f"{r.choice(_MONTHS)} {r.randint(1, 28):>2} {hms(r)}"
    return f"{tag} {day} cn{r.randint(1, 300)} {prog} {msg}"


def _level_semicolons(r: random.Random, source: str, msg: str) -> str:
    """``LEVEL;ISO-time;component;message`` with no space around ``;``."""
    level = r.choice(("INFO", "WARN", "ERROR"))
    return f"{level};{_day(r)}T{hms(r)};{source};{msg}"


def _numbered(r: random.Random, source: str, msg: str) -> str:
    return f"{r.randint(1, 99999):06d} {_day(r)} {hms(r)} {source:<5} {msg}"


CRI: list[Event] = [
    ("", "listening on :{}", (s.num(1024, 9999),)),
    ("", "GET {} {} {}", (s.url, s.pick("200", "201", "204"), s.ms)),
    ("", "worker {} picked job {}", (s.glued("w", 1, 16), s.uuid)),
    ("", "retrying in {}", (s.mixed_duration,)),
    (
        "",
        "panic: runtime error: index out of range [{}] with length {}",
        (s.num(0, 99), s.num(0, 99)),
    ),
    ("", "config reloaded from {}", (s.unix_path,)),
]

JVM: list[Event] = [
    ("info gc,start", "GC({}) Pause Young (Normal) (Region Evacuation Pause)", (s.num(),)),
    (
        "info gc",
        "GC({}) Pause Young (Normal) {}->{}({}) {}",
        (s.num(), s.glued_size, s.glued_size, s.glued_size, s.ms),
    ),
    (
        "info gc,heap",
        "GC({}) Eden regions: {}->{}({})",
        (s.num(), s.num(0, 999), s.num(0, 9), s.num(0, 999)),
    ),
    (
        "info gc,cpu",
        "GC({}) User={}s Sys={}s Real={}s",
        (s.num(), s.dec(0, 2, 2), s.dec(0, 2, 2), s.dec(0, 2, 2)),
    ),
    ("warning os,thread", "Failed to start thread {} - limit reached", (s.quoted_name,)),
    (
        "info safepoint",
        "Safepoint {}, Time since last: {} ns, Reaching safepoint: {} ns",
        (s.quoted_name, s.num(), s.num()),
    ),
]

ERLANG: list[Event] = [
    ("info", "accepting connection {} -> {}", (s.ip_port, s.ip_port)),
    (
        "info",
        "connection {}: user {} authenticated and granted access to vhost {}",
        (s.ip_port, s.quoted_name, s.unix_path),
    ),
    ("warning", "closing connection {}: client unexpectedly closed TCP connection", (s.ip_port,)),
    ("error", "queue {} in vhost {}: lost {} messages", (s.single_quoted, s.unix_path, s.num())),
    ("info", "Mirrored queue {} synchronised {} messages", (s.single_quoted, s.num())),
    ("notice", "node {} down: connection_closed", (s.email,)),
    ("notice", "node {} up", (s.email,)),
]

SEARCH: list[Event] = [
    (
        "INFO o.x.c.r.a.ShardPlacer",
        "placing shard [{}][{}] on {}",
        (s.program, s.num(0, 9), s.glued("node-", 1, 6)),
    ),
    (
        "WARN o.x.m.f.DiskWatcher",
        "high disk watermark [{}] exceeded on {}, shards will move",
        (s.percent, s.hexn(22)),
    ),
    (
        "INFO o.x.c.m.IndexCreator",
        "[{}] creating index, cause [api], shards [{}]/[{}]",
        (s.program, s.num(1, 5), s.num(0, 2)),
    ),
    ("DEBUG o.x.a.s.QueryPhase", "[{}] took [{}] for query on [{}]", (s.hexn(8), s.ms, s.program)),
    (
        "INFO o.x.n.NodeMonitor",
        "[gc][{}] overhead, spent [{}] collecting in the last [{}]",
        (s.num(), s.ms, s.secs),
    ),
]

PYTHON: list[Event] = [
    ("INFO:app.web", "request {} handled in {}", (s.uuid, s.ms)),
    ("WARNING:app.db", "slow query on table {} took {}", (s.program, s.secs)),
    ("ERROR:app.worker", "task {} failed: {}", (s.uuid, s.quoted_name)),
    ("INFO:root", "starting with {} workers", (s.num(1, 32),)),
    ("DEBUG:urllib.pool", "Starting new HTTPS connection ({}): {}", (s.num(1, 9), s.host_port)),
    ("INFO:app.web", "user {} logged out", (s.user,)),
]

COMPOSE: list[Event] = [
    ("INFO", "Booting worker with pid: {}", (s.num(100, 9999),)),
    ("INFO", "handled {} in {}", (s.url, s.ms)),
    ("WARNING", "Worker timeout (pid:{})", (s.num(100, 9999),)),
    ("ERROR", "could not connect to server at {}", (s.host_port,)),
    ("INFO", "checkpoint complete: {} buffers", (s.num(),)),
    ("DEBUG", "cache {} hit for {}", (s.program, s.uuid)),
]

NUMBERED: list[Event] = [
    ("INFO", "loaded {} rules from {}", (s.num(0, 999), s.unix_path)),
    ("INFO", "rule {} matched packet from {}", (s.glued("r", 1, 999), s.ip)),
    ("WARN", "rate limit hit for {}", (s.ip,)),
    ("ERROR", "cannot open {}: permission denied", (s.unix_path,)),
    ("DEBUG", "tick {}", (s.num(),)),
]

SIXTH_STYLES: dict[str, tuple[list[Event], Header]] = {
    "cri_stream": (CRI, _cri),
    "jvm_unified": (JVM, _jvm),
    "erlang_node": (ERLANG, _erlang),
    "search_brackets": (SEARCH, _search),
    "python_default": (PYTHON, _python),
    "compose_prefix": (COMPOSE, _compose),
    "numbered_lines": (NUMBERED, _numbered),
    "tagged_syslog": (ISO_RELAY, _tagged),
    "level_semicolons": (SEMICOLONS, _level_semicolons),
}
