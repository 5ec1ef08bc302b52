"""A third set of invented log styles, written after the fixes the second set led to.

Same rules as :mod:`tests.warehouse.logs.synthetic_styles`. Pipe-joined step-counter fields
whose messages often hold no space, a tab-separated update agent with padded pid and thread
columns, Java lines with a thread pool context, and macOS kernel lines. No line is copied from
any dataset. First scores: 0.987, 0.900, 0.967 and 0.737; two slots that held closed-set words
(a link state, a DNS record type) were then written out as one event per member, as the rules
ask, and a bare first word that named a class was made event text. The header and masking
rules were then generalised for the first two (a message with no space, padded tab fields,
``= Yes``). The quoted punctuation slot of ``java_pool`` (``unexpected token '}'``), a variable
by construction, is still split by its three members.
"""

from __future__ import annotations

import random

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_headers import hms
from tests.warehouse.logs.synthetic_styles import Event, Header


def _epoch(r: random.Random) -> str:
    return str(1_700_000_000_000 + r.randint(0, 10**9))


def _health(r: random.Random, src: str, msg: str) -> str:
    day = f"2024{r.randint(1, 12):02d}{r.randint(1, 28):02d}"
    clock = f"{r.randint(0, 23)}:{r.randint(0, 59)}:{r.randint(0, 59)}:{r.randint(0, 999)}"
    return f"{day}-{clock}|{src}|{r.randint(10**7, 10**8)}|{msg}"


HEALTH: list[Event] = [
    ("Step_Core", "onSleepScoreReady:{} {} {}", (_epoch, s.num(0, 100), s.num(0, 9))),
    ("Step_Core", "onWalkTick {}", (s.num(),)),
    ("Step_Store", "saveHourly={}##{}##{}##{}", (_epoch, s.num(), s.num(), s.num())),
    ("Step_Store", "loadHourly = {}##{}##{}##{}", (_epoch, s.num(), s.num(), s.num())),
    ("Step_Sync", "SUMMARY : {} {} {} {}", (s.num(), s.num(), s.dec(0, 999, 1), s.num(0, 99))),
    ("Step_Sync", "upload queue drained", ()),
    ("Step_Ui", "render card:{} cost {}ms", (s.klass, s.num(1, 300))),
    ("Step_Ui", "screen lit", ()),
    ("Step_Ui", "screen dark", ()),
    (
        "Step_Core",
        "calcDistance stride={} steps={} meters={}",
        (s.num(50, 90), s.num(), s.dec(0, 9999, 2)),
    ),
]


def _wua(r: random.Random, src: str, msg: str) -> str:
    pid, tid = r.randint(100, 9999), r.randint(100, 9999)
    clock = f"2024-03-{r.randint(1, 28):02d}\t{hms(r)}:{r.randint(0, 999):03d}"
    return f"{clock}\t{pid:>5}\t{tid:>5}\t{src}\t{msg}"


WUA: list[Event] = [
    ("Agent", "*************", ()),
    ("Agent", "** START **  Agent: Finding updates [CallerId = {}]", (s.program,)),
    ("Agent", "** END **  Agent: Finding updates [CallerId = {}]", (s.program,)),
    (
        "Agent",
        "  * Online = {}; Ignore download priority = {}",
        (s.pick("Yes", "No"), s.pick("Yes", "No")),
    ),
    ("Setup", "Checking for agent SelfUpdate", ()),
    ("PT", "WARNING: Cached cookie has expired or new PID is available", ()),
    ("PT", "  + ServiceId = {{{}}}, Server URL = {}", (s.uuid, s.url)),
    (
        "Report",
        "REPORT EVENT: {{{}}}\t{}-{}-{} {}:{}\t1\t{}\t101\t{{{}}}\t0\t{}"
        "\tAutomaticUpdates\tSuccess\tContent Install",
        (
            s.uuid,
            s.num(2020, 2024),
            s.num(1, 12),
            s.num(1, 28),
            hms,
            s.num(0, 999),
            s.num(100, 200),
            s.uuid,
            s.hexn(8),
        ),
    ),
    ("DnldMgr", "  * Updates to download = {}", (s.num(0, 40),)),
    ("Handler", "FATAL: Failed to install {} with error 0x{}", (s.kb_package, s.hexn(8))),
]


