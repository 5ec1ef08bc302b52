"""The crawl service without the app: crawl configs from the deployment and the request,
request validation, runs in a child process, robots verdicts, search and its index reload."""

from __future__ import annotations

import json
import os
from pathlib import Path

import polars as pl
import pytest
from pydantic import ValidationError

from crawlers.requests import write_request
from crawlers.search_index import SearchIndex
from services.crawl.service import CrawlFailed
from services.crawl.settings import CrawlSettings
from services.crawl.system import build
from services.errors import Invalid, NotFound, Unavailable


@pytest.fixture
def svc(settings, emitter):
    return build(settings, emitter, conf=CrawlSettings(max_pages=40, user_agent="DeployBot/2"))


def test_settings_come_from_blueprint_crawl_variables(monkeypatch) -> None:
    monkeypatch.setenv("BLUEPRINT_CRAWL_MAX_PAGES", "7")
    monkeypatch.setenv("BLUEPRINT_CRAWL_ALLOW_PRIVATE_TARGETS", "true")
    monkeypatch.setenv("BLUEPRINT_CRAWL_ALLOWED_NETWORKS", '["10.1.0.0/16"]')
    conf = CrawlSettings()
    assert conf.max_pages == 7 and conf.allow_private_targets
    assert conf.allowed_networks == ["10.1.0.0/16"]
    monkeypatch.setenv("BLUEPRINT_CRAWL_ALLOWED_NETWORKS", '["not-a-network"]')
    with pytest.raises(ValidationError, match="not a CIDR"):
        CrawlSettings()


def test_config_takes_deployment_defaults_then_the_request(svc) -> None:
    svc.request(["http://example.com/"], "c1", max_depth=2, extra_settings={"RETRY_TIMES": 0})
    config = svc.config("c1")
    assert config.max_pages == 40 and config.max_depth == 2
    assert config.extra_settings["USER_AGENT"] == "DeployBot/2"
    assert config.extra_settings["RETRY_TIMES"] == 0
    assert Path(config.crawl_dir) == (svc.root / "runs" / "c1").resolve()
    assert config.lake_dir == str(svc.lake_dir.resolve())
    saved = json.loads(svc.prepare("c1").read_text(encoding="utf-8"))
    assert saved["seeds"] == ["http://example.com/"] and saved["max_pages"] == 40


def test_a_request_cannot_allow_private_targets_the_deployment_forbids(settings, emitter) -> None:
    strict = build(settings, emitter, conf=CrawlSettings())
    strict.request(["http://example.com/"], "c1", allow_private=True)
    assert strict.config("c1").allow_private is False
    lenient = build(settings, emitter, conf=CrawlSettings(allow_private_targets=True))
    assert lenient.config("c1").allow_private is True
    lenient.request(["http://example.com/"], "c2", allow_private=False)
    assert lenient.config("c2").allow_private is False


def test_a_request_cannot_loosen_the_deployments_safety_settings(svc) -> None:
    with pytest.raises(Invalid, match="CRAWL_ALLOW_PRIVATE"):
        svc.request(["http://example.com/"], "c1", extra_settings={"CRAWL_ALLOW_PRIVATE": True})
    # A request file written by hand: the deployment's values still win.
    write_request(
        svc.settings,
        "c2",
        ["http://example.com/"],
        extra_settings={"CRAWL_ALLOW_PRIVATE": True, "DOWNLOAD_MAXSIZE": 10**12, "RETRY_TIMES": 1},
    )
    extras = svc.config("c2").extra_settings
    assert "CRAWL_ALLOW_PRIVATE" not in extras and extras["RETRY_TIMES"] == 1
    assert extras["DOWNLOAD_MAXSIZE"] == svc.conf.max_response_bytes
    assert svc.config("c2").scrapy_settings()["CRAWL_ALLOW_PRIVATE"] is False


def test_priors_of_earlier_crawls_are_merged_into_the_next_config(svc) -> None:
    svc.root.mkdir(parents=True, exist_ok=True)
    (svc.root / "priors.json").write_text(json.dumps({"http://a/": 1.5}), encoding="utf-8")
    (svc.root / "freshness.json").write_text(json.dumps({"http://a/": 0.5}), encoding="utf-8")
    svc.request(["http://a/"], "c1")
    priors = json.loads(Path(svc.config("c1").priors_path).read_text(encoding="utf-8"))
    assert priors == {"http://a/": 2.0}


