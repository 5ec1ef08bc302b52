"""Event tables of the fifteenth set of invented log styles, part 2 of two: ``socks_server``,
``logcat_process``, ``proxy_brackets`` and ``device_setup``. The set, with its record, its
headers and ``FIFTEENTH_STYLES``, is :mod:`tests.warehouse.logs.synthetic_styles_fifteenth`."""

from __future__ import annotations

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_slots_fifteenth import (
    activity,
    clock,
    clock_ms,
    cluster,
    dotted_port,
    driver_date,
    guid,
    hardware_id,
    hex_addr,
    inf_path,
    instance_path,
    oem_inf,
    package,
    section_clock,
    web_path,
)
from tests.warehouse.logs.synthetic_styles import Event, Rare

_DP = dotted_port
SOCKS: list[Event] = [
    ("info", "pass({}): tcp/accept [: {} {}", (s.num(1, 9), _DP, _DP)),
    ("info", "pass({}): tcp/connect [: {} {} -> {} {}", (s.num(1, 9), _DP, _DP, _DP, _DP)),
    (
        "info",
        "pass({}): tcp/connect ]: {} -> {} {} -> {}, {} -> {} {} -> {}: local client closed.  "
        "Session duration: {}s",
        (s.num(1, 9), s.num(), _DP, _DP, s.num(), s.num(), _DP, _DP, s.num(), s.num(0, 9999)),
    ),
    (
        "info",
        "pass({}): tcp/connect ]: {} -> {} {} -> {}, {} -> {} {} -> {}: remote server closed.  "
        "Session duration: {}s",
        (s.num(1, 9), s.num(), _DP, _DP, s.num(), s.num(), _DP, _DP, s.num(), s.num(0, 9999)),
    ),
    ("info", "pass({}): udp/udpassociate [: {} {}", (s.num(1, 9), _DP, _DP)),
    (
        "info",
        "block({}): tcp/accept ]: {} {}: error after reading {} bytes in {} seconds: client "
        "offered no acceptable authentication method",
        (s.num(1, 9), _DP, _DP, s.num(0, 9), s.num(0, 9)),
    ),
    (
        "info",
        "block({}): tcp/connect ]: {} {} -> {} {}: connect to remote host failed: Connection "
        "refused",
        (s.num(1, 9), _DP, _DP, _DP, _DP),
    ),
    (
        "info",
        "block({}): tcp/connect ]: {} {} -> {} {}: connect to remote host failed: Connection "
        "timed out",
        (s.num(1, 9), _DP, _DP, _DP, _DP),
    ),
    (
        "info",
        Rare(
            "block({}): tcp/connect ]: {} {} -> {} {}: connect to remote host failed: Network "
            "is unreachable"
        ),
        (s.num(1, 9), _DP, _DP, _DP, _DP),
    ),
    (
        "info",
        "pass({}): tcp/connect -: username%{}@{} {} -> {} {}",
        (s.num(1, 9), s.user, _DP, _DP, _DP, _DP),
    ),
    ("info", Rare("pass({}): tcp/bind [: {} {}"), (s.num(1, 9), _DP, _DP)),
    ("alert", Rare("sockd_accept(): accept(): Too many open files"), ()),
    ("info", Rare("sockd v{} up and running"), (s.version,)),
    ("warning", Rare("checkconfig(): no socks authentication methods enabled"), ()),
    ("info", Rare("received signal {}, exiting"), (s.num(1, 15),)),
    (
        "info",
        "block({}): tcp/accept ]: {} {}: username%{} not authenticated: password mismatch",
        (s.num(1, 9), _DP, _DP, s.user),
    ),
]