def _java(r: random.Random, src: str, msg: str) -> str:
    thread = f"{s.glued('pool-', 1, 4)(r)}-thread-{r.randint(1, 20)}"
    return f"2024-03-{r.randint(1, 28):02d} {hms(r)},{r.randint(0, 999):03d} {src} [{thread}] {msg}"


JAVA: list[Event] = [
    (
        "ERROR",
        'Exception in thread "{}" java.lang.IllegalStateException: queue {} is closed',
        (s.glued("worker-", 1, 30), s.program),
    ),
    (
        "WARN",
        "Retrying request to {} after {} ({} of {})",
        (s.url, s.mixed_duration, s.num(1, 5), s.num(5, 5)),
    ),
    (
        "INFO",
        "Consumer {} assigned partitions {}",
        (s.glued("consumer-", 1, 9), s.bracket_list(s.glued("orders-", 0, 11), 1, 6)),
    ),
    ("INFO", "Committed offsets {} for group {}", (s.bracket_list(s.num(), 1, 4), s.program)),
    ("DEBUG", "cache {} evicted {} entries ({} bytes) in {}", (s.program, s.num(), s.num(), s.ms)),
    ("INFO", "Scheduled task {} completed with status {}", (s.klass, s.pick("0", "1"))),
    ("WARN", "Slow response from {}: {} > threshold {}", (s.host_port, s.ms, s.ms)),
    (
        "ERROR",
        "Unable to parse field '{}' of record {}: unexpected token '{}'",
        (s.program, s.uuid, s.pick("}", "]", ",")),
    ),
]


def _kern(r: random.Random, src: str, msg: str) -> str:
    date = f"{r.choice(('Jan', 'Feb', 'Mar'))} {r.randint(1, 28):>2} {hms(r)}"
    return f"{date} {s.host(r)} kernel[0]: {msg}"


KERN: list[Event] = [
    (
        "",
        "{}: {}: wl0: MDNS: A record added for {}",
        (s.dec(1000, 99999, 6), s.dec(1000, 99999, 6), s.hexn(12)),
    ),
    (
        "",
        "{}: {}: wl0: MDNS: AAAA record added for {}",
        (s.dec(1000, 99999, 6), s.dec(1000, 99999, 6), s.hexn(12)),
    ),
    (
        "",
        "IOThunderboltSwitch<0x{}>({})::listenerCallback - Thunderbolt HPD packet for "
        "route = 0x{} port = {} unplug = {}",
        (s.hexn(8), s.hexn(3, "0x"), s.num(0, 9), s.num(0, 15), s.num(0, 1)),
    ),
    ("", "AppleCamIn::systemWakeCall - messageType = 0x{}", (s.hexn(8),)),
    ("", "Previous sleep cause: {}", (s.num(0, 9),)),
    ("", "en0: channel changed to {},{}", (s.num(1, 165), s.pick("+1", "-1", "80"))),
    ("", "PM response took {} ms ({}, {})", (s.num(1, 9000), s.num(50, 999), s.program)),
    ("", "hibernate_page_list_setall(preflight {}) start", (s.num(0, 1),)),
    ("", "hibernate_page_list_setall found pageCount {}", (s.num(),)),
    ("", "NetLinkCtl::{}: Link changed: up", (s.pick("en0", "en1"),)),
    ("", "NetLinkCtl::{}: Link changed: down", (s.pick("en0", "en1"),)),
]
THIRD_STYLES: dict[str, tuple[list[Event], Header]] = {
    "health_steps": (HEALTH, _health),
    "update_agent_tabs": (WUA, _wua),
    "java_pool": (JAVA, _java),
    "mac_kernel": (KERN, _kern),
}
