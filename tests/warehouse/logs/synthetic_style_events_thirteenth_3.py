"""Event tables of the thirteenth set of invented log styles, part 3 of three:
``logcat_framework`` and ``router_logread`` (``router_logread`` is left out of the set). The
set, with its record, its headers and ``THIRTEENTH_STYLES``, is
:mod:`tests.warehouse.logs.synthetic_styles_thirteenth`."""

from __future__ import annotations

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_slots_thirteenth import (
    bridge,
    hex0x,
    iface,
    mac,
    pci,
    port,
)
from tests.warehouse.logs.synthetic_styles import Event, Rare

# the slots of the runtime's two GC reports (freed objects and space, free share, heap, pauses)
_GC_SLOTS = (
    s.num(),
    s.glued_size,
    s.num(0, 99),
    s.glued_size,
    s.num(0, 99),
    s.glued_size,
    s.glued_size,
    s.num(10, 999),
    s.dec(1, 900, 3),
)

PHONE: list[Event] = [
    (
        "I ActivityManager",
        "Start proc {}:{}/u0a{} for service {{{}/{}.{}}}",
        (s.num(300, 30000), s.package, s.num(10, 400), s.package, s.package, s.klass),
    ),
    (
        "I ActivityManager",
        Rare("Start proc {}:{}/u0a{} for broadcast {{{}/{}.{}}}"),
        (s.num(300, 30000), s.package, s.num(10, 400), s.package, s.package, s.klass),
    ),
    (
        "I ActivityManager",
        "Killing {}:{}/u0a{} (adj {}): empty #{}",
        (s.num(300, 30000), s.package, s.num(10, 400), s.num(900, 999), s.num(17, 40)),
    ),
    (
        "W ActivityManager",
        Rare("Slow operation: {}ms so far, now at startProcess: done starting proc!"),
        (s.num(50, 900),),
    ),
    (
        "W ActivityManager",
        Rare(
            "Background start not allowed: service Intent {{ act={} cmp={}/.{} }}"
            " to {}/.{} from pid={} uid={} pkg={}"
        ),
        (
            s.package,
            s.package,
            s.klass,
            s.package,
            s.klass,
            s.num(300, 30000),
            s.num(10000, 19999),
            s.package,
        ),
    ),
    ("E ActivityManager", Rare("ANR in {}"), (s.package,)),
    ("I ActivityTaskManager", "Displayed {}/.{}: +{}ms", (s.package, s.klass, s.num(90, 3000))),
    (
        "I ActivityTaskManager",
        Rare("START u0 {{flg=0x{} cmp={}/.{}}} from uid {}"),
        (s.hexn(8), s.package, s.klass, s.num(1000, 19999)),
    ),
    (
        "D WindowManager",
        "finishDrawingWindow: Window{{{} u0 {}/.{}}} mDrawState=DRAW_PENDING",
        (s.hexn(7), s.package, s.klass),
    ),
    (
        "W WindowManager",
        Rare("Exception thrown during dispatchAppVisibility Window{{{} u0 {}}}"),
        (s.hexn(7), s.package),
    ),
    (
        "I PackageManager",
        Rare("Package {} codePath changed from {} to {}; Retaining data"),
        (s.package, s.unix_path, s.unix_path),
    ),
    ("W PackageManager", Rare("Failure retrieving resources for {}"), (s.package,)),
    (
        "D ConnectivityService",
        "NetworkAgentInfo [WIFI () - {}] validation passed",
        (s.num(100, 999),),
    ),
    (
        "D ConnectivityService",
        Rare("NetworkAgentInfo [MOBILE (LTE) - {}] validation failed"),
        (s.num(100, 999),),
    ),
    (
        "D ConnectivityService",
        Rare(
            "requestNetwork for uid/pid:{}/{} asUid: {} activeRequest: null"
            " callbackRequest: {} [NetworkRequest [ REQUEST id={}, [ Capabilities: "
            "INTERNET&NOT_RESTRICTED&TRUSTED Uid: {}]] ]] callback flags: 0 priority: 2147483647"
        ),
        (
            s.num(10000, 19999),
            s.num(300, 30000),
            s.num(10000, 19999),
            s.num(1, 999),
            s.num(1, 999),
            s.num(10000, 19999),
        ),
    ),
    ("D WifiService", "getConnectionInfo uid={}", (s.num(1000, 19999),)),
    (
        "I wpa_supplicant",
        "wlan0: CTRL-EVENT-SIGNAL-CHANGE above=1 signal={} noise={} txrate={}",
        (s.num(-90, -30), s.num(-99, -80), s.num(6000, 866000)),
    ),
    ("I wpa_supplicant", Rare("wlan0: CTRL-EVENT-BSS-ADDED {} {}"), (s.num(0, 99), mac)),
    ("I wpa_supplicant", Rare("wlan0: CTRL-EVENT-BSS-REMOVED {} {}"), (s.num(0, 99), mac)),
    ("D BluetoothAdapter", Rare("isLeEnabled(): ON"), ()),
    ("D BluetoothAdapter", Rare("isLeEnabled(): OFF"), ()),
    (
        "D BluetoothGatt",
        Rare("onClientConnectionState() - status={} clientIf={} device={}"),
        (s.num(0, 133), s.num(1, 20), mac),
    ),
    (
        "I AudioFlinger",
        Rare("AudioFlinger's thread {} tid={} ready to run"),
        (hex0x(12), s.num(300, 30000)),
    ),
    (
        "W AudioTrack",
        "AUDIO_OUTPUT_FLAG_FAST denied by server; frameCount {} -> {}",
        (s.num(0, 960), s.num(960, 4096)),
    ),
    ("E CameraService", Rare('connectHelper: Camera "{}" is already open'), (s.num(0, 3),)),
    (
        "I CameraService",
        Rare(
            'CameraService::connect call (PID {} "{}", camera ID {}) for HAL '
            "version default and Camera API version 2"
        ),
        (s.num(300, 30000), s.package, s.num(0, 3)),
    ),
    (
        "I InputDispatcher",
        Rare(
            "Application is not responding: {}.  It has been {}ms since event,"
            " {}ms since wait started."
        ),
        (s.package, s.num(5000, 9000), s.num(5000, 9000)),
    ),
    (
        "I PowerManagerService",
        "Going to sleep due to power_button (uid {})...",
        (s.num(1000, 1010),),
    ),
    (
        "I PowerManagerService",
        "Waking up from Asleep (uid={} reason={} details={})...",
        (s.num(1000, 1010), s.num(1, 9), s.program),
    ),
    ("I PowerManagerService", Rare("Nap time (uid {})..."), (s.num(1000, 1010),)),
    (
        "D BatteryService",
        Rare(
            "Processing new values: info={{chargerAcOnline={}, "
            "chargerUsbOnline={}, batteryLevel={}, batteryVoltage={}}}"
        ),
        (s.pick("true", "false"), s.pick("true", "false"), s.num(0, 100), s.num(3300, 4400)),
    ),
    (
        "D AlarmManager",
        "set(PendingIntent{{{}: PendingIntentRecord{{{} {} broadcastIntent}}}}) : "
        "type={} triggerAtTime={} win={} tElapsed={} maxElapsed={} interval={} flags=0x{}",
        (
            s.hexn(7),
            s.hexn(7),
            s.package,
            s.num(0, 3),
            s.num(),
            s.num(),
            s.num(),
            s.num(),
            s.num(),
            s.hexn(1),
        ),
    ),
    ("I JobScheduler", Rare("Job {} from {} timed out"), (s.num(1, 9999), s.package)),
    (
        "I chatty",
        "uid={}({}) {} identical {} lines",
        (s.num(1000, 19999), s.program, s.program, s.num(1, 99)),
    ),
    (
        "I Zygote",
        Rare("Process {} exited due to signal {} (Segmentation fault)"),
        (s.num(300, 30000), s.num(6, 11)),
    ),
    ("I Zygote", Rare("Process {} exited cleanly ({})"), (s.num(300, 30000), s.num(0, 255))),
    (
        "F libc",
        Rare(
            "Fatal signal 11 (SIGSEGV), code 1 (SEGV_MAPERR), fault addr {} in tid {} "
            "({}), pid {} ({})"
        ),
        (hex0x(16), s.num(300, 30000), s.program, s.num(300, 30000), s.package),
    ),
    (
        "I art",
        "Background concurrent copying GC freed {}({}) AllocSpace objects, {}({}) LOS "
        "objects, {}% free, {}/{}, paused {}us total {}ms",
        _GC_SLOTS,
    ),
    (
        "I art",
        Rare(
            "Explicit concurrent copying GC freed {}({}) AllocSpace objects, {}({}) LOS "
            "objects, {}% free, {}/{}, paused {}us total {}ms"
        ),
        _GC_SLOTS,
    ),
    (
        "W art",
        Rare("Long monitor contention with owner {} ({}) at {}"),
        (s.glued("Binder:1702_", 1, 20), s.num(300, 30000), s.klass),
    ),
    ("I SurfaceFlinger", Rare("Display {} HWC layers:"), (s.num(0, 9),)),
    (
        "E SurfaceFlinger",
        Rare("Permission Denial: can't access SurfaceFlinger pid={}, uid={}"),
        (s.num(300, 30000), s.num(10000, 19999)),
    ),
    ("D vold", Rare("Disk at {}:{} changed"), (s.num(8, 259), s.num(0, 99))),
    ("I netd", Rare("setProcessNetwork({}) uid={}"), (s.num(100, 999), s.num(10000, 19999))),
    ("W keystore2", Rare("keystore2::error: In get_key_entry: Key not found"), ()),
    ("E GnssHAL", Rare("gnssSvStatusCb: b: input svInfo.flags is {}"), (s.hexn(2),)),
    ("D TelephonyManager", Rare("getNetworkType: networkType={}"), (s.num(0, 20),)),
    ("D RILJ", "[{}]< GET_CURRENT_CALLS {{}} [SUB0]", (s.num(1000, 9999),)),
    (
        "D RILJ",
        Rare("[{}]< SIGNAL_STRENGTH {{{}}} [SUB0]"),
        (s.num(1000, 9999), s.num(-120, -40)),
    ),
    (
        "I NotificationService",
        Rare("Cannot find enqueued record for key: {}"),
        (s.glued("0|", 1, 99999),),
    ),
    (
        "W NotificationService",
        Rare("Toast already killed. pkg={} token={}"),
        (s.package, s.hexn(8)),
    ),
    (
        "I Choreographer",
        "Skipped {} frames!  The application may be doing too much work on its main thread.",
        (s.num(30, 900),),
    ),
    (
        "W OpenGLRenderer",
        Rare("Failed to choose config with EGL_SWAP_BEHAVIOR_PRESERVED, retrying without..."),
        (),
    ),
    (
        "D OpenGLRenderer",
        Rare("endAllActiveAnimators on {} ({}) with handle {}"),
        (hex0x(12), s.klass, hex0x(12)),
    ),
    (
        "I DropBoxManagerService",
        Rare("add tag={} isTagEnabled=true flags={}"),
        (s.program, hex0x(1)),
    ),
    (
        "W Settings",
        Rare(
            "Setting {} has moved from android.provider.Settings.System to "
            "android.provider.Settings.Global."
        ),
        (s.program,),
    ),
    (
        "I Timeline",
        Rare("Timeline: Activity_idle id: android.os.BinderProxy@{} time:{}"),
        (s.hexn(7), s.num(10**6, 10**8)),
    ),
    (
        "E BufferQueueProducer",
        Rare("[SurfaceView - {}/.{}#{}] dequeueBuffer: BufferQueue has been abandoned"),
        (s.package, s.klass, s.num(0, 9)),
    ),
    ("W System", Rare("A resource failed to call close."), ()),
    ("I Process", Rare("Sending signal. PID: {} SIG: 9"), (s.num(300, 30000),)),
    ("I SystemUpdate", Rare("Update check done, 0 updates"), ()),
]