PROCESS: list[Event] = [
    (
        "I ActivityManager",
        "Start proc {}:{}/u0a{} for activity {{{}/.{}}}",
        (s.num(1000, 32000), package, s.num(10, 400), package, activity),
    ),
    (
        "I ActivityManager",
        "Displayed {}/.{}: +{}ms",
        (package, activity, s.num(50, 4000)),
    ),
    (
        "I ActivityManager",
        "START u0 {{act=android.intent.action.MAIN cat=[android.intent.category.LAUNCHER] "
        "flg=0x{} cmp={}/.{} bnds=[{},{}][{},{}]}} from uid {}",
        (
            s.hexn(8),
            package,
            activity,
            s.num(0, 1080),
            s.num(0, 2400),
            s.num(0, 1080),
            s.num(0, 2400),
            s.num(1000, 10400),
        ),
    ),
    (
        "W ActivityManager",
        Rare("Activity pause timeout for ActivityRecord{{{} u0 {}/.{} t{}}}"),
        (s.hexn(7), package, activity, s.num(1, 999)),
    ),
    (
        "I ActivityManager",
        "Killing {}:{}/u0a{} (adj {}): empty #{}",
        (s.num(1000, 32000), package, s.num(10, 400), s.num(900, 999), s.num(1, 40)),
    ),
    (
        "D PowerManagerService",
        "updateDisplayPowerStateLocked: mBootCompleted=true, screenBrightness={}, "
        "screenAutoBrightnessAdjustment={}, userActivity=PowerState{{screen={} ts={}}}",
        (s.num(0, 255), s.dec(-1, 1, 2), s.num(0, 3), s.num()),
    ),
    (
        "I WindowManager",
        "Relayout Window{{{} u0 {}/{}.{}}}: viewVisibility={} req={}x{}",
        (s.hexn(7), package, package, activity, s.num(0, 8), s.num(1, 1080), s.num(1, 2400)),
    ),
    (
        "D ConnectivityService",
        "NetworkAgentInfo [WIFI () - {}] validation passed",
        (s.num(100, 999),),
    ),
    (
        "D ConnectivityService",
        "NetworkAgentInfo [MOBILE (LTE) - {}] validation failed",
        (s.num(100, 999),),
    ),
    (
        "I chatty",
        "uid={}({}) {} identical {} lines",
        (s.num(1000, 10400), package, s.glued("Thread-", 1, 40), s.num(1, 99)),
    ),
    ("E BluetoothAdapter", "Bluetooth binder is null", ()),
    ("W BatteryStatsService", Rare("Timeout reading modem stats"), ()),
    (
        "I dex2oat",
        "dex2oat took {}ms (threads: {}) arena alloc={}KB java alloc={}KB",
        (s.num(10, 9000), s.num(1, 8), s.num(1, 99999), s.num(1, 99999)),
    ),
    ("D AudioFlinger", "mixer({}) throttle end: throttle time({})", (hex_addr, s.num(1, 999))),
    (
        "V SettingsProvider",
        "Notifying for {}: content://settings/{}/{}",
        (s.num(0, 10), s.pick("system", "secure", "global"), s.pool("{w}_mode", 0, 20)),
    ),
    (
        "I Choreographer",
        "Skipped {} frames!  The application may be doing too much work on its main thread.",
        (s.num(30, 900),),
    ),
    (
        "W System.err",
        Rare("java.net.SocketTimeoutException: failed to connect to {} (port {}) after {}ms"),
        (s.host, s.num(1, 65535), s.num(1000, 30000)),
    ),
]

