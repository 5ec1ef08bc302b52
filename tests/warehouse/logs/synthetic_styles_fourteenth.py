"""A fourteenth set of invented log styles, held out from every fix before it: appliances and
agents whose values come in many number formats and often read as words.

Same rules as :mod:`tests.warehouse.logs.synthetic_styles`, with the header layouts here: a
hypervisor's ``vmkernel`` (``yyyy-mm-ddThh:mm:ss.msZ cpuN:world)Module: message``), a load
balancer's health checks behind BSD syslog, a VPN concentrator's ``Mon dd yyyy hh:mm:ss:
%ASA-level-id: message`` (the message id is header), a print server's ``error_log`` (``L
[dd/Mon/yyyy:hh:mm:ss +zone] message``), a smart-home hub's ``date time.ms LEVEL (thread)
[logger] message``, a storage array's event log (``Wed Apr 02 10:11:12 +0200 [node:
event.name:severity]: message``), a backup director's job log (``dd-Mon hh:mm daemon JobId N:
message``) and a satellite ground station's ``yyyy-dddThh:mm:ss.msZ [subsystem] message``
(day of the year).

Between them the messages hold: values that are the only difference between events of one
length and come from a mid-sized set of names (five to thirty printers, backends, volumes,
antennas: open sets, so slots); events of one program the same but for one closed-set word near
the end (``state changed to idle``/``stopped``, ``TCP FINs``/``TCP Reset-I``, ``acknowledged``
/``rejected``); numbers in many formats (``1,234,567``, ``1.2e-05``, ``0x1F``, ``85%``,
``3/8``, ``10-20``, ``-3.5``); values that read as words (user names, host names and volume
labels with no digits, a media player's input); messages of twenty to forty words and of one.

First scores, before any fix (mean of seeds 0-2; drain3 on the bare messages in brackets):
1.00 for the vmkernel (0.83), 0.81 for the health checks (0.78), 1.00 for the VPN concentrator
(0.43), 1.00 for the print server (0.44), 0.76 for the smart-home hub (0.71), 1.00 for the
storage array (0.97), 1.00 for the backup director (0.93), 1.00 for the ground station (0.61).
These are scored after fixture errors were put right: a command, a broker's error text and a
drive's error text written as slots (closed sets, now one event each). Fixed by one rule: a
token wholly in parentheses after the level (a thread, ``(MainThread)``) is header, as a
bracketed ``[thread]`` is (the smart-home hub, 1.00).

The health checks were left out at 0.81: a message of a load balancer opens on a backend and
server glued to a colon (``be_kavo/mita: weight changed from {} to {}``), the name was kept as
text, so the event split by server, as the thirteenth set's ``{}.service: Deactivated
successfully.`` did. Fixed later by one rule: a first word that is a name glued to a colon joins
a template of its length whose other words all agree (a label of a few words is split back out
by refinement); the health checks score 1.00 and are back in the set.

No line is copied from any dataset.
"""

from __future__ import annotations

import random

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_headers import _MONTHS, hms, iso_day
from tests.warehouse.logs.synthetic_styles import Event, Header, Rare, Slot

# -- slots -----------------------------------------------------------------------------------


def thousands(lo: int = 1000, hi: int = 10**9) -> Slot:
    return lambda r: f"{r.randint(lo, hi):,}"


def sci(r: random.Random) -> str:
    return f"{r.uniform(1, 9.99):.2f}e-{r.randint(3, 9):02d}"


def hex0x(n: int = 4) -> Slot:
    return lambda r: f"0x{r.getrandbits(4 * n):X}"


def ratio(hi: int = 8) -> Slot:
    def draw(r: random.Random) -> str:
        total = r.randint(1, hi)
        return f"{r.randint(0, total)}/{total}"

    return draw


def span(lo: int = 0, hi: int = 500) -> Slot:
    def draw(r: random.Random) -> str:
        a = r.randint(lo, hi)
        return f"{a}-{a + r.randint(1, 99)}"

    return draw


def clock(r: random.Random) -> str:
    """A duration ``h:mm:ss``."""
    return f"{r.randint(0, 23)}:{r.randint(0, 59):02d}:{r.randint(0, 59):02d}"


def naa(r: random.Random) -> str:
    return f"naa.{r.getrandbits(128):032x}"


def hba_path(r: random.Random) -> str:
    return f"vmhba{r.randint(0, 4)}:C0:T{r.randint(0, 7)}:L{r.randint(0, 63)}"


