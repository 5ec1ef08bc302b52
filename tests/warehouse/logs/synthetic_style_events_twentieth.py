"""Event tables of the twentieth set of invented log styles, part 1 of two: ``ml_runtime_cpp``,
``cluster_driver``, ``notebook_server`` and ``workflow_task_log`` (``ml_runtime_cpp`` is left
out of the set). The set, with its record, its headers and ``TWENTIETH_STYLES``, is
:mod:`tests.warehouse.logs.synthetic_styles_twentieth`."""

from __future__ import annotations

from tests.warehouse.logs import synthetic_style_slots as s
from tests.warehouse.logs.synthetic_style_headers import hms, iso_day
from tests.warehouse.logs.synthetic_style_slots_twentieth import (
    _WORDS,
    dag_id,
    ip,
    loss,
    mib,
    run_ts,
    shape,
    task_id,
    tf_device,
    trial,
)
from tests.warehouse.logs.synthetic_styles import Event, Rare

_TF = "tensorflow/core"

TENSORFLOW: list[Event] = [
    *(
        (
            f"I {_TF}/platform/cpu_feature_guard.cc:182",
            "This TensorFlow binary is optimized to use available CPU instructions in "
            f"performance-critical operations. To enable the following instructions: {isa}, in "
            "other operations, rebuild TensorFlow with the appropriate compiler flags.",
            (),
        )
        for isa in ("AVX2 FMA", "AVX512F AVX512_VNNI")
    ),
    (
        f"I {_TF}/common_runtime/gpu/gpu_device.cc:1886",
        "Created device {} with {} memory:  -> device: {}, name: {}, pci bus id: {}, "
        "compute capability: {}",
        (
            tf_device,
            mib,
            s.num(0, 7),
            s.pick("NVIDIA A100-SXM4-80GB", "Tesla T4", "NVIDIA GeForce RTX 3090"),
            lambda r: f"0000:{r.randint(0, 255):02x}:00.0",
            s.pick("8.0", "7.5", "8.6"),
        ),
    ),
    (
        f"I {_TF}/grappler/optimizers/meta_optimizer.cc:961",
        "layout failed: INVALID_ARGUMENT: Size of values {} does not match size of permutation "
        "{} @ fanin shape in{}",
        (s.num(0, 4), s.num(4, 5), lambda r: f"model/{r.choice(_WORDS)}/dropout/SelectV2-2-Trans"),
    ),
    (
        f"W {_TF}/framework/local_rendezvous.cc:404",
        "Local rendezvous is aborting with status: OUT_OF_RANGE: End of sequence",
        (),
    ),
    (
        f"W {_TF}/tsl/framework/bfc_allocator.cc:296",
        "Allocator (GPU_0_bfc) ran out of memory trying to allocate {}GiB with freed_by_count=0.",
        (s.dec(0.1, 20, 2),),
    ),
    (
        f"I {_TF}/kernels/data/shuffle_dataset_op.cc:422",
        "Filling up shuffle buffer (this may take a while): {} of {}",
        (s.growing(2, 5), s.pick("1000", "10000", "50000")),
    ),
    (
        f"I {_TF}/kernels/data/shuffle_dataset_op.cc:450",
        "Shuffle buffer filled.",
        (),
    ),
    (
        "I external/local_xla/xla/service/service.cc:168",
        "  StreamExecutor device ({}): {}, Compute Capability {}",
        (s.num(0, 7), s.pick("NVIDIA A100-SXM4-80GB", "Tesla T4"), s.pick("8.0", "7.5")),
    ),
    (
        f"E {_TF}/common_runtime/executor.cc:1232",
        "Executor failed to create kernel. INVALID_ARGUMENT: Tensor shape {} is incompatible with "
        "{} on device {}",
        (shape, shape, tf_device),
    ),
    (
        f"I {_TF}/distributed_runtime/coordination/coordination_service_agent.cc:714",
        "Coordination agent has successfully connected to {}",
        (lambda r: f"/job:worker/replica:0/task:{r.randint(0, 31)}",),
    ),
    (
        f"W {_TF}/common_runtime/bfc_allocator.cc:479",
        Rare("Allocator (GPU_0_bfc) ran out of memory trying to allocate {} (rounded to {})."),
        (lambda r: f"{r.uniform(1, 40):.2f}GiB", s.growing(9, 11)),
    ),
    (
        f"E {_TF}/stream_executor/cuda/cuda_driver.cc:268",
        Rare("failed call to cuInit: CUDA_ERROR_NO_DEVICE: no CUDA-capable device is detected"),
        (),
    ),
]

