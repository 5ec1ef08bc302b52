"""An eighth set of invented log styles, held out from every fix before it.

Same rules as :mod:`tests.warehouse.logs.synthetic_styles`, with the header layouts here:
Celery's ``[clock: LEVEL/Process]``, Ruby's ``Logger`` (``I, [clock #pid]  INFO -- prog:``),
Go's standard ``log`` (a slashed date and no level), Rust's ``env_logger`` (``[clock LEVEL
crate::module]``), Serilog's console (``[hh:mm:ss INF]``), Squid's native access log (epoch
with milliseconds, elapsed time, client, result code), Android logcat's ``brief`` format
(``I/Tag( 123):``, the pid right-aligned in five columns) and logfmt (``key=value`` pairs, the
message a quoted ``msg`` value with its quotes escaped). First scores, before any fix: 1.0 but
for logcat ``brief`` (0.0: a pid under five digits is padded inside the parentheses, so those
lines split into two tokens and missed the ``tag(pid):`` header the others taught; fixed by
keeping a number padded inside parentheses in one token). No line is copied from any dataset.
"""

from __future__ import annotations

import random

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_headers import hms, iso_day
from tests.warehouse.logs.synthetic_styles import Event, Header


def celery(r: random.Random, source: str, msg: str) -> str:
    """``[date time,ms: LEVEL/Process] message``."""
    level, process = source.split(" ")
    return f"[{iso_day(r)} {hms(r)},{r.randint(0, 999):03d}: {level}/{process}] {msg}"


def ruby_logger(r: random.Random, source: str, msg: str) -> str:
    """``L, [dateTtime.us #pid] LEVEL -- progname: message``, the level right-aligned."""
    level, prog = source.split(" ")
    clock = f"{iso_day(r)}T{hms(r)}.{r.randint(0, 999999):06d}"
    return f"{level[0]}, [{clock} #{r.randint(100, 40000)}] {level:>5} -- {prog}: {msg}"


def go_std(r: random.Random, source: str, msg: str) -> str:
    """``yyyy/mm/dd hh:mm:ss message``: no level, no source."""
    return f"{iso_day(r, '/')} {hms(r)} {msg}"


def env_logger(r: random.Random, source: str, msg: str) -> str:
    """``[dateTtimeZ LEVEL crate::module] message``, the level padded to five."""
    level, module = source.split(" ")
    return f"[{iso_day(r)}T{hms(r)}Z {level:<5} {module}] {msg}"


def serilog(r: random.Random, source: str, msg: str) -> str:
    """``[hh:mm:ss LVL] message`` with a three-letter level."""
    return f"[{hms(r)} {source}] {msg}"


def squid(r: random.Random, source: str, msg: str) -> str:
    """``epoch.ms elapsed client code/status bytes method URL ...``, elapsed right-aligned."""
    epoch = f"{r.randint(1_700_000_000, 1_760_000_000)}.{r.randint(0, 999):03d}"
    return f"{epoch} {r.randint(0, 99999):>6} {s.ip(r)} {source} {msg}"


def logcat_brief(r: random.Random, source: str, msg: str) -> str:
    """``P/Tag(  pid): message``: priority and tag fused, the pid right-aligned in five."""
    return f"{source}({r.randint(100, 32000):>5}): {msg}"


def logfmt(r: random.Random, source: str, msg: str) -> str:
    """``time=... level=... component=... msg="..."`` with the message's quotes escaped."""
    level, component = source.split(" ")
    clock = f"{iso_day(r)}T{hms(r)}.{r.randint(0, 999):03d}Z"
    escaped = msg.replace('"', '\\"')
    return f'time={clock} level={level} component={component} msg="{escaped}"'


CELERY: list[Event] = [
    ("INFO MainProcess", "Task {}[{}] received", (s.package, s.uuid)),
    (
        "INFO ForkPoolWorker-3",
        "Task {}[{}] succeeded in {}s: {}",
        (s.package, s.uuid, s.dec(0, 9, 4), s.num()),
    ),
    ("WARNING MainProcess", "Connection to broker lost, retrying in {} seconds", (s.num(1, 32),)),
    (
        "ERROR ForkPoolWorker-1",
        "Task {}[{}] raised unexpected: TimeoutError({})",
        (s.package, s.uuid, s.quoted_name),
    ),
    ("INFO MainProcess", "Connected to amqp://{}@{}//", (s.user, s.host_port)),
    ("INFO Beat", "Scheduler: Sending due task {} ({})", (s.program, s.package)),
]

RUBY: list[Event] = [
    ("INFO web", "Started GET {} for {} at {}", (s.unix_path, s.ip, s.num())),
    ("INFO web", "Started POST {} for {} at {}", (s.unix_path, s.ip, s.num())),
    (
        "INFO web",
        "Completed {} OK in {}ms (Views: {}ms | ActiveRecord: {}ms)",
        (s.num(200, 204), s.num(1, 900), s.dec(0, 99, 1), s.dec(0, 99, 1)),
    ),
    ("WARN worker", "job {} retried {} times, next at {}", (s.hexn(12), s.num(1, 9), s.num())),
    ("ERROR worker", "failed to deliver webhook to {}: {}", (s.url, s.quoted_name)),
    ("DEBUG cache", "read {} hit={}", (s.unix_path, s.boolean)),
]