def job_name(r: random.Random) -> str:
    stamp = f"{iso_day(r)}_{hms(r).replace(':', '.')}"
    return f"{backup_job(r)}.{stamp}_{r.randint(1, 99):02d}"


datastore = s.pool("{W}Store", 0, 12)
heap = s.pool("{w}Heap", 12, 8)
vm = s.pool("{w}-{w}vm", 20, 20)
lb_host = s.pool("lb-{w}", 5, 6)
backend = s.pool("be_{w}", 10, 9)
server = s.pool("{w}", 0, 25)
group = s.pool("{W}Staff", 3, 14)
nameif = s.pool("{w}", 25, 7)
printer = s.pool("{W}_Laser", 8, 16)
cups_filter = s.pool("{w}topdf", 14, 10)
integration = s.pool("{w}", 2, 22)
entity = s.pool("sensor.{w}_temperature", 6, 18)
player_source = s.pool("{W}", 15, 12)
scene = s.pool("scene.{w}", 18, 10)
volume = s.pool("vol_{w}", 0, 20)
vserver = s.pool("svm_{w}", 30, 6)
aggregate = s.pool("aggr_{w}", 22, 8)
backup_job = s.pool("{W}Save", 9, 10)
tape_volume = s.pool("{W}", 4, 28)
device = s.pool("{W}Drive", 27, 6)
client = s.pool("{w}-fd", 1, 15)
satellite = s.pool("{W}Sat", 11, 20)
antenna = s.pool("{W}Dish", 33, 5)
command = s.pool("{W}", 19, 18)


disk = s.glued("1.0.", 0, 23)


def _ws(r: random.Random) -> str:
    return f"{r.uniform(0.5, 40):.1f}"


# -- headers ---------------------------------------------------------------------------------


def vmkernel(r: random.Random, source: str, msg: str) -> str:
    """``yyyy-mm-ddThh:mm:ss.msZ cpuN:world)Module: message``."""
    t = f"{iso_day(r)}T{hms(r)}.{r.randint(0, 999):03d}Z"
    return f"{t} cpu{r.randint(0, 63)}:{r.randint(2097152, 2299999)}){source}: {msg}"


def balancer(r: random.Random, source: str, msg: str) -> str:
    """``Mon dd hh:mm:ss host haproxy[pid]: message``."""
    day = f"{r.choice(_MONTHS)} {r.randint(1, 28):>2}"
    return f"{day} {hms(r)} {lb_host(r)} {source}[{r.randint(300, 65000)}]: {msg}"


def asa(r: random.Random, source: str, msg: str) -> str:
    """``Mon dd yyyy hh:mm:ss: %ASA-level-id: message``."""
    day = f"{r.choice(_MONTHS)} {r.randint(1, 28):02d} 2025"
    return f"{day} {hms(r)}: %ASA-{source}: {msg}"


def cups(r: random.Random, source: str, msg: str) -> str:
    """``L [dd/Mon/yyyy:hh:mm:ss +zone] message``."""
    t = f"{r.randint(1, 28):02d}/{r.choice(_MONTHS)}/2025:{hms(r)} +0200"
    return f"{source} [{t}] {msg}"


def hub(r: random.Random, source: str, msg: str) -> str:
    """``yyyy-mm-dd hh:mm:ss.ms LEVEL (thread) [logger] message``."""
    level, logger = source.split(" ")
    thread = r.choice(("MainThread", "MainThread", f"SyncWorker_{r.randint(0, 9)}", "Recorder"))
    return f"{iso_day(r)} {hms(r)}.{r.randint(0, 999):03d} {level} ({thread}) [{logger}] {msg}"


def ems(r: random.Random, source: str, msg: str) -> str:
    """``Wed Apr 02 10:11:12 +0200 [node: event.name:severity]: message``."""
    day = r.choice(("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"))
    t = f"{day} {r.choice(_MONTHS)} {r.randint(1, 28):02d} {hms(r)} +0200"
    return f"{t} [{r.choice(('nas-a-01', 'nas-a-02', 'nas-b-01', 'nas-b-02'))}: {source}]: {msg}"


def bacula(r: random.Random, source: str, msg: str) -> str:
    """``dd-Mon hh:mm daemon JobId N: message``."""
    daemon = client(r) if source == "fd" else f"backup-{source}"
    t = f"{r.randint(1, 28):02d}-{r.choice(_MONTHS)} {hms(r)[:5]}"
    return f"{t} {daemon} JobId {r.randint(1, 99999)}: {msg}"