PROXY: list[Event] = [
    ("debug connection connection_impl.cc:714", "[C{}] remote close", (s.num(),)),
    (
        "debug connection connection_impl.cc:139",
        "[C{}] closing data_to_write={} type={}",
        (s.num(), s.num(0, 99999), s.num(0, 2)),
    ),
    ("debug connection connection_impl.cc:250", "[C{}] closing socket: {}", (s.num(), s.num(0, 1))),
    ("debug http conn_manager_impl.cc:329", "[C{}] new stream", (s.num(),)),
    (
        "debug http conn_manager_impl.cc:1105",
        "[C{}][S{}] request end stream",
        (s.num(), s.num(10**18, 10**19)),
    ),
    (
        "debug router router.cc:477",
        "[C{}][S{}] cluster '{}' match for URL '{}'",
        (s.num(), s.num(10**18, 10**19), cluster, web_path),
    ),
    (
        "debug router router.cc:685",
        "[C{}][S{}] router decoding headers:",
        (s.num(), s.num(10**18, 10**19)),
    ),
    (
        "debug pool conn_pool_base.cc:118",
        "[C{}] using existing fully connected connection",
        (s.num(),),
    ),
    (
        "debug pool conn_pool_base.cc:265",
        "creating a new connection (connecting={})",
        (s.num(0, 9),),
    ),
    ("debug client codec_client.cc:88", "[C{}] connected", (s.num(),)),
    ("debug client codec_client.cc:60", "[C{}] connecting", (s.num(),)),
    ("info main server.cc:915", Rare("all clusters initialized. initializing init manager"), ()),
    (
        "info upstream cds_api_helper.cc:32",
        "cds: add {} cluster(s), remove {} cluster(s)",
        (s.num(0, 40), s.num(0, 40)),
    ),
    (
        "info upstream cds_api_helper.cc:69",
        "cds: added/updated {} cluster(s), skipped {} unmodified cluster(s)",
        (s.num(0, 40), s.num(0, 40)),
    ),
    (
        "warning config grpc_subscription_impl.cc:126",
        Rare(
            "gRPC config for type.googleapis.com/envoy.config.cluster.v3.Cluster rejected: "
            "Error adding/updating cluster(s) {}: unknown field"
        ),
        (cluster,),
    ),
    (
        "debug hc health_checker_impl.cc:343",
        "[C{}] hc response={} health_flags=/failed_active_hc",
        (s.num(), s.num(500, 504)),
    ),
    (
        "debug hc health_checker_impl.cc:343",
        "[C{}] hc response={} health_flags=healthy",
        (s.num(), s.num(200, 204)),
    ),
    (
        "access",
        '"GET {} HTTP/1.1" {} - 0 {} {} {} "{}" "curl/{}" "{}" "{}" "{}"',
        (
            web_path,
            s.num(200, 404),
            s.num(0, 99999),
            s.num(0, 999),
            s.num(0, 999),
            s.ip,
            s.version,
            s.uuid,
            s.pool("{w}.example.org", 0, 10),
            s.ip_port,
        ),
    ),
    (
        "access",
        '"POST {} HTTP/1.1" {} - {} {} {} {} "{}" "okhttp/{}" "{}" "{}" "{}"',
        (
            web_path,
            s.num(200, 404),
            s.num(0, 99999),
            s.num(0, 99999),
            s.num(0, 999),
            s.num(0, 999),
            s.ip,
            s.version,
            s.uuid,
            s.pool("{w}.example.org", 0, 10),
            s.ip_port,
        ),
    ),
    (
        "access",
        '"GET {} HTTP/1.1" 503 UF 0 {} {} - "{}" "curl/{}" "{}" "{}" "{}"',
        (
            web_path,
            s.num(0, 999),
            s.num(0, 999),
            s.ip,
            s.version,
            s.uuid,
            s.pool("{w}.example.org", 0, 10),
            s.ip_port,
        ),
    ),
    (
        "access",
        Rare('"GET {} HTTP/1.1" 503 UH 0 {} {} - "{}" "curl/{}" "{}" "{}" "-"'),
        (
            web_path,
            s.num(0, 999),
            s.num(0, 999),
            s.ip,
            s.version,
            s.uuid,
            s.pool("{w}.example.org", 0, 10),
        ),
    ),
]

DEVICE_SETUP: list[Event] = [
    (">>>", "[Device Install (Hardware initiated) - {}]", (instance_path,)),
    (">>>", "Section start {}", (section_clock,)),
    ("<<<", "Section end {}", (section_clock,)),
    ("<<<", "[Exit status: SUCCESS]", ()),
    ("<<<", Rare("[Exit status: FAILURE(0x{})]"), (s.hexn(8),)),
    (". dvi", "Searching for hardware ID(s):", ()),
    (". dvi", "     {}", (hardware_id,)),
    (". dvi", "Driver INF Path: {}", (inf_path,)),
    (". dvi", "     Driver INF     - {}", (oem_inf,)),
    (". dvi", "     Class GUID     - {}", (guid,)),
    (". dvi", "     Driver Version - {} {}", (driver_date, s.version)),
    (". dvi", "{{Core Device Install}} {}", (clock_ms,)),
    (
        ". dvi",
        "{{Core Device Install - exit(0x{})}} {}",
        (s.hexn(8), clock_ms),
    ),
    (". ndv", "Install Device: Configuring device ({}). {}", (oem_inf, clock)),
    (". flq", "Copying '{}' to '{}'.", (inf_path, inf_path)),
    (". cpy", "Existing file '{}' remains unchanged.", (inf_path,)),
    (". inf", "Opened INF: '{}' ([strings.{}])", (inf_path, s.hexn(4))),
    (". sto", "Driver package already imported as '{}'.", (oem_inf,)),
    (
        "! dvi",
        "Device not started: Device has problem: 0x{}, problem status: 0x{}.",
        (s.hexn(2), s.hexn(8)),
    ),
    ("!!! dvi", Rare("Default installer: failed!"), ()),
    (
        "!!! sig",
        Rare("Verifying file against specific (valid) catalog failed! (0x{})"),
        (s.hexn(8),),
    ),
    ("! inf", Rare('Could not find include INF file "{}". Error = 0x{}'), (oem_inf, s.hexn(8))),
]
