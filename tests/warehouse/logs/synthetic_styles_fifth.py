"""A fifth set of invented log styles, held out from every fix before it.

Same rules as :mod:`tests.warehouse.logs.synthetic_styles`; the header layouts are in
:mod:`tests.warehouse.logs.synthetic_style_headers_fifth`. Messages lean on what the earlier
sets hold little of: identifiers glued to a constant word (``session0x1f``, ``job_17_0042``,
``blk_-8812``, ``attempt7``), hex session ids, byte counts, and sources of several words. No
line is copied from any dataset.
"""

from __future__ import annotations

import random

from tests.warehouse.logs import synthetic_style_headers_fifth as h
from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_styles import Event, Header


def _blk(r: random.Random) -> str:
    return f"blk_{r.choice(('', '-'))}{r.randint(10**17, 10**19)}"


def _job(r: random.Random) -> str:
    return f"job_{r.randint(10**12, 10**13)}_{r.randint(1, 9999):04d}"


def _session(r: random.Random) -> str:
    return f"0x{r.getrandbits(56):x}"


WIN_EVENTS: list[Event] = [
    (
        "Information 7036 Service Host Manager",
        "The {} service reached its started state.",
        (s.quoted_name,),
    ),
    (
        "Information 7040 Service Host Manager",
        "The launch mode of the {} service went from manual launch to boot launch.",
        (s.quoted_name,),
    ),
    (
        "Warning 10016 ComActivation",
        "The per-application access rules refuse Local Launch rights for the component "
        "server with class id {{{}}} to the account {}\\{} SID ({}).",
        (s.uuid, s.host, s.user, s.glued("S-1-5-21-", 10**6, 10**7)),
    ),
    (
        "Error 1000 Program Fault",
        "Crashed program: {}.exe, build: {}, crashing library: {}.dll, fault code: 0x{}",
        (s.program, s.version, s.program, s.hexn(8)),
    ),
    (
        "Information 4624 Account sign-in auditing.",
        "A user signed in. Sign-in Kind: {} User Name: {}",
        (s.num(2, 11), s.user),
    ),
    (
        "Information 1 Clock-General",
        "The clock was moved to {} from {}.",
        (s.glued("2024-03-1", 0, 9), s.glued("2024-03-1", 0, 9)),
    ),
    (
        "Warning 129 diskahci",
        "Bus reset sent to \\Device\\DiskPort{}, by the driver.",
        (s.num(0, 4),),
    ),
    ("Information 6013 LogService", "The machine has been up for {} seconds.", (s.num(),)),
]

MAC_UNIFIED: list[Event] = [
    (
        "Default bluetoothd CoreBluetooth com.apple.bluetooth:Server",
        "Device {} connected with RSSI {}",
        (s.uuid, s.glued("-", 30, 95)),
    ),
    (
        "Default bluetoothd CoreBluetooth com.apple.bluetooth:Server",
        "Device {} disconnected, reason {}",
        (s.uuid, s.num(0, 30)),
    ),
    (
        "Info kernel - -",
        "AppleUSBHostPort::disconnect: port {} persistent {}",
        (s.hexn(8), s.num(0, 1)),
    ),
    (
        "Error symptomsd SymptomEvaluator com.apple.symptomsd:analytics",
        "Data Usage for {} on flow {} - WiFi in/out: {}/{}, WiFi delta_in/delta_out: {}/{}",
        (s.program, s.num(), s.num(), s.num(), s.num(), s.num()),
    ),
    (
        "Default mDNSResponder - com.apple.mDNSResponder:Default",
        "[R{}] LookupRecord BEGIN -- name: {}, kind: AAAA, opts: 0x{}, PID[{}]",
        (s.num(), s.host_port, s.hexn(5), s.num(50, 9999)),
    ),
    (
        "Default mDNSResponder - com.apple.mDNSResponder:Default",
        "[R{}] LookupRecord END PID[{}]",
        (s.num(), s.num(50, 9999)),
    ),
    (
        "Fault runningboardd RunningBoard com.apple.runningboard:process",
        "[app<{}({})>:{}] Process exited with status {}",
        (s.package, s.hexn(5), s.num(100, 9999), s.num(0, 15)),
    ),
    (
        "Info powerd - -",
        "Sleep assertion {} released after {} s by pid {}",
        (s.glued("0x", 1000, 99999), s.num(0, 9999), s.num(50, 9999)),
    ),
]

