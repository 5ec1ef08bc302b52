import logging
import threading
import time

from warehouse.emitter import Emitter, SpoolTransport
from warehouse.ingest import ingest_spool
from warehouse.lake import Lake
from warehouse.logs.handler import SpoolHandler


def _logger(name, handler):
    log = logging.getLogger(name)
    log.handlers[:] = [handler]
    log.setLevel(logging.DEBUG)
    log.propagate = False
    return log


def test_records_are_batched_into_the_logs_table_with_extras(settings, emitter):
    handler = SpoolHandler(emitter, service="billing", templater=False)
    log = _logger("test.handler.a", handler)
    for i in range(25):
        log.info("invoice %d sent", i, extra={"request_id": f"r{i}", "amount": i * 10})
    try:
        raise ValueError("boom")
    except ValueError:
        log.exception("failed to charge")
    handler.close()
    emitter.flush()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    df = Lake(settings.lake_dir).query(
        "SELECT level, message, request_id, attrs FROM logs WHERE service='billing' ORDER BY ts"
    )
    assert len(df) == 26
    assert df["message"][3] == "invoice 3 sent" and df["request_id"][3] == "r3"
    assert '"amount":30' in df["attrs"][3]
    assert df["level"][-1] == "error" and "ValueError: boom" in df["attrs"][-1]
    assert handler.shipped == 26 and handler.dropped == 0


class _SlowEmitter:
    """An emitter whose appends take a while, like a disk under load."""

    def __init__(self, inner):
        self.inner = inner
        self.gate = threading.Event()

    def append_rows(self, table, rows):
        self.gate.wait(5)
        return self.inner.append_rows(table, rows)


def test_emit_never_blocks_the_caller_and_overflow_is_counted_not_silent(settings, emitter):
    slow = _SlowEmitter(emitter)
    handler = SpoolHandler(slow, service="s", max_queue=10, batch_size=5, templater=False)
    log = _logger("test.handler.b", handler)
    started = time.perf_counter()
    for i in range(100):
        log.warning("event %d", i)
    assert time.perf_counter() - started < 0.5  # the caller never waited for the disk
    assert handler.dropped > 0
    slow.gate.set()
    handler.close()
    emitter.flush()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    df = Lake(settings.lake_dir).query("SELECT message FROM logs")
    lost = [m for m in df["message"] if "dropped" in m]
    assert lost and sum(int(m.split()[0]) for m in lost) == handler.dropped
    assert len(df) - len(lost) + handler.dropped == 100


def test_close_flushes_everything_queued(settings):
    em = Emitter(SpoolTransport(settings, "h"))
    handler = SpoolHandler(em, flush_interval_s=30, templater=False)
    log = _logger("test.handler.c", handler)
    for i in range(7):
        log.error("x %d", i)
    handler.close()
    em.close()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    assert Lake(settings.lake_dir).row_counts()["logs"] == 7


class _FullEmitter:
    def append_rows(self, table, rows):
        from warehouse.spool import SpoolFull

        raise SpoolFull(10, 5, retry_after_s=1)


def test_close_does_not_hang_on_a_full_spool_and_counts_the_loss():
    handler = SpoolHandler(_FullEmitter(), templater=False)
    log = _logger("test.handler.d", handler)
    for i in range(3):
        log.error("x %d", i)
    started = time.perf_counter()
    handler.close(timeout=0.5)
    assert time.perf_counter() - started < 3
    assert handler.dropped == 3 and handler.shipped == 0


def test_a_failing_templater_stores_the_rows_without_a_template(settings, emitter):
    def broken(message):
        raise KeyError(message)

    handler = SpoolHandler(emitter, service="fragile", templater=broken)
    log = _logger("test.handler.templater", handler)
    for i in range(3):
        log.info("job %d done", i)
    handler.close()
    emitter.flush()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    df = Lake(settings.lake_dir).query(
        "SELECT message, template FROM logs WHERE service='fragile' ORDER BY ts"
    )
    assert df["message"].to_list() == ["job 0 done", "job 1 done", "job 2 done"]
    assert df["template"].to_list() == [None, None, None]
    assert handler.shipped == 3 and handler.untemplated == 3
