"""An eighteenth set of invented log styles, held out from every fix before it: storage engines
and distributed databases.

Same rules as :mod:`tests.warehouse.logs.synthetic_styles`, with the header layouts here: a
distributed SQL database's node log (``Lyymmdd hh:mm:ss.us goroutine [chan@]file:line ⋮ [tags]
counter message``, the tags naming a node, a store or a replica and its key span, values in
the message between redaction marks ``‹...›``), a column store's server log (``yyyy.mm.dd
hh:mm:ss.us [ tid ] {query id} <Level> Logger: message``, the id empty on background threads,
a table's logger holding its name, uuid and a stage in parentheses), an LSM engine's ``LOG``
file (``yyyy/mm/dd-hh:mm:ss.us threadhex [file:line] message``, options with no
``[file:line]``, and a stats dump whose later lines carry no header: counters, a padded
compaction table), a consensus store's capnslog (``yyyy-mm-dd hh:mm:ss.us L | package:
message``), a region server's log4j lines (the level padded to five, threads named after their
pool, host and port: ``[RS_OPEN_REGION-regionserver/dn-kata:16020-0]``), a search engine
node's plain log (``[iso,ms][LEVEL][logger padded to 25] [node] message``, the level padded
inside its brackets, so ``[DEBUG]`` glues to its neighbours), a stream processor's job
manager (``yyyy-mm-dd hh:mm:ss,ms LEVEL logger padded to sixty [] - message``) and a raft
key-value store's unified log (``[yyyy/mm/dd hh:mm:ss.ms +08:00] [LEVEL] [file.rs:line]
["message"] [key=value]...``, the message quoted in brackets, every field after it
bracketed).

Between them the messages hold: region names with escaped start keys
(``usertable,\\x00\\x1Fkata,1709290000000.<hex32>.``), raw keys in upper hex, key spans
(``/Table/53{/1-/2}``); hashes, member ids printed without leading zeros, base64 ids (some with
no digit); Go durations, sizes in IEC and SI units, spaced and glued, and rates of them
(``7.81 KiB/sec.``); lists of any length (replicas ``[(n1,s1):1, (n3,s4):4]``, granted
columns glued to a verb ``SELECT(id, ts)``, parts, peer URLs); JSON event records and
responses; quoted requests holding escaped quotes (``"key:\\"/registry/...\\" "``); object
dumps; events one closed-set word apart (a raft role, a stream direction, a task's state
transition, a split's reason, a snapshot's kind, a conf change's type, an index's cause, a
health colour); rare events.

First scores, before any fix (mean of seeds 0-2; drain3 on the bare messages in brackets;
then the worst of seeds 3-8 and 20,000 lines, seed 1): node log 0.86 (0.68) / 0.689 / 0.962,
column store 0.74 (0.82) / 0.594 / 0.843, LSM engine 0.92 (0.57) / 0.800 / 0.906, consensus
store 0.95 (0.55) / 0.742 / 0.994, region server 1.00 (0.61) / 0.997 / 1.000, search node 0.98
(0.61) / 0.982 / 0.999, job manager 0.51 (0.15) / 0.401 / 0.527, raft store 0.62 (0.78) /
0.690 / 0.561. These are scored after fixture errors were put right: the region server's
``compaction requested=`` drawn as one of two events (a boolean bound to a key is its value:
now one event), its column families and the node log's alert metrics drawn from three and two
names (open sets read as closed: now ten and twenty-four), and the column store's aggregation
method drawn as three events (one of some thirty methods named by key type, a value: now one
event); three closed sets first drawn as slots (a split's reason, a snapshot's kind, a job's
state) were made one event per word.

Fixed by these rules (scores after them): a span between redaction marks is one value,
spaces, brackets and nested marks included (``‹Get [/Table/5,/Min)›``); a double-quoted string
holding escaped quotes is one value (a serialized request); a bracketed list whose items hold
a group in parentheses of their own is one value (``[(n1,s1):1, (n2,s2):2]``); a rate of bytes
after a number is its unit (``KiB/sec.``); a list in parentheses glued to a word is that word
and one value (``SELECT(<*>)``), and refinement groups a word that fits a masked value's shape
at a split position with that value (``SELECT(ts)`` with ``SELECT(<*>)``: a list of one
item); a bracketed quoted phrase opening the message (``["became leader at term 5"]``) is the
message's text, read word by word; a clock after a word and a label (``Cumulative stall:
00:01:02.3``) is the message's own, the line has no header. After them: node log 1.00 / 1.000
/ 1.000, column store 1.00 / 1.000 / 1.000, LSM engine 1.00 / 0.941 / 1.000, consensus store
1.00 / 0.999 / 0.999, raft store 1.00 / 1.000 / 1.000; the region server and search node are
unchanged. What is left: column families in brackets read as an enumeration in rare events
(``[default]``, ``[lock]``), a dump line opening on a label and a number read as a clock at
seed 7 (``Uptime(secs): 1234.5 total``), and in the search node a base64 id with no digit
(one in forty of its 22-character ids) splitting the bulk-failure event (0.942 at seed 2) and
master nodes named with no digits in a rare event.

One style stays below the test's floor and is left out of the set (``LEFT_OUT_STYLES``):

- job manager (0.51 after the rules; 0.40 at seed 3, 0.53 at 20,000 lines): a task is named by
  its operator chain, words and spaces of four shapes (``Source: kata-events -> Map``,
  ``Window(TumblingEventTimeWindows(60000), EventTimeTrigger, KataAggregate) -> Sink: kata``),
  so each state transition opens one template per shape of the name. Telling a name of several
  words from the event's own words needs more than the tokens' shapes (the same problem as
  values holding spaces in the twelfth set).

No line is copied from any dataset.
"""