SEMICOLONS: list[Event] = [
    ("Http", "GET {} 200 {}B {}", (s.url, s.num(), s.ms)),
    ("Http", "POST {} 503 {}B {}", (s.url, s.num(), s.ms)),
    ("Cache", "evicted={};kept={};took={}", (s.num(), s.num(), s.ms)),
    ("Cache", "warmup finished", ()),
    ("Auth", "token for {} refreshed expires_in={}", (s.user, s.num(60, 7200))),
    ("Auth", "login failed user={} attempt{}", (s.user, s.num(1, 5))),
    ("Queue", "consumer{} lag={} partition={}", (s.num(0, 31), s.num(), s.num(0, 63))),
    ("Queue", "rebalance done in {}", (s.mixed_duration,)),
    ("Db", "pool{} active={} idle={}", (s.num(0, 7), s.num(0, 50), s.num(0, 50))),
]

GATEWAY: list[Event] = [
    ("", "link {} up speed {}Mb/s", (s.glued("eth", 0, 47), s.pick("1000", "10000", "100"))),
    ("", "link {} down", (s.glued("eth", 0, 47),)),
    ("", "fan{} speed {} rpm", (s.num(0, 7), s.num(1000, 9000))),
    (
        "",
        "temperature sensor {} reads {} C threshold {} C",
        (s.num(0, 9), s.num(20, 90), s.num(70, 95)),
    ),
    ("", "packet buffer {} overflow dropped {} frames", (s.glued("pb", 0, 9), s.num())),
    ("", "bgp peer {} state Established", (s.ip,)),
    ("", "bgp peer {} state Idle", (s.ip,)),
    ("", "config saved by {} from {}", (s.user, s.ip)),
    ("", "psu{} voltage {} V out of range", (s.num(1, 2), s.dec(10, 14, 2))),
]

RFC5424: list[Event] = [
    (
        "sshd AUTH",
        "Key login granted to {} from {} on port {}",
        (s.user, s.ip, s.num(1024, 65535)),
    ),
    ("sshd AUTH", "Link dropped by {} port {} [pre-login]", (s.ip, s.num(1024, 65535))),
    ("cron -", "({}) RUN ({})", (s.user, s.unix_path)),
    (
        "dockerd CTR",
        "container {} exited with code {} after {}",
        (s.hexn(12), s.num(0, 255), s.mixed_duration),
    ),
    ("dockerd CTR", "pulling image {}:{}", (s.package, s.version)),
    (
        "kubelet POD",
        "Pod {} sandbox changed, it will be killed and re-created",
        (s.glued("api-", 1000, 9999, "-"),),
    ),
    (
        "kubelet POD",
        "Probe failed for {} container {}: HTTP probe failed with statuscode: {}",
        (s.glued("web-", 1, 99), s.program, s.pick("500", "502", "503")),
    ),
    ("systemd -", "Opened seat {} for account {}.", (s.glued("c", 1, 9999), s.user)),
]

ISO_RELAY: list[Event] = [
    (
        "loginsvc",
        "pam_stack(loginsvc:auth): grant issued to {} by (uid={})",
        (s.user, s.num(0, 0)),
    ),
    ("loginsvc", "pam_stack(loginsvc:auth): grant revoked for {}", (s.user,)),
    ("batchd(pam_stack)", "job shell started for {} as (uid={})", (s.user, s.num(0, 0))),
    (
        "kernel:",
        "XFS-vol fault (disk {}): xfs_dir_lookup: bad entry #{} slot {}",
        (s.glued("sd", 0, 9), s.num(), s.num(0, 9)),
    ),
    ("kernel:", "{}: carrier not present", (s.glued("ib", 0, 3),)),
    ("chronyd", "tracking {} at level {}", (s.ip, s.num(1, 4))),
    (
        "pbs_mom",
        "job_poll, lost reply to {} step {}",
        (s.glued("", 1000, 9999), s.num(1, 9)),
    ),
    ("superd", "SPAWN: rsyncd child={} peer={}", (s.num(100, 32000), s.ip)),
    (
        "xinetd",
        "REAP: rsyncd code={} child={} ran={}(sec)",
        (s.num(0, 1), s.num(100, 32000), s.num(0, 999)),
    ),
]

