import logging

import pytest

from warehouse.ingest import ingest_spool
from warehouse.lake import Lake


@pytest.fixture
def svc_headers(client, admin_headers):
    key = client.post(
        "/auth/keys", json={"user_id": "collector", "roles": ["service"]}, headers=admin_headers
    ).json()["api_key"]
    return {"X-API-Key": key}


def _ingest(settings, emitter):
    emitter.flush()
    return ingest_spool(settings.spool_dir, settings.lake_dir)


def test_json_array_batch_is_accepted_and_lands_partitioned_by_service(
    client, svc_headers, settings, emitter
):
    batch = [
        {
            "ts": "2024-05-01T10:00:00Z",
            "level": "ERROR",
            "msg": "db timeout after 30s",
            "service": "checkout",
        },
        {"ts": "2024-05-01T10:01:00Z", "level": "info", "msg": "request ok", "service": "cart"},
        'level=warn msg="slow query" service=db',
    ]
    r = client.post("/logs", json=batch, headers=svc_headers)
    assert r.status_code == 202, r.text
    assert r.json() == {"accepted": 3, "quarantined": 0, "blank": 0}
    _ingest(settings, emitter)
    parts = sorted(p.name for p in (settings.lake_dir / "logs").iterdir())
    assert {"service=cart", "service=checkout", "service=db"} <= set(parts)
    df = Lake(settings.lake_dir).query("SELECT level FROM logs WHERE service='checkout'")
    assert df["level"].to_list() == ["error"]


def test_ndjson_and_text_lines_with_malformed_lines_quarantined(
    client, svc_headers, settings, emitter
):
    body = b'{"msg": "one"}\n{"msg": "two"}\n'
    r = client.post(
        "/logs?service=nd",
        content=body,
        headers={**svc_headers, "content-type": "application/x-ndjson"},
    )
    assert r.json()["accepted"] == 2
    text = "<34>broken syslog\nlevel=info msg=fine\n\n"
    r = client.post(
        "/logs?service=tx", content=text, headers={**svc_headers, "content-type": "text/plain"}
    )
    assert r.json() == {"accepted": 1, "quarantined": 1, "blank": 1}
    _ingest(settings, emitter)
    q = Lake(settings.lake_dir).query("SELECT table_name, reason, raw FROM quarantine")
    assert q.rows() == [("logs", "not a valid RFC 3164 syslog line", "<34>broken syslog")]


def test_bad_input_gets_clear_4xx(client, svc_headers, settings):
    assert (
        client.post(
            "/logs", content=b"[{", headers={**svc_headers, "content-type": "application/json"}
        ).status_code
        == 400
    )
    r = client.post(
        "/logs",
        content=b'{"a":1}\n{oops',
        headers={**svc_headers, "content-type": "application/x-ndjson"},
    )
    # A bad NDJSON line is quarantined alone; the batch's good lines are kept.
    assert r.status_code == 202 and r.json() == {"accepted": 1, "quarantined": 1, "blank": 0}
    big = b"[" + b",".join([b'"' + b"x" * 1000 + b'"'] * 9000) + b"]"
    assert client.post("/logs", content=big, headers=svc_headers).status_code == 413
    assert client.post("/logs", json=[], headers={"X-API-Key": "nope"}).status_code == 401
    assert client.post("/logs", json=[{"msg": "x"}]).status_code == 401
    user = client.post(
        "/auth/keys",
        json={"user_id": "u", "roles": ["user"]},
        headers={"X-API-Key": settings.admin_api_key},
    ).json()["api_key"]
    assert client.post("/logs", json=[], headers={"X-API-Key": user}).status_code == 403
    assert client.post("/logs?format=xml", json=[], headers=svc_headers).status_code == 422


