"""Event tables of the fifteenth set of invented log styles, part 1 of two: ``msi_verbose``,
``conn_pooler``, ``bmc_events`` and ``host_firewall`` (``host_firewall`` is left out of the
set). The set, with its record, its headers and ``FIFTEENTH_STYLES``, is
:mod:`tests.warehouse.logs.synthetic_styles_fifteenth`."""

from __future__ import annotations

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_slots_fifteenth import (
    action,
    clock,
    component,
    database,
    dll,
    feature,
    guid,
    hex_addr,
    policy,
    pool_user,
    product,
    prop,
    prop_value,
    sensor,
    spaced_dir,
    table,
    tls,
)
from tests.warehouse.logs.synthetic_styles import Event, Rare

INSTALLER: list[Event] = [
    ("s", "Doing action: {}", (action,)),
    ("-", "Action start {}: {}.", (clock, action)),
    # a return value is a number: a variable, however few values it takes
    ("-", "Action ended {}: {}. Return value {}.", (clock, action, s.pick("1", "1", "1", "3"))),
    ("s", "Note: 1: {} 2: {} 3: Error", (s.pick("2205", "2228"), table)),
    ("s", Rare("Note: 1: {} 2: {}"), (s.pick("1708", "1725"), product)),
    ("s", "Transforming table {}.", (table,)),
    (
        "s",
        "Executing op: FileCopy(SourceName={},SourceCabKey={},DestName={},Attributes={},"
        "FileSize={},PerTick={},,VerifyMedia=1,,,,,Version={},Language=0,InstallMode={},,,,,,,)",
        (
            dll,
            dll,
            dll,
            s.num(0, 16384),
            s.num(),
            s.num(0, 65536),
            s.version,
            s.num(1, 99999),
        ),
    ),
    ("s", "Component: {}; Installed: Absent;   Request: Local;   Action: Local", (component,)),
    ("s", "Component: {}; Installed: Local;   Request: Absent;   Action: Absent", (component,)),
    ("s", Rare("Component: {}; Installed: Local;   Request: Local;   Action: Null"), (component,)),
    ("s", "Feature: {}; Installed: Absent;   Request: Local;   Action: Local", (feature,)),
    ("s", "PROPERTY CHANGE: Adding {} property. Its value is '{}'.", (prop, spaced_dir)),
    (
        "s",
        "PROPERTY CHANGE: Modifying {} property. Its current value is '{}'. Its new value: '{}'.",
        (prop, spaced_dir, spaced_dir),
    ),
    ("-", "Property(S): {} = {}", (prop, prop_value)),
    ("-", "Property(C): {} = {}", (prop, prop_value)),
    ("s", "Product {} is not installed.", (guid,)),
    ("c", "Machine policy value '{}' is {}", (policy, s.num(0, 1))),
    ("s", "Resolving source to launched-from source.", ()),
    ("s", "Verifying accessibility of file: {}", (dll,)),
    ("s", "MainEngineThread is returning {}", (s.num(0, 1700),)),
    ("c", Rare("Client-side and UI is none or basic: Running entire install on the server."), ()),
    ("s", Rare("SRSetRestorePoint skipped for this transaction."), ()),
    (
        "s",
        "File: {}{};  To be installed;  Won't patch;  No existing file",
        (spaced_dir, dll),
    ),
    (
        "s",
        Rare("File: {}{};  Overwrite;  Won't patch;  Existing file is unversioned but modified"),
        (spaced_dir, dll),
    ),
    (
        "s",
        Rare(
            "Windows Installer installed the product. Product Name: {}. Product Version: {}. "
            "Product Language: 1033. Manufacturer: {}. Installation success or error status: {}."
        ),
        (product, s.version, product, s.num(0, 1700)),
    ),
    ("s", Rare("Product: {} -- Installation completed successfully."), (product,)),
    ("s", Rare("Product: {} -- Installation operation failed."), (product,)),
]

