"""Slot helpers (value generators) of the eighteenth set of invented log styles, drawn by its
event tables and headers. The set, with its record and ``EIGHTEENTH_STYLES``, is
:mod:`tests.warehouse.logs.synthetic_styles_eighteenth`."""

from __future__ import annotations

import random

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_styles import Slot

_WORDS = s.USERS  # coined words with no digits


def redacted(slot: Slot) -> Slot:
    """A value between redaction markers, as a redactable log writes it: ``‹42›``."""
    return lambda r: f"‹{slot(r)}›"


def go_duration(r: random.Random) -> str:
    """A Go duration: ``812.3µs``, ``12.045183ms``, ``1.5s``, ``2m3.1s``."""
    return r.choice(
        (
            f"{r.uniform(1, 999):.1f}µs",
            f"{r.uniform(1, 999):.6f}ms",
            f"{r.uniform(1, 9):.3f}s",
            f"{r.randint(1, 9)}m{r.uniform(0, 59):.1f}s",
        )
    )


def iec(r: random.Random) -> str:
    """A size in IEC units, one decimal or none: ``5.0 MiB``, ``170 MiB``."""
    v = r.uniform(0.1, 999)
    return f"{v:.1f} {r.choice(('KiB', 'MiB', 'GiB'))}" if v < 10 else f"{v:.0f} MiB"


def table_key(r: random.Random) -> str:
    """A key of a SQL table's index: ``/Table/53/1/8812``."""
    return f"/Table/{r.randint(50, 120)}/{r.randint(1, 3)}/{r.randint(1, 10**6)}"


def range_id(r: random.Random) -> str:
    return f"r{s.growing(1, 5)(r)}"


def crdb_tags(r: random.Random, kind: str) -> str:
    """Log tags of a node, a store or a replica, ``[n1,s1,r42/3:‹/Table/5{3-4}›]``."""
    node = f"n{r.randint(1, 9)}"
    if kind == "-":
        return "[-]"
    if kind == "n":
        return f"[{node}]"
    store = f"{node},s{r.randint(1, 9)}"
    if kind == "s":
        return f"[{store}]"
    t = r.randint(50, 120)
    span = r.choice((f"/Table/{t}{{/1-/2}}", f"/Table/{t}/1/{r.randint(1, 999)}{{-/{t + 1}}}"))
    return f"[{store},{range_id(r)}/{r.randint(1, 9)}:‹{span}›]"


def ch_size(r: random.Random) -> str:
    """A size as a column engine writes it: ``7.81 KiB``, ``1.00 MiB``."""
    return f"{r.uniform(1, 999):.2f} {r.choice(('B', 'KiB', 'MiB', 'GiB'))}"


def part_name(r: random.Random) -> str:
    """A data part: ``202503_1_12_2`` or ``all_3_3_0``."""
    month = r.choice((f"2025{r.randint(1, 9):02d}", "all"))
    lo = r.randint(1, 9000)
    return f"{month}_{lo}_{lo + r.randint(0, 40)}_{r.randint(0, 4)}"


def ch_table(r: random.Random) -> str:
    return f"{r.choice(('default', 'metrics', 'logs'))}.{r.choice(_WORDS[:12])}"


def ch_columns(r: random.Random) -> str:
    """Granted columns in parentheses, any number of them: ``(id, ts, value)``."""
    return "(" + ", ".join(r.sample(_WORDS[:20], r.randint(1, 6))) + ")"


agg_method = s.skewed(
    ["key_string", "without_key", "keys128", "key64", "serialized", "key32", "keys256", "key8"]
)


def client(r: random.Random) -> str:
    return f"[::ffff:{s.ip(r)}]:{r.randint(1024, 65535)}"


def level_files(r: random.Random) -> str:
    """Files per level: ``files[4 10 0 0 0 0 0]``, seven counts."""
    return "files[" + " ".join(str(r.choice((0, 0, r.randint(0, 90)))) for _ in range(7)) + "]"


def sst_path(r: random.Random) -> str:
    return f"/data/rocksdb/{r.randint(100000, 999999):06d}.sst"


def cf_name(r: random.Random) -> str:
    return r.choice(("default", "default", "write", "lock", s.pool("cf_{w}", 0, 10)(r)))


def stats_row(r: random.Random) -> str:
    """The numbers of one row of a compaction stats table, padded to columns."""
    cols = [
        f"{r.randint(0, 90)}/{r.randint(0, 3)}",
        f"{r.uniform(0, 900):.2f} {r.choice(('KB', 'MB', 'GB'))}",
        f"{r.uniform(0, 2):.1f}",
        *(f"{r.uniform(0, 99):.1f}" for _ in range(8)),
        f"{r.uniform(0, 400):.2f}",
        f"{r.uniform(0, 400):.2f}",
        str(r.randint(0, 9999)),
        f"{r.uniform(0, 2):.3f}",
        str(r.randint(0, 10**7)),
        str(r.randint(0, 10**5)),
    ]
    return " ".join(f"{c:>8}" for c in cols)


def member_id(r: random.Random) -> str:
    """A cluster member's id: sixteen hex digits, some printed without leading zeros."""
    known = (0x8E9E05C52164694D, 0x91BC3C398FB3C146, 0xFD422379FDA50E48)
    return f"{r.choice((*known, r.getrandbits(63))):x}"