def test_search_ranks_matches_and_filters_by_service_and_level(
    client, svc_headers, settings, emitter
):
    batch = [
        {"msg": "payment failed: card declined", "level": "error", "service": "pay"},
        {"msg": "payment failed payment failed twice", "level": "error", "service": "pay"},
        {"msg": "payment ok", "level": "info", "service": "pay"},
        {"msg": "payment failed upstream", "level": "error", "service": "shop"},
    ]
    client.post("/logs", json=batch, headers=svc_headers)
    _ingest(settings, emitter)
    r = client.get(
        "/logs/search", params={"q": "payment failed", "service": "pay"}, headers=svc_headers
    )
    assert r.status_code == 200, r.text
    hits = r.json()["hits"]
    assert [h["message"] for h in hits] == [
        "payment failed payment failed twice",
        "payment failed: card declined",
    ]
    r = client.get(
        "/logs/search",
        params={"q": '"card declined"', "level": "error", "since": "1h"},
        headers=svc_headers,
    )
    assert r.json()["count"] == 1
    assert (
        client.get(
            "/logs/search", params={"since": "yesterday-ish"}, headers=svc_headers
        ).status_code
        == 422
    )
    assert (
        client.get("/logs/search", params={"level": "loud"}, headers=svc_headers).status_code == 422
    )


def test_sql_query_is_read_only_and_confined_to_the_lake(client, svc_headers, settings, emitter):
    client.post("/logs", json=[{"msg": "a"}, {"msg": "b"}], headers=svc_headers)
    _ingest(settings, emitter)
    r = client.post(
        "/logs/query", json={"sql": "SELECT count(*) AS n FROM logs -- rows"}, headers=svc_headers
    )
    assert r.status_code == 200, r.text
    assert r.json()["columns"] == ["n"] and r.json()["rows"][0][0] >= 2
    for bad in (
        "DELETE FROM logs",
        "SELECT 1; SELECT 2",
        "COPY (SELECT 1) TO 'x.csv'",
        "SELECT * FROM read_text('/etc/passwd')",
        "SELEC nonsense",
        "connect",  # a statement kind DuckDB's Python enum has no name for
    ):
        r = client.post("/logs/query", json={"sql": bad}, headers=svc_headers)
        assert r.status_code == 400, bad


def test_access_logs_of_the_app_flow_into_the_logs_table(client, svc_headers, settings, emitter):
    client.get("/healthz", headers={"X-Request-ID": "req-abc"})
    handler = client.app.state.services["logs"].app_log_handler
    assert handler.flush()
    logging.getLogger("blueprint.test").warning("custom app warning")
    assert handler.flush()
    _ingest(settings, emitter)
    df = Lake(settings.lake_dir).query(
        "SELECT logger, level, request_id, json_extract(attrs, '$.status')::INT AS status "
        "FROM logs WHERE service = 'api' ORDER BY ts"
    )
    access = df.filter(df["request_id"] == "req-abc")
    assert access["logger"].to_list() == ["blueprint.access"]
    assert access["status"].to_list() == [200]
    assert "warning" in df.filter(df["logger"] == "blueprint.test")["level"].to_list()


def test_full_spool_answers_503_with_retry_after_and_stores_nothing(
    client, svc_headers, emitter, monkeypatch
):
    from warehouse.spool import SpoolFull

    def full(table, rows):
        raise SpoolFull(10, 5, retry_after_s=7)

    with monkeypatch.context() as m:
        m.setattr(emitter, "append_rows", full)
        r = client.post("/logs", json=[{"msg": "x"}], headers=svc_headers)
    assert r.status_code == 503 and r.headers["retry-after"] == "7"


def test_one_malformed_ndjson_line_is_quarantined_and_the_rest_of_the_batch_kept(
    client, settings, emitter
) -> None:
    from warehouse.spool import read_records, sealed_segments

    key = client.post(
        "/auth/keys",
        json={"user_id": "shipper", "roles": ["service"]},
        headers={"X-API-Key": settings.admin_api_key},
    ).json()["api_key"]
    body = b'{"level": "info", "message": "one"}\n{"level": oops\n{"message": "three"}\n'
    resp = client.post(
        "/logs",
        content=body,
        headers={"X-API-Key": key, "Content-Type": "application/x-ndjson"},
    )
    assert resp.status_code == 202, resp.text
    assert resp.json() == {"accepted": 2, "quarantined": 1, "blank": 0}
    emitter.flush()
    rows = [r for s in sealed_segments(settings.spool_dir) for r in read_records(s.path)]
    [bad] = [r for r in rows if r.get("_table") == "quarantine"]
    assert "NDJSON line 2" in bad["reason"] and '{"level": oops' in bad["raw"]
    single = client.post(
        "/logs", content=b"{oops", headers={"X-API-Key": key, "Content-Type": "application/json"}
    )
    assert single.status_code == 400  # one document that is not JSON: the body is malformed
