"""Event tables of the sixteenth set of invented log styles, part 2 of two: ``db_errorlog``,
``ban_daemon``, ``spark_executor`` and ``machine_console``. The set, with its record, its
headers and ``SIXTEENTH_STYLES``, is :mod:`tests.warehouse.logs.synthetic_styles_sixteenth`."""

from __future__ import annotations

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_slots_sixteenth import (
    backup_file,
    blade,
    block_id,
    cname,
    database,
    iso_clock,
    jail,
    klass,
    log_path,
    login,
    lsn,
    nid,
    task,
    worker,
)
from tests.warehouse.logs.synthetic_styles import Event, Rare

MSSQL: list[Event] = [
    ("spid", "Starting up database '{}'.", (database,)),
    (
        "spid",
        "Recovery of database '{}' ({}) is {}% complete (approximately {} seconds remain). "
        "Phase {} of 3. This is an informational message only. No user action is required.",
        (database, s.num(5, 40), s.num(0, 100), s.growing(1, 5), s.num(1, 3)),
    ),
    ("Logon", "Error: 18456, Severity: 14, State: {}.", (s.pick("5", "8", "38"),)),
    (
        "Logon",
        "Login failed for user '{}'. Reason: Password did not match that for the login "
        "provided. [CLIENT: {}]",
        (login, s.ip),
    ),
    (
        "Logon",
        "Login failed for user '{}'. Reason: Could not find a login matching the name "
        "provided. [CLIENT: {}]",
        (login, s.ip),
    ),
    (
        "Logon",
        "Login failed for user '{}'. Reason: Failed to open the explicitly specified database "
        "'{}'. [CLIENT: {}]",
        (login, database, s.ip),
    ),
    (
        "Backup",
        "Log was backed up. Database: {}, creation date(time): {}, first LSN: {}, last LSN: "
        "{}, number of dump devices: 1, device information: (FILE=1, TYPE=DISK: {{'{}'}}). "
        "This is an informational message only. No user action is required.",
        (database, iso_clock, lsn, lsn, backup_file),
    ),
    (
        "Backup",
        "BACKUP DATABASE successfully processed {} pages in {} seconds ({} MB/sec).",
        (s.growing(2, 8), s.dec(0, 900, 3), s.dec(0, 900, 3)),
    ),
    (
        "spid",
        "DBCC CHECKDB ({}) WITH no_infomsgs executed by {} found 0 errors and repaired 0 "
        "errors. Elapsed time: 0 hours {} minutes {} seconds.  Internal database snapshot has "
        "split point LSN = {} and first LSN = {}.",
        (database, login, s.num(0, 59), s.num(0, 59), lsn, lsn),
    ),
    (
        "spid",
        "SQL Server has encountered {} occurrence(s) of I/O requests taking longer than 15 "
        "seconds to complete on file [{}] in database id {}.  The OS file handle is 0x{}.  The "
        "offset of the latest long I/O is: 0x{}",
        (s.num(1, 99), s.pool("E:\\Data\\{w}.mdf", 0, 10), s.num(5, 40), s.hexn(16), s.hexn(16)),
    ),
    (
        "Server",
        Rare(
            "SQL Server is now ready for client connections. This is an informational "
            "message; no user action is required."
        ),
        (),
    ),
    ("Server", Rare("Using 'dbghelp.dll' version '{}'"), (s.version,)),
    # the option and its setting are closed sets of a few words: one event per pair written
    ("spid", "Setting database option RECOVERY to FULL for database '{}'.", (database,)),
    ("spid", "Setting database option AUTO_CLOSE to OFF for database '{}'.", (database,)),
    ("spid", "Setting database option READ_ONLY to ON for database '{}'.", (database,)),
    (
        "spid",
        "CHECKDB for database '{}' finished without errors on {} (local time). This is an "
        "informational message only; no user action is required.",
        (database, iso_clock),
    ),
]


FAIL2BAN: list[Event] = [
    ("filter INFO", "[{}] Found {} - {}", (jail, s.ip, iso_clock)),
    ("actions NOTICE", "[{}] Ban {}", (jail, s.ip)),
    ("actions NOTICE", "[{}] Unban {}", (jail, s.ip)),
    ("actions NOTICE", "[{}] Restore Ban {}", (jail, s.ip)),
    ("actions NOTICE", "[{}] {} already banned", (jail, s.ip)),
    ("filter INFO", "[{}] Ignore {} by ip", (jail, s.ip)),
    ("jail INFO", "Jail '{}' started", (jail,)),
    ("jail INFO", "Jail '{}' stopped", (jail,)),
    (
        "filter INFO",
        "Added logfile: '{}' (pos = {}, hash = {})",
        (log_path, s.growing(1, 9), s.hexn(40)),
    ),
    ("server INFO", Rare("Starting Fail2ban v{}"), (s.version,)),
    ("server INFO", "--------------------------------------------------", ()),
    (
        "observer INFO",
        "[{}] Found {}, bad - {}, {} # -> {}, Ban",
        (jail, s.ip, iso_clock, s.num(1, 9), s.dec(1, 9, 1)),
    ),
    (
        "actions ERROR",
        Rare(
            "Failed to execute ban jail '{}' action '{}' info 'ActionInfo({{'ip': '{}', "
            "'family': 'inet4'}})': Error banning {}"
        ),
        (jail, s.pool("{w}-multiport", 0, 4), s.ip, s.ip),
    ),
    ("filter INFO", "  maxRetry: {}", (s.num(1, 10),)),
    ("filter INFO", "  findtime: {}", (s.growing(2, 6),)),
    ("actions INFO", "  banTime: {}", (s.growing(2, 6),)),
    ("filter INFO", "  encoding: UTF-8", ()),
]


