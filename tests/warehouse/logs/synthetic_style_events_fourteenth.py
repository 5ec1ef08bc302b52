"""Event tables of the fourteenth set of invented log styles, part 1 of two: ``vmkernel``,
``lb_health``, ``vpn_asa`` and ``cups_error``. The set, with its record, its headers and
``FOURTEENTH_STYLES``, is :mod:`tests.warehouse.logs.synthetic_styles_fourteenth`."""

from __future__ import annotations

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_slots_fourteenth import (
    backend,
    clock,
    cups_filter,
    datastore,
    group,
    hba_path,
    heap,
    hex0x,
    naa,
    nameif,
    printer,
    ratio,
    sci,
    server,
    thousands,
    vm,
)
from tests.warehouse.logs.synthetic_styles import Event, Rare

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