QUORUM: list[Event] = [
    (
        "INFO PeerLink",
        "Dropped peer link to /{} holding lease {}",
        (s.ip_port, _session),
    ),
    (
        "INFO LeaseTracker",
        "Lapsing lease{}, idle past {}ms",
        (_session, s.pick("10000", "30000", "40000")),
    ),
    (
        "WARN BallotChannel",
        "No route to voter {} at ballot address /{}",
        (s.num(1, 5), s.ip_port),
    ),
    (
        "INFO VoteTally",
        "Ballot: {} (b.voter), {} (b.txn), {} (b.seq), "
        "COUNTING (b.phase), {} (b.origin), {} (b.term)",
        (s.num(1, 5), _session, s.glued("0x", 1, 9), s.num(1, 5), s.glued("0x", 1, 9)),
    ),
    ("INFO ChunkStore", "Accepting chunk {} from /{} to /{}", (_blk, s.ip_port, s.ip_port)),
    ("INFO ChunkStore", "Ack stage {} for chunk {} closing", (s.num(0, 2), _blk)),
    ("INFO TaskRunner", "Job {} completed attempt{} in {}", (_job, s.num(0, 3), s.secs)),
    ("WARN Follower", "Saw txn {} wanted {}", (_session, _session)),
]

BRACKETED: list[Event] = [
    ("scheduler", "queued {} jobs for tenant{}", (s.num(0, 500), s.num(1, 40))),
    ("scheduler", "job{} finished rc={}", (s.num(), s.num(0, 2))),
    ("storage", "volume vol{} at {} used", (s.num(0, 99), s.percent)),
    ("storage", "snapshot {} created", (s.glued("snap-", 10**5, 10**6),)),
    ("net", "peer {} rtt {}", (s.ip_port, s.ms)),
    ("net", "retransmit queue empty", ()),
    ("auth", "user {} granted role viewer", (s.user,)),
    ("auth", "user {} granted role editor", (s.user,)),
]

PIPE_LEVEL: list[Event] = [
    (
        "INFO order-svc",
        "order {} placed total={} items={}",
        (s.uuid, s.dec(1, 999, 2), s.num(1, 20)),
    ),
    ("INFO order-svc", "order {} shipped via carrier{}", (s.uuid, s.num(1, 6))),
    ("WARN pay-svc", "charge {} retried {} times", (s.glued("ch_", 10**8, 10**9), s.num(1, 5))),
    (
        "ERROR pay-svc",
        "charge {} declined code={}",
        (s.glued("ch_", 10**8, 10**9), s.pick("51", "05", "14")),
    ),
    ("DEBUG cart-svc", "cart{} merged into cart{}", (s.num(), s.num())),
    ("INFO cart-svc", "cart {} expired", (s.uuid,)),
    ("INFO gateway", "GET {} -> {} in {}", (s.url, s.num(200, 204), s.ms)),
    ("INFO gateway", "PUT {} -> {} in {}", (s.url, s.num(200, 204), s.ms)),
]


GLUED_BRACKETS: list[Event] = [
    ("INFO", "request {} served in {}", (s.uuid, s.ms)),
    ("INFO", "session {} opened for {}", (s.hexn(16), s.user)),
    ("WARN", "queue depth {} above {}", (s.num(), s.num(100, 1000))),
    ("ERROR", "upstream {} refused connection", (s.host_port,)),
    ("DEBUG", "cache hit ratio {}", (s.percent,)),
    ("INFO", "shutdown requested", ()),
]

LOGCAT_BRIEF: list[Event] = [
    ("I ActivityManager", "Shown {}/.{} after +{}", (s.package, s.klass, s.ms)),
    ("W ActivityManager", "Could not bind service Intent {{ act={} }}: missing", (s.package,)),
    ("D WifiStateMachine", "connected to {} rssi={}", (s.quoted_name, s.glued("-", 30, 95))),
    ("D WifiStateMachine", "disconnected reason={}", (s.num(0, 20),)),
    (
        "E AudioFlinger",
        "mixer stalled {} msecs, {} late buffers, track {}",
        (s.num(20, 900), s.num(1, 99), s.hexn(8, "0x")),
    ),
    ("V PowerHAL", "setInteractive: {}", (s.pick("0", "1"),)),
]

