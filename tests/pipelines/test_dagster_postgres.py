"""The Dagster instance: the local SQLite default, and the scale-out one on PostgreSQL where
a real ``dagster-daemon`` dequeues runs and ticks sensors."""

from __future__ import annotations

import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from pathlib import Path

import dagster as dg
import pytest
from dagster._core.instance.ref import InstanceRef

from pipelines.instance import MAX_CONCURRENT_RUNS, get_instance, prepare_dagster_home
from warehouse.settings import Settings, get_settings

PG_HOST, PG_PORT = "127.0.0.1", 5432


def test_local_instance_is_sqlite_under_the_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("DAGSTER_HOME", "unset-by-test")
    home = prepare_dagster_home(Settings(data_dir=tmp_path))
    assert home == (tmp_path / "dagster").resolve()
    assert os.environ["DAGSTER_HOME"] == str(home)
    ref = InstanceRef.from_dir(str(home))
    assert ref.run_storage_data.module_name.startswith("dagster._core.storage")
    assert "postgres" not in (home / "dagster.yaml").read_text(encoding="utf-8")


def test_pg_url_gives_postgres_storage_and_the_queued_coordinator_and_is_rewritten(
    tmp_path, monkeypatch
):
    monkeypatch.setenv("DAGSTER_HOME", "unset-by-test")
    url = "postgresql://dagster@db.example:5432/dagster"
    home = prepare_dagster_home(Settings(data_dir=tmp_path, dagster_pg_url=url))
    # Read back through Dagster's own schema, not our YAML: a wrong key fails here.
    ref = InstanceRef.from_dir(str(home))
    for data in (ref.run_storage_data, ref.event_storage_data, ref.schedule_storage_data):
        assert data.module_name == "dagster_postgres"
        # The driver dagster-postgres is written for (SQLAlchemy 2.1 would pick psycopg 3).
        assert "postgresql+psycopg2://dagster@db.example:5432/dagster" in data.config_yaml
    assert ref.run_coordinator_data.class_name == "QueuedRunCoordinator"
    assert f"max_concurrent_runs: {MAX_CONCURRENT_RUNS}" in ref.run_coordinator_data.config_yaml
    assert (home / "dagster.yaml").stat().st_mode & 0o077 == 0  # it may hold a password
    # Back to the embedded default: the file follows the settings, not only when absent.
    prepare_dagster_home(Settings(data_dir=tmp_path))
    ref = InstanceRef.from_dir(str(home))
    assert ref.run_storage_data.module_name != "dagster_postgres"


def test_code_location_uses_the_multiprocess_executor_only_when_scaled_out(monkeypatch):
    from pipelines.definitions import build_definitions

    monkeypatch.setenv("BLUEPRINT_DAGSTER_PG_URL", "postgresql://dagster@db.example/dagster")
    get_settings.cache_clear()
    try:
        scaled = build_definitions()
    finally:
        monkeypatch.delenv("BLUEPRINT_DAGSTER_PG_URL")
        get_settings.cache_clear()
    assert scaled.executor is dg.multiprocess_executor
    assert build_definitions().executor is None


# --- a real daemon on a private PostgreSQL database ---------------------------------------

LOCATION = """
import dagster as dg

LETTERS = dg.StaticPartitionsDefinition(["a", "b"])


@dg.asset(partitions_def=LETTERS)
def letters(context: dg.AssetExecutionContext) -> dg.MaterializeResult:
    return dg.MaterializeResult(metadata={"partition": context.partition_key})


letters_job = dg.define_asset_job("letters_job", selection=[letters], partitions_def=LETTERS)


@dg.sensor(
    job=letters_job,
    minimum_interval_seconds=1,
    default_status=dg.DefaultSensorStatus.RUNNING,
)
def letters_sensor(context: dg.SensorEvaluationContext):
    if context.cursor == "requested":
        return dg.SkipReason("partition b was requested already")
    context.update_cursor("requested")
    return dg.RunRequest(run_key="letters-b", partition_key="b")


defs = dg.Definitions(
    assets=[letters], jobs=[letters_job], sensors=[letters_sensor],
    executor=dg.multiprocess_executor,
)
"""


def _postgres_up() -> bool:
    with contextlib.suppress(OSError), socket.create_connection((PG_HOST, PG_PORT), timeout=0.5):
        return True
    return False


@pytest.fixture
def pg_url():
    """A private database on the local server, dropped afterwards."""
    if not _postgres_up():
        pytest.skip(f"no PostgreSQL at {PG_HOST}:{PG_PORT}")
    psycopg = pytest.importorskip("psycopg")
    name = f"bp_dagster_{uuid.uuid4().hex[:12]}"
    for user in ("postgres", "root"):
        admin = f"postgresql://{user}@{PG_HOST}:{PG_PORT}/postgres"
        try:
            with psycopg.connect(admin, autocommit=True, connect_timeout=5) as con:
                con.execute(f'CREATE DATABASE "{name}"')
            break
        except psycopg.OperationalError:
            continue
    else:
        pytest.skip(f"PostgreSQL at {PG_HOST}:{PG_PORT} lets neither postgres nor root in")
    try:
        yield f"postgresql://{user}@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True, connect_timeout=5) as con:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _script(name: str) -> str:
    return str(Path(sys.executable).parent / name)