def ground_station(r: random.Random, source: str, msg: str) -> str:
    """``yyyy-dddThh:mm:ss.msZ [subsystem] message``."""
    return f"2025-{r.randint(1, 365):03d}T{hms(r)}.{r.randint(0, 999):03d}Z [{source}] {msg}"


# -- events ----------------------------------------------------------------------------------

HYPERVISOR: list[Event] = [
    (
        "NMP",
        'nmp_ThrottleLogForDevice:{}: Cmd 0x{} ({}) to dev "{}" on path "{}" Failed: '
        "H:0x0 D:0x{} P:0x0 Invalid sense data: 0x{} 0x{} 0x{}.",
        (
            s.num(3000, 3999),
            s.hexn(2),
            hex0x(8),
            naa,
            hba_path,
            s.hexn(1),
            s.hexn(2),
            s.hexn(2),
            s.hexn(2),
        ),
    ),
    (
        "ScsiDeviceIO",
        'SCSIDeviceCmdTimedOut:{}: Cmd 0x{} to device "{}" timed out after {} ms',
        (s.num(2000, 2999), s.hexn(2), naa, s.num(1000, 60000)),
    ),
    (
        "Vol3",
        "JournalAllocateBlocks:{}: Failed to allocate {} blocks on volume '{}': "
        "No space left on device",
        (s.num(100, 999), thousands(1, 100000), datastore),
    ),
    (
        "HBX",
        "FS3_Heartbeat:{}: Lost heartbeat on '{}' for {} seconds",
        (s.num(100, 999), datastore, s.num(1, 90)),
    ),
    ("HBX", Rare("FS3_Heartbeat:{}: Regained heartbeat on '{}'"), (s.num(100, 999), datastore)),
    ("NetPort", "Port {} link state changed to up", (hex0x(8),)),
    ("NetPort", "Port {} link state changed to down", (hex0x(8),)),
    (
        "vmnic",
        "{}: NIC Link is Up {} Mbps",
        (s.glued("vmnic", 0, 7), s.pick("1000", "10000", "25000")),
    ),
    ("vmnic", Rare("{}: NIC Link is Down"), (s.glued("vmnic", 0, 7),)),
    (
        "Migrate",
        "VMotion {}: precopy of {} done, {} of {} pages sent ({}%)",
        (s.num(10**12, 10**13), vm, thousands(1000, 10**7), thousands(1000, 10**7), s.percent),
    ),
    ("Heap", Rare("Heap {} already at its maximum size. Cannot expand."), (heap,)),
    (
        "CpuSched",
        "World {} ({}) exceeded its CPU limit, ready time {}%",
        (s.num(2097152, 2299999), vm, s.dec(0, 60, 1)),
    ),
    ("StorageApdHandler", "Device {} has {} paths active", (naa, ratio(8))),
    (
        "NUMA",
        "rebalance of {} worlds, imbalance {} after {} migrations",
        (s.num(1, 400), sci, s.num(0, 99)),
    ),
    ("Tcpip", Rare("Initialized"), ()),
    (
        "WARNING: Hbr",
        Rare(
            "Replication of disk {} for virtual machine {} has fallen behind its recovery point "
            "objective by {} seconds because the link to the replica site is saturated; the "
            "next sync will start in {} seconds"
        ),
        (s.num(0, 15), vm, s.num(60, 9000), s.num(1, 600)),
    ),
    (
        "Power",
        "PowerPolicy: CPU {} frequency set to {} MHz, temperature {} C",
        (s.num(0, 63), s.num(800, 3600), s.dec(-10, 95, 1)),
    ),
    (
        "VSCSI",
        "Reset request on handle {} from world {}",
        (s.num(8192, 9999), s.num(2097152, 2299999)),
    ),
    (
        "VSCSI",
        Rare("Completed reset on handle {} ({} outstanding commands)"),
        (s.num(8192, 9999), s.num(0, 64)),
    ),
]

