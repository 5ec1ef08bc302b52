"""Event tables of the eleventh set of invented log styles: ``mac_drivers``, ``system_server``,
``fitness_pipes``, ``wsgi_requests``, ``ras_octal``, ``dism_servicing``, ``proxy_client`` and
``alert_syslog`` (``alert_syslog`` is left out of the set). The set, with its record, its
headers and ``ELEVENTH_STYLES``, is :mod:`tests.warehouse.logs.synthetic_styles_eleventh`."""

from __future__ import annotations

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_slots_eleventh import (
    api_path,
    byte_count,
    cron_command,
    dism_switches,
    dump,
    kb,
    lifetime,
    node_set,
    post_path,
    proxy_chain,
    upper_name,
    words,
)
from tests.warehouse.logs.synthetic_styles import Event, Rare

MAC_KERNEL: list[Event] = [
    (
        "kernel",
        "ARPT: {}: wl0: keepalive armed: period {}s, retries {}, peer {}",
        (s.timer, s.num(5, 120), s.num(1, 9), s.ip),
    ),
    ("kernel", "ARPT: {}: wl0: leaving powersave, beacon miss {}", (s.timer, s.num(0, 40))),
    ("kernel", "ARPT: {}: wl0: entering powersave, beacon miss {}", (s.timer, s.num(0, 40))),
    (
        "kernel",
        "PCIeHotplug<0x{}>::portEvent - route = 0x{} port = {} present = {}",
        (s.hexn(6), s.hexn(2), s.num(1, 8), s.num(0, 1)),
    ),
    ("kernel", "Wake reason: {}", (words(upper_name, 1, 3),)),
    ("kernel", "{}: BSSID changed to {}", (s.glued("en", 0, 2), s.hexn(12))),
    (
        "kernel",
        "hibernate image written: {} pages, {} compressed in {} ms",
        (s.num(10**4, 10**6), s.size, s.num(50, 9000)),
    ),
    ("kernel", "IOPMrootDomain: sleep timer set to {} min", (s.num(1, 180),)),
    ("kernel", "IOPMrootDomain: sleep timer cancelled", ()),
    ("kernel", Rare("Machine check: bank {} status 0x{} logged"), (s.num(0, 9), s.hexn(16))),
    (
        "corebrightnessd",
        "ramp to {} nits over {} ms (ambient {} lux)",
        (s.num(10, 500), s.num(0, 2000), s.dec(0, 3000, 1)),
    ),
    (
        "symptomsd",
        "interface {} scores: {}",
        (s.glued("en", 0, 2), s.bracket_list(s.num(0, 99), 1, 6)),
    ),
]

SYSTEM_SERVER: list[Event] = [
    (
        "I ActivityManager",
        "Start proc {}:{}/{} for service {}",
        (s.num(2000, 30000), s.package, s.glued("u0a", 10, 300), s.klass),
    ),
    (
        "I ActivityManager",
        "Start proc {}:{}/{} for broadcast {}",
        (s.num(2000, 30000), s.package, s.glued("u0a", 10, 300), s.klass),
    ),
    (
        "I ActivityManager",
        "Killing {}:{}/{} (adj {}): empty #{}",
        (s.num(2000, 30000), s.package, s.glued("u0a", 10, 300), s.num(900, 999), s.num(1, 40)),
    ),
    (
        "D PowerManagerService",
        "updateWakeLockSummary: {}",
        (
            dump(
                "PowerState",
                {
                    "screen": s.num(0, 3),
                    "wake": s.num(0, 1),
                    "locks": s.num(0, 40),
                    "dock": s.num(0, 2),
                    "batt": s.percent,
                },
            ),
        ),
    ),
    (
        "V WindowManager",
        "Relayout Window{{{} u0 {}/{}}}: oldVis={} newVis={}",
        (s.hexn(7), s.package, s.package, s.num(0, 8), s.num(0, 8)),
    ),
    (
        "D BroadcastQueue",
        "Delivering {} to {} receivers",
        (
            dump(
                "Intent",
                {
                    "act": s.package,
                    "flg": s.hexn(8, "0x"),
                    "cmp": s.package,
                    "launchParam": s.num(0, 9),
                },
                brace="{}",
            ),
            s.num(1, 60),
        ),
    ),
    (
        "D KeyguardMonitor",
        "onBatteryChanged: level={} plugged={} health={}",
        (s.num(0, 100), s.num(0, 2), s.num(1, 7)),
    ),
    (
        "I DisplayPowerController",
        "Animating brightness: target={}, rate={}",
        (s.num(1, 255), s.dec(0, 2, 3)),
    ),
    (
        "I ConnectivityService",
        "NetworkAgent {} validated={} score={}",
        (s.glued("WIFI-", 100, 999), s.boolean, s.num(0, 100)),
    ),
    (
        "W Watchdog",
        Rare("blocked in monitor {} on thread {} for {}"),
        (s.klass, s.program, s.ms),
    ),
    (
        "V AlarmManager",
        "set alarm type={} when={} window={} tag={}",
        (s.num(0, 3), s.num(10**12, 2 * 10**12), s.num(0, 90000), s.glued("*walarm*:", 1, 99)),
    ),
]

