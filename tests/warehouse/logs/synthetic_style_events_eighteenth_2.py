"""Event tables of the eighteenth set of invented log styles, part 2 of two: ``region_server``,
``search_node``, ``stream_job_manager`` and ``raft_kv_store`` (``stream_job_manager`` is left
out of the set). The set, with its record, its headers and ``EIGHTEENTH_STYLES``, is
:mod:`tests.warehouse.logs.synthetic_styles_eighteenth`."""

from __future__ import annotations

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_slots_eighteenth import (
    attempt,
    encoded,
    es_bytes,
    es_index,
    es_time,
    es_uuid,
    family,
    format_time,
    go_duration,
    hdfs_path,
    hsize,
    job_id,
    raft_key,
    region_name,
    subtask,
    task_name,
    tikv_epoch,
    tm_id,
    wal_file,
)
from tests.warehouse.logs.synthetic_styles import Event, Rare

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
