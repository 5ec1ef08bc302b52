"""Synthetic message families in the styles of kinds of systems we hold no sample of.

Every message below is invented; none is copied from a dataset. A family is a list of events
(a text with ``{}`` slots and one filler per slot) plus a header layout from
:mod:`tests.warehouse.logs.synthetic_formats`; :func:`generate_family` returns raw lines, the
true event of each line and the bare messages (for parsers that are handed the message only).

Ground-truth rule, the same in every family:

- A slot is a variable: a number, id, address, path, host, version, date, or a name drawn from
  an open set (users, programs, packages, components).
- A number with its unit is one variable (``1.2 KB``, ``<1 sec``, ``350ms``).
- A list of values is one variable whatever its length: an event listing one value and the same
  event listing three are one event (a slot may fill several tokens).
- A name of several plain words is one variable, quoted or not (``Living Room``).
- Words from a small closed set (HTTP methods, lifecycle states, protocols) are event text:
  each member is its own event, written out in its own entry.
- A bare name that opens a message is event text, as annotated benchmark logs treat it
  ("syslogd startup succeeded" and "klogd startup succeeded" are two events); a name in
  brackets that opens it (``(alice) ...``) is a variable like any other.
"""

from __future__ import annotations

import random
from collections.abc import Callable

from tests.warehouse.logs import synthetic_formats as fmt
from tests.warehouse.logs.synthetic_slots import (
    _activity,
    _addr,
    _bundle,
    _comp,
    _float,
    _host,
    _hostport,
    _iface,
    _kb,
    _lifetime,
    _list,
    _mac,
    _node,
    _path,
    _phrase,
    _pkg,
    _proc,
    _size,
    _user,
    _uuid,
    _version,
    _win_path,
    _word,
)

Slot = Callable[[random.Random], str]
Event = tuple[str, tuple[Slot, ...]]

_int = fmt._int
_hex = fmt._hex
_ip = fmt._ip
_pick = fmt._pick


def _proxy_app(rng: random.Random, k: int, msg: str) -> str:
    """Proxy-client header: bracketed month.day clock and the program, ``app.exe - ``."""
    h, m, s, _ = fmt._clock(rng)
    app = rng.choice(("mailer", "browser", "updater", "chat", "player", "sync", "game"))
    clock = f"{rng.randint(1, 12):02d}.{rng.randint(1, 28):02d} {h:02d}:{m:02d}:{s:02d}"
    return f"[{clock}] {app}.exe - {msg}"


_PERIODIC = frozenset({13, 14, 15, 16, 18, 19})  # events a timer logs: no request context


def _cloud_service(rng: random.Random, k: int, msg: str) -> str:
    """Service file, clock, pid, level, logger, then a request context in brackets.

    The context is ``[req-<uuid> <user> <project> - - -]`` for events of a request and ``[-]``
    for periodic ones.
    """
    h, m, s, ms = fmt._clock(rng)
    logger = ("api.wsgi.server", "compute.manager", "virt.imagecache")[rng.randrange(3)]
    ctx = (
        "[-]"
        if k in _PERIODIC
        else f"[req-{_uuid(rng)} {rng.getrandbits(128):032x} {rng.getrandbits(128):032x} - - -]"
    )
    return (
        f"svc-api.log.{rng.randint(1, 3)}.2022-01-0{rng.randint(1, 9)}_{h:02d}:{m:02d}:{s:02d} "
        f"2022-01-05 {h:02d}:{m:02d}:{s:02d}.{ms:03d} {rng.randint(1000, 40000)} INFO {logger} "
        f"{ctx} {msg}"
    )