BALANCER: list[Event] = [
    (
        "haproxy",
        "Health check for server {}/{} succeeded, reason: Layer7 check passed, code: 200, "
        "check duration: {}ms, status: {} UP.",
        (backend, server, s.num(0, 900), ratio(3)),
    ),
    (
        "haproxy",
        "Health check for server {}/{} failed, reason: Layer4 timeout, check duration: {}ms, "
        "status: {} DOWN.",
        (backend, server, s.num(1000, 3000), ratio(3)),
    ),
    (
        "haproxy",
        "Health check for server {}/{} failed, reason: Layer4 connection problem, info: "
        '"Connection refused", check duration: {}ms, status: {} DOWN.',
        (backend, server, s.num(0, 50), ratio(3)),
    ),
    (
        "haproxy",
        Rare(
            "Health check for server {}/{} failed, reason: Layer7 wrong status, code: {}, info: "
            '"Service Unavailable", check duration: {}ms, status: {} UP.'
        ),
        (backend, server, s.pick("500", "502", "503"), s.num(0, 900), ratio(3)),
    ),
    (
        "haproxy",
        "Server {}/{} is DOWN, reason: Layer4 timeout, check duration: {}ms. {} active and {} "
        "backup servers left. {} sessions active, {} requeued, {} remaining in queue.",
        (
            backend,
            server,
            s.num(1000, 3000),
            s.num(0, 9),
            s.num(0, 2),
            s.num(0, 500),
            s.num(0, 50),
            s.num(0, 50),
        ),
    ),
    (
        "haproxy",
        "Server {}/{} is UP, reason: Layer7 check passed, code: 200, check duration: {}ms. {} "
        "active and {} backup servers online. {} sessions requeued, {} total in queue.",
        (backend, server, s.num(0, 900), s.num(1, 9), s.num(0, 2), s.num(0, 50), s.num(0, 50)),
    ),
    ("haproxy", Rare("backend {} has no server available!"), (backend,)),
    (
        "haproxy",
        Rare("Server {}/{} is going DOWN for maintenance. {} active and {} backup servers left."),
        (backend, server, s.num(0, 9), s.num(0, 2)),
    ),
    ("haproxy", Rare("Server {}/{} was DOWN and now enters maintenance."), (backend, server)),
    ("haproxy", "Proxy {} started.", (backend,)),
    (
        "haproxy",
        Rare("Proxy {} stopped (cumulated conns: FE: {}, BE: {})."),
        (backend, s.num(), s.num()),
    ),
    ("haproxy", Rare("Stopping backend {} in {} ms."), (backend, s.num(0, 5000))),
    (
        "haproxy",
        "Server {}/{} changed its IP from {} to {} by DNS cache.",
        (backend, server, s.ip, s.ip),
    ),
    (
        "haproxy",
        'Agent check for server {}/{} succeeded, reason: Layer7 check passed, info: "{}", '
        "check duration: {}ms, status: {} UP.",
        (backend, server, s.percent, s.num(0, 900), ratio(3)),
    ),
    (
        "haproxy",
        "{}/{}: weight changed from {} to {}",
        (backend, server, s.num(0, 256), s.num(0, 256)),
    ),
    ("haproxy", Rare("Loading success."), ()),
    ("keepalived", "VRRP_Instance({}) Entering MASTER STATE", (s.glued("VI_", 1, 9),)),
    ("keepalived", "VRRP_Instance({}) Entering BACKUP STATE", (s.glued("VI_", 1, 9),)),
    ("keepalived", Rare("VRRP_Instance({}) Entering FAULT STATE"), (s.glued("VI_", 1, 9),)),
]