from __future__ import annotations

import random

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_headers import hms, iso_day
from tests.warehouse.logs.synthetic_styles import Event, Header, Rare, Slot

# -- slots -----------------------------------------------------------------------------------

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


# -- headers ---------------------------------------------------------------------------------


def cockroach(r: random.Random, source: str, msg: str) -> str:
    """``Lyymmdd hh:mm:ss.us goroutine [chan@]file:line ⋮ [tags] counter message``."""
    level, where, tags = source.split(" ")
    day = f"25{r.randint(1, 9):02d}{r.randint(10, 28)}"
    gid = r.choice((r.randint(1, 99), r.randint(100, 99999)))
    return (
        f"{level}{day} {hms(r)}.{r.randint(0, 999999):06d} {gid} {where} ⋮ {crdb_tags(r, tags)} "
        f"{r.randint(1, 9999)}  {msg}"
    )


def clickhouse(r: random.Random, source: str, msg: str) -> str:
    """``yyyy.mm.dd hh:mm:ss.us [ tid ] {query id} <Level> Logger: message``; the query id
    is empty on background threads."""
    level, logger, bound = source.split(" ", 2)
    if logger == "table":
        logger = f"{ch_table(r)} ({s.uuid(r)})" + ("" if bound in "-q" else f" ({bound})")
    query = "" if bound != "q" else s.uuid(r)
    tid = r.choice((r.randint(100, 999), r.randint(1000, 99999)))
    return (
        f"{iso_day(r, '.')} {hms(r)}.{r.randint(0, 999999):06d} [ {tid} ] {{{query}}} "
        f"<{level}> {logger}: {msg}"
    )


def rocksdb(r: random.Random, source: str, msg: str) -> str:
    """``yyyy/mm/dd-hh:mm:ss.us threadhex [file:line] message``; options and the lines of a
    stats dump print no ``[file:line]``, and a dump's later lines have no header at all."""
    if source == "-":
        return msg
    thread = f"7f{r.choice(('8b1c', '8b1d', '3a40'))}{r.getrandbits(12):03x}700"
    where = "" if source == "." else f"[{source}] "
    return f"{iso_day(r, '/')}-{hms(r)}.{r.randint(0, 999999):06d} {thread} {where}{msg}"


def capnslog(r: random.Random, source: str, msg: str) -> str:
    """``yyyy-mm-dd hh:mm:ss.us L | package: message``."""
    level, pkg = source.split(" ")
    return f"{iso_day(r)} {hms(r)}.{r.randint(0, 999999):06d} {level} | {pkg}: {msg}"


def _rs_host(r: random.Random) -> str:
    return f"dn-{r.choice(_WORDS[:6])}{r.choice(('', '', r.randint(1, 12)))}"


def hbase(r: random.Random, source: str, msg: str) -> str:
    """log4j: ``yyyy-mm-dd hh:mm:ss,ms LEVEL [thread] package.Class: message``, the level
    padded to five, the thread named after its pool, host and port."""
    level, thread, logger = source.split(" ")
    host = f"{_rs_host(r)}:16020"
    name = {
        "open": f"RS_OPEN_REGION-regionserver/{host}-{r.randint(0, 2)}",
        "close": f"RS_CLOSE_REGION-regionserver/{host}-{r.randint(0, 2)}",
        "flush": f"MemStoreFlusher.{r.randint(0, 1)}",
        "compact": f"regionserver/{host}-{r.choice(('short', 'long'))}Compactions-"
        f"{r.randint(0, 3)}",
        "rpc": f"RpcServer.default.FPBQ.Fifo.handler={r.randint(0, 29)},queue={r.randint(0, 2)},"
        "port=16020",
        "roll": f"regionserver/{host}.logRoller",
        "chore": f"{_rs_host(r)}:16020.{r.choice(('LruBlockCacheStatsExecutor', 'Chore.1'))}",
    }[thread]
    t = f"{iso_day(r)} {hms(r)},{r.randint(0, 999):03d}"
    return f"{t} {level:<5} [{name}] {logger}: {msg}"


def elastic(r: random.Random, source: str, msg: str) -> str:
    """``[yyyy-mm-ddThh:mm:ss,ms][LEVEL][logger padded] [node] message``."""
    level, logger = source.split(" ")
    node = r.choice(("es-node-1", "es-node-2", "es-node-3", "es-master-a"))
    t = f"{iso_day(r)}T{hms(r)},{r.randint(0, 999):03d}"
    return f"[{t}][{level:<5}][{logger:<25}] [{node}] {msg}"


def flink(r: random.Random, source: str, msg: str) -> str:
    """``yyyy-mm-dd hh:mm:ss,ms LEVEL logger padded to sixty [] - message``."""
    level, logger = source.split(" ")
    t = f"{iso_day(r)} {hms(r)},{r.randint(0, 999):03d}"
    return f"{t} {level:<5} {logger:<60} [] - {msg}"


def tikv(r: random.Random, source: str, msg: str) -> str:
    """``[yyyy/mm/dd hh:mm:ss.ms +08:00] [LEVEL] [file.rs:line] [message] [key=value]...``."""
    level, where = source.split(" ")
    t = f"{iso_day(r, '/')} {hms(r)}.{r.randint(0, 999):03d} +08:00"
    return f"[{t}] [{level}] [{where}] {msg}"


# -- events ----------------------------------------------------------------------------------

