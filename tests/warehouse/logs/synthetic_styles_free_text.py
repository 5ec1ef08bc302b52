"""macOS- and logcat-style logs of many free-text events, most rare, for the fourth style set.

A desktop's system log holds hundreds of events in a few thousand lines, written by the kernel,
drivers and agents in no common shape: messages led by their own clock or a second
``process[pid/thread]``, double spaces, quoted states, ``key = value`` and ``key: value`` runs,
driver names glued to ``::method``, and several events that share a long prefix. Same rules as
:mod:`tests.warehouse.logs.synthetic_styles`; every class, program and value is invented. The
logcat set adds window-token dumps with nested braces, ``Rect(a, b - c, d)`` values that span
four words, runs of readings, and ``key= value`` spacing.
"""

from __future__ import annotations

import random

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_headers import hms
from tests.warehouse.logs.synthetic_styles import Event


def _stamp(r: random.Random) -> str:
    return f"2024-07-{r.randint(1, 28):02d} {hms(r)}.{r.randint(0, 999):03d}"


def _mac(r: random.Random) -> str:
    return ":".join(f"{r.randrange(256):x}" for _ in range(6))


_IF = s.glued("en", 0, 2)
_P2P = s.glued("p2p", 0, 1)

MAC_FREE: list[Event] = [
    ("kernel", "{}: channel changed to {},+1", (_IF, s.num(1, 165))),
    ("kernel", "AirPort: Link Down on {}. Reason {} (Unspecified).", (_P2P, s.num(1, 8))),
    ("kernel", "AirPort: Link Up on {}", (_P2P,)),
    (
        "kernel",
        "USB Storage Identifier (non-unique): {} 0x{} 0x{} 0x{}, {}",
        (s.num(10**8, 10**9), s.hexn(3), s.hexn(4), s.hexn(3), s.num(1, 4)),
    ),
    ("kernel", "PowerDomain: idle sleep timer expired after {} seconds", (s.num(60, 3600),)),
    ("kernel", "hibernate image path: {}", (s.unix_path,)),
    ("kernel", "hibernate_page_list_setall found pageCount {}", (s.num(10**5, 10**7),)),
    ("kernel", "PM response took {} ms ({}, {})", (s.num(100, 9000), s.program, s.program)),
    (
        "kernel",
        "Sandbox: {}({}) deny(1) mach-lookup {}",
        (s.program, s.num(50, 9999), s.package),
    ),
    ("kernel", "ARPT: {}: wl0: leaveModulePoweredForOffloads: Wi-Fi will stay on.", (s.timer,)),
    (
        "kernel",
        "ARPT: {}: wl0: wl_update_tcpkeep_seq: Original Seq: {}, Ack: {}, Win size: {}",
        (s.timer, s.num(10**6, 4 * 10**9), s.num(10**6, 4 * 10**9), s.num(512, 65535)),
    ),
    (
        "kernel",
        "ARPT: {}: PowerSource Information: onSleep,  SleepType: Normal Sleep,  'en0' TX: {}, "
        "RX: {}",
        (s.timer, s.num(0, 90), s.num(0, 90)),
    ),
    (
        "kernel",
        "HubSwitch<0>(0x0)::listenerCallback - HPD packet for route = 0x{} port = {} unplug = {}",
        (s.hexn(1), s.num(1, 12), s.num(0, 1)),
    ),
    ("kernel", "{}: BSSID changed to {}", (_IF, _mac)),
    (
        "kernel",
        "AwdlPeerManager::setOperatingMode Setting the operation mode from AUTO to SUSPENDED",
        (),
    ),
    (
        "kernel",
        "AwdlPeerManager::setOperatingMode Setting the operation mode from SUSPENDED to AUTO",
        (),
    ),
    (
        "kernel",
        "process {}[{}] caught causing excessive wakeups. Observed wakeups rate (per sec): {}; "
        "Maximum permitted wakeups rate (per sec): 150; Observation period: 300 seconds; "
        "Task lifetime number of wakeups: {}",
        (s.program, s.num(50, 99999), s.num(151, 999), s.num(10**4, 10**7)),
    ),
    ("WindowServer", "DisplayDidWakeNotification [{}]: posting kDisplayDidWake", (s.num(),)),
    ("WindowServer", "handle_will_sleep_auth_and_shield_windows: no lock state data", ()),
    (
        "Browser Helper",
        "Libnotify: notify_register_coalesced_registration failed with code {} on line {}",
        (s.num(1, 9), s.num(100, 9999)),
    ),
    ("Browser Helper", "Couldn't set selectedTextBackgroundColor from default ()", ()),
    (
        "symptomsd",
        "__73-[NetAnalyticsEngine observeValueForKeyPath:ofObject:change:context:]_block_invoke "
        "unexpected switch value {}",
        (s.num(1, 9),),
    ),
    ("locationd", "Location icon should now be in state 'Active'", ()),
    ("locationd", "Location icon should now be in state 'Inactive'", ()),
    (
        "mDNSResponder",
        "mDNS_DeregisterInterface: Frequent transitions for interface {} ({})",
        (_IF, s.ip),
    ),
    ("UserEventAgent", "Captive: CNPluginHandler {}: Authenticated", (_IF,)),
    (
        "UserEventAgent",
        "Captive: [HandleNetworkInformationChanged:{}] Network Change Detected",
        (s.num(100, 9999),),
    ),
    ("configd", "network changed: v4({}:{}) DNS Proxy SMB", (_IF, s.ip)),
    ("configd", "network changed: v4({}-:{}) DNS- Proxy- SMB-", (_IF, s.ip)),
    ("AddressSync", "Unrecognized attribute value: t:PersonItemType", ()),
    (
        "com.lantern.cts",
        "{}: scheduler_evaluate_activity told me to run this job; however, but the start time "
        "isn't for {} seconds.  Ignoring.",
        (s.package, s.num(1, 90000)),
    ),
    (
        "UpdateAgent",
        "{} UpdateAgent[{}/0x{}] [lvl=2] -[UpdateCheck performChecks] {} products checked",
        (_stamp, s.num(100, 9999), s.hexn(12), s.num(1, 9)),
    ),
    (
        "launchd",
        "({}[{}]): Endpoint has been activated through legacy launch(3) APIs. Please switch to "
        "XPC or bootstrap_check_in(): {}",
        (s.package, s.num(100, 99999), s.package),
    ),
    ("loginwindow", "-[SessionAgent screenDidUnlock] screen unlocked by {}", (s.user,)),
]