CONCENTRATOR: list[Event] = [
    (
        "6-302013",
        "Built inbound TCP connection {} for outside:{}/{} ({}/{}) to inside:{}/{} ({}/{})",
        (
            s.num(),
            s.ip,
            s.num(1024, 65535),
            s.ip,
            s.num(1024, 65535),
            s.ip,
            s.num(1, 9999),
            s.ip,
            s.num(1, 9999),
        ),
    ),
    (
        "6-302014",
        "Teardown TCP connection {} for outside:{}/{} to inside:{}/{} duration {} bytes {} "
        "TCP FINs",
        (s.num(), s.ip, s.num(1024, 65535), s.ip, s.num(1, 9999), clock, s.num()),
    ),
    (
        "6-302014",
        "Teardown TCP connection {} for outside:{}/{} to inside:{}/{} duration {} bytes {} "
        "TCP Reset-I",
        (s.num(), s.ip, s.num(1024, 65535), s.ip, s.num(1, 9999), clock, s.num()),
    ),
    (
        "4-113019",
        "Group = {}, Username = {}, IP = {}, Session disconnected. Session Type: SSL, Duration: "
        "{}, Bytes xmt: {}, Bytes rcv: {}, Reason: User Requested",
        (group, s.user, s.ip, clock, s.num(), s.num()),
    ),
    (
        "4-113019",
        "Group = {}, Username = {}, IP = {}, Session disconnected. Session Type: SSL, Duration: "
        "{}, Bytes xmt: {}, Bytes rcv: {}, Reason: Idle Timeout",
        (group, s.user, s.ip, clock, s.num(), s.num()),
    ),
    ("6-113004", "AAA user authentication Successful : server =  {} : user = {}", (s.ip, s.user)),
    (
        "6-113005",
        "AAA user authentication Rejected : reason = AAA failure : server = {} : user = {} : "
        "user IP = {}",
        (s.ip, s.user, s.ip),
    ),
    (
        "6-722022",
        "Group <{}> User <{}> IP <{}> TCP SVC connection established without compression",
        (group, s.user, s.ip),
    ),
    (
        "6-722023",
        "Group <{}> User <{}> IP <{}> SVC connection terminated without compression",
        (group, s.user, s.ip),
    ),
    (
        "4-722041",
        Rare(
            "TunnelGroup <{}> GroupPolicy <{}> User <{}> IP <{}> No IPv6 address available for "
            "SVC connection"
        ),
        (group, group, s.user, s.ip),
    ),
    (
        "3-713902",
        Rare("Group = {}, IP = {}, Removing peer from peer table failed, no match!"),
        (group, s.ip),
    ),
    # the command is the program's own text, a closed set: one event each
    *(
        ("5-111008", f"User '{{}}' executed the '{c}' command.", (s.user,))
        for c in ("write memory", "show vpn-sessiondb", "clear xlate", "copy running-config")
    ),
    (
        "1-105005",
        Rare("(Primary) Lost Failover communications with mate on interface {}"),
        (nameif,),
    ),
    (
        "4-733100",
        Rare(
            "[ Scanning] drop rate-1 exceeded. Current burst rate is {} per second, max "
            "configured rate is {}; Current average rate is {} per second, max configured rate "
            "is {}; Cumulative total count is {}"
        ),
        (s.num(0, 999), s.num(0, 999), s.num(0, 999), s.num(0, 999), s.num()),
    ),
    ("6-609001", "Built local-host {}:{}", (nameif, s.ip)),
    ("6-609002", "Teardown local-host {}:{} duration {}", (nameif, s.ip, clock)),
    (
        "4-106023",
        'Deny tcp src {}:{}/{} dst {}:{}/{} by access-group "{}" [0x{}, 0x0]',
        (
            nameif,
            s.ip,
            s.num(1024, 65535),
            nameif,
            s.ip,
            s.num(1, 9999),
            s.pool("{w}_acl", 10, 8),
            s.hexn(8),
        ),
    ),
    (
        "6-725001",
        "Starting SSL handshake with client {}:{}/{} for TLSv1.2 session.",
        (nameif, s.ip, s.num(1024, 65535)),
    ),
    (
        "6-725002",
        "Device completed SSL handshake with client {}:{}/{}",
        (nameif, s.ip, s.num(1024, 65535)),
    ),
]

PRINT_SERVER: list[Event] = [
    ("I", '[Job {}] Queued on "{}" by "{}".', (s.num(1, 9999), printer, s.user)),
    (
        "D",
        "[Job {}] Started filter /usr/lib/cups/filter/{} (PID {})",
        (s.num(1, 9999), cups_filter, s.num(300, 65000)),
    ),
    (
        "D",
        "[Job {}] Started backend /usr/lib/cups/backend/ipp (PID {})",
        (s.num(1, 9999), s.num(300, 65000)),
    ),
    ("I", "[Job {}] Job completed.", (s.num(1, 9999),)),
    ("I", "[Job {}] Job aborted.", (s.num(1, 9999),)),
    ("I", Rare("[Job {}] Job stopped."), (s.num(1, 9999),)),
    ("D", "[Job {}] Printing page {}, {} complete.", (s.num(1, 9999), s.num(1, 400), s.percent)),
    ("D", "[Job {}] Sent {} bytes...", (s.num(1, 9999), thousands(1000, 10**8))),
    (
        "D",
        "[Client {}] Returning IPP successful-ok for Print-Job (ipp://localhost/printers/{}) "
        "from {}.",
        (s.num(1, 999), printer, s.host),
    ),
    ("I", 'Printer "{}" state changed to idle.', (printer,)),
    ("I", 'Printer "{}" state changed to stopped.', (printer,)),
    ("I", Rare('Printer "{}" state changed to processing.'), (printer,)),
    ("I", "Saving printers.conf...", ()),
    ("D", Rare("Expiring subscriptions..."), ()),
    (
        "E",
        Rare(
            "Unable to open listen socket for address [{}]:631 - Cannot assign requested address."
        ),
        (s.ip,),
    ),
    ("I", Rare("Scheduler shutting down normally."), ()),
    ("W", "[Job {}] Media tray {} empty!", (s.num(1, 9999), s.num(1, 5))),
    ("W", "[Job {}] Toner low: black at {}", (s.num(1, 9999), s.percent)),
    ("W", "[Job {}] Toner low: cyan at {}", (s.num(1, 9999), s.percent)),
    ("I", Rare("Startup"), ()),
    (
        "E",
        Rare(
            "[Job {}] The printer did not respond to the status query within {} seconds; it "
            "may be offline, out of paper or jammed, and the job will be retried in {} seconds."
        ),
        (s.num(1, 9999), s.num(5, 120), s.num(5, 600)),
    ),
    (
        "D",
        "[Job {}] Page {}-{} sent to {} at {} ppm",
        (s.num(1, 9999), s.num(1, 99), s.num(100, 199), printer, s.dec(1, 60, 1)),
    ),
]