_R = redacted
CRDB: list[Event] = [
    (
        "I server/status/runtime_log.go:47 n",
        "runtime stats: {} RSS, {} goroutines (stacks: {}), {}/{} Go alloc/total (heap "
        "fragmentation: {}, heap reserved: {}, heap released: {}), {}/{} CGO alloc/total ({} "
        "CGO/sec), {}/{} %(u/s)time, {} %gc ({}x), {}/{} (r/w)net",
        (
            iec,
            s.growing(2, 5),
            iec,
            iec,
            iec,
            iec,
            iec,
            iec,
            iec,
            iec,
            s.dec(0, 900, 1),
            s.dec(0, 9, 1),
            s.dec(0, 9, 1),
            s.dec(0, 2, 1),
            s.num(0, 9),
            iec,
            iec,
        ),
    ),
    # the reason of a split is one of two phrases: one event each
    (
        "I kv/kvserver/replica_command.go:412 r",
        "initiating a split of this range at key {} [{}] (load at {} qps)",
        (_R(table_key), range_id, s.dec(2000, 9000, 2)),
    ),
    (
        "I kv/kvserver/replica_command.go:412 r",
        "initiating a split of this range at key {} [{}] ({} above threshold size {})",
        (_R(table_key), range_id, iec, s.pick("512 MiB", "64 MiB")),
    ),
    *(
        (
            "I kv/kvserver/replica_raftstorage.go:930 r",
            f"applied {kind} snapshot {{}} from (n{{}},s{{}}):{{}} at applied index {{}} "
            "(total={}ms data={} ingestion={}@{}ms)",
            (
                s.hexn(8),
                s.num(1, 9),
                s.num(1, 9),
                s.num(1, 9),
                s.growing(2, 7),
                s.growing(1, 5),
                iec,
                s.num(1, 9),
                s.growing(1, 4),
            ),
        )
        for kind in ("INITIAL", "VIA_SNAPSHOT_QUEUE")
    ),
    (
        "I kv/kvserver/replicate_queue.go:590 r",
        "transferring lease to s{}",
        (s.num(1, 9),),
    ),
    (
        "I kv/kvserver/replica_command.go:2120 r",
        "change replicas (add {} remove {}): existing descriptor {}",
        (
            s.bracket_list(lambda r: f"(n{r.randint(1, 9)},s{r.randint(1, 9)}):{r.randint(1, 9)}"),
            s.pick("[]", "[(n3,s3):2LEARNER]"),
            lambda r: (
                f"r{r.randint(1, 9999)}:‹{table_key(r)}› [(n1,s1):1, (n2,s2):2, "
                f"next={r.randint(3, 9)}, gen={r.randint(1, 99)}]"
            ),
        ),
    ),
    (
        "W kv/kvserver/replica_write.go:250 r",
        "have been waiting {}s for proposing command {}",
        (s.dec(60, 300, 2), _R(s.pick("RequestLease", "Put", "EndTxn(commit)", "ConditionalPut"))),
    ),
    ("I gossip/gossip.go:1510 n", "node has connected to cluster via gossip", ()),
    (
        "I server/node.go:533 -",
        Rare("node={} started with engine type {}"),
        (s.num(1, 9), _R(s.pick("2"))),
    ),
    (
        "W server/node.go:880 s",
        "health alerts detected: {{Alerts:[{{StoreID:{} Category:METRICS Description:{} "
        "Value:{}}}]}}",
        (
            s.num(1, 9),
            metric,
            s.growing(1, 4),
        ),
    ),
    (
        "I 2@util/log/event_log.go:32 n",
        'Structured event: {{"Timestamp":{},"EventType":"node_restart","NodeID":{},'
        '"StartedAt":{}}}',
        (s.growing(19, 19), s.num(1, 9), s.growing(19, 19)),
    ),
    (
        "W kv/kvclient/kvcoord/dist_sender.go:1610 n",
        "slow range RPC: have been waiting {} (1 attempts) for RPC {} to r{}:{} [(n{},s{}):{}, "
        "next={}, gen={}]; resp: {}",
        (
            s.secs,
            _R(s.pick("Get [/Table/56/1/12,/Min)", "Scan [/Table/57/1,/Table/57/2)")),
            s.growing(1, 4),
            _R(table_key),
            s.num(1, 9),
            s.num(1, 9),
            s.num(1, 9),
            s.num(3, 9),
            s.growing(1, 3),
            s.pick("(err: <nil>)"),
        ),
    ),
    (
        "I kv/kvserver/store_raft.go:670 s",
        "raft ready handling: {}s [append={}s, apply={}s, non-blocking-sync={}s, other={}s], "
        "wrote {} bytes, {} entries",
        (*(s.dec(0, 2, 2) for _ in range(5)), s.growing(2, 7), s.num(1, 99)),
    ),
    (
        "E kv/kvserver/replica_circuit_breaker.go:175 r",
        Rare(
            "breaker: tripped with error: replica unavailable: (n{},s{}):{} unable to serve "
            "request to r{}"
        ),
        (s.num(1, 9), s.num(1, 9), s.num(1, 9), s.growing(1, 4)),
    ),
    *(
        ("I jobs/registry.go:1180 n", text, (s.growing(18, 18),))
        for text in (
            "job {}: stepping through state running",
            "job {}: stepping through state succeeded",
            Rare("job {}: stepping through state reverting"),
        )
    ),
]

