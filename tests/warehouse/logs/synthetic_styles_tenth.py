"""A tenth set of invented log styles, held out from every fix before it.

Same rules as :mod:`tests.warehouse.logs.synthetic_styles`, with the header layouts here:
the Zabbix agent (``pid:yyyymmdd:hhmmss.ms``, fused by colons), Squid's cache log (``kid1|``
glued to its bar), BIND (``dd-Mon-yyyy`` and a category), Exim's main log (a message id after
the clock on some lines only), OpenVPN (a ctime clock with the year last), Slurm's controller
(a bracketed ISO clock), the PBS server (``;``-joined fields with an event code) and Lustre
through the kernel's syslog. First scores, before any fix: 1.0 for every style. No line is
copied from any dataset.
"""

from __future__ import annotations

import random

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_headers import _MONTHS, hms, iso_day
from tests.warehouse.logs.synthetic_styles import Event, Header

_WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


def zabbix(r: random.Random, source: str, msg: str) -> str:
    """``  pid:yyyymmdd:hhmmss.ms message``: the pid right-aligned, the fields fused by colons."""
    date = f"2025{r.randint(1, 12):02d}{r.randint(1, 28):02d}"
    clock = f"{r.randint(0, 23):02d}{r.randint(0, 59):02d}{r.randint(0, 59):02d}"
    return f"{r.randint(100, 99999):>6}:{date}:{clock}.{r.randint(0, 999):03d} {msg}"


def squid_cache(r: random.Random, source: str, msg: str) -> str:
    """``yyyy/mm/dd hh:mm:ss kid1| message``."""
    return f"2025/0{r.randint(1, 9)}/{r.randint(10, 28)} {hms(r)} {source}| {msg}"


def bind(r: random.Random, source: str, msg: str) -> str:
    """``dd-Mon-yyyy hh:mm:ss.ms category: message``."""
    day = f"{r.randint(10, 28)}-{r.choice(_MONTHS)}-2025"
    return f"{day} {hms(r)}.{r.randint(0, 999):03d} {source}: {msg}"


def _exim_id(r: random.Random) -> str:
    head = "".join(r.choice("ABCDEFGHabcdefgh0123456789") for _ in range(4))
    tail = "".join(r.choice("ABCDEF") for _ in range(2))
    return f"1t{head}-{r.randint(0, 999999):06d}-{tail}"


def exim(r: random.Random, source: str, msg: str) -> str:
    """``date time [message-id] message``: a message's own lines carry its id, others not."""
    lead = f"{_exim_id(r)} " if source == "id" else ""
    return f"{iso_day(r)} {hms(r)} {lead}{msg}"


def openvpn(r: random.Random, source: str, msg: str) -> str:
    """``Www Mon dd hh:mm:ss yyyy message``: a ctime clock, the year last."""
    day = f"{r.choice(_WEEKDAYS)} {r.choice(_MONTHS)} {r.randint(1, 28):>2}"
    return f"{day} {hms(r)} 2025 {msg}"


def slurm(r: random.Random, source: str, msg: str) -> str:
    """``[dateThh:mm:ss.ms] message``."""
    return f"[{iso_day(r)}T{hms(r)}.{r.randint(0, 999):03d}] {msg}"


def pbs(r: random.Random, source: str, msg: str) -> str:
    """``mm/dd/yyyy hh:mm:ss;code;PBS_Server.pid;kind;message`` joined by ``;``."""
    code, kind = source.split(" ")
    day = f"{r.randint(1, 12):02d}/{r.randint(1, 28):02d}/2025"
    return f"{day} {hms(r)};{code};PBS_Server.{r.randint(100, 40000)};{kind};{msg}"


def lustre(r: random.Random, source: str, msg: str) -> str:
    """BSD syslog from a storage server's kernel: ``Mon dd clock host kernel: Subsystem: ...``."""
    day = f"{r.choice(_MONTHS)} {r.randint(1, 28):>2}"
    return f"{day} {hms(r)} oss{r.randint(1, 24)} kernel: {source}: {msg}"


ZABBIX: list[Event] = [
    ("", "Starting Zabbix Agent [{}]. Zabbix {} (revision {}).", (s.host, s.version, s.hexn(8))),
    (
        "",
        'active check "{}" is not supported: Cannot obtain filesystem information: '
        "[2] No such file or directory",
        (s.glued("vfs.fs.size[/mnt/", 1, 9),),
    ),
    ("", "no active checks on server [{}]: host [{}] not found", (s.host_port, s.host)),
    ("", "agent #{} started [listener #{}]", (s.num(1, 9), s.num(1, 9))),
    (
        "",
        "Got signal [signal:{}({}),sender_pid:{},sender_uid:{},reason:0]. Exiting ...",
        (s.num(1, 15), s.program, s.num(1, 40000), s.num(0, 999)),
    ),
]

SQUID_CACHE: list[Event] = [
    ("kid1", "Starting Squid Cache version {} for {}...", (s.version, s.program)),
    ("kid1", "WARNING: {} swap space is over {}% full", (s.unix_path, s.num(80, 99))),
    ("kid1", "Logfile: opening log {}", (s.unix_path,)),
    ("kid1", "Store rebuilding is {}% complete", (s.dec(0, 100, 2),)),
    ("kid1", "  {} Entries scanned", (s.num(),)),
    ("kid1", "Took {} seconds ({} objects/sec).", (s.dec(0, 99, 2), s.dec(0, 9999, 1))),
]

