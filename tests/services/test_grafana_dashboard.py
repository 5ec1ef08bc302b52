"""The Grafana dashboard in ``deploy/grafana`` reads only metrics ``/metrics`` really exposes,
and its provisioning files are valid, so a Prometheus user gets panels that fill."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
FUNCTIONS = {"sum", "rate", "by", "histogram_quantile", "le", "route", "status", "job"}


def test_every_panel_queries_a_metric_the_app_exposes(client, admin_headers) -> None:
    client.put("/cache/keys/k", json={"value": 1}, headers=admin_headers)
    client.get("/cache/keys/k", headers=admin_headers)
    exposed = {
        re.split(r"[{ ]", line, maxsplit=1)[0]
        for line in client.get("/metrics").text.splitlines()
        if line.startswith("# TYPE ") is False and line and not line.startswith("#")
    }
    exposed |= {
        line.split()[2]
        for line in client.get("/metrics").text.splitlines()
        if line.startswith("# TYPE ")
    }
    dashboard = json.loads((DEPLOY / "grafana/dashboards/system-blueprints-api.json").read_text())
    assert dashboard["uid"] and dashboard["panels"]
    for panel in dashboard["panels"]:
        for target in panel["targets"]:
            names = set(re.findall(r"\b([a-z_]+)\s*[{\[]", target["expr"])) - FUNCTIONS
            assert names, target["expr"]
            for name in names:
                base = re.sub(r"_(bucket|sum|count)$", "", name)
                assert name in exposed or base in exposed, (panel["title"], name)


def test_provisioning_files_are_valid_and_point_at_the_dashboards() -> None:
    providers = yaml.safe_load(
        (DEPLOY / "grafana/provisioning/dashboards/system-blueprints.yaml").read_text()
    )
    assert providers["providers"][0]["type"] == "file"
    sources = yaml.safe_load(
        (DEPLOY / "grafana/provisioning/datasources/prometheus.yaml").read_text()
    )
    assert sources["datasources"][0]["type"] == "prometheus"
    scrape = yaml.safe_load((DEPLOY / "prometheus.yml").read_text())
    assert scrape["scrape_configs"][0]["metrics_path"] == "/metrics"