CLICKHOUSE: list[Event] = [
    (
        "Debug executeQuery q",
        "Read {} rows, {} in {} sec., {} rows/sec., {}/sec.",
        (s.growing(1, 9), ch_size, s.dec(0, 9, 6), s.growing(1, 9), ch_size),
    ),
    ("Debug MemoryTracker q", "Peak memory usage (for query): {}.", (ch_size,)),
    ("Debug TCPHandler q", "Processed in {} sec.", (s.dec(0, 9, 6),)),
    (
        "Trace ContextAccess q",
        "Access granted: SELECT{} ON {}",
        (ch_columns, ch_table),
    ),
    (
        "Trace ContextAccess q",
        "Access granted: INSERT{} ON {}",
        (ch_columns, ch_table),
    ),
    (
        "Trace table q",
        "Renaming temporary part tmp_insert_{} to {} with tid ({}, {}, {}).",
        (part_name, part_name, s.num(1, 9), s.num(1, 9), s.hexn(8)),
    ),
    (
        "Debug table MergerMutator",
        "Selected {} parts from {} to {}",
        (s.num(2, 30), part_name, part_name),
    ),
    *(
        (
            "Debug table MergeTask::PrepareStage",
            f"Merging {{}} parts: from {{}} to {{}} into {kind} with storage Full",
            (s.num(2, 30), part_name, part_name),
        )
        for kind in ("Wide", "Compact")
    ),
    (
        "Debug MergedBlockOutputStream -",
        "Merge sorted {} rows, containing {} columns ({} merged, {} gathered) in {} sec., {} "
        "rows/sec., {}/sec.",
        (
            s.growing(3, 9),
            s.num(2, 90),
            s.num(1, 9),
            s.num(0, 80),
            s.dec(0, 90, 6),
            s.growing(3, 8),
            ch_size,
        ),
    ),
    (
        "Trace DiskLocal -",
        "Reserved {} on local disk `default`, having unreserved {}.",
        (ch_size, ch_size),
    ),
    (
        "Information table -",
        "Removing {} parts from filesystem (serially): Parts: [{}]",
        (s.num(1, 9), lambda r: ", ".join(part_name(r) for _ in range(r.randint(1, 5)))),
    ),
    # the method is one of some thirty, named as the key types it hashes: a value
    ("Debug Aggregator q", "Aggregation method: {}", (agg_method,)),
    (
        "Debug HTTP-Session q",
        "{} Authenticated with global context as user {}",
        (s.uuid, s.user),
    ),
    (
        "Error executeQuery q",
        "Code: 60. DB::Exception: Table {} does not exist. (UNKNOWN_TABLE) (version 24.8.4.13 "
        "(official build)) (from {})",
        (ch_table, client),
    ),
    (
        "Information SystemLog -",
        "Flushing system log, {} entries to flush up to offset {}",
        (s.num(1, 9000), s.growing(1, 7)),
    ),
    (
        "Warning Application -",
        Rare(
            "Calculated checksum of the binary: {}. There is no information about the reference "
            "checksum."
        ),
        (s.hexn(32),),
    ),
]

_CF = "[{}] "
ROCKSDB: list[Event] = [
    (
        "db/db_impl/db_impl_write.cc:2180",
        _CF + "New memtable created with log file: #{}. Immutable memtables: {}.",
        (cf_name, s.growing(1, 6), s.num(0, 4)),
    ),
    (
        "db/flush_job.cc:870",
        _CF + "[JOB {}] Flushing memtable with next log file: {}",
        (cf_name, s.growing(1, 5), s.growing(1, 6)),
    ),
    (
        "db/flush_job.cc:901",
        'EVENT_LOG_v1 {{"time_micros": {}, "job": {}, "event": "flush_started", '
        '"num_memtables": {}, "num_entries": {}, "num_deletes": {}, "total_data_size": {}, '
        '"memory_usage": {}, "flush_reason": "Write Buffer Full"}}',
        (
            s.growing(16, 16),
            s.growing(1, 5),
            s.num(1, 4),
            s.growing(2, 7),
            s.growing(1, 5),
            s.growing(4, 9),
            s.growing(4, 9),
        ),
    ),
    (
        "db/flush_job.cc:1012",
        _CF + "[JOB {}] Level-0 flush table #{}: {} bytes OK",
        (cf_name, s.growing(1, 5), s.growing(1, 6), s.growing(3, 9)),
    ),
    (
        "db/compaction/compaction_job.cc:1996",
        _CF + "[JOB {}] Compacting {}@{} + {}@{} files to L{}, score {}",
        (
            cf_name,
            s.growing(1, 5),
            s.num(1, 12),
            s.num(0, 5),
            s.num(0, 30),
            s.num(1, 6),
            s.num(1, 6),
            s.dec(0, 9, 2),
        ),
    ),
    (
        "db/compaction/compaction_job.cc:1566",
        _CF + "[JOB {}] Generated table #{}: {} keys, {} bytes, temperature: kUnknown",
        (cf_name, s.growing(1, 5), s.growing(1, 6), s.growing(1, 8), s.growing(3, 9)),
    ),
    (
        "db/compaction/compaction_job.cc:1646",
        _CF + "[JOB {}] Compacted {}@{} + {}@{} files to L{} => {} bytes",
        (
            cf_name,
            s.growing(1, 5),
            s.num(1, 12),
            s.num(0, 5),
            s.num(0, 30),
            s.num(1, 6),
            s.num(1, 6),
            s.growing(3, 10),
        ),
    ),
    (
        "db/compaction/compaction_job.cc:883",
        _CF + "compacted to: {} max score {}, MB/sec: {} rd, {} wr, level {}, files in({}, {}) "
        "out({} +0 blob) MB in({}, {} +0.0 blob) out({} +0.0 blob), read-write-amplify({}) "
        "write-amplify({}) OK, records in: {}, records dropped: {} output_compression: Snappy",
        (
            cf_name,
            level_files,
            s.dec(0, 9, 2),
            s.dec(0, 999, 1),
            s.dec(0, 999, 1),
            s.num(1, 6),
            s.num(1, 12),
            s.num(0, 30),
            s.num(1, 40),
            s.dec(0, 999, 1),
            s.dec(0, 999, 1),
            s.dec(0, 999, 1),
            s.dec(0, 99, 1),
            s.dec(0, 99, 1),
            s.growing(2, 8),
            s.growing(1, 6),
        ),
    ),
    (
        "db/db_impl/db_impl_files.cc:410",
        "[JOB {}] Try to delete WAL files size {}, prev total WAL file size {}, number of live "
        "WAL files {}.",
        (s.growing(1, 5), s.growing(3, 9), s.growing(3, 9), s.num(1, 9)),
    ),
    ("db/db_impl/db_impl_files.cc:520", "Delete {} type=2 #{} -- OK", (sst_path, s.growing(1, 6))),
    ("db/db_impl/db_impl.cc:1110", "------- DUMPING STATS -------", ()),
    ("-", "** DB Stats **", ()),
    ("-", "Uptime(secs): {} total, {} interval", (s.dec(0, 99999, 1), s.dec(0, 600, 1))),
    (
        "-",
        "Cumulative writes: {} writes, {} keys, {} commit groups, {} writes per commit group, "
        "ingest: {} GB, {} MB/s",
        (
            s.growing(1, 9),
            s.growing(1, 9),
            s.growing(1, 9),
            s.dec(1, 9, 1),
            s.dec(0, 999, 2),
            s.dec(0, 99, 2),
        ),
    ),
    (
        "-",
        "Cumulative stall: {} H:M:S, {} percent",
        (
            lambda r: f"{r.randint(0, 99):02d}:{r.randint(0, 59):02d}:{r.uniform(0, 59):06.3f}",
            s.dec(0, 99, 1),
        ),
    ),
    ("-", "** Compaction Stats [{}] **", (cf_name,)),
    (
        "-",
        "Level    Files   Size     Score Read(GB)  Rn(GB) Rnp1(GB) Write(GB) Wnew(GB) Moved(GB) "
        "W-Amp Rd(MB/s) Wr(MB/s) Comp(sec) CompMergeCPU(sec) Comp(cnt) Avg(sec) KeyIn KeyDrop",
        (),
    ),
    ("-", "-" * 96, ()),
    ("-", "  L{} {}", (s.num(0, 6), stats_row)),
    ("-", " Sum {}", (stats_row,)),
    ("-", " Int {}", (stats_row,)),
    (".", "Options.max_open_files: {}", (s.pick("-1", "5000", "20000"),)),
    (".", "Options.write_buffer_size: {}", (s.pick("67108864", "134217728"),)),
    (
        "db/version_set.cc:5580",
        Rare(
            "Recovered from manifest file:{} succeeded,manifest_file_number is {}, "
            "next_file_number is {}, last_sequence is {}, log_number is {},prev_log_number is "
            "0,max_column_family is {},min_log_number_to_keep is {}"
        ),
        (
            lambda r: f"/data/rocksdb/MANIFEST-{r.randint(1, 999999):06d}",
            s.growing(1, 6),
            s.growing(1, 6),
            s.growing(1, 9),
            s.growing(1, 6),
            s.num(0, 9),
            s.growing(1, 6),
        ),
    ),
    ("db/db_impl/db_impl.cc:510", Rare("Shutdown: canceling all background work"), ()),
]