# -- families ------------------------------------------------------------------------------------
DESKTOP_KERNEL: list[Event] = [
    (
        "UsbHubPort<{}>::portEventHandler - route = 0x{} port = {} detached = {}",
        (_addr, _hex(2), _int(0, 15), _int(0, 1)),
    ),
    ("BatteryGauge::sampleCallback - state = 0x{}", (_hex(8),)),
    (
        "HidRouter<{}>(0x{})::dispatchKey - code 0x{} repeat {}",
        (_addr, _hex(1), _hex(2), _int(0, 9)),
    ),
    ("{}: roamed to BSSID {} rssi -{} channel {}", (_iface, _mac, _int(30, 90), _int(1, 165))),
    ("PM response took {} ms ({}, {})", (_int(1, 3000), _int(30, 999), _proc)),
    (
        "hibernate stats: pages = {}, wired = {}, compressed = {}",
        (_int(), _int(), _int()),
    ),
    ("active interfaces changed: {}", (_list(_iface),)),
    ("scheduler deferred job 0x{} of {} by {} seconds", (_hex(6), _bundle, _int(1, 90000))),
    ("kext {} v{} loaded at {} with {} symbols", (_bundle, _version, _addr, _int(10, 9000))),
    ("ARP entry {} on {} moved from {} to {}", (_ip, _iface, _mac, _mac)),
    ("thermal pressure level {} reached, throttling {} cores", (_int(0, 4), _int(1, 16))),
    ("Sandbox: {}({}) deny file-read-data {}", (_proc, _int(50, 9999), _path)),
    (
        "AudioOutput::setVolume - channel {} volume {} dB muted {}",
        (_int(0, 7), _float(-60, 0, 1), _int(0, 1)),
    ),
    ("harvest finished in {}s with {} items", (_float(0, 9, 2), _int(0, 500))),
    (
        "next maintenance wake in {} secs at {} {} +0000",
        (_int(60, 9000), _pick("2024-03-01", "2024-03-02"), _pick("01:02:03", "11:22:33")),
    ),
    ("{}[{}] exited with code {}", (_proc, _int(50, 9999), _int(0, 255))),
    ("DisplayLink::vblank - display {} missed {} frames", (_int(1, 3), _int(1, 60))),
    ("Bluetooth device {} connected with profile HFP", (_phrase,)),
    ("cpus {} parked for thermal reasons", (_list(_int(0, 15), 1, 4, ", "),)),
    ('Setting device name to "{}" for {}', (_phrase, _iface)),
    ("filesystem event stream restarted for volume {} ({} events dropped)", (_path, _int())),
]

CLOUD_API: list[Event] = [
    (
        '{} "GET {} HTTP/1.1" status: {} len: {} time: {}',
        (
            _ip,
            lambda r: r.choice(
                ("/v2/{}/servers/detail", "/v2/{}/flavors", "/v2/{}/servers/{}")
            ).format(f"{r.getrandbits(128):032x}", _uuid(r)),
            _pick("200", "404"),
            _int(100, 9000),
            _float(0, 2, 7),
        ),
    ),
    (
        '{} "POST /v2/{}/os-server-external-events HTTP/1.1" status: {} len: {} time: {}',
        (_ip, _hex(32), _pick("200", "202"), _int(100, 900), _float(0, 2, 7)),
    ),
    (
        '{} "DELETE /v2/{}/servers/{} HTTP/1.1" status: 204 len: {} time: {}',
        (_ip, _hex(32), _uuid, _int(100, 900), _float(0, 2, 7)),
    ),
    ("[instance: {}] VM Started (Lifecycle Event)", (_uuid,)),
    ("[instance: {}] VM Stopped (Lifecycle Event)", (_uuid,)),
    ("[instance: {}] VM Paused (Lifecycle Event)", (_uuid,)),
    ("[instance: {}] VM Resumed (Lifecycle Event)", (_uuid,)),
    ("[instance: {}] Took {} seconds to spawn the instance on the hypervisor.", (_uuid, _float())),
    ("[instance: {}] Took {} seconds to build instance.", (_uuid, _float())),
    (
        "[instance: {}] Attempting claim: memory {} MB, disk {} GB, vcpus {} CPU",
        (_uuid, _int(512, 8192), _int(1, 80), _int(1, 8)),
    ),
    ("[instance: {}] Total memory: {} MB, used: {} MB", (_uuid, _int(), _float(0, 9999, 2))),
    ("[instance: {}] disk limit not specified, defaulting to unlimited", (_uuid,)),
    ("[instance: {}] Instance destroyed successfully.", (_uuid,)),
    ("image {} at ({}): checking", (_uuid, _path)),
    ("Active base files: {}", (_list(_path, 1, 3),)),
    ("Removable base files: {}", (_list(_path, 1, 3),)),
    ("Base or swap file too young to remove: {}", (_path,)),
    (
        "Final resource view: name={} phys_ram={}MB used_ram={}MB phys_disk={}GB used_vcpus={}",
        (_host, _int(), _int(), _int(), _int(0, 64)),
    ),
    ("Auditing locally available compute resources for node {}", (_host,)),
    ("Compute_service record updated for {}:{}", (_host, _host)),
    ("Deleting instance files {}", (_path,)),
]