HUB: list[Event] = [
    ("INFO homeassistant.setup", "Setting up {}", (integration,)),
    (
        "INFO homeassistant.setup",
        "Setup of domain {} took {} seconds",
        (integration, s.dec(0, 30, 2)),
    ),
    (
        "WARNING homeassistant.helpers.entity",
        "Updating {} {} took longer than the scheduled update interval 0:00:30",
        (integration, entity),
    ),
    (
        "ERROR homeassistant.helpers.update_coordinator",
        "Error fetching {} data: Timeout fetching {} data",
        (integration, integration),
    ),
    (
        "WARNING homeassistant.components.sensor",
        Rare(
            "Entity {} ({}) is using state class measurement which is impossible considering "
            "device class energy it is using; expected state class total or total_increasing; "
            "please report it to the custom integration author"
        ),
        (entity, integration),
    ),
    (
        "INFO homeassistant.components.automation",
        "Triggered by the state of {} at {}",
        (entity, s.dec(-20, 40, 1)),
    ),
    (
        "INFO homeassistant.components.media_player",
        "Media player {} switched source to {}",
        (s.pool("media_player.{w}", 5, 8), player_source),
    ),
    ("INFO homeassistant.components.scene", "Scene {} activated", (scene,)),
    (
        "DEBUG zigpy.zcl",
        "[{}:{}:{}]: failed to read attributes: {}",
        (hex0x(4), s.num(1, 3), hex0x(4), s.bracket_list(hex0x(4))),
    ),
    (
        "DEBUG zigpy.application",
        "Device {} ({}) RSSI {} dBm, LQI {}",
        (hex0x(4), s.host, s.num(-99, -20), s.num(0, 255)),
    ),
    ("WARNING homeassistant.components.zha", "Device {} is unavailable", (s.host,)),
    ("INFO homeassistant.components.zha", "Device {} is available", (s.host,)),
    (
        "INFO homeassistant.components.climate",
        "Thermostat {} set to {} C (range {} C)",
        (s.host, s.dec(5, 30, 1), span(15, 25)),
    ),
    (
        "WARNING homeassistant.components.http.ban",
        Rare("Login attempt or request with invalid authentication from {} ({})."),
        (s.ip, s.host),
    ),
    ("INFO homeassistant.core", Rare("Stopping"), ()),
    (
        "INFO homeassistant.components.recorder",
        "Purged {} states and {} events older than {} days",
        (thousands(0, 10**6), thousands(0, 10**6), s.num(1, 30)),
    ),
    (
        "DEBUG homeassistant.components.energy",
        "Power {} W, energy {} kWh, error {}",
        (s.dec(-500, 5000, 1), s.dec(0, 99999, 3), sci),
    ),
    # the broker's error text is a closed set: one event each
    *(
        ("ERROR homeassistant.components.mqtt", f"Unable to connect to the MQTT broker: {e}", ())
        for e in ("Connection refused", "Timed out", "Network unreachable")
    ),
]