RAY: list[Event] = [
    (
        "driver INFO worker.py:1724",
        "Started a local Ray instance. View the dashboard at {}",
        (lambda r: f"http://127.0.0.1:{r.choice((8265, 8266))}",),
    ),
    (
        "driver INFO tune.py:614",
        "[output] This uses the legacy output and progress reporter, as Jupyter notebooks are "
        "not supported by the new engine, yet.",
        (),
    ),
    (
        "RayTrainWorker",
        "[rank={}] Epoch {}: train_loss={} val_loss={} lr={}",
        (s.num(0, 7), s.num(0, 99), loss, loss, lambda r: f"{r.uniform(1e-5, 1e-2):.2e}"),
    ),
    (
        "RayTrainWorker",
        "Moving model to device: cuda:{}",
        (s.num(0, 7),),
    ),
    (
        "TrainTrainable",
        "Checkpoint successfully created at: Checkpoint(filesystem=local, path={})",
        (lambda r: f"/home/ray/ray_results/{trial(r)}/checkpoint_{r.randint(0, 999):06d}",),
    ),
    (
        "-",
        "Downloading {} from {} ({})",
        (lambda r: f"{r.choice(_WORDS)}.tar.gz", s.url, s.size),
    ),
    (
        "-",
        "task {} processed {} rows in {}",
        (s.num(0, 9999), s.growing(1, 7), s.secs),
    ),
    (
        "raylet",
        "[{}] Spilled {} MiB, {} objects, write throughput {} MiB/s.",
        (
            lambda r: f"{iso_day(r)} {hms(r)},{r.randint(0, 999):03d} I {r.randint(100, 9999)}",
            s.growing(2, 5),
            s.growing(1, 4),
            s.num(10, 3000),
        ),
    ),
    (
        "autoscaler",
        "Adding {} node(s) of type {}.",
        (s.num(1, 8), s.pool("{w}-gpu-worker", 0, 6)),
    ),
    (
        "autoscaler",
        "Resized to {} CPUs, {} GPUs.",
        (s.num(2, 512), s.num(0, 64)),
    ),
    *(
        (
            "driver INFO tune_controller.py:1456",
            f"Trial {{}} {state}.",
            (trial,),
        )
        for state in ("completed", "errored")
    ),
    (
        "driver WARNING worker.py:2059",
        Rare("A worker died or was killed while executing a task by an unexpected system error."),
        (),
    ),
    (
        "raylet",
        Rare("[{}] {} Workers (tasks / actors) killed due to memory pressure (OOM)"),
        (lambda r: f"{iso_day(r)} {hms(r)}", s.num(1, 30)),
    ),
]

JUPYTER: list[Event] = [
    # an HTTP method is a closed set of words: one event each
    *(
        (
            "I ServerApp",
            f"{{}} {method} {{}} ({{}}@{{}}) {{}}ms",
            (
                s.pick("200", "201", "204"),
                lambda r: r.choice(
                    (
                        f"/api/contents/{r.choice(_WORDS)}/{r.choice(_WORDS)}.ipynb?content=0",
                        f"/api/kernels/{s.uuid(r)}",
                        f"/api/sessions?{r.randint(10**12, 2 * 10**12)}",
                        "/api/kernelspecs",
                    )
                ),
                s.user,
                lambda r: r.choice(("127.0.0.1", "::1", ip(r))),
                s.dec(0.3, 900, 2),
            ),
        )
        for method in ("GET", "PATCH")
    ),
    ("I ServerApp", "Kernel started: {}", (s.uuid,)),
    ("I ServerApp", "Kernel shutdown: {}", (s.uuid,)),
    ("I ServerApp", "Starting buffering for {}:{}", (s.uuid, s.uuid)),
    ("I ServerApp", "Connecting to kernel {}.", (s.uuid,)),
    (
        "I ServerApp",
        "Saving file at {}",
        (lambda r: f"/{r.choice(_WORDS)}/{r.choice(_WORDS)}.ipynb",),
    ),
    (
        "W ServerApp",
        "{} GET {} ({}@{}) {}ms referer={}",
        (
            s.pick("404"),
            lambda r: f"/api/kernels/{s.uuid(r)}/channels?session_id={s.uuid(r)}",
            s.user,
            lambda r: r.choice(("127.0.0.1", ip(r))),
            s.dec(0.3, 90, 2),
            lambda r: f"http://localhost:8888/lab/tree/{r.choice(_WORDS)}.ipynb",
        ),
    ),
    (
        "I LabApp",
        "JupyterLab extension loaded from {}",
        (lambda r: f"/opt/conda/lib/python3.{r.randint(8, 12)}/site-packages/jupyterlab",),
    ),
    (
        "I KernelRestarter",
        "AsyncIOLoopKernelRestarter: restarting kernel ({}/{}), keep random ports",
        (s.num(1, 5), s.pick("5")),
    ),
    (
        "W ServerApp",
        "Notebook {} is not trusted",
        (lambda r: f"{r.choice(_WORDS)}/{r.choice(_WORDS)}.ipynb",),
    ),
    (
        "E ServerApp",
        Rare("Uncaught exception GET {} ({})"),
        (lambda r: f"/api/contents/{r.choice(_WORDS)}.ipynb", ip),
    ),
    ("C ServerApp", Rare("Shutting down {} kernels"), (s.num(0, 20),)),
]

