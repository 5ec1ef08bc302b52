"""Synthetic logs in common header layouts, with known templates, for header and mining tests.

Every message and header below is invented for these tests; each generator returns raw lines
and the true template of each line. The layouts are the ones the issue names as hard:
headers fused by ``|`` with no spaces, headers of numeric and host columns with no level word,
syslog lines with extra leading fields, single-letter levels (logcat), bracketed clocks
(proxy logs), and variable identifiers glued to constant words.
"""

from __future__ import annotations

import random
from collections.abc import Callable

Slot = Callable[[random.Random], str]


def _int(lo: int = 0, hi: int = 99999) -> Slot:
    return lambda r: str(r.randint(lo, hi))


def _hex(n: int = 8) -> Slot:
    return lambda r: f"{r.getrandbits(4 * n):0{n}x}"


def _ip(r: random.Random) -> str:
    return f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"


def _pick(*words: str) -> Slot:
    return lambda r: r.choice(words)


def _name(r: random.Random) -> str:
    return r.choice(("alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"))


def _app(r: random.Random) -> str:
    return r.choice(("mailer", "browser", "updater", "shell", "indexer", "player", "editor"))


# Message templates: text with {} slots and the slot fillers. A template that holds the same
# words as another but in a different order or length is a different event.
MESSAGES: list[tuple[str, tuple[Slot, ...]]] = [
    ("session opened for account {} from {}", (_name, _ip)),
    ("session closed for account {}", (_name,)),
    ("queue depth is {} after flush of {} items", (_int(), _int())),
    ("worker {} restarted after crash", (_int(1, 64),)),
    ("disk {} usage above threshold", (_pick("sda", "sdb", "sdc", "nvme0n1"),)),
    ("cannot reach peer {} port {}", (_ip, _int(1024, 65535))),
    ("cache warmed in {} ms", (_int(1, 900),)),
    ("received heartbeat from node {}", (_int(),)),
    ("lease {} renewed until {}", (_hex(), _int())),
    ("temperature sensor reading {} degrees", (_int(20, 90),)),
    ("config reloaded", ()),
    ("user {} changed password", (_name,)),
    ("failed to open file /var/lib/{}/{}.db", (_app, _int())),
    ("battery level changed to {} percent", (_int(0, 100),)),
    ("screen turned off by timeout", ()),
    ("connection reset by remote side", ()),
]


def _messages(rng: random.Random, n: int) -> list[tuple[int, str]]:
    out = []
    weights = [rng.uniform(0.2, 3.0) for _ in MESSAGES]
    for _ in range(n):
        k = rng.choices(range(len(MESSAGES)), weights)[0]
        text, slots = MESSAGES[k]
        out.append((k, text.format(*(s(rng) for s in slots))))
    return out


def _clock(rng: random.Random) -> tuple[int, int, int, int]:
    return rng.randint(0, 23), rng.randint(0, 59), rng.randint(0, 59), rng.randint(0, 999)


def logcat(rng: random.Random, k: int, msg: str) -> str:
    """Android ``threadtime``: date, time, pid, tid, one-letter level, tag, message."""
    h, m, s, ms = _clock(rng)
    tag = ("ActivityManager", "PowerManager", "WifiService", "AudioFlinger")[rng.randrange(4)]
    lvl = rng.choice("VDIWE")
    pid, tid = rng.randint(100, 9999), rng.randint(100, 9999)
    date = f"05-{rng.randint(1, 28):02d} {h:02d}:{m:02d}:{s:02d}.{ms:03d}"
    return f"{date}  {pid:>4}  {tid:>4} {lvl} {tag}: {msg}"


def ras(rng: random.Random, k: int, msg: str) -> str:
    """Cluster RAS layout: record id, node, facility, event kind, epoch, flag; no level."""
    node = f"node-{rng.randint(1, 512)}"
    facility = ("hw", "net", "sched")[rng.randrange(3)]
    kind = ("state_change", "boot", "error")[rng.randrange(3)]
    epoch = 1_100_000_000 + rng.randint(0, 10**7)
    return f"{rng.randint(1, 10**6)} {node} {facility} {kind} {epoch} {rng.randint(0, 1)} {msg}"


def syslog_extra(rng: random.Random, k: int, msg: str) -> str:
    """Syslog with extra leading fields: alert tag, epoch, dotted date, host, then syslog."""
    host = f"cn{rng.randint(1, 400)}" if rng.random() < 0.9 else "admin"
    h, m, s, _ = _clock(rng)
    day = rng.randint(1, 28)
    prog = ("crond(pam_unix)", "sshd", "kernel", "/usr/sbin/ntpd")[rng.randrange(4)]
    pid = f"[{rng.randint(100, 30000)}]" if prog != "kernel" else ""
    tag = "-" if rng.random() < 0.9 else "ALERT"
    epoch = 1_131_000_000 + rng.randint(0, 10**6)
    source = f"{host}/{host}" if rng.random() < 0.8 else f"local@{host}"
    return (
        f"{tag} {epoch} 2005.11.{day:02d} {host} Nov {day:>2} {h:02d}:{m:02d}:{s:02d} "
        f"{source} {prog}{pid}: {msg}"
    )