PROXY: list[Event] = [
    ("{} open through proxy {} HTTPS", (_hostport, _hostport)),
    ("{} open through proxy {} SOCKS5", (_hostport, _hostport)),
    (
        "{} close, {} bytes sent, {} bytes received, lifetime {}",
        (_hostport, _int(), _int(), _lifetime),
    ),
    (
        "{} close, {} bytes ({}) sent, {} bytes ({}) received, lifetime {}",
        (_hostport, _int(), _size, _int(), _size, _lifetime),
    ),
    (
        "{} close, {} bytes sent, {} bytes ({}) received, lifetime {}",
        (_hostport, _int(), _int(), _size, _lifetime),
    ),
    (
        "{} error : Could not connect through proxy {} - Proxy server cannot establish a "
        "connection with the target, status code {}",
        (_hostport, _hostport, _int(400, 599)),
    ),
    ("{} error : A connection request was canceled before the completion.", (_hostport,)),
    (
        "{} error : Could not connect to proxy {} - connection attempt failed with error {}",
        (_hostport, _hostport, _int(10000, 11999)),
    ),
    ("{} resolved to {} via proxy", (_hostport, _ip)),
]

SERVICING: list[Event] = [
    ("Loaded Servicing Stack v{} with Core: {}\\svccore.dll", (_version, _win_path)),
    ("Starting servicing host initialization.", ()),
    ("Ending servicing host finalization.", ()),
    ("Session: {}_{} initialized by client {}.", (_int(10**7, 10**8), _int(), _word)),
    (
        "Read out cached package applicability for package: {}, ApplicableState: {}, "
        "CurrentState:{}",
        (_kb, _int(0, 112), _int(0, 112)),
    ),
    ("Warning: Unrecognized packageExtended attribute.", ()),
    ("Expecting attribute name [HRESULT = 0x{} - SVC_E_MANIFEST_BAD_ITEM]", (_hex(8),)),
    ("Failed to get next element [HRESULT = 0x{} - SVC_E_MANIFEST_BAD_ITEM]", (_hex(8),)),
    (
        "{}@{}/{}/{}:{} StackInit (svc.dll version {}) called (stack {})",
        (
            _hex(8),
            _int(2015, 2024),
            _int(1, 12),
            _int(1, 28),
            lambda r: (
                f"{r.randint(0, 23)}:{r.randint(0, 59)}:{r.randint(0, 59)}.{r.randint(0, 999)}"
            ),
            _version,
            _list(lambda r: f"@0x{r.getrandbits(40):x}", 2, 6),
        ),
    ),
    (
        "Exec: Processing complete. Session: {}_{}, Package: {}, hr: 0x{}",
        (_int(), _int(), _kb, _hex(8)),
    ),
    (
        "SQM: Queued {} file(s) for upload with pattern: {}, flags: 0x{}",
        (_int(0, 9), _win_path, _hex(1)),
    ),
    ("Failed to internally open package. [HRESULT = 0x{} - SVC_E_INVALID_PACKAGE]", (_hex(8),)),
]

# The slots of a wake lock's acquire and release events: id, flags, tag, package, work
# source, uid and pid.
_WAKE_LOCK: tuple[Slot, ...] = (
    _int(10**8, 10**9),
    _hex(1),
    _word,
    _pkg,
    lambda r: f"WorkSource{{{r.randint(1000, 19999)}}}",
    _int(1000, 19999),
    _int(100, 9999),
)

MOBILE: list[Event] = [
    (
        'acquire lock={}, flags=0x{}, tag="{}", name={}, ws={}, uid={}, pid={}',
        _WAKE_LOCK,
    ),
    (
        'release lock={}, flags=0x{}, tag="{}", name={}, ws={}, uid={}, pid={}',
        _WAKE_LOCK,
    ),
    (
        "Skipping AppWindowToken{{{} token=Token{{{} ActivityRecord{{{} u0 {} t{}}}}}}} "
        "-- going to hide",
        (_hex(7), _hex(7), _hex(7), _activity, _int(1, 999)),
    ),
    ("updateUiFlags vis=0x{} mask=0x{} old=0x{} new=0x{}", (_hex(4), _hex(4), _hex(4), _hex(4))),
    ("onStepCountChanged{} total {}", (_int(), _int())),
    ("setBrightnessLevel{} applied after {}ms", (_int(0, 255), _int(1, 900))),
    ("Displayed {}: +{}ms", (_activity, _int(40, 3000))),
    (
        "Start proc {}:{}/u0a{} for service {}/.SyncService",
        (_int(100, 30000), _pkg, _int(1, 300), _pkg),
    ),
    (
        "Killing {}:{}/u0a{} (adj {}): empty #{}",
        (_int(100, 30000), _pkg, _int(1, 300), _int(0, 999), _int(1, 40)),
    ),
    (
        "getRunningAppProcesses: caller {} does not hold REAL_GET_TASKS; limiting output",
        (_int(10000, 19999),),
    ),
    (
        "battery changed: level={} scale=100 temp={} voltage={} plugged={}",
        (_int(0, 100), _int(200, 450), _int(3500, 4400), _int(0, 2)),
    ),
    ("cancel notification pkg={} id={} reason={}", (_pkg, _int(), _int(1, 20))),
    ('wake lock held by tag="{}" for {} ms', (_phrase, _int(1, 9000))),
    ("screen state early={} fully={} after {} ms", (_int(0, 9), _int(0, 9), _int(1, 999))),
    ("visibility of {} changed to GONE", (_activity,)),
    ("visibility of {} changed to VISIBLE", (_activity,)),
]