@pytest.mark.parametrize(
    ("seeds", "options", "message"),
    [
        (["ftp://example.com/"], {}, "bad seed URL"),
        ([], {}, "at least one seed"),
        (["http://example.com/"], {"allowed_networks": ["10.0.0.0/33"]}, "not a CIDR"),
        (["http://example.com/"], {"crawl_dir": "/etc"}, "unknown crawl options: crawl_dir"),
    ],
)
def test_bad_requests_are_invalid(svc, seeds, options, message) -> None:
    with pytest.raises(Invalid, match=message):
        svc.request(seeds, "c1", **options)
    assert svc.pending() == []


def test_bad_crawl_id_is_invalid_and_an_unknown_one_not_found(svc) -> None:
    with pytest.raises(Invalid, match="must match"):
        svc.request(["http://example.com/"], "../etc")
    with pytest.raises(NotFound):
        svc.config("nobody-asked")


def test_new_ids_come_from_the_clock(settings, emitter) -> None:
    svc = build(settings, emitter, clock=lambda: 1_700_000_000.0)
    assert svc.new_id("testweb") == "testweb-20231114T221320"
    assert svc.request(["http://example.com/"]) == "crawl-20231114T221320"


def _fake_python(tmp_path: Path, body: str) -> str:
    script = tmp_path / "python"
    script.write_text(f"#!/bin/sh\n{body}\n", encoding="utf-8")
    os.chmod(script, 0o755)
    return str(script)


def test_a_failing_crawl_process_is_reported_with_its_stderr(settings, emitter, tmp_path) -> None:
    python = _fake_python(tmp_path, "echo 'reactor exploded' >&2; exit 3")
    svc = build(settings, emitter, python=python)
    svc.request(["http://example.com/"], "c1")
    with pytest.raises(CrawlFailed, match="reactor exploded"):
        svc.run("c1")


def test_a_crawl_past_its_time_limit_says_how_to_resume(settings, emitter, tmp_path) -> None:
    svc = build(settings, emitter, python=_fake_python(tmp_path, "exec sleep 30"))
    svc.request(["http://example.com/"], "c1")
    with pytest.raises(CrawlFailed, match="same id to resume"):
        svc.run("c1", timeout_s=0.3)


def test_a_finished_run_returns_the_crawl_process_report(settings, emitter, tmp_path) -> None:
    report = {"pages": 3, "errors": 0, "bytes": 10, "seconds": 0.1}
    python = _fake_python(tmp_path, f"echo progress; echo '{json.dumps(report)}'")
    svc = build(settings, emitter, python=python)
    svc.request(["http://example.com/"], "c1")
    assert svc.run("c1") == report


def test_robots_verdicts_use_the_deployments_agent_by_default(svc) -> None:
    robots = "User-agent: deploybot\nDisallow: /\n\nUser-agent: *\nAllow: /\n"
    urls = ["http://h/a", "http://h/b"]
    assert svc.robots_check(robots, urls) == [False, False]
    assert svc.robots_check(robots, urls, agent="OtherBot/1") == [True, True]


def _index(docs: dict[str, str]) -> SearchIndex:
    return SearchIndex.build(
        pl.DataFrame({"url": list(docs), "title": list(docs.values()), "text": [""] * len(docs)})
    )


def test_search_refuses_blank_queries_and_waits_for_an_index(svc) -> None:
    with pytest.raises(Invalid):
        svc.search("  \t")
    with pytest.raises(Invalid):
        svc.search("x", limit=0)
    with pytest.raises(Unavailable, match="no search index yet"):
        svc.search("anything")


def test_search_serves_a_rebuilt_index_without_a_restart(svc) -> None:
    folder = svc.index.folder
    _index({"http://h/old": "sourdough starter"}).save(folder)
    assert [h.url for h in svc.search("sourdough")] == ["http://h/old"]
    docs = folder / "docs.parquet"
    stamp = docs.stat().st_mtime_ns
    _index({"http://h/new": "sourdough bread"}).save(folder)
    os.utime(docs, ns=(stamp + 1_000_000, stamp + 1_000_000))  # coarse clocks: force a change
    assert [h.url for h in svc.search("sourdough")] == ["http://h/new"]