def syslog_host_words(rng: random.Random, k: int, msg: str) -> str:
    """BSD syslog whose host names carry no digits and whose programs vary."""
    host = rng.choice(("ambermac", "quartzbox", "tealstation", "lab-10-2-3-44"))
    h, m, s, _ = _clock(rng)
    prog = ("configd", "powerd", "Media Sync Helper", "com.example.agent")[rng.randrange(4)]
    date = f"Jun {rng.randint(1, 28):>2} {h:02d}:{m:02d}:{s:02d}"
    return f"{date} {host} {prog}[{rng.randint(1, 999)}]: {msg}"


def pipes(rng: random.Random, k: int, msg: str) -> str:
    """Application log whose header fields are joined by ``|`` with no spaces."""
    h, m, s, ms = _clock(rng)
    comp = ("Svc_Sync", "Svc_Store", "UiMain")[rng.randrange(3)]
    date = f"2023{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}-{h}:{m}:{s}:{ms}"
    return f"{date}|{comp}|{rng.randint(10**7, 10**8)}|{msg}"


def proxy(rng: random.Random, k: int, msg: str) -> str:
    """Proxy-client log: bracketed month.day clock, then the message."""
    h, m, s, _ = _clock(rng)
    return f"[{rng.randint(1, 12):02d}.{rng.randint(1, 28):02d} {h:02d}:{m:02d}:{s:02d}] {msg}"


def proxy_programs(rng: random.Random, k: int, msg: str) -> str:
    """Proxy-client log naming the program and the target first: ``app.exe - host:port``.

    The program name is a variable identifier glued to a constant extension, and it varies
    independently of the event.
    """
    h, m, s, _ = _clock(rng)
    app = rng.choice(("mailer", "browser", "updater", "chat", "player", "sync"))
    target = f"{rng.choice(('cdn', 'api', 'www'))}.example.net:{rng.choice((80, 443, 8080))}"
    return (
        f"[{rng.randint(1, 12):02d}.{rng.randint(1, 28):02d} {h:02d}:{m:02d}:{s:02d}] "
        f"{app}.exe - {target} {msg}"
    )


def cbs(rng: random.Random, k: int, msg: str) -> str:
    """Date, time with a trailing comma, padded level, a short component, message."""
    h, m, s, _ = _clock(rng)
    lvl = rng.choice(("Info", "Info", "Warning"))
    comp = ("CBS", "CSI")[rng.randrange(2)]
    return f"2021-03-{rng.randint(1, 28):02d} {h:02d}:{m:02d}:{s:02d}, {lvl:<21} {comp:<6} {msg}"


def service_file(rng: random.Random, k: int, msg: str) -> str:
    """Source file name glued to a clock, date, time, pid, level, dotted logger, request id."""
    h, m, s, ms = _clock(rng)
    logger = ("api.server", "compute.manager", "scheduler.host")[rng.randrange(3)]
    return (
        f"svc-api.log.{rng.randint(1, 3)}.2022-01-0{rng.randint(1, 9)}_{h:02d}:{m:02d}:{s:02d} "
        f"2022-01-05 {h:02d}:{m:02d}:{s:02d}.{ms:03d} {rng.randint(1000, 40000)} INFO {logger} "
        f"[req-{_hex(8)(rng)} - - -] {msg}"
    )


def glued(rng: random.Random, k: int, msg: str) -> str:
    """ISO clock and level, with the message's first word carrying a glued identifier."""
    h, m, s, ms = _clock(rng)
    return (
        f"2022-07-01T{h:02d}:{m:02d}:{s:02d}.{ms:03d}Z INFO "
        f"job{rng.randint(1, 9999)}: {msg} (took {rng.randint(1, 99)}ms)"
    )


FORMATS: dict[str, Callable[[random.Random, int, str], str]] = {
    "logcat": logcat,
    "ras": ras,
    "syslog_extra": syslog_extra,
    "syslog_host_words": syslog_host_words,
    "pipes": pipes,
    "proxy": proxy,
    "proxy_programs": proxy_programs,
    "cbs": cbs,
    "service_file": service_file,
    "glued": glued,
}


def generate(fmt: str, n: int = 2000, seed: int = 0) -> tuple[list[str], list[int]]:
    """``n`` raw lines in layout ``fmt`` and the true template index of each."""
    rng = random.Random(seed)
    header = FORMATS[fmt]
    lines, truth = [], []
    for k, msg in _messages(rng, n):
        lines.append(header(rng, k, msg))
        truth.append(k)
    return lines, truth