FITNESS: list[Event] = [
    ("Step_LSC", "onStepChanged:{}", (s.num(0, 40000),)),
    (
        "Step_LSC",
        "onWalkMode:{} {} {} {}",
        (s.num(10**12, 2 * 10**12), s.num(0, 40), s.num(0, 1), s.num(0, 9)),
    ),
    (
        "Step_SPUtils",
        "saveDaySteps={}##{}##{}##{}##{}",
        (
            s.num(10**12, 2 * 10**12),
            s.num(0, 40000),
            s.num(0, 10**6),
            s.num(0, 9999),
            s.num(0, 99999),
        ),
    ),
    ("Step_StandCalc", "calcCalories totalCalories={}", (s.num(0, 400000),)),
    ("Step_StandCalc", "calcCalories from cache totalCalories={}", (s.num(0, 400000),)),
    (
        "Step_Report",
        "SUMMARY steps {} kcal {} dist {} active {}",
        (s.num(0, 40000), s.num(0, 9999), s.num(0, 99999), s.num(0, 999)),
    ),
    ("Step_Monitor", "handleBroadcast action:{}", (s.package,)),
    ("Step_Upload", "uploadSensorData size={} ({})", (s.num(1024, 10**7), kb)),
    ("Step_Upload", "upload finished in {}", (s.ms,)),
    ("Step_DB", "getTodayDetailSteps = {}", (s.num(0, 40000),)),
    ("Step_Monitor", Rare("registerSensorListener failed, retry={}"), (s.num(1, 5),)),
    ("Step_DB", "sleepSegments={}", (words(s.num(0, 1440), 1, 6, ";"),)),
]

WSGI: list[Event] = [
    (
        "nova-api INFO nova.osapi_compute.wsgi.server",
        '{} "GET {} HTTP/1.1" status: {} len: {} time: {}',
        (s.ip, api_path, s.pick("200", "203", "404"), s.num(200, 9000), s.dec(0, 3, 7)),
    ),
    (
        "nova-api INFO nova.osapi_compute.wsgi.server",
        '{} "POST {} HTTP/1.1" status: {} len: {} time: {}',
        (s.ip, post_path, s.pick("200", "202"), s.num(200, 9000), s.dec(0, 3, 7)),
    ),
    (
        "nova-api INFO nova.osapi_compute.wsgi.server",
        '{} "DELETE {} HTTP/1.1" status: {} len: {} time: {}',
        (s.ip, api_path, s.pick("204", "404"), s.num(0, 99), s.dec(0, 3, 7)),
    ),
    (
        "nova-compute INFO nova.compute.manager",
        "[instance: {}] Lifecycle change: domain paused",
        (s.uuid,),
    ),
    (
        "nova-compute INFO nova.compute.manager",
        "[instance: {}] Lifecycle change: domain resumed",
        (s.uuid,),
    ),
    (
        "nova-compute INFO nova.compute.manager",
        "[instance: {}] Lifecycle change: domain stopped",
        (s.uuid,),
    ),
    (
        "nova-compute INFO nova.compute.manager",
        "[instance: {}] Spawned the guest in {} seconds.",
        (s.uuid, s.dec(1, 60, 2)),
    ),
    (
        "nova-compute INFO nova.compute.manager",
        "[instance: {}] Spawned the guest in {} seconds after {} retries.",
        (s.uuid, s.dec(1, 60, 2), s.num(1, 5)),
    ),
    (
        "nova-compute INFO nova.compute.resource_tracker",
        "Resource view: name={} ram={}MB used_ram={}MB disk={}GB vcpus={} pci_pools={}",
        (
            s.host,
            s.num(10**4, 10**6),
            s.num(512, 10**5),
            s.num(10, 9000),
            s.num(1, 128),
            s.bracket_list(s.glued("pool", 0, 9), 0, 3),
        ),
    ),
    (
        "nova-compute INFO nova.compute.resource_tracker",
        "Auditing resources for host {} (node: {})",
        (s.host, s.host),
    ),
    (
        "nova-compute ERROR nova.compute.manager",
        Rare("[instance: {}] Cannot reach the image service at {}: {}"),
        (s.uuid, s.url, s.quoted_name),
    ),
]