CLUSTER_RAS: list[Event] = [
    (
        "Component State Change: Component {} is in the unavailable state (HWID={})",
        (_comp, _int(1000, 9999)),
    ),
    (
        "ClusterFileSystem: There is no server for domain {}",
        (lambda r: f"storage{r.randint(1, 999)}",),
    ),
    (
        "Link error on broadcast tree Interconnect-{}T{}:{}:{}:{}",
        (_int(0, 3), _int(0, 99), _int(0, 99), _int(0, 9), _int(0, 9)),
    ),
    ("Fan speeds ( {} {} {} {} {} {} )", tuple(_int(2000, 4000) for _ in range(6))),
    ("Temperature ({}C) exceeds warning threshold", (_int(60, 99),)),
    (
        "NIFF: node {} detected a failed network connection on network {} via interface alt0",
        (_node, _ip),
    ),
    ("boot command issued to {} by {}", (_node, _user)),
    ("{} processes on node {} exited with status {}", (_int(1, 64), _node, _int(0, 255))),
    ("configured out: {}", (_list(_node, 1, 3),)),
    ("nodes {} failed to respond to ping", (_list(_node, 1, 4, ", "),)),
    ("ServerFileSystem: retrying mount of {} ({} of {})", (_path, _int(1, 5), _int(5, 9))),
    ("risk level of {} raised to {} after {} errors", (_node, _int(1, 5), _int(1, 999))),
]

SYSLOG_CLUSTER: list[Event] = [
    ("session opened for user {} by (uid={})", (_user, _int(0, 999))),
    ("session closed for user {}", (_user,)),
    ("({}) CMD (run-parts /etc/cron.{})", (_user, _pick("hourly", "daily", "weekly"))),
    ("synchronized to {}, stratum {}", (_ip, _int(1, 4))),
    ("[fabric_scan.c:{}]: fabric unchanged", (_int(100, 3000),)),
    ("[fabric_scan.c:{}]: {} ports changed state", (_int(100, 3000), _int(1, 40))),
    ("{}: link up, {}Mbps, full-duplex", (lambda r: f"eth{r.randint(0, 3)}", _pick("100", "1000"))),
    ("Accepted publickey for {} from {} port {} ssh2", (_user, _ip, _int(1024, 65535))),
    (
        "pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= "
        "rhost={} user={}",
        (_ip, _user),
    ),
    ("check pass; user unknown", ()),
    (
        "EDAC MC{}: CE page 0x{}, offset 0x{}, grain {}, syndrome 0x{}, row {}, channel {}",
        (_int(0, 3), _hex(5), _hex(3), _int(1, 8), _hex(2), _int(0, 7), _int(0, 1)),
    ),
    ("nss_getpwnam: name '{}' does not map into domain '{}'", (_int(), _host)),
    ("Local disk {} temperature {}C", (lambda r: f"sd{r.choice('abcd')}", _int(20, 70))),
]


def _epoch_ms(r: random.Random) -> str:
    return str(1_500_000_000_000 + r.randint(0, 10**10))


HEALTH_APP: list[Event] = [
    ("onStepCounterChanged {}", (_int(),)),
    ("onSleepStageChanged {}", (_int(0, 4),)),
    ("onReport:{} {} {} {}", (_epoch_ms, _int(), _int(0, 9), _int(0, 9))),
    ("setDailyStepTotals={}##{}##{}##{}##{}", (_epoch_ms, _int(), _int(), _int(), _int())),
    ("getDailyStepTotals = {}##{}##{}##{}##{}", (_epoch_ms, _int(), _int(), _int(), _int())),
    ("REPORT : {} {} {} {}", (_int(), _int(), _float(0, 9999, 1), _int(0, 999))),
    ("flush sensor data", ()),
    ("calculateCalories totalCalories={}", (_int(),)),
    ("processBroadcast action:android.intent.action.SCREEN_ON", ()),
    ("processBroadcast action:android.intent.action.SCREEN_OFF", ()),
    ("screen state unknown, assume screen on", ()),
    ("insertSleepRecord: {} records, first={}", (_int(0, 99), _epoch_ms)),
    ("heart rate {} bpm at {}", (_int(40, 190), _epoch_ms)),
    ("sync to cloud finished, uploaded={} failed={}", (_int(0, 500), _int(0, 9))),
]

