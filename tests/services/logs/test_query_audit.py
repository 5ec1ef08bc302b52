"""Every search and SQL query is audited (who, what, how many rows), and repeated identical
queries are answered from a cache that the lake's next change invalidates at once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from services.logs.errors import QueryRejected
from services.logs.settings import LogsSettings
from services.logs.system import build
from warehouse.ingest import ingest_spool
from warehouse.lake import Lake

NOW = datetime(2024, 5, 1, 12, 0, tzinfo=UTC)


def _land(settings, emitter) -> None:
    emitter.flush()
    ingest_spool(settings.spool_dir, settings.lake_dir)


def _lines(svc, n: int, msg: str = "disk full") -> None:
    svc.ingest_records(
        [
            {"ts": (NOW - timedelta(minutes=i + 1)).isoformat(), "msg": msg, "service": "db"}
            for i in range(n)
        ]
    )


def _audit(settings) -> list[tuple]:
    return (
        Lake(settings.lake_dir)
        .query(
            "SELECT actor, entity, attrs->>'query' AS q, (attrs->>'rows')::INT AS n, "
            "(attrs->>'cached')::BOOLEAN AS cached, attrs->>'error' AS error "
            "FROM logs_events WHERE type = 'query_audited' ORDER BY ts"
        )
        .rows()
    )


@pytest.fixture
def svc(settings, emitter):
    service = build(settings, emitter, clock=lambda: NOW.timestamp())
    yield service
    service.close()


def test_a_repeated_query_is_answered_from_the_cache_until_the_lake_changes(svc, settings, emitter):
    _lines(svc, 3)
    _land(settings, emitter)
    sql = "SELECT count(*) AS n FROM logs"
    assert svc.query(sql)["n"][0] == 3
    assert svc.query(sql)["n"][0] == 3
    _lines(svc, 2)
    _land(settings, emitter)
    assert svc.query(sql)["n"][0] == 5  # new files: a new lake version, so no stale answer
    assert svc.search("disk", since="1h").height == 5
    assert svc.search("disk", since="1h").height == 5
    _land(settings, emitter)
    audit = _audit(settings)
    sql_rows = [(who, q, cached) for who, kind, q, _, cached, _ in audit if kind == "sql"]
    assert sql_rows == [("local", sql, False), ("local", sql, True), ("local", sql, False)]
    search_cached = [cached for _, kind, _, _, cached, _ in audit if kind == "search"]
    assert search_cached[:2] == [False, True]


def test_cached_answers_cannot_be_changed_by_the_caller(svc, settings, emitter):
    _lines(svc, 2)
    _land(settings, emitter)
    first = svc.query("SELECT message FROM logs")
    first.clear()  # a caller mutating its copy in place
    assert svc.query("SELECT message FROM logs").height == 2


def test_the_audit_names_the_principal_the_query_and_rejections(client, admin_headers, settings):
    key = client.post(
        "/auth/keys", json={"user_id": "grafana", "roles": ["service"]}, headers=admin_headers
    ).json()["api_key"]
    headers = {"X-API-Key": key}
    client.post(
        "/logs/query", json={"sql": "SELECT 42 AS answer"}, headers=headers
    ).raise_for_status()
    assert (
        client.post("/logs/query", json={"sql": "DROP TABLE logs"}, headers=headers).status_code
        == 400
    )
    client.get("/logs/search", params={"q": "timeout"}, headers=headers).raise_for_status()
    emitter = client.app.state.services["logs"].emitter
    _land(settings, emitter)
    audit = [row for row in _audit(settings) if row[0] == "grafana"]
    assert [(kind, q, n) for _, kind, q, n, _, _ in audit][:2] == [
        ("sql", "SELECT 42 AS answer", 1),
        ("sql", "DROP TABLE logs", None),
    ]
    assert audit[1][5]  # the rejection's reason is kept
    assert audit[2][1] == "search" and "timeout" in audit[2][2]


def test_the_cache_can_be_turned_off(settings, emitter):
    svc = build(settings, emitter, conf=LogsSettings(query_cache_ttl_s=0))
    try:
        svc.query("SELECT 1 AS x")
        svc.query("SELECT 1 AS x")
        _land(settings, emitter)
        assert [row[4] for row in _audit(settings)] == [False, False]
    finally:
        svc.close()


def test_rejected_sql_is_still_a_400(svc):
    with pytest.raises(QueryRejected):
        svc.query("DELETE FROM logs")