ETCD: list[Event] = [
    # a member's raft role is one of three words: one event each
    *(
        ("I raft", f"{{}} became {role} at term {{}}", (member_id, s.growing(1, 4)))
        for role in ("follower", "candidate", "leader")
    ),
    (
        "I raft",
        "{} [logterm: {}, index: {}, vote: {}] cast MsgVote for {} [logterm: {}, index: {}] at "
        "term {}",
        (
            member_id,
            s.growing(1, 4),
            s.growing(1, 8),
            s.pick("0"),
            member_id,
            s.growing(1, 4),
            s.growing(1, 8),
            s.growing(1, 4),
        ),
    ),
    (
        "I raft",
        "{} received MsgVoteResp from {} at term {}",
        (member_id, member_id, s.growing(1, 4)),
    ),
    (
        "I raft",
        "raft.node: {} elected leader {} at term {}",
        (member_id, member_id, s.growing(1, 4)),
    ),
    ("I raft", "raft.node: {} lost leader {} at term {}", (member_id, member_id, s.growing(1, 4))),
    ("I rafthttp", "peer {} became active", (member_id,)),
    ("I rafthttp", "peer {} became inactive (message send to peer failed)", (member_id,)),
    *(
        (
            "I rafthttp",
            f"established a TCP streaming connection with peer {{}} (stream {stream})",
            (member_id,),
        )
        for stream in ("MsgApp v2 reader", "MsgApp v2 writer", "Message reader", "Message writer")
    ),
    (
        "I etcdserver",
        "start to snapshot (applied: {}, lastsnap: {})",
        (s.growing(4, 9), s.growing(4, 9)),
    ),
    ("I etcdserver", "saved snapshot at index {}", (s.growing(4, 9),)),
    ("I etcdserver", "compacted raft log at {}", (s.growing(4, 9),)),
    ("I mvcc", "store.index: compact {}", (s.growing(3, 8),)),
    ("I mvcc", "finished scheduled compaction at {} (took {})", (s.growing(3, 8), go_duration)),
    (
        "W etcdserver",
        'read-only range request "key:\\"{}\\" {}" with result "range_response_count:{} '
        'size:{}" took too long ({}) to execute',
        (
            etcd_key,
            lambda r: r.choice(("", 'range_end:\\"/registry/pods0\\" ', "count_only:true ")),
            s.growing(1, 4),
            s.growing(1, 6),
            go_duration,
        ),
    ),
    (
        "W etcdserver",
        "failed to send out heartbeat on time (exceeded the 100ms timeout for {}, to {})",
        (go_duration, member_id),
    ),
    ("W etcdserver", "server is likely overloaded", ()),
    ("I wal", "segmented wal file {} is created", (wal_name,)),
    (
        "W embed",
        'rejected connection from "{}" (error "tls: first record does not look like a TLS '
        'handshake", ServerName "")',
        (lambda r: f"{s.ip(r)}:{r.randint(1024, 65535)}",),
    ),
    (
        "I etcdserver",
        Rare("published {{Name:{} ClientURLs:{}}} to cluster {}"),
        (s.pool("etcd-{w}", 0, 6), peer_urls, member_id),
    ),
    ("E auth", Rare("invalid user name {} for permission checking"), (s.user,)),
]

