import csv
import io

import pytest
from click.testing import CliRunner

from pipelines.cli import main
from warehouse.emitter import Emitter, SpoolTransport
from warehouse.ingest import ingest_spool
from warehouse.lake import Lake
from warehouse.logs.process import LogProcessor, ship


def test_every_logs_command_has_help():
    runner = CliRunner()
    out = runner.invoke(main, ["logs", "--help"]).output
    for cmd in ("search", "query", "tail-file", "mine", "compact", "alerts", "consume-nats"):
        assert cmd in out
        assert runner.invoke(main, ["logs", cmd, "--help"]).exit_code == 0


def test_mine_writes_the_exact_csv_interface(tmp_path):
    log = tmp_path / "x.log"
    log.write_text("user 1 logged in\nuser 2 logged in\ndisk full\n", encoding="utf-8")
    res = CliRunner().invoke(main, ["logs", "mine", str(log)])
    assert res.exit_code == 0, res.output
    rows = list(csv.reader(io.StringIO(res.output)))
    assert rows[0] == ["line", "template_id", "template"]
    assert [r[0] for r in rows[1:]] == ["1", "2", "3"]
    assert rows[1][1] == rows[2][1] != rows[3][1]


@pytest.mark.parametrize("suffix", [".gz", ".bz2", ".xz", ".zst"])
def test_mine_reads_a_rotated_log_compressed_as_it_lies(tmp_path, suffix):
    import bz2
    import gzip
    import lzma

    import zstandard

    text = (
        b"Jun 14 15:16:01 host app[1]: user 1 logged in\nJun 14 15:16:02 host app[2]: disk full\n"
    )
    compress = {
        ".gz": gzip.compress,
        ".bz2": bz2.compress,
        ".xz": lzma.compress,
        ".zst": zstandard.ZstdCompressor().compress,
    }[suffix]
    plain, packed = tmp_path / "syslog.2", tmp_path / f"syslog.2{suffix}"
    plain.write_bytes(text)
    packed.write_bytes(compress(text))
    runs = [CliRunner().invoke(main, ["logs", "mine", str(p)]) for p in (plain, packed)]
    assert runs[0].exit_code == runs[1].exit_code == 0
    assert runs[1].output == runs[0].output and runs[0].output.count("\n") == 3
    packed.write_bytes(text)  # not what its name says
    res = CliRunner().invoke(main, ["logs", "mine", str(packed)])
    assert res.exit_code == 1 and f"not a readable {suffix} archive" in res.output


def test_tail_file_search_and_query_commands_work_end_to_end(settings, tmp_path):
    log = tmp_path / "svc.log"
    log.write_text('level=error msg="disk full on /var"\nlevel=info msg=ok\n', encoding="utf-8")
    runner = CliRunner()
    res = runner.invoke(main, ["logs", "tail-file", str(log), "--polls", "1", "--interval", "0"])
    assert res.exit_code == 0, res.output
    assert "lines=2" in res.output
    ingest_spool(settings.spool_dir, settings.lake_dir)
    res = runner.invoke(main, ["logs", "search", "disk", "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert "disk full on /var" in res.output and "svc" in res.output
    res = runner.invoke(
        main, ["logs", "query", "SELECT count(*) AS n FROM logs", "--format", "csv"]
    )
    assert res.output.splitlines() == ["n", "2"]
    res = runner.invoke(main, ["logs", "query", "DROP TABLE logs"])
    assert res.exit_code != 0 and "only SELECT" in res.output


def _ingest_pay_errors(settings) -> None:
    """25 error lines of the ``pay`` service, shipped and ingested into the lake: enough to
    fire the error-threshold alert."""
    em = Emitter(SpoolTransport(settings, "t"))
    ship(
        em,
        LogProcessor().process_records(
            [{"level": "error", "msg": f"boom {i}", "service": "pay"} for i in range(25)]
        ),
    )
    em.close()
    ingest_spool(settings.spool_dir, settings.lake_dir)


def test_alerts_command_fires_and_records(settings):
    _ingest_pay_errors(settings)
    res = CliRunner().invoke(main, ["logs", "alerts", "--dry-run"])
    assert res.exit_code == 0, res.output
    assert "[error_threshold] pay" in res.output


def test_alerts_command_records_new_alerts_once_as_logs_events(settings):
    _ingest_pay_errors(settings)
    runner = CliRunner()
    first = runner.invoke(main, ["logs", "alerts"])
    assert first.exit_code == 0, first.output
    assert "[error_threshold] pay" in first.output and "1 alert(s) fired" in first.output
    again = runner.invoke(main, ["logs", "alerts"])
    assert "0 alert(s) fired" in again.output
    ingest_spool(settings.spool_dir, settings.lake_dir)
    events = Lake(settings.lake_dir).query("SELECT type, entity FROM logs_events")
    assert events.rows() == [("alert_fired", "pay")]
