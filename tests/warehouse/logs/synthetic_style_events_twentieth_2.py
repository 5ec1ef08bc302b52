"""Event tables of the twentieth set of invented log styles, part 2 of two: ``dask_workers``,
``ci_step_log``, ``build_console`` and ``transform_run``. The set, with its record, its headers
and ``TWENTIETH_STYLES``, is :mod:`tests.warehouse.logs.synthetic_styles_twentieth`."""

from __future__ import annotations

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_slots_twentieth import (
    _WORDS,
    action_ref,
    cc_file,
    dask_key,
    dotted,
    model,
    target,
    tcp,
    thousands,
)
from tests.warehouse.logs.synthetic_styles import Event, Rare

DASK: list[Event] = [
    ("distributed.nanny INFO", "        Start Nanny at: '{}'", (tcp,)),
    ("distributed.worker INFO", "      Start worker at:     {}", (tcp,)),
    ("distributed.worker INFO", "         Listening to:     {}", (tcp,)),
    (
        "distributed.worker INFO",
        "          Worker name:     {}",
        (lambda r: f"SLURMCluster-{r.randint(0, 99)}",),
    ),
    (
        "distributed.worker INFO",
        "              Threads:     {}",
        (s.pick("1", "2", "4", "8", "16"),),
    ),
    (
        "distributed.worker INFO",
        "               Memory:     {}",
        (lambda r: f"{r.uniform(1, 500):.2f} GiB",),
    ),
    ("distributed.worker INFO", "-------------------------------------------------", ()),
    ("distributed.worker INFO", "        Registered to:     {}", (tcp,)),
    (
        "distributed.scheduler INFO",
        "Register worker <WorkerState '{}', name: {}, status: init, memory: 0, processing: 0>",
        (tcp, s.num(0, 99)),
    ),
    (
        "distributed.scheduler INFO",
        "Remove worker <WorkerState '{}', name: {}, status: closing, memory: {}, processing: {}>",
        (tcp, s.num(0, 99), s.growing(1, 5), s.num(0, 99)),
    ),
    ("distributed.scheduler INFO", "Receive client connection: Client-{}", (s.uuid,)),
    (
        "distributed.worker.memory WARNING",
        "Unmanaged memory use is high. This may indicate a memory leak or the memory may not be "
        "released to the OS; see https://distributed.dask.org/en/latest/worker-memory.html for "
        "more information. -- Unmanaged memory: {} -- Worker memory limit: {}",
        (lambda r: f"{r.uniform(1, 60):.2f} GiB", lambda r: f"{r.uniform(8, 64):.2f} GiB"),
    ),
    # the server's kind is a closed set of three words: one event each
    *(
        (
            "distributed.core INFO",
            f"Event loop was unresponsive in {kind} for {{}}s.  This is often caused by "
            "long-running GIL-holding functions or moving large chunks of data. This can cause "
            "timeouts and instability.",
            (s.dec(3, 60, 2),),
        )
        for kind in ("Worker", "Scheduler", "Nanny")
    ),
    (
        "distributed.worker WARNING",
        "Compute Failed Key: {} Function: {} args: ({}) kwargs: {{}} Exception: {}",
        (
            dask_key,
            s.pool("{w}_partition", 20, 16),
            lambda r: f"{r.randint(0, 999)}",
            lambda r: f"\"KeyError('{r.choice(_WORDS)}')\"",
        ),
    ),
    (
        "distributed.scheduler INFO",
        Rare("Lost all workers"),
        (),
    ),
    (
        "distributed.nanny WARNING",
        Rare("Worker exceeded {}% memory budget. Restarting"),
        (s.pick("95"),),
    ),
]

ACTIONS: list[Event] = [
    ("-", "##[group]Run {}", (action_ref,)),
    ("-", "##[endgroup]", ()),
    ("-", "with:", ()),
    ("-", "  python-version: {}", (lambda r: f"3.{r.randint(8, 13)}",)),
    ("-", "shell: /usr/bin/bash -e {{0}}", ()),
    ("-", "Syncing repository: {}/{}", (s.user, lambda r: r.choice(_WORDS))),
    (
        "-",
        "[command]/usr/bin/git checkout --progress --force -B {} refs/remotes/origin/{}",
        (s.pool("{w}-fix", 0, 12), s.pool("{w}-fix", 0, 12)),
    ),
    ("-", "Cache restored from key: {}", (lambda r: f"setup-python-Linux-x64-{s.hexn(64)(r)}",)),
    ("-", "Cache not found for input keys: {}", (lambda r: f"pip-Linux-{s.hexn(64)(r)}",)),
    ("-", "Collecting {}=={}", (s.pool("{w}", 0, 30), s.version)),
    (
        "-",
        "  Downloading {} ({})",
        (
            lambda r: f"{r.choice(_WORDS)}-{s.version(r)}-py3-none-any.whl",
            lambda r: f"{r.randint(1, 999)} kB",
        ),
    ),
    (
        "-",
        "{} passed, {} skipped, {} warnings in {}s",
        (s.growing(1, 4), s.num(0, 40), s.num(0, 99), s.dec(1, 900, 2)),
    ),
    ("-", "##[error]Process completed with exit code {}.", (s.pick("1", "2", "127", "137"),)),
    (
        "-",
        "##[warning]Node.js 16 actions are deprecated. Please update the following actions "
        "to use Node.js 20: {}",
        (action_ref,),
    ),
    ("-", "Post job cleanup.", ()),
    ("-", Rare("##[error]The operation was canceled."), ()),
    ("-", Rare("##[error]The runner has received a shutdown signal."), ()),
]

