"""The CDN workload end to end (processes, routing, purge, lake) and the CLI."""

from __future__ import annotations

import random

import httpx
import pytest
from click.testing import CliRunner

from pipelines.cli import main
from pipelines.workload import WorkloadContext
from pipelines.workload.cdn import WORKLOAD
from services.cdn.process import start_edge
from services.cdn.system import build
from tests.services.cdn.helpers import ScriptedOrigin
from warehouse.ingest import ingest_spool


@pytest.mark.slow
def test_workload_serves_through_edges_and_reports_hit_ratio_per_edge(client, settings):
    ctx = WorkloadContext(
        client=client, settings=settings, rng=random.Random(3), scale=0.3, log=lambda _m: None
    )
    WORKLOAD.run(ctx)
    facts = ctx.facts["cdn"]
    assert facts["errors"] == 0 and facts["requests"] >= 60 and facts["purged"] >= 1
    assert facts["origin_fetches"] <= facts["paths"] + facts["purged"]  # the shield absorbs
    admin = {"X-API-Key": settings.admin_api_key}
    assert client.get("/cdn/edges", headers=admin).json() == []  # no dead edges left behind
    ingest_spool(settings.spool_dir, settings.lake_dir)
    lines = WORKLOAD.summarize(ctx)
    assert any(line.startswith("edge-eu-west (edge, eu-west)") for line in lines)
    assert any(line.startswith("shield-eu-central (shield") for line in lines)
    summary = next(line for line in lines if line.startswith("edge hit ratio "))
    assert float(summary.split("edge hit ratio ")[1].split(";")[0]) > 0.5
    nearest = {
        "eu-west": "edge-eu-west",
        "eu-central": "edge-eu-west",
        "af-south": "edge-eu-west",
        "us-east": "edge-us-east",
        "us-west": "edge-us-east",
        "sa-east": "edge-us-east",
    }
    assert facts["routes"] and all(nearest[c] == e for c, e in facts["routes"].items())
    assert facts["dns"]["answers"] == nearest  # DNS sends every region where HTTP does
    assert facts["dns"]["failover_s"] is not None and facts["dns"]["failover_s"] < 15
    assert any(line.startswith("DNS routing: 6/6 regions agree") for line in lines)
    preload = facts["preload"]
    assert preload["stored"] == preload["paths"] >= 1 and preload["first"] == "HIT"
    esi = facts["esi"]
    assert esi["status"] == 200 and esi["included"] == esi["fragments"] == 2
    assert esi["tags_left"] == 0 and esi["second"] == "HIT"
    limited = facts["rate_limit"]
    assert limited["ok"] >= 10 and limited["429"] >= 1 and limited["ok"] + limited["429"] == 40
    assert any(line.startswith("preload: ") for line in lines)
    assert any(line.startswith("ESI: ") for line in lines)
    assert any(line.startswith("rate limit ") for line in lines)


def test_cli_purges_on_given_edges_or_every_registered_one_and_validates_arguments(
    settings, emitter
):
    origin = ScriptedOrigin().start()
    try:
        with start_edge(origin.url, name="edge-cli", settings=settings) as edge:
            runner = CliRunner()
            bad = runner.invoke(main, ["cdn", "purge", "--url", "/a", "--prefix", "/b"])
            assert bad.exit_code == 2 and "exactly one" in bad.output
            none = runner.invoke(main, ["cdn", "purge", "--url", "/p/a?cc=max-age%3D60"])
            assert none.exit_code == 0 and "no edges registered" in none.output
            unknown = runner.invoke(main, ["cdn", "purge", "--prefix", "/p/", "--edge", "nope"])
            assert unknown.exit_code == 1 and "no edge named 'nope'" in unknown.output
            svc = build(settings, emitter)
            svc.register(name=edge.name, url=edge.url, region="eu-west", token=edge.token)
            svc.close()
            httpx.get(edge.url + "/p/a?cc=max-age%3D60", trust_env=False)
            out = runner.invoke(main, ["cdn", "purge", "--prefix", "/p/", "--edge", "edge-cli"])
            assert out.exit_code == 0 and "edge-cli: purged 1" in out.output
            httpx.get(edge.url + "/p/a?cc=max-age%3D60", trust_env=False)
            registered = runner.invoke(main, ["cdn", "purge", "--url", "/p/a?cc=max-age%3D60"])
            assert registered.exit_code == 0 and "edge-cli: purged 1" in registered.output
    finally:
        origin.stop()
    empty = CliRunner().invoke(main, ["cdn", "hit-ratio"])
    assert empty.exit_code == 0 and "no CDN access events" in empty.output


def test_cli_preloads_paths_on_registered_edges(settings, emitter) -> None:
    origin = ScriptedOrigin().start()
    try:
        with start_edge(origin.url, name="edge-warm", settings=settings) as edge:
            runner = CliRunner()
            none = runner.invoke(main, ["cdn", "preload", "/w?cc=max-age%3D60"])
            assert none.exit_code == 0 and "no edges registered" in none.output
            bad = runner.invoke(main, ["cdn", "preload", "no-slash"])
            assert bad.exit_code == 2 and "not a path" in bad.output
            svc = build(settings, emitter)
            svc.register(name=edge.name, url=edge.url, region="eu-west", token=edge.token)
            svc.close()
            args = ["cdn", "preload", "/w?cc=max-age%3D60", "/n?cc=no-store", "--edge", edge.name]
            out = runner.invoke(main, args)
            assert out.exit_code == 0, out.output
            assert "edge-warm: /w?cc=max-age%3D60 stored (200)" in out.output
            assert "edge-warm: /n?cc=no-store not-cacheable (200)" in out.output
            hit = httpx.get(edge.url + "/w?cc=max-age%3D60", trust_env=False)
            assert hit.headers["x-cache"].startswith("HIT")
            assert origin.counts["/w?cc=max-age%3D60"] == 1
    finally:
        origin.stop()