_FLUSHED = (
    "Finished flush of dataSize ~{}/{}, heapSize ~{}/{}, currentSize={}/{} for {} in {}ms, "
    "sequenceid={}, compaction requested="
)
HBASE: list[Event] = [
    ("INFO open handler.AssignRegionHandler", "Open {}", (region_name,)),
    ("INFO close handler.UnassignRegionHandler", "Close {}", (encoded,)),
    (
        "INFO open regionserver.HRegion",
        "Opened {}; next sequenceid={}; SteppingSplitPolicy{{initialSize={}, "
        "ConstantSizeRegionSplitPolicy{{desiredMaxFileSize={}, jitterRate={}}}}}, "
        "FlushLargeStoresPolicy{{flushSizeLowerBound={}}}",
        (
            encoded,
            s.growing(1, 7),
            s.growing(8, 10),
            s.growing(9, 11),
            s.dec(-0.25, 0.25, 16),
            s.growing(7, 9),
        ),
    ),
    ("INFO close regionserver.HRegion", "Closed {}", (region_name,)),
    (
        "INFO flush regionserver.HRegion",
        "Flushing {} {}/{} column families, dataSize={} heapSize={}",
        (encoded, s.num(1, 3), s.num(1, 3), hsize, hsize),
    ),
    (
        "INFO flush regionserver.HRegion",
        _FLUSHED + "{}",
        (
            *(s.num(1, 99999) for _ in range(6)),
            encoded,
            s.growing(1, 5),
            s.growing(1, 7),
            s.boolean,
        ),
    ),
    (
        "INFO flush regionserver.HStore",
        "Added {}, entries={}, sequenceid={}, filesize={}",
        (hdfs_path, s.growing(1, 7), s.growing(1, 7), hsize),
    ),
    (
        "INFO compact regionserver.CompactSplit",
        "Completed compaction of {} (all) file(s) in {} of {} into {}(size={}), total size for "
        "store is {}. This selection was in queue for {}, and took {} to execute.",
        (
            s.num(2, 12),
            family,
            region_name,
            s.hexn(32),
            hsize,
            hsize,
            format_time,
            format_time,
        ),
    ),
    (
        "INFO roll wal.AbstractFSWAL",
        "Rolled WAL {} with entries={}, filesize={}; new WAL {}",
        (wal_file, s.growing(1, 6), hsize, wal_file),
    ),
    (
        "INFO chore hfile.LruBlockCache",
        "totalSize={}, freeSize={}, max={}, blockCount={}, accesses={}, hits={}, hitRatio={}, "
        "cachingAccesses={}, cachingHits={}, cachingHitsRatio={}, evictions={}, evicted={}, "
        "evictedPerRun={}",
        (
            hsize,
            hsize,
            hsize,
            s.growing(1, 6),
            s.growing(1, 8),
            s.growing(1, 8),
            lambda r: r.choice(("0", f"{r.uniform(0, 100):.2f}%")),
            s.growing(1, 8),
            s.growing(1, 8),
            lambda r: r.choice(("0", f"{r.uniform(0, 100):.2f}%")),
            s.growing(1, 5),
            s.num(0, 9999),
            lambda r: r.choice(("NaN", f"{r.uniform(0, 900):.1f}")),
        ),
    ),
    (
        "WARN rpc ipc.RpcServer",
        '(responseTooSlow): {{"call":"Multi(org.apache.hadoop.hbase.shaded.protobuf.generated.'
        'ClientProtos$MultiRequest)","starttimems":"{}","responsesize":"{}","method":"Multi",'
        '"param":"region= {}, for {} action(s) and 1st row key={}","processingtimems":{},'
        '"client":"{}","queuetimems":{},"class":"HRegionServer"}}',
        (
            s.growing(13, 13),
            s.growing(1, 6),
            region_name,
            s.num(1, 999),
            lambda r: f"user{r.randint(1000, 9999)}",
            s.growing(4, 6),
            lambda r: f"{s.ip(r)}:{r.randint(1024, 65535)}",
            s.num(0, 99),
        ),
    ),
    (
        "INFO compact regionserver.HRegion",
        Rare("Starting compaction of {} in {}"),
        (family, region_name),
    ),
    (
        "WARN chore regionserver.HeapMemoryManager",
        Rare("heapOccupancyPercent {} is above heap occupancy alarm watermark ({})"),
        (s.dec(0.95, 1, 8), s.pick("0.95")),
    ),
]