def _stop(proc: subprocess.Popen) -> None:
    """Stop the daemon and everything it started (its own process group)."""
    if proc.poll() is not None:
        return
    with contextlib.suppress(ProcessLookupError):
        os.killpg(proc.pid, signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)


def _sensor_ticks(instance: dg.DagsterInstance, name: str) -> list:
    from dagster._core.scheduler.instigation import InstigatorType

    states = [
        s
        for s in instance.all_instigator_state(instigator_type=InstigatorType.SENSOR)
        if s.instigator_name == name
    ]
    return [t for s in states for t in instance.get_ticks(s.instigator_origin_id, s.selector_id)]


def _went_through_the_queue(instance: dg.DagsterInstance, run_id: str) -> bool:
    """Enqueued first, then launched by the daemon's queue, then done."""
    from dagster._core.events import DagsterEventType

    kinds = [e.dagster_event_type for e in instance.all_logs(run_id) if e.is_dagster_event]
    wanted = [
        DagsterEventType.RUN_ENQUEUED,
        DagsterEventType.RUN_STARTING,
        DagsterEventType.RUN_START,
        DagsterEventType.RUN_SUCCESS,
    ]
    return [k for k in kinds if k in wanted] == wanted


@pytest.mark.servers
@pytest.mark.slow
def test_daemon_dequeues_a_partition_run_and_ticks_a_sensor_on_postgres(
    pg_url, tmp_path, monkeypatch
):
    import psycopg
    from dagster._core.scheduler.instigation import TickStatus

    monkeypatch.setenv("DAGSTER_HOME", "unset-by-test")
    settings = Settings(data_dir=tmp_path / "data", dagster_pg_url=pg_url)
    # Created here first: the schema exists before two processes race to create it.
    instance = get_instance(settings)
    location = tmp_path / "location.py"
    location.write_text(LOCATION, encoding="utf-8")
    env = {**os.environ, "DAGSTER_HOME": str(settings.dagster_home.resolve())}
    log_path = tmp_path / "daemon.log"

    with open(log_path, "wb") as log:
        daemon = subprocess.Popen(
            [_script("dagster-daemon"), "run", "-f", str(location)],
            cwd=tmp_path,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # so the run workers it starts are stopped with it
        )
    try:
        # A run submitted from another process, as the UI does: it waits in the queue.
        queued_id = str(uuid.uuid4())
        launch = subprocess.run(
            [
                _script("dagster"),
                *("job", "launch", "-f", str(location), "-j", "letters_job"),
                *("--run-id", queued_id, "--tags", json.dumps({"dagster/partition": "a"})),
            ],
            cwd=tmp_path,
            env=env,
            check=False,
            timeout=90,
            capture_output=True,
            text=True,
        )
        assert launch.returncode == 0, launch.stderr[-3000:]
        deadline = time.monotonic() + 120
        ticks: list = []
        while time.monotonic() < deadline:
            assert daemon.poll() is None, log_path.read_text(errors="replace")[-3000:]
            ticks = _sensor_ticks(instance, "letters_sensor")
            finished = [r for r in instance.get_runs() if r.is_finished]
            if len(finished) == 2 and any(t.status == TickStatus.SUCCESS for t in ticks):
                break
            time.sleep(0.5)
        done = instance.get_materialized_partitions(dg.AssetKey("letters"))
        diagnostics = log_path.read_text(errors="replace")[-3000:]
        assert done == {"a", "b"}, diagnostics

        queued = instance.get_run_by_id(queued_id)
        assert queued is not None and queued.status == dg.DagsterRunStatus.SUCCESS
        assert queued.tags["dagster/partition"] == "a"
        assert _went_through_the_queue(instance, queued_id)

        requested = [t for t in ticks if t.status == TickStatus.SUCCESS]
        assert requested and requested[0].run_keys == ["letters-b"], diagnostics
        (sensor_run,) = instance.get_runs(
            filters=dg.RunsFilter(tags={"dagster/sensor_name": "letters_sensor"})
        )
        assert sensor_run.run_id in requested[0].run_ids
        assert sensor_run.tags["dagster/partition"] == "b"
        assert sensor_run.status == dg.DagsterRunStatus.SUCCESS
        assert _went_through_the_queue(instance, sensor_run.run_id)

        # And all of it is in the private PostgreSQL database, not in a SQLite file.
        with psycopg.connect(pg_url, connect_timeout=5) as con:
            runs = con.execute("SELECT count(*) FROM runs").fetchone()[0]
            materialised = con.execute(
                "SELECT count(*) FROM event_logs WHERE dagster_event_type = 'ASSET_MATERIALIZATION'"
            ).fetchone()[0]
        assert (runs, materialised) == (2, 2)
    finally:
        _stop(daemon)
        instance.dispose()