POOLER: list[Event] = [
    # tls= holds "no" or a version and cipher suite (an open set): a value, as a key's null
    # beside its values is
    (
        "LOG",
        "C-{}: {}/{}@{}:{} login attempt: db={} user={} tls={}",
        (hex_addr, database, pool_user, s.ip, s.num(1024, 65535), database, pool_user, tls),
    ),
    (
        "LOG",
        "C-{}: {}/{}@{}:{} closing because: client close request (age={}s)",
        (hex_addr, database, pool_user, s.ip, s.num(1024, 65535), s.num(0, 90000)),
    ),
    (
        "LOG",
        "C-{}: {}/{}@{}:{} closing because: client unexpected eof (age={}s)",
        (hex_addr, database, pool_user, s.ip, s.num(1024, 65535), s.num(0, 90000)),
    ),
    (
        "LOG",
        "S-{}: {}/{}@{}:{} new connection to server (from {}:{})",
        (hex_addr, database, pool_user, s.ip, s.num(5432, 5439), s.ip, s.num(1024, 65535)),
    ),
    (
        "LOG",
        "S-{}: {}/{}@{}:{} closing because: server idle timeout (age={}s)",
        (hex_addr, database, pool_user, s.ip, s.num(5432, 5439), s.num(0, 90000)),
    ),
    (
        "LOG",
        "S-{}: {}/{}@{}:{} closing because: server lifetime over (age={}s)",
        (hex_addr, database, pool_user, s.ip, s.num(5432, 5439), s.num(0, 90000)),
    ),
    (
        "LOG",
        "stats: {} xacts/s, {} queries/s, {} client parses/s, {} server parses/s, {} binds/s, "
        "in {} B/s, out {} B/s, xact {} us, query {} us, wait {} us",
        tuple(s.num(0, 99999) for _ in range(10)),
    ),
    (
        "WARNING",
        "C-{}: {}/{}@{}:{} pooler error: password authentication failed",
        (hex_addr, database, pool_user, s.ip, s.num(1024, 65535)),
    ),
    (
        "WARNING",
        Rare("C-{}: {}/{}@{}:{} pooler error: no more connections allowed (max_client_conn)"),
        (hex_addr, database, pool_user, s.ip, s.num(1024, 65535)),
    ),
    (
        "LOG",
        Rare("C-{}: (nodb)/(nouser)@{}:{} closing because: SSL required (age={}s)"),
        (hex_addr, s.ip, s.num(1024, 65535), s.num(0, 9)),
    ),
    (
        "ERROR",
        Rare("S-{}: {}/{}@{}:{} server conn crashed?"),
        (hex_addr, database, pool_user, s.ip, s.num(5432, 5439)),
    ),
    ("LOG", Rare("got SIGHUP, re-reading config"), ()),
    ("LOG", Rare("RELOAD command issued"), ()),
    (
        "LOG",
        Rare(
            "kernel file descriptor limit: {} (hard: {}); max_client_conn: {}, max expected fd "
            "use: {}"
        ),
        (s.num(1024, 65536), s.num(1024, 65536), s.num(100, 9999), s.num(100, 9999)),
    ),
    ("LOG", Rare("listening on {}:{}"), (s.ip, s.num(6432, 6439))),
    (
        "LOG",
        "{} waiting clients, {} active servers in pool {}/{}",
        (s.num(0, 99), s.num(0, 99), database, pool_user),
    ),
    (
        "WARNING",
        "C-{}: {}/{}@{}:{} query_wait_timeout",
        (hex_addr, database, pool_user, s.ip, s.num(1024, 65535)),
    ),
]