SPARK: list[Event] = [
    (
        "INFO BlockManagerInfo",
        "Added {} in memory on {}:{} (size: {}, free: {})",
        (block_id, worker, s.num(30000, 60000), s.size, s.size),
    ),
    (
        "INFO MemoryStore",
        "Block {} stored as values in memory (estimated size {}, free {})",
        (block_id, s.size, s.size),
    ),
    (
        "INFO MemoryStore",
        "Block {} stored as bytes in memory (estimated size {}, free {})",
        (block_id, s.size, s.size),
    ),
    ("INFO Executor", "Running task {} in stage {} (TID {})", (task, task, s.growing(1, 7))),
    (
        "INFO Executor",
        "Finished task {} in stage {} (TID {}). {} bytes result sent to driver",
        (task, task, s.growing(1, 7), s.growing(3, 6)),
    ),
    (
        "INFO TaskSetManager",
        "Starting task {} in stage {} (TID {}, {}, executor {}, partition {}, PROCESS_LOCAL, "
        "{} bytes)",
        (task, task, s.growing(1, 7), worker, s.num(1, 99), s.num(0, 2000), s.growing(3, 6)),
    ),
    (
        "INFO TaskSetManager",
        "Starting task {} in stage {} (TID {}, {}, executor {}, partition {}, NODE_LOCAL, "
        "{} bytes)",
        (task, task, s.growing(1, 7), worker, s.num(1, 99), s.num(0, 2000), s.growing(3, 6)),
    ),
    (
        "INFO TaskSetManager",
        "Finished task {} in stage {} (TID {}) in {} ms on {} (executor {}) ({}/{})",
        (
            task,
            task,
            s.growing(1, 7),
            s.growing(1, 6),
            worker,
            s.num(1, 99),
            s.num(1, 2000),
            s.num(1, 2000),
        ),
    ),
    (
        "WARN TaskSetManager",
        "Lost task {} in stage {} (TID {}, {}, executor {}): java.io.IOException: Connection "
        "reset by peer",
        (task, task, s.growing(1, 7), worker, s.num(1, 99)),
    ),
    (
        "INFO ShuffleBlockFetcherIterator",
        "Getting {} non-empty blocks including {} local blocks and {} remote blocks",
        (s.growing(1, 4), s.growing(1, 4), s.growing(1, 4)),
    ),
    (
        "INFO ShuffleBlockFetcherIterator",
        "Started {} remote fetches in {} ms",
        (s.num(0, 99), s.growing(1, 4)),
    ),
    (
        "INFO TorrentBroadcast",
        "Reading broadcast variable {} took {} ms",
        (s.num(0, 999), s.growing(1, 5)),
    ),
    # the action is one of a few words: one event for each
    *(
        (
            "INFO DAGScheduler",
            Rare(f"Job {{}} finished: {action} at {{}}.scala:{{}}, took {{}} s"),
            (s.num(0, 999), klass, s.num(10, 400), s.dec(0, 900, 6)),
        )
        for action in ("collect", "count", "save")
    ),
    (
        "INFO CoarseGrainedExecutorBackend",
        Rare("Got assigned task {}"),
        (s.growing(1, 7),),
    ),
    (
        "ERROR Executor",
        Rare("Exception in task {} in stage {} (TID {})"),
        (task, task, s.growing(1, 7)),
    ),
]


CONSOLE: list[Event] = [
    ("node", "kernel: LNet: {}@o2ib{}: Connection timed out", (s.ip, s.num(0, 3))),
    (
        "node",
        "kernel: Lustre: {}-OST{}-osc-ffff{}: Connection restored to {}@o2ib (at {}@o2ib)",
        (s.pool("{w}fs", 0, 4), s.hexn(4), s.hexn(12), s.ip, s.ip),
    ),
    (
        "node",
        "kernel: Lustre: {}-OST{}-osc-ffff{}: Connection to {}-OST{} (at {}@o2ib) was lost; "
        "in progress operations using this service will wait for recovery to complete",
        (s.pool("{w}fs", 0, 4), s.hexn(4), s.hexn(12), s.pool("{w}fs", 0, 4), s.hexn(4), s.ip),
    ),
    ("node", "kernel: Out of memory: Killed process {} ({})", (s.growing(3, 7), s.program)),
    ("node", "kernel: mce: [Hardware Error]: Machine check events logged", ()),
    (
        "node",
        "slurmd[{}]: launch task {}.{} request from UID: {}",
        (s.growing(3, 6), s.growing(2, 8), s.num(0, 9), s.num(1000, 60000)),
    ),
    ("node", "slurmd[{}]: done with job {}", (s.growing(3, 6), s.growing(2, 8))),
    ("blade", "ec_node_info: node {} state changed from booting to ready", (nid,)),
    ("blade", "ec_node_info: node {} state changed from ready to down", (nid,)),
    # the sensor is one of a few words: one event for each
    *(
        (
            "blade",
            f"ec_hw_error: {{}} sensor {sensor} value {{}} exceeds limit {{}}",
            (cname, s.dec(0, 99, 2), s.dec(0, 99, 2)),
        )
        for sensor in ("VDD", "VCC", "TEMP")
    ),
    ("smw", "xtnlrd: Received critical heartbeat fault for {}", (cname,)),
    (
        "smw",
        "xtnlrd: link failover on {} lanes {}, {} retries",
        (blade, s.hexn(2, "0x"), s.num(0, 9)),
    ),
    ("sdb", Rare("xtcheckhealth: {} admindown by {}"), (nid, s.user)),
    ("smw", Rare("xtbounce: bouncing {} blades"), (s.num(1, 200),)),
    ("node", "kernel: hsn0: link down, retrain {}", (s.num(0, 99),)),
    ("node", "kernel: hsn0: link up, speed {}", (s.pick("100G", "200G"),)),
]