ELASTIC: list[Event] = [
    *(
        (
            "INFO o.e.c.m.MetadataCreateIndexService",
            f"[{{}}] creating index, cause [{cause}], templates [{{}}], shards [{{}}]/[{{}}]",
            (es_index, s.pool("{w}-template", 0, 6), s.num(1, 5), s.num(0, 2)),
        )
        for cause in ("auto(bulk api)", "api", Rare("rollover_data_stream"))
    ),
    *(
        (
            "INFO o.e.c.r.a.AllocationService",
            f"Cluster health status changed from [{a}] to [{b}] (reason: [shards started "
            "[[{}][{}]]]).",
            (es_index, s.num(0, 4)),
        )
        for a, b in (("RED", "YELLOW"), ("YELLOW", "GREEN"))
    ),
    (
        "INFO o.e.c.m.MetadataMappingService",
        "[{}/{}] update_mapping [_doc]",
        (es_index, es_uuid),
    ),
    (
        "INFO o.e.m.j.JvmGcMonitorService",
        "[gc][{}] overhead, spent [{}] collecting in the last [{}]",
        (s.growing(1, 7), es_time, es_time),
    ),
    (
        "WARN o.e.m.j.JvmGcMonitorService",
        "[gc][young][{}][{}] duration [{}], collections [1]/[{}], total [{}]/[{}], memory "
        "[{}]->[{}]/[{}], all_pools {{[young] [{}]->[{}]/[{}]}}{{[old] [{}]->[{}]/[{}]}}",
        (
            s.growing(1, 7),
            s.growing(1, 5),
            es_time,
            es_time,
            es_time,
            es_time,
            *(es_bytes for _ in range(9)),
        ),
    ),
    (
        "INFO o.e.c.s.ClusterApplierService",
        "added {{{{{}}}{{{}}}{{{}}}{{{}}}{{{}}}{{cdfhilmrstw}}}}, term: {}, version: {}, reason: "
        "ApplyCommitRequest{{term={}, version={}}}",
        (
            s.pool("es-data-{w}", 0, 8),
            es_uuid,
            es_uuid,
            s.ip,
            lambda r: f"{s.ip(r)}:9300",
            s.num(1, 40),
            s.growing(1, 6),
            s.num(1, 40),
            s.growing(1, 6),
        ),
    ),
    (
        "WARN o.e.c.r.a.DiskThresholdMonitor",
        "high disk watermark [90%] exceeded on [{}][{}][/var/lib/elasticsearch] free: {}[{}%], "
        "shards will be relocated away from this node; currently relocating away shards "
        "totalling [{}] bytes",
        (es_uuid, s.pool("es-data-{w}", 0, 8), es_bytes, s.dec(1, 10, 1), s.growing(1, 10)),
    ),
    (
        "INFO o.e.x.i.IndexLifecycleTransition",
        'moving index [{}] from [{{"phase":"hot","action":"rollover",'
        '"name":"check-rollover-ready"}}] '
        'to [{{"phase":"hot","action":"rollover","name":"attempt-rollover"}}] in policy [{}]',
        (es_index, s.pool("{w}-policy", 0, 6)),
    ),
    (
        "DEBUG o.e.a.b.TransportShardBulkAction",
        "[{}][{}] failed to execute bulk item (index) index {{[{}][{}], source[n/a, actual "
        "length: [{}], max length: 2kb]}}",
        (es_index, s.num(0, 4), es_index, es_uuid, es_bytes),
    ),
    (
        "INFO o.e.c.c.Coordinator",
        Rare("master node changed {{previous [{}], current [{}]}}, term: {}, version: {}"),
        (
            s.pool("es-master-{w}", 0, 3),
            s.pool("es-master-{w}", 0, 3),
            s.num(1, 40),
            s.growing(1, 6),
        ),
    ),
    (
        "WARN o.e.d.HandshakingTransportAddressConnector",
        Rare(
            "[connectToRemoteMasterNode[{}]] completed handshake with [{}] but followup "
            "connection failed"
        ),
        (lambda r: f"{s.ip(r)}:9300", es_uuid),
    ),
]

FLINK: list[Event] = [
    *(
        (
            "INFO org.apache.flink.runtime.executiongraph.ExecutionGraph",
            f"{{}} {{}} ({{}}) switched from {a} to {b}.",
            (task_name, subtask, attempt),
        )
        for a, b in (
            ("CREATED", "SCHEDULED"),
            ("SCHEDULED", "DEPLOYING"),
            ("DEPLOYING", "INITIALIZING"),
            ("INITIALIZING", "RUNNING"),
            ("RUNNING", "FINISHED"),
            ("RUNNING", "CANCELING"),
        )
    ),
    (
        "INFO org.apache.flink.runtime.executiongraph.ExecutionGraph",
        "Deploying {} {} (attempt #{}) with attempt id {} and vertex id {} to {} @ {} "
        "({}) with allocation id {}",
        (
            task_name,
            subtask,
            s.num(0, 3),
            attempt,
            lambda r: f"{s.hexn(32)(r)}_{r.randint(0, 7)}",
            tm_id,
            s.ip,
            lambda r: f"dataPort={r.randint(30000, 45000)}",
            s.hexn(32),
        ),
    ),
    (
        "INFO org.apache.flink.runtime.checkpoint.CheckpointCoordinator",
        "Triggering checkpoint {} (type=CheckpointType{{name='Checkpoint', "
        "sharingFilesStrategy=FORWARD_BACKWARD}}) @ {} for job {}.",
        (s.growing(1, 5), s.growing(13, 13), job_id),
    ),
    (
        "INFO org.apache.flink.runtime.checkpoint.CheckpointCoordinator",
        "Completed checkpoint {} for job {} ({} bytes, checkpointDuration={} ms, "
        "finalizationTime={} ms).",
        (s.growing(1, 5), job_id, s.growing(3, 10), s.growing(1, 6), s.num(0, 99)),
    ),
    (
        "INFO org.apache.flink.runtime.checkpoint.CheckpointCoordinator",
        "Checkpoint {} of job {} expired before completing.",
        (s.growing(1, 5), job_id),
    ),
    (
        "INFO org.apache.flink.runtime.resourcemanager.slotmanager.FineGrainedSlotManager",
        "Received resource requirements from job {}: [ResourceRequirement{{resourceProfile="
        "ResourceProfile{{UNKNOWN}}, numberOfRequiredSlots={}}}]",
        (job_id, s.num(1, 64)),
    ),
    (
        "INFO org.apache.flink.runtime.resourcemanager.StandaloneResourceManager",
        "Registering TaskManager with ResourceID {} (pekko.tcp://flink@{}:{}/user/rpc/"
        "taskmanager_0) at ResourceManager",
        (tm_id, s.ip, s.num(30000, 45000)),
    ),
    *(
        (
            "INFO org.apache.flink.runtime.jobmaster.JobMaster",
            f"Job {{}} ({{}}) switched from state {a} to {b}.",
            (s.pool("{w}-pipeline", 0, 10), job_id),
        )
        for a, b in (("CREATED", "RUNNING"), ("RUNNING", "FAILING"), ("FAILING", "RESTARTING"))
    ),
    (
        "WARN org.apache.flink.runtime.checkpoint.CheckpointFailureManager",
        Rare(
            "Failed to trigger or complete checkpoint {} for job {}. ({} consecutive failed "
            "attempts so far)"
        ),
        (s.growing(1, 5), job_id, s.num(0, 9)),
    ),
    (
        "INFO org.apache.flink.runtime.dispatcher.StandaloneDispatcher",
        Rare("Received JobGraph submission '{}' ({})."),
        (s.pool("{w}-pipeline", 0, 10), job_id),
    ),
]