RAS: list[Event] = [
    (
        "unix.hw state_change.unavailable",
        "Part \\042{}\\042 reported state \\042down\\042 (hw id {})",
        (s.glued("alt", 0, 9), s.num(1000, 9999)),
    ),
    (
        "unix.hw state_change.available",
        "Part \\042{}\\042 reported state \\042up\\042 (hw id {})",
        (s.glued("alt", 0, 9), s.num(1000, 9999)),
    ),
    ("node.boot boot.cmd", "boot command {} sent to {}", (s.num(1, 9999), node_set)),
    (
        "domain.svc svc.ready",
        "Domain {} ready: {} of {} nodes in service",
        (s.glued("D", 0, 63), s.num(0, 256), s.num(256, 512)),
    ),
    (
        "link.err link.retry",
        "Link error on interface \\042{}\\042: {} retries in {}",
        (s.glued("ib", 0, 3), s.num(1, 999), s.mixed_duration),
    ),
    (
        "hw.temp temp.warn",
        "Temperature ({}C) on \\042{}\\042 exceeds threshold",
        (s.num(60, 99), s.glued("cpu", 0, 3)),
    ),
    (
        "hw.psu psu.low",
        "PSU \\042{}\\042 output {}V below limit {}V",
        (s.glued("ps", 0, 3), s.dec(10, 12, 2), s.dec(11.4, 11.6, 1)),
    ),
    (
        "net.conn conn.fail",
        Rare("Network connection failure on node {} (code {})"),
        (s.num(1, 512), s.num(1, 99)),
    ),
    ("sched.job job.done", "job {} finished on {} nodes: {}", (s.num(), s.num(1, 64), node_set)),
]

SERVICING: list[Event] = [
    (
        "Info DISM Provider Store",
        "Loading provider {} - ProviderStore::Load(hr:0x{})",
        (s.klass, s.hexn(1)),
    ),
    ("Info DISM Provider Store", "Found the provider {} at {}", (s.klass, s.win_path)),
    ("Info DISM Package Manager", "Command line switches: {}", (dism_switches,)),
    (
        "Error DISM Package Manager",
        "Failed to get the package {} [HRESULT = 0x{} - CBS_E_NOT_FOUND]",
        (s.kb_package, s.hexn(8)),
    ),
    (
        "Error DISM Package Manager",
        "Failed to get the package {} [HRESULT = 0x{} - CBS_E_INVALID_PACKAGE]",
        (s.kb_package, s.hexn(8)),
    ),
    ("Info DISM Package Manager", "Package {} is being staged", (s.kb_package,)),
    ("Info DISM Package Manager", "Package {} is being installed", (s.kb_package,)),
    ("Info DISM Package Manager", "Enabled features: {}", (words(s.klass, 1, 5, ";"),)),
    (
        "Info DISM Image Session",
        "Reading {} of {} payload files ({}), {}% done",
        (s.num(1, 900), s.num(900, 9000), s.size, s.num(0, 100)),
    ),
    (
        "Warning DISM Image Session",
        Rare("Image session {} ended with {} pending operations"),
        (s.uuid, s.num(1, 9)),
    ),
]

PROXY: list[Event] = [
    ("target", "open through proxy {} HTTPS", (s.host_port,)),
    ("target", "open through proxy {} SOCKS5", (s.host_port,)),
    ("target", "open through proxy chain {}", (proxy_chain,)),
    (
        "target",
        "close, {} bytes ({}) sent, {} bytes ({}) received, lifetime {}",
        (byte_count, kb, byte_count, kb, lifetime),
    ),
    (
        "target",
        "close, {} bytes sent, {} bytes received, lifetime {}",
        (s.num(0, 1023), s.num(0, 1023), lifetime),
    ),
    (
        "target",
        "close, {} bytes sent, {} bytes ({}) received, lifetime {}",
        (s.num(0, 1023), byte_count, kb, lifetime),
    ),
    (
        "target",
        "error : Could not connect through proxy {} - the proxy refused the target, status {}",
        (s.host_port, s.num(400, 599)),
    ),
    ("target", "error : Could not resolve {} through proxy {}", (s.host_port, s.host_port)),
    ("none", "traffic summary: {} connections, {} sent, {} received", (s.num(1, 9999), kb, kb)),
    ("none", Rare("rule set {} reloaded"), (s.quoted_name,)),
]

ALERT_SYSLOG: list[Event] = [
    (
        "kernel",
        "{}: link up, {} Mbps, full-duplex",
        (s.glued("eth", 0, 3), s.pick("100", "1000", "10000")),
    ),
    ("kernel", "{}: link down", (s.glued("eth", 0, 3),)),
    (
        "kernel",
        'XFS ({}): metadata I/O error: block 0x{} ("{}") error {} numblks {}',
        (s.glued("sd", 0, 9), s.hexn(6), s.program, s.num(1, 120), s.num(1, 64)),
    ),
    ("crond", "({}) CMD ({})", (s.user, cron_command)),
    ("ntpd", "synchronized to {}, stratum {}", (s.ip, s.num(1, 15))),
    ("ntpd", "kernel time sync status change {}", (s.hexn(4),)),
    (
        "pbs_mom",
        "job {} exited with status {} after {}",
        (s.glued("", 1000, 99999), s.num(0, 255), s.mixed_duration),
    ),
    ("ib_sm", "sweep {}: no fabric change", (s.num(1, 99999),)),
    ("ib_sm", "sweep {}: fabric change, {} ports updated", (s.num(1, 99999), s.num(1, 64))),
    ("kernel", "{}: Temperature above threshold, cpu clock throttled", (s.glued("CPU", 0, 15),)),
    (
        "postfix/qmgr",
        "{}: from=<{}>, size={}, nrcpt={} (queue active)",
        (s.hexn(10), s.email, s.num(200, 90000), s.num(1, 9)),
    ),
    ("kernel", Rare("Machine check events logged"), ()),
]
