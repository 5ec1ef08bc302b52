"""Invented log styles written from the formats' published shapes, with known events.

Each style pairs a header layout (as the format is documented: Android logcat ``threadtime``,
Windows CBS, macOS syslog, OpenStack oslo.log, Proxifier, cluster RAS columns, syslog behind
extra collector fields, pipe-joined application fields) with events of messages we made up in
the manner of such systems. No line is copied from any dataset. Written before any fix they
led to: three styles scored below 0.97 (bracketed lists of words, a subsystem after
``program[pid]``), and the masking and header rules were then generalised for them.

Ground truth is by construction: each event is one template; every ``{}`` slot is a variable
(numbers, ids, durations and sizes with their units, paths, addresses, quoted names, lists of
any length, names from open sets such as accounts, hosts, packages and programs). Words from a
small closed set (link up or down, a provider kind) are event text: each member is its own
event, written out as its own entry. A slot in the header (a tag, a pid, a program) is header.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from tests.warehouse.logs import synthetic_style_headers as h
from tests.warehouse.logs import synthetic_style_slots as s

Slot = Callable[[random.Random], str]
# (source, text, slots): the source is the header's tag, component, process or module
Event = tuple[str, str, tuple[Slot, ...]]
Header = Callable[[random.Random, str, str], str]


class Rare(str):
    """An event's text that marks the event rare: about one line in a thousand (see
    :func:`generate_style`)."""


RARE_SHARE = 0.001

LOGCAT: list[Event] = [
    (
        "I SyncScheduler",
        "schedule sync account={} authority={} delay={}",
        (s.email, s.package, s.ms),
    ),
    (
        "I SyncScheduler",
        "sync of {} finished in {} with {} changes",
        (s.package, s.spaced_ms, s.num(0, 500)),
    ),
    (
        "D WindowSurface",
        "relayout {} u0 {}/.{} vis={} frame=[{},{}][{},{}]",
        (
            s.hexn(7),
            s.package,
            s.klass,
            s.num(0, 8),
            s.num(0, 99),
            s.num(0, 99),
            s.num(1000, 1440),
            s.num(1800, 3200),
        ),
    ),
    (
        "W BatteryMonitor",
        "level {} temp {}C health={} plugged={}",
        (s.percent, s.dec(20, 45, 1), s.num(1, 7), s.num(0, 2)),
    ),
    (
        "E AppOpsGuard",
        "denied op {} for uid {} pkg {}: not allowed in mode {}",
        (s.num(0, 90), s.num(10000, 19999), s.package, s.num(0, 4)),
    ),
    (
        "I TaskLauncher",
        "START u0 {{act={} cmp={}/.{} flg=0x{}}} from uid {}",
        (s.package, s.package, s.klass, s.hexn(8), s.num(1000, 19999)),
    ),
    (
        "I FrameTimer",
        "dropped {} frames on {} while drawing {}",
        (s.num(1, 400), s.glued("RenderThread-", 1, 9), s.klass),
    ),
    (
        "D NotifQueue",
        "enqueue key={} id={} channel={} importance={}",
        (s.glued("0|", 1, 99999), s.num(), s.single_quoted, s.num(0, 5)),
    ),
    (
        "E CameraStream",
        "stream {}: dequeue timed out after {} (err {})",
        (s.num(0, 5), s.ms, s.num(-120, -1)),
    ),
    ("I ClassPreload", "preloaded {} classes from {} in {}", (s.num(100, 9000), s.unix_path, s.ms)),
    (
        "I DownloadTask",
        "download {} complete: {} from {}",
        (s.glued("dl#", 1, 9999), s.size, s.url),
    ),
    (
        "D GattClient",
        "onConnectionState status={} clientIf={} device={}",
        (s.num(0, 133), s.num(1, 20), s.hexn(12)),
    ),
    ("I LocationSvc", "fix from gps provider acc={}m age={}", (s.dec(1, 90, 1), s.ms)),
    ("I LocationSvc", "fix from network provider acc={}m age={}", (s.dec(1, 900, 1), s.ms)),
    (
        "I VolumeDaemon",
        "volume {} mounted at {} ({} free)",
        (s.glued("public:179,", 0, 64), s.unix_path, s.size),
    ),
    ("W PackageWatch", "package {} changed: components {}", (s.package, s.bracket_list(s.klass))),
]


CBS: list[Event] = [
    (
        "Info CBS",
        "Session: {}_{} initialized by client {}, external staging directory: (null)",
        (s.num(30000000, 39999999), s.num(10**9, 4 * 10**9), s.program),
    ),
    ("Info CBS", "Loaded {} manifests for package {} in {}", (s.num(1, 900), s.kb_package, s.ms)),
    ("Info CBS", "Appl: package {} is applicable, disposition staged", (s.kb_package,)),
    ("Info CBS", "Appl: package {} is not applicable, disposition absent", (s.kb_package,)),
    (
        "Info CSI",
        "{}@{}/{}/{}:{}.{} Store transaction 0x{} opened with {} pending operations",
        (
            s.hexn(8),
            s.num(2020, 2024),
            s.num(1, 12),
            s.num(1, 28),
            h.hms,
            s.num(0, 999),
            s.hexn(10),
            s.num(0, 99),
        ),
    ),
    (
        "Warning CBS",
        "Failed to resolve package {} [HRESULT = 0x{} - CBS_E_INVALID_PACKAGE]",
        (s.kb_package, s.hexn(8)),
    ),
    (
        "Error CBS",
        "Failed to open file {} [HRESULT = 0x{} - ERROR_SHARING_VIOLATION]",
        (s.win_path, s.hexn(8)),
    ),
    (
        "Info CBS",
        "Scavenge: {} of {} components removed, {} reclaimed",
        (s.num(0, 500), s.num(500, 9000), s.size),
    ),
    (
        "Info CBS",
        "Exec: package {} moved from state {} to state {}",
        (s.kb_package, s.num(0, 112), s.num(0, 112)),
    ),
    ("Info CBS", "Starting TrustedInstaller finalization.", ()),
    ("Info CBS", "Ending TrustedInstaller finalization.", ()),
    (
        "Info CSI",
        "Perf: {} files hashed in {}, {} mismatches",
        (s.num(0, 99999), s.ms, s.num(0, 9)),
    ),
    ("Info CBS", "NonStart: checking for pending operations, found {}", (s.num(0, 9),)),
    (
        "Info CBS",
        "Reboot mark refs: {}, session {}",
        (s.num(0, 9), s.glued("", 30000000, 39999999)),
    ),
]


MAC: list[Event] = [
    ("kernel", "{}: link up at {} Mbps, full duplex", (s.glued("en", 0, 4), s.pick("100", "1000"))),
    ("kernel", "{}: link down", (s.glued("en", 0, 4),)),
    (
        "kernel",
        "Sandbox: {}({}) deny(1) file-write-create {}",
        (s.program, s.num(50, 9999), s.unix_path),
    ),
    (
        "kernel",
        "wl0: wake reason {}, packet len {} at {}",
        (s.num(1, 40), s.num(40, 1500), s.dec(1000, 99999, 6)),
    ),
    (
        "Photo Import Agent",
        "imported {} assets from {} in {}",
        (s.num(1, 900), s.quoted_name, s.secs),
    ),
    ("locationd", "client {} authorization changed to {}", (s.package, s.num(0, 4))),
    (
        "mdworker",
        "indexed {} items ({}) under {} in {}",
        (s.num(1, 9000), s.size, s.unix_path, s.secs),
    ),
    (
        "WindowServer",
        "display 0x{} mode set to {}x{} @ {}Hz",
        (s.hexn(8), s.num(800, 5120), s.num(600, 2880), s.num(30, 144)),
    ),
    ("launchd", "service {} exited with code {} after {}", (s.package, s.num(1, 255), s.secs)),
    (
        "backupd",
        "backup completed: {} items, {} copied to volume {}",
        (s.num(1, 90000), s.size, s.quoted_name),
    ),
    (
        "cloudd",
        "request {} for container {} failed with error {}",
        (s.uuid, s.package, s.num(1, 9999)),
    ),
    ("bluetoothd", "device {} disconnected, reason 0x{}", (s.hexn(12), s.hexn(2))),
    (
        "powerd",
        "entering sleep, {} assertions held by {}",
        (s.num(0, 9), s.bracket_list(s.program)),
    ),
]


OSLO: list[Event] = [
    (
        "neutron-server INFO neutron.wsgi",
        '{} "GET /v2.0/ports.json?device_id={} HTTP/1.1" status: 200  len: {} time: {}',
        (s.ip, s.uuid, s.num(100, 9000), s.dec(0, 3, 7)),
    ),
    (
        "neutron-server INFO neutron.wsgi",
        '{} "PUT /v2.0/ports/{}.json HTTP/1.1" status: 200  len: {} time: {}',
        (s.ip, s.uuid, s.num(100, 9000), s.dec(0, 3, 7)),
    ),
    (
        "nova-compute INFO nova.compute.claims",
        "[instance: {}] Claim successful on node {}",
        (s.uuid, s.host),
    ),
    (
        "neutron-server INFO neutron.plugins.ml2",
        "Port {} updated with device_owner={} and host_id={}",
        (s.uuid, s.package, s.host),
    ),
    (
        "cinder-volume INFO cinder.volume.manager",
        "Volume {} attached to instance {} at mountpoint {}",
        (s.uuid, s.uuid, s.unix_path),
    ),
    (
        "glance-api INFO glance.api.v2.images",
        "Image {} uploaded: size={} checksum={} ({})",
        (s.uuid, s.num(), s.hexn(32), s.mixed_duration),
    ),
    (
        "nova-compute DEBUG oslo_concurrency.lockutils",
        'Lock "{}" acquired by "{}" :: waited {}s',
        (s.program, s.package, s.dec(0, 9, 3)),
    ),
    (
        "nova-compute DEBUG oslo_concurrency.lockutils",
        'Lock "{}" released by "{}" :: held {}s',
        (s.program, s.package, s.dec(0, 9, 3)),
    ),
    (
        "nova-compute INFO nova.compute.manager",
        "Synced {} instances from the database with {} on the hypervisor",
        (s.num(0, 99), s.num(0, 99)),
    ),
    (
        "nova-scheduler DEBUG nova.scheduler.filters",
        "Filter {} returned {} hosts of {}",
        (s.klass, s.num(0, 200), s.num(0, 200)),
    ),
    (
        "nova-api INFO nova.quota",
        "Quota usage for project {}: instances={} cores={} ram={}",
        (s.hexn(32), s.num(0, 99), s.num(0, 999), s.num(0, 10**6)),
    ),
    (
        "nova-compute WARNING nova.virt.libvirt",
        "[instance: {}] Timeout waiting for vif plugging callback after {} seconds",
        (s.uuid, s.num(60, 600)),
    ),
]


PROXIFIER: list[Event] = [
    ("target", "open through proxy {} HTTPS", (s.host_port,)),
    ("target", "open through proxy {} SOCKS5", (s.host_port,)),
    ("target", "open directly", ()),
    (
        "target",
        "close, {} bytes ({}) sent, {} bytes ({}) received, lifetime {}",
        (s.num(), s.size, s.num(), s.size, s.pick("<1 sec", "00:01", "02:13", "01:00:07")),
    ),
    (
        "target",
        "close, {} bytes sent, {} bytes received, lifetime {}",
        (s.num(0, 999), s.num(0, 999), s.pick("<1 sec", "00:03")),
    ),
    (
        "target",
        "error : Could not connect through proxy {} - connection timed out after {} sec",
        (s.host_port, s.num(5, 60)),
    ),
    ("target", "matched rule {} action {}", (s.quoted_name, s.glued("Proxy", 1, 9, " "))),
    ("none", "DNS lookup of {} via proxy {} returned {}", (s.host_port, s.host_port, s.ip)),
    ("none", "profile {} loaded with {} rules", (s.quoted_name, s.num(1, 60))),
]


HPC: list[Event] = [
    (
        "hw.thermal temp.warn",
        "Temperature ({}C) exceeds warning threshold on {}",
        (s.num(60, 99), s.glued("cpu", 0, 3)),
    ),
    (
        "net.link link.error",
        "Link errors on port {}: {} retries in {}",
        (s.glued("ib", 0, 3, "/"), s.num(1, 999), s.mixed_duration),
    ),
    (
        "hw.mem ecc.ce",
        "correctable ECC errors on DIMM {}: count {}",
        (s.glued("DIMM_", 0, 15), s.num(1, 9999)),
    ),
    (
        "sched.node node.up",
        "node {} checked in after {} (boot id {})",
        (s.node, s.mixed_duration, s.hexn(12)),
    ),
    (
        "hw.power psu.range",
        "PSU {} voltage {}V out of range [{}V, {}V]",
        (s.num(0, 3), s.dec(10, 14, 2), s.dec(11, 11.5, 1), s.dec(12.5, 13, 1)),
    ),
    (
        "sched.job job.kill",
        "job {} killed: exceeded walltime {}",
        (s.glued("job.", 1, 99999), s.mixed_duration),
    ),
    ("hw.fan fan.speed", "fan {} speed {} RPM", (s.num(0, 7), s.num(1000, 9000))),
    (
        "sched.summary pool.state",
        "{} nodes idle, {} allocated, {} down",
        (s.num(0, 512), s.num(0, 512), s.num(0, 64)),
    ),
    (
        "fs.mount mount.fail",
        "mount of {} failed on {} ({} of {})",
        (s.unix_path, s.node, s.num(1, 5), s.num(5, 9)),
    ),
    (
        "sched.node node.drain",
        "draining nodes {} for maintenance by {}",
        (s.bracket_list(s.node, 1, 5), s.user),
    ),
]


COLLECTED: list[Event] = [
    ("sshd", "login accepted for {} from {} via publickey", (s.user, s.ip)),
    (
        "kernel",
        "[{}] usb {}-{}: new device number {} using {}",
        (s.dec(1, 99999, 6), s.num(1, 4), s.num(1, 8), s.num(1, 99), s.program),
    ),
    ("crond(pam_unix)", "session opened for user {} by (uid={})", (s.user, s.num(0, 999))),
    ("crond(pam_unix)", "session closed for user {}", (s.user,)),
    ("dhcpcd", "lease {} acquired from {} for {} seconds", (s.ip, s.ip, s.num(600, 86400))),
    ("ntpd", "adjusting clock by {} s", (s.dec(-2, 2, 6),)),
    ("postfix/smtpd", "connect from {}[{}]", (s.host, s.ip)),
    (
        "postfix/smtpd",
        "disconnect from {}[{}] commands={}/{}",
        (s.host, s.ip, s.num(0, 9), s.num(0, 9)),
    ),
    (
        "smartd",
        "Device: /dev/{}, temperature changed from {} to {} Celsius",
        (s.pick("sda", "sdb", "sdc"), s.num(20, 60), s.num(20, 60)),
    ),
    (
        "kernel",
        "Out of memory: killed process {} ({}) total-vm:{}kB",
        (s.num(100, 30000), s.program, s.num()),
    ),
]


PIPES: list[Event] = [
    (
        "INFO OrderSvc",
        "order {} placed by {} total={} items={}",
        (s.uuid, s.email, s.dec(1, 999), s.num(1, 20)),
    ),
    (
        "WARN PaymentSvc",
        "payment {} declined: code={} after {}",
        (s.glued("pay_", 1000, 99999), s.num(1, 99), s.ms),
    ),
    ("INFO CacheSvc", "cache hit ratio {} over last {}", (s.percent, s.mixed_duration)),
    (
        "WARN HttpClient",
        "retrying call to {} (attempt {}/{}) after {}",
        (s.url, s.num(1, 5), s.num(5, 9), s.mixed_duration),
    ),
    ("INFO AuthSvc", "user {} logged in from {}", (s.email, s.ip)),
    ("WARN Database", "slow query ({}) on table {}: rows={}", (s.ms, s.klass, s.num())),
    (
        "INFO FeatureSvc",
        "feature flags {} enabled for {}",
        (s.bracket_list(s.single_quoted, 1, 5), s.email),
    ),
    (
        "INFO BatchWorker",
        "processed batch {} with {} records in {}",
        (s.glued("b-", 1, 9999), s.num(), s.secs),
    ),
    (
        "ERROR BatchWorker",
        "batch {} failed at record {}: {} not found",
        (s.glued("b-", 1, 9999), s.num(), s.unix_path),
    ),
]

STYLES: dict[str, tuple[list[Event], Header]] = {
    "logcat": (LOGCAT, h.logcat),
    "cbs": (CBS, h.cbs),
    "mac_syslog": (MAC, h.mac),
    "oslo": (OSLO, h.oslo),
    "proxifier": (PROXIFIER, h.proxifier),
    "hpc_columns": (HPC, h.hpc),
    "collected_syslog": (COLLECTED, h.collected),
    "pipes_app": (PIPES, h.pipes),
}


def generate_style(
    style: str,
    n: int = 2000,
    seed: int = 0,
    styles: dict[str, tuple[list[Event], Header]] | None = None,
) -> tuple[list[str], list[int], list[str]]:
    """``n`` raw lines of ``style`` (of ``styles``, default :data:`STYLES`), the true event of
    each, and the bare messages.

    Event frequencies are skewed (log-normal weights): a few events dominate, some are rare.
    An event whose text is :class:`Rare` gets :data:`RARE_SHARE` of the other events' weight.
    """
    events, header = (STYLES if styles is None else styles)[style]
    rng = random.Random(seed)
    weights = [rng.lognormvariate(0, 1.2) for _ in events]
    rare = [isinstance(text, Rare) for _, text, _ in events]
    common = sum(w for w, r in zip(weights, rare, strict=True) if not r)
    weights = [RARE_SHARE * common if r else w for w, r in zip(weights, rare, strict=True)]
    lines, truth, messages = [], [], []
    for _ in range(n):
        k = rng.choices(range(len(events)), weights)[0]
        source, text, slots = events[k]
        msg = text.format(*(slot(rng) for slot in slots))
        lines.append(header(rng, source, msg))
        truth.append(k)
        messages.append(msg)
    return lines, truth, messages