TIKV: list[Event] = [
    (
        "INFO peer.rs:5210",
        '["on split"] [source=ipv4:{}:{}] [split_keys="key {}"] [peer_id={}] [region_id={}]',
        (s.ip, s.num(1024, 65535), raft_key, s.growing(1, 6), s.growing(1, 6)),
    ),
    (
        "INFO apply.rs:2430",
        '["split region"] [keys="key {}"] [region="id: {} start_key: {} end_key: {} '
        'region_epoch {{ conf_ver: {} version: {} }} peers {{ id: {} store_id: {} }}"] '
        "[peer_id={}] [region_id={}]",
        (
            raft_key,
            s.growing(1, 6),
            raft_key,
            raft_key,
            s.num(1, 90),
            s.num(1, 900),
            s.growing(1, 6),
            s.num(1, 9),
            s.growing(1, 6),
            s.growing(1, 6),
        ),
    ),
    *(
        (
            "INFO raft.rs:1200",
            f'["became {role} at term {{}}"] [term={{}}] [raft_id={{}}] [region_id={{}}]',
            (s.growing(1, 3), s.growing(1, 3), s.growing(1, 6), s.growing(1, 6)),
        )
        for role in ("leader", "follower", "candidate", Rare("pre-candidate"))
    ),
    *(
        (
            "INFO apply.rs:1650",
            f'["exec ConfChangeV2"] [epoch={{}}] [kind=Simple] [type={kind}] [peer_id={{}}] '
            "[region_id={}]",
            (tikv_epoch, s.growing(1, 6), s.growing(1, 6)),
        )
        for kind in ("AddNode", "RemoveNode", "AddLearnerNode")
    ),
    (
        "INFO snap.rs:870",
        '["send snapshot"] [takes={}] [snap_key={}_{}_{}] [region_id={}]',
        (go_duration, s.growing(1, 6), s.num(5, 40), s.growing(2, 7), s.growing(1, 6)),
    ),
    (
        "INFO compact.rs:160",
        '["compact log"] [compact_index={}] [first_index={}] [region_id={}]',
        (s.growing(2, 7), s.growing(2, 7), s.growing(1, 6)),
    ),
    (
        "WARN store.rs:1180",
        '["[store {}] handle {} pending peers deleting {} ready {} messages takes {}"] '
        "[slow_raft_store_ready=true]",
        (s.num(1, 9), s.num(0, 99), s.num(0, 9), s.num(1, 999), go_duration),
    ),
    (
        "INFO pd.rs:1520",
        '["try to change peer"] [changes="[change_type: AddLearnerNode peer {{ id: {} store_id: {} '
        'role: Learner }}]"] [peer_id={}] [region_id={}]',
        (s.growing(1, 6), s.num(1, 9), s.growing(1, 6), s.growing(1, 6)),
    ),
    (
        "WARN endpoint.rs:780",
        '["slow-query"] [perf_stats.internal_key_skipped_count={}] [scan.range.first="Some(start: '
        '{} end: {})"] [scan.is_desc=false] [region_id={}] [txn_start_ts={}] [table_id={}] '
        "[tag=select] [total_process_time={}] [wait_time={}]",
        (
            s.growing(1, 6),
            raft_key,
            raft_key,
            s.growing(1, 6),
            s.growing(18, 18),
            s.num(50, 999),
            go_duration,
            go_duration,
        ),
    ),
    (
        "INFO mod.rs:230",
        Rare('["Welcome to TiKV"] [release_version={}] [git_hash={}]'),
        (lambda r: f"8.{r.randint(0, 5)}.{r.randint(0, 3)}", s.hexn(40)),
    ),
    (
        "ERROR util.rs:470",
        Rare(
            '["request failed"] [err="Grpc(RpcFailure(RpcStatus {{ code: 14-UNAVAILABLE, message: '
            '\\"failed to connect to all addresses\\" }}))"] [addr={}:2379]'
        ),
        (s.ip,),
    ),
]


EIGHTEENTH_STYLES: dict[str, tuple[list[Event], Header]] = {
    "crdb_node": (CRDB, cockroach),
    "column_server": (CLICKHOUSE, clickhouse),
    "lsm_engine_log": (ROCKSDB, rocksdb),
    "consensus_store": (ETCD, capnslog),
    "region_server": (HBASE, hbase),
    "search_node": (ELASTIC, elastic),
    "raft_kv_store": (TIKV, tikv),
}
# scored below the test's floor and left out of the set (see the module docstring)
LEFT_OUT_STYLES: dict[str, tuple[list[Event], Header]] = {"stream_job_manager": (FLINK, flink)}