AIRFLOW: list[Event] = [
    (
        "taskinstance.py:1979 INFO",
        "Dependencies all met for dep_context=non-requeueable deps ti=<TaskInstance: {}.{} {} "
        "[queued]>",
        (dag_id, task_id, run_ts),
    ),
    (
        "taskinstance.py:2193 INFO",
        "Starting attempt {} of {}",
        (s.num(1, 4), s.pick("1", "2", "4")),
    ),
    (
        "taskinstance.py:2214 INFO",
        "Executing <Task({}): {}> on {}",
        (
            s.pick("PythonOperator", "BashOperator", "KubernetesPodOperator", "S3KeySensor"),
            task_id,
            lambda r: f"{iso_day(r)} {hms(r)}+00:00",
        ),
    ),
    (
        "standard_task_runner.py:60 INFO",
        "Started process {} to run task",
        (s.num(100, 99999),),
    ),
    (
        "subprocess.py:93 INFO",
        "Output:",
        (),
    ),
    (
        "subprocess.py:93 INFO",
        "{} rows written to {}",
        (
            s.growing(1, 8),
            lambda r: f"s3://{r.choice(_WORDS[:5])}-lake/{r.choice(_WORDS)}/{iso_day(r)}.parquet",
        ),
    ),
    (
        "python.py:194 INFO",
        "Done. Returned value was: {}",
        (lambda r: r.choice(("None", str(r.randint(0, 9999)), f"'{r.choice(_WORDS)}'")),),
    ),
    *(
        (
            "taskinstance.py:1400 INFO",
            f"Marking task as {state}. dag_id={{}}, task_id={{}}, execution_date={{}}, "
            "start_date={}, end_date={}",
            (
                dag_id,
                task_id,
                lambda r: f"{iso_day(r).replace('-', '')}T{hms(r).replace(':', '')}",
                lambda r: f"{iso_day(r).replace('-', '')}T{hms(r).replace(':', '')}",
                lambda r: f"{iso_day(r).replace('-', '')}T{hms(r).replace(':', '')}",
            ),
        )
        for state in ("SUCCESS", "UP_FOR_RETRY", "FAILED")
    ),
    (
        "local_task_job_runner.py:234 INFO",
        "Task exited with return code {}",
        (s.pick("0", "1", "-9", "143"),),
    ),
    (
        "taskinstance.py:3281 INFO",
        "{} downstream tasks scheduled from follow-on schedule check",
        (s.num(0, 12),),
    ),
    (
        "base.py:83 INFO",
        "Using connection ID '{}' for task execution.",
        (s.pool("{w}_default", 0, 10),),
    ),
    (
        "s3.py:110 INFO",
        "Poking for key : s3://{}",
        (lambda r: f"{r.choice(_WORDS[:5])}-lake/{r.choice(_WORDS)}/_SUCCESS",),
    ),
    (
        "taskinstance.py:2698 ERROR",
        Rare("Task failed with exception"),
        (),
    ),
    (
        "timeout.py:68 ERROR",
        Rare("Process timed out, PID: {}"),
        (s.num(100, 99999),),
    ),
]