def _sel_events() -> list[Event]:
    """The controller's events: a sensor type, a numbered or named sensor, an event text and
    its direction, some with a reading against a threshold."""
    temp = sensor("CPU{}_Temp", 3)
    psu = sensor("PSU{}_Status", 3)
    fan = sensor("FAN{}", 7)
    dimm = sensor("DIMM_A{}", 11)
    volt = sensor("P{}V_PG", 12)
    drive = sensor("Drive{}", 23)
    out: list[Event] = []
    flip = {">": "<", "<": ">"}
    for way, cmp in (("Asserted", ">"), ("Deasserted", "<")):
        out.append(
            (
                "",
                f"Temperature {{}} | Upper Critical going high | {way} | Reading {{}} {cmp} "
                "Threshold {} degrees C",
                (temp, s.num(60, 110), s.num(80, 100)),
            )
        )
        out.append(
            (
                "",
                f"Fan {{}} | Lower Critical going low | {way} | Reading {{}} {flip[cmp]} "
                "Threshold {}"
                " RPM",
                (fan, s.num(0, 3000), s.num(500, 1500)),
            )
        )
        out.append(("", f"Power Supply {{}} | Power Supply AC lost | {way}", (psu,)))
        out.append(("", f"Drive Slot / Bay {{}} | Drive Fault | {way}", (drive,)))
    out += [
        ("", "Power Supply {} | Presence detected | Asserted", (psu,)),
        ("", "Memory {} | Correctable ECC | Asserted", (dimm,)),
        ("", Rare("Memory {} | Uncorrectable ECC | Asserted"), (dimm,)),
        (
            "",
            "Voltage {} | Lower Critical going low | Asserted | Reading {} < Threshold {} Volts",
            (volt, s.dec(0, 12, 2), s.dec(0, 12, 2)),
        ),
        ("", Rare("Processor {} | IERR | Asserted"), (sensor("CPU{}_Status", 3),)),
        (
            "",
            Rare("Event Logging Disabled {} | Log area reset/cleared | Asserted"),
            (s.hexn(2, "#0x"),),
        ),
        ("", "System Event {} | Timestamp Clock Sync | Asserted", (s.hexn(2, "#0x"),)),
        ("", "Drive Slot / Bay {} | Drive Present | Asserted", (drive,)),
        ("", Rare("Watchdog2 {} | Hard reset | Asserted"), (s.hexn(2, "#0x"),)),
        ("", "Button {} | Power Button pressed | Asserted", (s.hexn(2, "#0x"),)),
        (
            "",
            Rare("Physical Security {} | General Chassis intrusion | Asserted"),
            (s.hexn(2, "#0x"),),
        ),
        ("", Rare("OEM record {} | {} | {}"), (s.hexn(2), s.hexn(6), s.hexn(12))),
    ]
    return out


BMC = _sel_events()


def _firewall_events() -> list[Event]:
    """Firewall rows: the action, protocol and path are the event's words, the rest values."""
    a, p, n = s.ip, s.num(1024, 65535), s.num(1, 9999)
    size, big = s.num(40, 1500), s.num()
    return [
        ("", "ALLOW TCP {} {} {} {} 0 - 0 0 0 - - - SEND {}", (a, a, p, n, s.num(4, 30000))),
        ("", "ALLOW TCP {} {} {} {} 0 - 0 0 0 - - - RECEIVE {}", (a, a, p, n, s.num(4, 30000))),
        ("", "ALLOW UDP {} {} {} {} 0 - - - - - - - SEND {}", (a, a, p, n, s.num(4, 30000))),
        ("", "ALLOW UDP {} {} {} {} 0 - - - - - - - RECEIVE {}", (a, a, p, n, s.num(4, 30000))),
        ("", "DROP TCP {} {} {} {} {} S {} 0 {} - - - RECEIVE", (a, a, p, n, size, big, big)),
        (
            "",
            "DROP TCP {} {} {} {} {} AP {} {} {} - - - RECEIVE",
            (a, a, p, n, size, big, big, big),
        ),
        ("", "DROP UDP {} {} {} {} {} - - - - - - - RECEIVE", (a, a, p, n, size)),
        (
            "",
            "DROP ICMP {} {} - - {} - - - - {} {} - RECEIVE",
            (a, a, size, s.num(0, 15), s.num(0, 15)),
        ),
        (
            "",
            "ALLOW ICMP {} {} - - 0 - - - - {} {} - SEND {}",
            (a, a, s.num(0, 15), s.num(0, 15), s.num(4, 30000)),
        ),
        ("", Rare("ALLOW 2 {} {} - - 0 - - - - - - - RECEIVE 4"), (a, a)),
        ("", Rare("INFO-EVENTS-LOST - - - - - - - - - - - {} -"), (s.num(1, 999),)),
        (
            "",
            Rare("DROP TCP {} {} {} {} {} F {} {} {} - - - SEND"),
            (a, a, p, n, size, big, big, big),
        ),
    ]


FIREWALL = _firewall_events()