GO_STD: list[Event] = [
    ("", "listening on {}", (s.ip_port,)),
    ("", "http: TLS handshake error from {}: EOF", (s.ip_port,)),
    ("", "reloaded {} rules from {} in {}", (s.num(1, 500), s.unix_path, s.ms)),
    ("", "upstream {} unhealthy after {} failed checks", (s.host_port, s.num(1, 9))),
    ("", "shutting down, {} connections open", (s.num(0, 300),)),
    ("", "GC forced: heap {} MB, {} goroutines", (s.num(10, 4000), s.num(10, 9000))),
]

ENV_LOGGER: list[Event] = [
    (
        "INFO store::compact",
        "compacted {} segments into {} ({} bytes)",
        (s.num(2, 40), s.glued("seg-", 1, 9999), s.num()),
    ),
    (
        "WARN net::conn",
        "peer {} sent malformed frame of {} bytes",
        (s.ip_port, s.num(1, 65535)),
    ),
    ("ERROR net::conn", "connection to {} reset: broken pipe", (s.host_port,)),
    ("ERROR net::conn", "connection to {} reset: timed out", (s.host_port,)),
    (
        "DEBUG raft::log",
        "append index={} term={} entries={}",
        (s.num(), s.num(1, 90), s.num(1, 64)),
    ),
    ("INFO raft::node", "became leader at term {}", (s.num(1, 90),)),
]

SERILOG: list[Event] = [
    (
        "INF",
        "HTTP GET {} responded {} in {} ms",
        (s.unix_path, s.num(200, 503), s.dec(0, 999, 4)),
    ),
    (
        "INF",
        "HTTP POST {} responded {} in {} ms",
        (s.unix_path, s.num(200, 503), s.dec(0, 999, 4)),
    ),
    ("WRN", "Slow query on {} took {} ms", (s.klass, s.num(500, 9000))),
    ("ERR", "Unhandled exception processing order {}", (s.num(),)),
    ("DBG", "Cache miss for key {}", (s.glued("product:", 1, 99999),)),
    ("INF", "Application started. Press Ctrl+C to shut down.", ()),
]

SQUID: list[Event] = [
    ("TCP_MISS/200", "{} GET {} - HIER_DIRECT/{} text/html", (s.num(200, 90000), s.url, s.ip)),
    ("TCP_HIT/200", "{} GET {} - HIER_NONE/- image/png", (s.num(200, 90000), s.url)),
    ("TCP_TUNNEL/200", "{} CONNECT {} - HIER_DIRECT/{} -", (s.num(200, 90000), s.host_port, s.ip)),
    ("TCP_DENIED/403", "{} GET {} - HIER_NONE/- text/html", (s.num(200, 4000), s.url)),
]

LOGCAT_BRIEF: list[Event] = [
    (
        "I/ActivityManager",
        "Start proc {}:{}/u0a{} for activity {}/.{}",
        (s.num(100, 32000), s.package, s.num(10, 300), s.package, s.klass),
    ),
    (
        "D/ConnectivityService",
        "NetworkAgentInfo [WIFI () - {}] validation passed",
        (s.num(100, 999),),
    ),
    (
        "W/InputDispatcher",
        "channel '{} {}/{}.{} (server)' ~ Consumer closed input channel or an error occurred.  "
        "events=0x{}",
        (s.hexn(7), s.package, s.package, s.klass, s.num(1, 9)),
    ),
    ("E/AndroidRuntime", "FATAL EXCEPTION: main", ()),
    (
        "V/AudioFlinger",
        "setParameters(): io {}, keyvalue {}, calling pid {}",
        (s.num(1, 99), s.quoted_name, s.num(100, 32000)),
    ),
]

LOGFMT: list[Event] = [
    ("info store", "flushed {} series in {}", (s.num(), s.ms)),
    ("warn scrape", "target {} returned {} after {}", (s.url, s.num(400, 599), s.ms)),
    ("error rules", "evaluation of rule {} failed", (s.quoted_name,)),
    (
        "info compactor",
        "compact blocks count={} mint={} maxt={}",
        (s.num(2, 9), s.num(), s.num()),
    ),
    ("debug tsdb", "head GC completed duration={}", (s.ms,)),
]

EIGHTH_STYLES: dict[str, tuple[list[Event], Header]] = {
    "celery": (CELERY, celery),
    "ruby_logger": (RUBY, ruby_logger),
    "go_std": (GO_STD, go_std),
    "env_logger": (ENV_LOGGER, env_logger),
    "serilog": (SERILOG, serilog),
    "squid": (SQUID, squid),
    "logcat_bare": (LOGCAT_BRIEF, logcat_brief),
    "logfmt": (LOGFMT, logfmt),
}