BAZEL: list[Event] = [
    ("-", "INFO: Invocation ID: {}", (s.uuid,)),
    (
        "-",
        "INFO: Analyzed target {} ({} packages loaded, {} targets configured).",
        (target, s.num(0, 900), thousands(0, 90000)),
    ),
    (
        "-",
        "INFO: Analyzed {} targets ({} packages loaded, {} targets configured).",
        (s.num(2, 999), s.num(0, 900), thousands(0, 90000)),
    ),
    ("-", "INFO: Found {} targets...", (s.num(2, 999),)),
    (
        "-",
        "[{} / {}] Compiling {}; {}s linux-sandbox ... ({} actions running)",
        (
            thousands(1, 20000),
            thousands(20, 40000),
            cc_file,
            s.num(0, 90),
            s.num(2, 64),
        ),
    ),
    (
        "-",
        "[{} / {}] Linking {}; {}s linux-sandbox",
        (
            thousands(1, 20000),
            thousands(20, 40000),
            lambda r: f"bazel-bin/{target(r)[2:].replace(':', '/')}",
            s.num(0, 90),
        ),
    ),
    ("-", "Target {} up-to-date:", (target,)),
    ("-", "  bazel-bin/{}", (lambda r: target(r)[2:].replace(":", "/"),)),
    ("-", "INFO: Elapsed time: {}s, Critical Path: {}s", (s.dec(0.1, 3000, 3), s.dec(0.1, 900, 2))),
    (
        "-",
        "INFO: {} processes: {} internal, {} linux-sandbox.",
        (thousands(1, 30000), thousands(1, 9000), thousands(1, 30000)),
    ),
    ("-", "INFO: Build completed successfully, {} total actions", (thousands(1, 40000),)),
    (
        "-",
        "WARNING: {}:{}:{}: target '{}' is deprecated: use {} instead",
        (
            lambda r: f"/home/ci/src/{r.choice(_WORDS)}/BUILD.bazel",
            s.num(1, 400),
            s.num(1, 30),
            target,
            target,
        ),
    ),
    (
        "-",
        Rare(
            "ERROR: {}:{}:{}: Compiling {} failed: (Exit 1): gcc failed: error executing "
            "CppCompile command (from target {})"
        ),
        (
            lambda r: f"/home/ci/src/{r.choice(_WORDS)}/BUILD.bazel",
            s.num(1, 400),
            s.num(1, 30),
            cc_file,
            target,
        ),
    ),
    ("-", Rare("FAILED: Build did NOT complete successfully"), ()),
]

DBT: list[Event] = [
    ("-", "Running with dbt={}", (lambda r: f"1.{r.randint(5, 8)}.{r.randint(0, 9)}",)),
    (
        "-",
        "Found {} models, {} tests, {} sources, {} macros",
        (s.num(1, 900), s.num(0, 2000), s.num(0, 90), s.num(100, 900)),
    ),
    (
        "-",
        "Concurrency: {} threads (target='{}')",
        (s.pick("1", "4", "8", "16"), s.pool("{w}", 0, 16)),
    ),
    *(
        (
            "-",
            f"{{}} of {{}} START sql {kind} model {{}} [RUN]",
            (s.num(1, 400), s.num(1, 400), dotted(model)),
        )
        for kind in ("table", "view", "incremental")
    ),
    (
        "-",
        "{} of {} OK created sql table model {} [{} in {}s]",
        (
            s.num(1, 400),
            s.num(1, 400),
            dotted(model),
            lambda r: f"SELECT {r.randint(0, 10**7)}",
            s.dec(0.1, 900, 2),
        ),
    ),
    (
        "-",
        "{} of {} OK created sql view model {} [CREATE VIEW in {}s]",
        (s.num(1, 400), s.num(1, 400), dotted(model), s.dec(0.1, 30, 2)),
    ),
    (
        "-",
        "{} of {} OK created sql incremental model {} [INSERT 0 {} in {}s]",
        (s.num(1, 400), s.num(1, 400), dotted(model), s.growing(1, 7), s.dec(0.1, 900, 2)),
    ),
    *(
        (
            "-",
            f"{{}} of {{}} {word} {{}} [{word} in {{}}s]",
            (
                s.num(1, 400),
                s.num(1, 400),
                dotted(lambda r: f"not_null_{r.choice(_WORDS)}_{r.choice(_WORDS[:8])}_id"),
                s.dec(0.01, 30, 2),
            ),
        )
        for word in ("PASS", "FAIL", "WARN")
    ),
    (
        "-",
        "Finished running {} models in {} hours {} minutes and {} seconds ({}s).",
        (s.num(1, 400), s.pick("0"), s.num(0, 59), s.dec(0, 59, 2), s.dec(0, 3600, 2)),
    ),
    ("-", "Completed successfully", ()),
    (
        "-",
        "Done. PASS={} WARN={} ERROR={} SKIP={} TOTAL={}",
        (s.num(0, 400), s.num(0, 9), s.num(0, 9), s.num(0, 9), s.num(1, 400)),
    ),
    (
        "-",
        Rare("Database Error in model {} ({})"),
        (lambda r: r.choice(_WORDS), lambda r: f"models/{r.choice(_WORDS)}/{r.choice(_WORDS)}.sql"),
    ),
    ("-", Rare("Completed with {} errors and {} warnings:"), (s.num(1, 9), s.num(0, 9))),
]
