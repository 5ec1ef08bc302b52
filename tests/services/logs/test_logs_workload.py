import random

from pipelines.workload import WorkloadContext
from pipelines.workload.logs import WORKLOAD
from warehouse.ingest import ingest_spool
from warehouse.lake import Lake


def test_workload_feeds_every_collector_and_trips_every_alert_rule(client, settings):
    ctx = WorkloadContext(
        client=client, settings=settings, rng=random.Random(3), log=lambda m: None
    )
    WORKLOAD.run(ctx)
    facts = ctx.facts["logs"]
    assert facts["handler"] >= 400 and facts["rotations"] == 1 and facts["tailed"] == 470
    assert facts["quarantined"] == 3
    client.app.state.emitter.flush()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    lake = Lake(settings.lake_dir)
    formats = set(lake.query("SELECT DISTINCT format FROM logs")["format"])
    assert {"json", "python", "combined", "syslog5424", "syslog3164", "logfmt", "text"} <= formats
    svc = client.app.state.services["logs"]
    alerts = svc.evaluate_alerts()
    assert {a.rule for a in alerts} == {
        "error_threshold",
        "new_template_after_deploy",
        "template_frequency_anomaly",
    }
    new = [a for a in alerts if a.rule == "new_template_after_deploy"]
    assert [a.template for a in new] == ["payment provider rejected token <*>"]
    assert len(svc.fire_alerts(alerts)) == len(alerts)
    lines = WORKLOAD.summarize(ctx)
    assert any(line.startswith(f"alerts fired: {len(alerts)} ") for line in lines), lines
    assert any("templates found" in line for line in lines)