ROUTER: list[Event] = [
    ("daemon.info dnsmasq-dhcp", "DHCPREQUEST(br-lan) {} {}", (s.ip, mac)),
    ("daemon.info dnsmasq-dhcp", "DHCPACK(br-lan) {} {} {}", (s.ip, mac, s.host)),
    ("daemon.info dnsmasq-dhcp", Rare("DHCPNAK(br-lan) {} {} wrong address"), (s.ip, mac)),
    ("daemon.info dnsmasq-dhcp", Rare("DHCPDISCOVER(br-lan) {}"), (mac,)),
    ("daemon.info dnsmasq-dhcp", Rare("DHCPOFFER(br-lan) {} {}"), (s.ip, mac)),
    ("daemon.info dnsmasq", "query[A] {} from {}", (s.host, s.ip)),
    ("daemon.info dnsmasq", "query[AAAA] {} from {}", (s.host, s.ip)),
    ("daemon.info dnsmasq", "forwarded {} to {}", (s.host, s.ip)),
    ("daemon.info dnsmasq", "reply {} is {}", (s.host, s.ip)),
    ("daemon.info dnsmasq", Rare("reply {} is NXDOMAIN"), (s.host,)),
    ("daemon.info dnsmasq", Rare("read /etc/hosts - {} names"), (s.num(1, 9),)),
    ("daemon.info dnsmasq", Rare("using nameserver {}#53"), (s.ip,)),
    ("daemon.warning dnsmasq", Rare("possible DNS-rebind attack detected: {}"), (s.host,)),
    ("daemon.info dnsmasq", Rare("exiting on receipt of SIGTERM"), ()),
    (
        "daemon.notice hostapd",
        "{}: STA {} IEEE 802.11: associated (aid {})",
        (s.glued("phy0-ap", 0, 1), mac, s.num(1, 30)),
    ),
    (
        "daemon.notice hostapd",
        "{}: STA {} IEEE 802.11: disassociated",
        (s.glued("phy0-ap", 0, 1), mac),
    ),
    (
        "daemon.info hostapd",
        "{}: STA {} WPA: pairwise key handshake completed (RSN)",
        (s.glued("phy0-ap", 0, 1), mac),
    ),
    (
        "daemon.info hostapd",
        Rare("{}: STA {} WPA: group key handshake completed (RSN)"),
        (s.glued("phy0-ap", 0, 1), mac),
    ),
    (
        "daemon.info hostapd",
        Rare("{}: STA {} IEEE 802.11: deauthenticated due to inactivity (timer DEAUTH/REMOVE)"),
        (s.glued("phy0-ap", 0, 1), mac),
    ),
    (
        "daemon.notice hostapd",
        Rare("{}: AP-STA-POSSIBLE-PSK-MISMATCH {}"),
        (s.glued("phy0-ap", 0, 1), mac),
    ),
    (
        "daemon.notice hostapd",
        Rare("{}: interface state COUNTRY_UPDATE->ENABLED"),
        (s.glued("phy0-ap", 0, 1),),
    ),
    ("daemon.notice netifd", Rare("Interface '{}' is now up"), (s.pick("wan", "wan6", "lan"),)),
    ("daemon.notice netifd", Rare("Interface '{}' is now down"), (s.pick("wan", "wan6", "lan"),)),
    ("daemon.notice netifd", Rare("Interface '{}' is setting up now"), (s.pick("wan", "wan6"),)),
    ("daemon.notice netifd", Rare("Network device '{}' link is up"), (iface,)),
    ("daemon.notice netifd", Rare("Network device '{}' link is down"), (iface,)),
    (
        "daemon.notice netifd",
        Rare("wan ({}): udhcpc: sending renew to {}"),
        (s.num(300, 9000), s.ip),
    ),
    (
        "daemon.notice netifd",
        Rare("wan ({}): udhcpc: lease of {} obtained, lease time {}"),
        (s.num(300, 9000), s.ip, s.num(600, 86400)),
    ),
    ("daemon.notice odhcpd", Rare("Got a NS for {} on br-lan"), (s.hexn(4),)),
    (
        "daemon.warning odhcpd",
        Rare(
            "A default route is present but there is no public prefix on "
            "lan thus we don't announce a default route by overriding ra_default!"
        ),
        (),
    ),
    ("authpriv.info dropbear", "Child connection from {}:{}", (s.ip, port)),
    (
        "authpriv.notice dropbear",
        "Password auth succeeded for '{}' from {}:{}",
        (s.user, s.ip, port),
    ),
    (
        "authpriv.warn dropbear",
        Rare("Bad password attempt for '{}' from {}:{}"),
        (s.user, s.ip, port),
    ),
    (
        "authpriv.info dropbear",
        Rare("Exit ({}) from <{}:{}>: Disconnect received"),
        (s.user, s.ip, port),
    ),
    (
        "authpriv.info dropbear",
        Rare("Exit before auth from <{}:{}>: Exited normally"),
        (s.ip, port),
    ),
    ("daemon.err uhttpd", Rare("luci: failed login on / for {} from {}"), (s.user, s.ip)),
    ("daemon.info procd", Rare("- init complete -"), ()),
    (
        "user.notice firewall",
        Rare("Reloading firewall due to ifup of {} ({})"),
        (s.pick("wan", "wan6", "lan"), iface),
    ),
    ("daemon.info pppd", Rare("local  IP address {}"), (s.ip,)),
    ("daemon.info pppd", Rare("remote IP address {}"), (s.ip,)),
    ("daemon.notice pppd", Rare("Connection terminated."), ()),
    ("daemon.info pppd", Rare("LCP terminated by peer"), ()),
    (
        "daemon.notice ntpd",
        "ntpd: reply from {}: offset:{} delay:{} status:0x24 strat:{} "
        "refid:0x{} rootdelay:{} reach:0x{}",
        (s.ip, s.dec(-1, 1, 6), s.dec(0, 1, 6), s.num(1, 3), s.hexn(8), s.dec(0, 1, 6), s.hexn(2)),
    ),
    (
        "daemon.notice ntpd",
        Rare("ntpd: setting time to {} (offset {}s)"),
        (s.ip, s.dec(-99, 99, 6)),
    ),
    (
        "daemon.notice miniupnpd",
        Rare("redirecting port {} to {}:{} protocol UDP for: {}"),
        (port, s.ip, port, s.quoted_name),
    ),
    (
        "daemon.notice miniupnpd",
        Rare("redirecting port {} to {}:{} protocol TCP for: {}"),
        (port, s.ip, port, s.quoted_name),
    ),
    (
        "daemon.err collectd",
        Rare(
            "rrdtool plugin: rrd_update_r ({}) failed: {}: illegal attempt "
            "to update using time {} when last update time is {} (minimum one second step)"
        ),
        (s.unix_path, s.unix_path, s.num(), s.num()),
    ),
    ("user.info sysupgrade", Rare("Saving config files..."), ()),
    (
        "kern.info kernel",
        "{}: port {}({}) entered forwarding state",
        (bridge, s.num(1, 4), iface),
    ),
    (
        "kern.info kernel",
        Rare("{}: port {}({}) entered blocking state"),
        (bridge, s.num(1, 4), iface),
    ),
    (
        "kern.info kernel",
        Rare("{}: port {}({}) entered disabled state"),
        (bridge, s.num(1, 4), iface),
    ),
    ("kern.warn kernel", Rare("nf_conntrack: nf_conntrack: table full, dropping packet"), ()),
    (
        "kern.info kernel",
        Rare("mtk_soc_eth {}.ethernet {}: Link is Up - 1Gbps/Full - flow control rx/tx"),
        (s.hexn(8), iface),
    ),
    ("kern.err kernel", Rare("ath10k_pci {}: failed to transmit frame: -{}"), (pci, s.num(1, 120))),
    ("kern.info kernel", Rare("device {} entered promiscuous mode"), (iface,)),
    ("kern.info kernel", Rare("device {} left promiscuous mode"), (iface,)),
    (
        "kern.warn kernel",
        Rare(
            "DROP wan in: IN={} OUT= MAC={} SRC={} DST={} LEN={} TOS=0x00 "
            "PREC=0x00 TTL={} ID={} PROTO=TCP SPT={} DPT={} WINDOW={} RES=0x00 SYN URGP=0"
        ),
        (iface, mac, s.ip, s.ip, s.num(40, 1500), s.num(1, 255), s.num(), port, port, s.num()),
    ),
    ("kern.notice kernel", Rare("random: crng init done"), ()),
    ("cron.err crond", Rare("USER {} pid {} cmd {}"), (s.user, s.num(300, 9000), s.unix_path)),
    ("daemon.info ubusd", Rare("ubus: listening on {}"), (s.unix_path,)),
]
