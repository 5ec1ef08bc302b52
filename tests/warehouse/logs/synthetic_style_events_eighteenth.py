"""Event tables of the eighteenth set of invented log styles, part 1 of two: ``crdb_node``,
``column_server``, ``lsm_engine_log`` and ``consensus_store``. The set, with its record, its
headers and ``EIGHTEENTH_STYLES``, is :mod:`tests.warehouse.logs.synthetic_styles_eighteenth`."""

from __future__ import annotations

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_slots_eighteenth import (
    agg_method,
    cf_name,
    ch_columns,
    ch_size,
    ch_table,
    client,
    etcd_key,
    go_duration,
    iec,
    level_files,
    member_id,
    metric,
    part_name,
    peer_urls,
    range_id,
    redacted,
    sst_path,
    stats_row,
    table_key,
    wal_name,
)
from tests.warehouse.logs.synthetic_styles import Event, Rare

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