POSTGRES: list[Event] = [
    (
        "LOG",
        "duration: {} ms  statement: SELECT * FROM {} WHERE id = {}",
        (s.dec(0, 999, 3), s.program, s.num()),
    ),
    ("LOG", "checkpoint starting: time", ()),
    (
        "LOG",
        "checkpoint complete: wrote {} buffers ({}); {} WAL file(s) added",
        (s.num(0, 9999), s.percent, s.num(0, 9)),
    ),
    ("ERROR", "duplicate key value violates unique constraint {}", (s.quoted_name,)),
    ("FATAL", "password authentication failed for user {}", (s.quoted_name,)),
    ("WARNING", "there is no transaction in progress", ()),
    ("LOG", "connection received: host={} port={}", (s.ip, s.num(1024, 65535))),
    ("LOG", "automatic vacuum of table {}: index scans: {}", (s.package, s.num(0, 9))),
]

REDIS: list[Event] = [
    ("*", "Background saving started by pid {}", (s.num(100, 65000),)),
    ("*", "DB saved on disk", ()),
    ("*", "{} changes in {} seconds. Saving...", (s.num(1, 99999), s.num(1, 900))),
    ("#", "Server initialized", ()),
    (
        "#",
        "WARNING overcommit_memory is set to 0! Background save may fail under low memory "
        "condition.",
        (),
    ),
    ("-", "Accepted {}", (s.ip_port,)),
    ("-", "Client closed connection id={} addr={}", (s.num(), s.ip_port)),
    ("*", "Connecting to MASTER {}", (s.ip_port,)),
    ("*", "MASTER <-> REPLICA sync: receiving {} bytes from master to disk", (s.num(),)),
]

MYSQL: list[Event] = [
    ("Warning 010068 Server", "CA certificate {} is self signed.", (s.unix_path,)),
    (
        "System 010931 Server",
        "{}: ready for connections. Version: '{}'  socket: '{}'  port: {}",
        (s.unix_path, s.version, s.unix_path, s.num(3306, 3310)),
    ),
    (
        "Note 010914 Server",
        "Aborted connection {} to db: '{}' user: '{}' host: '{}' "
        "(Got timeout reading communication packets).",
        (s.num(), s.program, s.user, s.ip),
    ),
    ("ERROR 012574 InnoDB", "Unable to lock {} error: {}", (s.unix_path, s.num(1, 99))),
    ("Note 012487 InnoDB", "DDL log recovery : begin", ()),
    ("Note 012488 InnoDB", "DDL log recovery : end", ()),
    ("Warning 013360 Server", "Plugin {} reported: '{}' is deprecated", (s.program, s.program)),
]

CSV_FIELDS: list[Event] = [
    ("ingest", "batch {} loaded, {} rows, {} rejected", (s.uuid, s.num(), s.num(0, 99))),
    ("ingest", "source {} paused", (s.url,)),
    ("export", "file {} written ({})", (s.unix_path, s.size)),
    ("export", "upload to {} failed, retry {} of {}", (s.host_port, s.num(1, 5), s.num(5, 5))),
    ("scheduler", "next run at {}", (s.glued("2024-04-0", 1, 9),)),
    ("scheduler", "run skipped: previous still active", ()),
]

FIFTH_STYLES: dict[str, tuple[list[Event], Header]] = {
    "win_events": (WIN_EVENTS, h.win_events),
    "mac_unified": (MAC_UNIFIED, h.mac_unified),
    "semicolons": (SEMICOLONS, h.semicolons),
    "gateway_columns": (GATEWAY, h.gateway),
    "rfc5424": (RFC5424, h.rfc5424),
    "iso_relay": (ISO_RELAY, h.iso_relay),
    "quorum_glued": (QUORUM, h.quorum),
    "bracketed_fields": (BRACKETED, h.bracketed),
    "pipe_level": (PIPE_LEVEL, h.pipe_level),
    "glued_brackets": (GLUED_BRACKETS, h.glued_brackets),
    "logcat_brief": (LOGCAT_BRIEF, h.logcat_brief),
    "postgres": (POSTGRES, h.postgres),
    "redis": (REDIS, h.redis),
    "mysql": (MYSQL, h.mysql),
    "csv_fields": (CSV_FIELDS, h.csv_fields),
}