# Written after every fix above and never tuned against: a check on styles the fixes did not see.
HELD_OUT: list[Event] = [
    (
        "WIFI: {}: {}: link quality {} noise -{} dBm",
        (_float(1000, 99999, 6), _iface, _int(0, 100), _int(60, 99)),
    ),
    (
        "WIFI: {}: {}: roam scan found {} candidates on {} channels",
        (_float(1000, 99999, 6), _iface, _int(0, 9), _int(1, 40)),
    ),
    ("kernel: {}: Disabling IRQ #{}", (lambda r: f"irq{r.randint(1, 64)}", _int(1, 255))),
    (
        "kernel: ACPI: PCI interrupt for device {} disabled",
        (lambda r: f"0000:{r.randint(0, 9):02d}:{r.randint(0, 31):02x}.{r.randint(0, 7)}",),
    ),
    ("kernel: EXT3-fs: mounted filesystem with ordered data mode.", ()),
    (
        "rpc.mountd: authenticated mount request from {}:{} for {} ({})",
        (_host, _int(600, 1023), _path, _path),
    ),
    (
        "{}@{}/{}/{}:{}:{}:{}.{} CSI Transaction @0x{} initialized for deployment engine "
        "{{{}}} with flags {}",
        (
            _hex(8),
            _int(2015, 2024),
            _int(1, 12),
            _int(1, 28),
            _int(0, 23),
            _int(0, 59),
            _int(0, 59),
            _int(0, 999),
            _hex(10),
            _uuid,
            _int(0, 9),
        ),
    ),
    ('Poqexec successfully registered in [l:{}{{{}}}]"{}"', (_int(10, 40), _int(5, 20), _word)),
    (
        "{}::{} - {} = {}, {} = {}",
        (
            _pick("AppleCamIn"),
            _pick("systemWakeCall"),
            _pick("messageType"),
            lambda r: f"0x{r.getrandbits(32):X}",
            _pick("state"),
            _int(0, 9),
        ),
    ),
    (
        "Error: node {} (rack {}) failed ping {} times, marking {}",
        (_node, _int(1, 40), _int(3, 9), _pick("down")),
    ),
    ("Sent {} bytes in {} packets to {} in {}ms", (_int(), _int(1, 999), _hostport, _int(1, 9999))),
    ("Unable to resolve host {}: Name or service not known", (_host,)),
    ("Failed to start {}.service: Unit {}.service not found.", (_word, _word)),
    ("User {} logged out after {} minutes of inactivity", (_user, _int(1, 600))),
    ("Checking quota for volume {}", (_word,)),
    ("Reached target {}.", (_pick("Sockets", "Timers", "Paths", "Basic", "Network", "Swap"),)),
]

FAMILIES: dict[str, tuple[list[Event], Callable[[random.Random, int, str], str]]] = {
    "desktop_kernel": (DESKTOP_KERNEL, fmt.syslog_host_words),
    "cloud_api": (CLOUD_API, _cloud_service),
    "proxy": (PROXY, _proxy_app),
    "servicing": (SERVICING, fmt.cbs),
    "mobile": (MOBILE, fmt.logcat),
    "cluster_ras": (CLUSTER_RAS, fmt.ras),
    "syslog_cluster": (SYSLOG_CLUSTER, fmt.syslog_extra),
    "health_app": (HEALTH_APP, fmt.pipes),
    "held_out": (HELD_OUT, fmt.syslog_host_words),
}


def generate_family(
    family: str, n: int = 2000, seed: int = 0
) -> tuple[list[str], list[int], list[str]]:
    """``n`` raw lines of ``family``, the true event index of each, and the bare messages.

    Event frequencies are skewed (log-normal weights), as in real logs where a few events
    dominate and some occur a handful of times.
    """
    events, header = FAMILIES[family]
    rng = random.Random(seed)
    weights = [rng.lognormvariate(0, 1.2) for _ in events]
    lines, truth, messages = [], [], []
    for _ in range(n):
        k = rng.choices(range(len(events)), weights)[0]
        text, slots = events[k]
        msg = text.format(*(s(rng) for s in slots))
        lines.append(header(rng, k, msg))
        truth.append(k)
        messages.append(msg)
    return lines, truth, messages