STORAGE: list[Event] = [
    (
        "wafl.vol.autoSize.done:notice",
        "Volume autosize: Automatic grow of volume '{}@vserver:{}' by {} is complete.",
        (volume, vserver, s.glued_size),
    ),
    (
        "wafl.vol.full:alert",
        "Insufficient space on volume {}@vserver:{} to perform operation. {} was requested but "
        "only {} was available.",
        (volume, vserver, s.size, s.size),
    ),
    (
        "wafl.vol.nearlyFull:alert",
        "Volume {}@vserver:{} is nearly full (using or reserving {} of space and {} of inodes).",
        (volume, vserver, s.percent, s.percent),
    ),
    (
        "raid.rg.recons.start:notice",
        "/{}/plex0/rg{}: starting reconstruction, using disk {}",
        (aggregate, s.num(0, 9), disk),
    ),
    (
        "raid.rg.recons.done:notice",
        Rare("/{}/plex0/rg{}: reconstruction completed in {}"),
        (aggregate, s.num(0, 9), clock),
    ),
    # the drive's error text is a closed set: one event each
    *(
        (
            "disk.ioMediumError:error",
            f"Medium error on disk {{}}: op 0x{{}}:{{}} sector {{}} SCSI:medium error - {e} "
            "(0x{} - 0x{} 0x{})",
            (disk, s.hexn(2), s.hexn(8), thousands(0, 10**10), s.hexn(1), s.hexn(2), s.hexn(2)),
        )
        for e in ("Unrecovered read error", "Write error")
    ),
    (
        "fct.port.link:notice",
        "Fibre Channel target adapter {} reported link up.",
        (s.glued("0", 1, 9, ""),),
    ),
    (
        "fct.port.link:notice",
        "Fibre Channel target adapter {} reported link down.",
        (s.glued("0", 1, 9, ""),),
    ),
    ("callhome.battery.low:alert", Rare("Call home for BATTERY_LOW"), ()),
    (
        "sis.op.done:info",
        "Deduplication on volume {}@vserver:{} completed: saved {} bytes ({})",
        (volume, vserver, thousands(), s.percent),
    ),
    (
        "lun.offline:notice",
        "LUN /vol/{}/{} has been taken offline",
        (volume, s.pool("lun_{w}", 3, 12)),
    ),
    (
        "aggr.latency:warning",
        "Aggregate {} latency {} ms exceeded threshold range {} ms",
        (aggregate, s.dec(0, 900, 1), span(5, 50)),
    ),
    ("monitor.cpu:info", "System CPU utilization is {} ({} cores busy)", (s.percent, ratio(32))),
    (
        "nv.battery.status:info",
        "NVRAM battery charge is {}, voltage {} V, temperature {} C",
        (s.percent, s.dec(3, 9, 2), s.dec(-5, 60, 1)),
    ),
    (
        "snapmirror.dst.resyncFailed:error",
        Rare(
            "SnapMirror resync of destination volume {}@vserver:{} from source {}@vserver:{} "
            "failed because the common Snapshot copy could not be found on the source; a new "
            "baseline transfer of {} bytes is required"
        ),
        (volume, vserver, volume, vserver, thousands()),
    ),
    (
        "kern.uptime.filer:info",
        "{} up {} days, {}:{} {} NFS ops, {} CIFS ops",
        (s.num(1, 12), s.num(0, 999), s.num(0, 23), s.num(10, 59), thousands(), thousands()),
    ),
    ("mgmtgwd.rootvol.recovery:alert", Rare("Ready."), ()),
    (
        "snapshot.auto.delete:info",
        "Snapshot {} on volume {}@vserver:{} was deleted to reclaim space ({} freed)",
        (s.glued("hourly.", 0, 23), volume, vserver, s.size),
    ),
]