BIND: list[Event] = [
    (
        "client",
        "@0x{} {}#{} ({}): query: {} IN A +E(0)K ({})",
        (s.hexn(12), s.ip, s.num(1024, 65535), s.url, s.url, s.ip),
    ),
    ("lame-servers", "info: lame server resolving '{}' (in '{}'?): {}#53", (s.host, s.host, s.ip)),
    ("resolver", "info: resolver priming query complete", ()),
    ("network", "info: listening on IPv4 interface eth{}, {}#53", (s.num(0, 3), s.ip)),
    ("general", "info: zone {}/IN: loaded serial {}", (s.host, s.num(2025000000, 2025999999))),
]

EXIM: list[Event] = [
    ("id", "<= {} H={} [{}] P=esmtp S={} id={}", (s.email, s.host, s.ip, s.num(), s.uuid)),
    (
        "id",
        '=> {} R=dnslookup T=remote_smtp H={} [{}] C="250 2.0.0 OK {}"',
        (s.email, s.host, s.ip, s.num()),
    ),
    ("id", "Completed", ()),
    ("id", "** {}: retry timeout exceeded", (s.email,)),
    ("plain", "SMTP connection from [{}]:{} lost D={}s", (s.ip, s.num(1024, 65535), s.num(0, 300))),
    ("plain", "Start queue run: pid={}", (s.num(100, 40000),)),
]

OPENVPN: list[Event] = [
    (
        "",
        "{}/{}:{} MULTI: Learn: {} -> {}/{}:{}",
        (s.user, s.ip, s.num(1024, 65535), s.ip, s.user, s.ip, s.num(1024, 65535)),
    ),
    (
        "",
        "{}/{}:{} SIGUSR1[soft,ping-restart] received, client-instance restarting",
        (s.user, s.ip, s.num(1024, 65535)),
    ),
    (
        "",
        "{}:{} TLS: Initial packet from [AF_INET]{}:{}, sid={} {}",
        (s.ip, s.num(1024, 65535), s.ip, s.num(1024, 65535), s.hexn(8), s.hexn(8)),
    ),
    ("", "Initialization Sequence Completed", ()),
    (
        "",
        "{}/{}:{} Data Channel: using negotiated cipher 'AES-256-GCM'",
        (s.user, s.ip, s.num(1024, 65535)),
    ),
]

SLURM: list[Event] = [
    (
        "",
        "_slurm_rpc_submit_batch_job: JobId={} InitPrio={} usec={}",
        (s.num(), s.num(), s.num(10, 9999)),
    ),
    (
        "",
        "sched: Allocate JobId={} NodeList={} #CPUs={} Partition={}",
        (s.num(), s.glued("cn", 1, 512), s.num(1, 128), s.program),
    ),
    ("", "_job_complete: JobId={} WEXITSTATUS {}", (s.num(), s.num(0, 255))),
    ("", "error: Nodes {} not responding", (s.glued("cn", 1, 512),)),
    ("", "Node {} now responding", (s.glued("cn", 1, 512),)),
    ("", "backfill: beginning", ()),
]

PBS: list[Event] = [
    (
        "0008 Job",
        "{}.{};Job Queued at request of {}@{}, owner = {}@{}, job name = {}, queue = {}",
        (s.num(), s.host, s.user, s.host, s.user, s.host, s.program, s.program),
    ),
    (
        "0010 Job",
        "{}.{};Exit_status={} resources_used.cput={} resources_used.mem={}kb",
        (s.num(), s.host, s.num(0, 255), s.timer, s.num()),
    ),
    ("0002 Svr", "Server@{};Log opened", (s.host,)),
    ("0004 Node", "{};node down", (s.glued("n", 1, 999),)),
]

LUSTRE: list[Event] = [
    (
        "LustreError",
        "{}-0: {}-OST{}-osc: operation ost_connect to node {}@o2ib failed: rc = -{}",
        (s.num(1, 99), s.program, s.hexn(4), s.ip, s.num(1, 120)),
    ),
    (
        "Lustre",
        "{}-OST{}: Client {} (at {}@o2ib) reconnecting",
        (s.program, s.hexn(4), s.uuid, s.ip),
    ),
    (
        "Lustre",
        "{}-MDT{}: Recovery over after {}:{}, of {} clients {} recovered and {} were evicted.",
        (
            s.program,
            s.hexn(4),
            s.num(0, 59),
            s.num(10, 59),
            s.num(1, 900),
            s.num(1, 900),
            s.num(0, 9),
        ),
    ),
    (
        "LNet",
        "{}:0:(lib-move.c:{}:lnet_send()) No route to 12345-{}@o2ib via <?> (all routers down)",
        (s.num(1, 99999), s.num(1, 3000), s.ip),
    ),
]

TENTH_STYLES: dict[str, tuple[list[Event], Header]] = {
    "zabbix": (ZABBIX, zabbix),
    "squid_cache": (SQUID_CACHE, squid_cache),
    "bind": (BIND, bind),
    "exim": (EXIM, exim),
    "openvpn": (OPENVPN, openvpn),
    "slurm": (SLURM, slurm),
    "pbs": (PBS, pbs),
    "lustre": (LUSTRE, lustre),
}