def _rect(r: random.Random) -> str:
    a, b = r.randint(0, 1440), r.randint(0, 3040)
    return f"Rect({r.randint(0, a)}, {r.randint(0, b)} - {a}, {b})"


def _token(r: random.Random) -> str:
    """A window token dump: nested braces, hex ids, a package activity and a task."""
    act = f"{s.package(r)}/.{s.klass(r)}"
    return (
        f"WinToken{{{s.hexn(7)(r)} token=Token{{{s.hexn(7)(r)} "
        f"ActivityRecord{{{s.hexn(7)(r)} u0 {act} t{r.randint(1, 999)}}}}}}}"
    )


def _readings(r: random.Random) -> str:
    return " ".join(str(r.choice((99, 0, -1, r.randint(-160, -40)))) for _ in range(8))


LOGCAT_FREE: list[Event] = [
    (
        "D WindowCtl",
        "printFreezingDisplayLogsopening app wtoken = {}, allDrawn= {}, startingDisplayed =  {}",
        (_token, s.boolean, s.boolean),
    ),
    ("V WindowCtl", "Skipping {} -- going to hide", (_token,)),
    (
        "V WindowCtl",
        "Relayout {}: viewVisibility={} req={}x{}",
        (_token, s.num(0, 8), s.num(1, 1440), s.num(1, 3040)),
    ),
    (
        "D StatusBar",
        "setSystemUiVisibility vis={} mask={} oldVal={} newVal={} fullscreenStackBounds={} "
        "dockedStackBounds={}",
        (s.hexn(1), s.num(0, 9), s.num(0, 999), s.num(0, 999), _rect, _rect),
    ),
    ("D PowerCtl", 'Acquiring suspend blocker "PowerCtl.Display".', ()),
    ("D PowerCtl", 'Releasing suspend blocker "PowerCtl.Display".', ()),
    (
        "D PowerCtl",
        "userActivityNoUpdateLocked: eventTime={}, event={}, flags=0x{}, uid={}",
        (s.num(10**6, 10**9), s.num(0, 4), s.hexn(1), s.num(1000, 19999)),
    ),
    ("D ClockView", "visible is system.time.showampm", ()),
    ("D ClockView", "visible is system.time.showseconds", ()),
    ("I ActivityCtl", "Displayed {}/.{}: +{}", (s.package, s.klass, s.ms)),
    (
        "I ActivityCtl",
        "Start proc {}:{}/{} for activity {}/.{}",
        (s.num(1000, 32000), s.package, s.glued("u0a", 1, 300), s.package, s.klass),
    ),
    (
        "W ActivityCtl",
        "Unable to start service Intent {{ act={} }} U={}: not found",
        (s.package, s.num(0, 10)),
    ),
    (
        "D SignalCtl",
        "onSignalStrengthsChanged signalStrength=SignalStrength: {} gsm|lte level={}",
        (_readings, s.num(0, 4)),
    ),
    (
        "D BatteryCtl",
        "isPlugged={} level={} temperature={}",
        (s.boolean, s.num(0, 100), s.num(200, 450)),
    ),
    (
        "I InputCtl",
        "dispatchKey: keyCode={} action={} repeatCount={}",
        (s.num(1, 300), s.num(0, 1), s.num(0, 30)),
    ),
    (
        "E SensorCtl",
        "sensor {} activate failed: err={}",
        (s.glued("sensor_", 0, 40), s.num(-99, -1)),
    ),
    (
        "I AudioCtl",
        "stream type {} volume index {} device 0x{}",
        (s.num(0, 10), s.num(0, 15), s.hexn(4)),
    ),
    (
        "D ConnCtl",
        "requestNetwork for uid/pid:{}/{} NetworkRequest [ TRACK_DEFAULT id={}, "
        "[ Capabilities: INTERNET&NOT_RESTRICTED] ]",
        (s.num(1000, 19999), s.num(100, 32000), s.num(1, 999)),
    ),
    (
        "D ConnCtl",
        "releasing NetworkRequest [ TRACK_DEFAULT id={} ] (release request)",
        (s.num(1, 999),),
    ),
    (
        "I AlarmCtl",
        "Alarm {}: type={} when={} {}",
        (s.hexn(7), s.num(0, 3), s.num(10**12, 2 * 10**12), s.package),
    ),
    (
        "W JobCtl",
        "Job {} for {} ran {} over its window",
        (s.glued("#u0a", 1, 300, "/"), s.package, s.secs),
    ),
    (
        "D NotifCtl",
        "cancel notification pkg={} id={} tag={} reason={}",
        (s.package, s.num(), s.pick("null", "sync"), s.num(1, 20)),
    ),
]