BACKUP: list[Event] = [
    ("dir", "Start Backup JobId {}, Job={}", (s.num(1, 99999), job_name)),
    ("sd", 'Using Device "{}" to write.', (device,)),
    ("dir", Rare("Sending Accurate information to the FD."), ()),
    ("sd", 'Volume "{}" previously written, moving to end of data.', (tape_volume,)),
    ("sd", 'Ready to append to end of Volume "{}" size={}', (tape_volume, thousands())),
    ("sd", "Elapsed time={}, Transfer rate={} Bytes/second", (clock, thousands(1000, 10**8))),
    (
        "sd",
        'Committing spooled data to Volume "{}". Despooling {} bytes ...',
        (tape_volume, thousands()),
    ),
    ("dir", "Termination: Backup OK", ()),
    ("dir", "Termination: Backup Error", ()),
    ("dir", Rare("Termination: Backup Canceled"), ()),
    (
        "dir",
        Rare("Fatal error: Network error with FD during Backup: ERR=Connection reset by peer"),
        (),
    ),
    ("fd", 'Could not stat "{}": ERR=No such file or directory', (s.unix_path,)),
    (
        "dir",
        Rare('Max Volume jobs={} exceeded. Marking Volume "{}" as Used.'),
        (s.num(1, 20), tape_volume),
    ),
    ("dir", "Pruned {} Jobs for client {} from catalog.", (s.num(0, 99), client)),
    ("sd", Rare('Label "{}" not found on device "{}"'), (tape_volume, device)),
    ("dir", Rare("Prior failed job found in catalog. Upgrading to Full."), ()),
    (
        "dir",
        "Files={} Bytes={} AveBytes/sec={} LastBytes/sec={}",
        (thousands(0, 10**6), thousands(), thousands(), thousands()),
    ),
    ("sd", "Spooling data ...", ()),
    ("fd", "Compression {} of {} bytes, ratio {}", (thousands(), thousands(), s.dec(1, 9, 2))),
    (
        "dir",
        Rare(
            "Job {} is waiting for a mount request on device {}; please mount volume {} or "
            "label a new one in pool {} and enter the mount command in the console"
        ),
        (job_name, device, tape_volume, s.pool("{W}Pool", 7, 5)),
    ),
]

STATION: list[Event] = [
    (
        "SCHED",
        "Pass {} of {} AOS at elevation {} deg, azimuth {} deg",
        (s.num(1, 99999), satellite, s.dec(0, 15, 1), s.dec(0, 360, 1)),
    ),
    (
        "SCHED",
        "Pass {} of {} LOS, {} frames received, {} frames with errors",
        (s.num(1, 99999), satellite, thousands(0, 10**6), thousands(0, 9999)),
    ),
    ("ACU", "Antenna {} slewing to az {} el {}", (antenna, s.dec(0, 360, 2), s.dec(0, 90, 2))),
    ("ACU", "Antenna {} tracking error {} deg exceeds limit", (antenna, s.dec(-2, 2, 3))),
    (
        "RX",
        "Receiver {} locked on {} MHz, Eb/N0 {} dB",
        (s.glued("RX", 1, 6), s.dec(2200, 8500, 3), s.dec(-3, 15, 1)),
    ),
    ("RX", "Receiver {} acquired lock", (s.glued("RX", 1, 6),)),
    ("RX", "Receiver {} lost lock", (s.glued("RX", 1, 6),)),
    ("RX", "Doppler correction {} Hz applied", (s.num(-90000, 90000),)),
    ("FEP", "BER {} over last {} frames", (sci, thousands(1000, 10**6))),
    ("FEP", "Frame sync: {} frames valid", (ratio(4096),)),
    ("FEP", "Telemetry packet APID {} sequence gap {}", (hex0x(3), span(0, 16000))),
    ("FEP", Rare("CRC error in frame {}"), (s.num(),)),
    ("CMD", "Uplink command {} sent to {} (ack pending)", (command, satellite)),
    ("CMD", "Uplink command {} to {} acknowledged", (command, satellite)),
    ("CMD", "Uplink command {} to {} rejected", (command, satellite)),
    ("SCHED", "Schedule: {} passes planned for next {} hours", (s.num(0, 40), s.num(1, 48))),
    ("ACU", Rare("Idle"), ()),
    ("WX", Rare("Wind {} m/s exceeds stow limit, stowing antenna {}"), (_ws, antenna)),
    (
        "SCHED",
        Rare(
            "Pass {} of {} was dropped from the schedule because antenna {} is in maintenance "
            "and no other antenna in view of the spacecraft has a free slot before LOS at {}"
        ),
        (s.num(1, 99999), satellite, antenna, hms),
    ),
    (
        "TLM",
        "{}: battery {} V, bus current {} A, temperature {} C",
        (satellite, s.dec(24, 34, 2), s.dec(-5, 12, 2), s.dec(-40, 60, 1)),
    ),
]

FOURTEENTH_STYLES: dict[str, tuple[list[Event], Header]] = {
    "vmkernel": (HYPERVISOR, vmkernel),
    "vpn_asa": (CONCENTRATOR, asa),
    "cups_error": (PRINT_SERVER, cups),
    "home_hub": (HUB, hub),
    "storage_ems": (STORAGE, ems),
    "backup_jobs": (BACKUP, bacula),
    "ground_station": (STATION, ground_station),
    "lb_health": (BALANCER, balancer),
}