def etcd_key(r: random.Random) -> str:
    kind = r.choice(("pods", "services/endpoints", "leases", "configmaps", "events"))
    return f"/registry/{kind}/{r.choice(('default', 'kube-system'))}/{r.choice(_WORDS[:25])}"


def wal_name(r: random.Random) -> str:
    return f"/var/lib/etcd/member/wal/{r.randint(0, 99):016x}-{r.getrandbits(24):016x}.wal"


def peer_urls(r: random.Random) -> str:
    n = r.randint(1, 3)
    return "[" + " ".join(f"https://{s.ip(r)}:2379" for _ in range(n)) + "]"


def region_name(r: random.Random) -> str:
    """A region's full name: ``table,startkey,epoch-ms.encoded.``, the start key escaped."""
    key = r.choice(
        (
            "",
            f"user{r.randint(1000, 9999)}",
            f"\\x00\\x{r.randint(0, 255):02X}{r.choice(_WORDS[:9])}",
            f"{r.getrandbits(32):08x}|{r.randint(1, 99)}",
        )
    )
    table = r.choice(("usertable", "usertable", "ns1:events", "hbase:meta"))
    return f"{table},{key},{r.randint(1_700_000_000_000, 1_760_000_000_000)}.{s.hexn(32)(r)}."


family = s.pool("{w}", 20, 10)  # a table's column families: an open set
metric = s.skewed([f"{a}.{b}" for a in ("queue", "ranges", "liveness") for b in _WORDS[:8]])


def encoded(r: random.Random) -> str:
    return s.hexn(32)(r)


def hsize(r: random.Random) -> str:
    """A size as the region server prints it: ``12.34 MB``, ``1.2 K``."""
    return f"{r.uniform(0, 999):.{r.choice((1, 2))}f} {r.choice(('K', 'KB', 'MB', 'GB'))}"


def hdfs_path(r: random.Random) -> str:
    return (
        f"hdfs://nn1:8020/hbase/data/default/usertable/{s.hexn(32)(r)}/"
        f"{r.choice(('cf', 'info', 'd'))}/{s.hexn(32)(r)}"
    )


def format_time(r: random.Random) -> str:
    """Elapsed time as ``StringUtils.formatTime`` writes it: ``0sec``, ``4mins, 2sec``."""
    m = r.choice((0, 0, r.randint(1, 59)))
    return f"{m}mins, {r.randint(0, 59)}sec" if m else f"{r.randint(0, 59)}sec"


def wal_file(r: random.Random) -> str:
    return (
        f"/hbase/WALs/dn-{r.choice(_WORDS[:6])},16020,"
        f"{r.randint(1_700_000_000_000, 1_760_000_000_000)}/dn-{r.choice(_WORDS[:6])}%2C16020%2C"
        f"{r.randint(10**12, 10**13)}.{r.randint(10**12, 10**13)}"
    )


def es_index(r: random.Random) -> str:
    kind = r.choice(("logs", "metrics", "traces", s.pool("app-{w}", 0, 12)(r)))
    return f"{kind}-2025.0{r.randint(1, 9)}.{r.randint(10, 28)}"


def es_uuid(r: random.Random) -> str:
    chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    return "".join(r.choice(chars) for _ in range(22))


def es_time(r: random.Random) -> str:
    return r.choice((f"{r.randint(1, 999)}ms", f"{r.uniform(1, 59):.1f}s", f"{r.randint(1, 9)}m"))


def es_bytes(r: random.Random) -> str:
    return f"{r.uniform(1, 999):.1f}{r.choice(('kb', 'mb', 'gb'))}"


def job_id(r: random.Random) -> str:
    return s.hexn(32)(r)


def attempt(r: random.Random) -> str:
    """An execution attempt: ``vertex_job_subtask_attempt``."""
    return f"{s.hexn(32)(r)}_{s.hexn(32)(r)}_{r.randint(0, 7)}_{r.randint(0, 3)}"


def task_name(r: random.Random) -> str:
    """An operator chain's name, spaces and all: one value."""
    w = r.choice(_WORDS[:15])
    return r.choice(
        (
            f"Source: {w}-events",
            f"Source: {w}-events -> Map",
            f"Window(TumblingEventTimeWindows({r.choice((60000, 300000))}), EventTimeTrigger, "
            f"{w.title()}Aggregate) -> Sink: {w}",
            f"Sink: {w}-sink",
        )
    )


def subtask(r: random.Random) -> str:
    p = r.choice((1, 4, 8, 16))
    return f"({r.randint(1, p)}/{p})"


def tm_id(r: random.Random) -> str:
    return f"{s.ip(r)}:{r.randint(30000, 45000)}-{s.hexn(6)(r)}"


def raft_key(r: random.Random) -> str:
    """A raw region key in upper hex: ``7480000000000000FF2B5F728000000000FF0A1B2C0000000000FA``."""
    table, row = r.getrandbits(40), r.getrandbits(24)
    return f"7480000000000000FF{table:010X}5F728000000000FF{row:06X}0000000000FA"


def tikv_epoch(r: random.Random) -> str:
    return f'"conf_ver: {r.randint(1, 90)} version: {r.randint(1, 900)}"'
