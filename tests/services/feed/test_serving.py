"""Serving: recommendations, similar items, ranking, unknowns, hot reload, broken artifacts."""

import threading

import pytest

from models.registry import ModelRegistry
from tests.models.helpers import publish_models


@pytest.fixture(autouse=True)
def _pointers_checked_on_every_request(monkeypatch):
    """Serving looks at the stage pointers on every request, so a promotion shows at once."""
    monkeypatch.setenv("BLUEPRINT_FEED_MODEL_CHECK_INTERVAL_S", "0")


@pytest.fixture
def admin_client(client, admin_headers):
    """The app's client, calling as the admin: recommendations and rankings reveal a user's
    tastes and need a key (who may read whose is tested in ``test_access``)."""
    client.headers.update(admin_headers)
    return client


@pytest.fixture
def served(settings):
    """Two registered versions; v0001 of each promoted."""
    publish_models(settings.models_dir, seed=0)
    return ModelRegistry(settings.models_dir)


def test_known_user_gets_unseen_items_of_the_requested_kind_with_version(served, admin_client):
    r = admin_client.get("/recommendations/u1", params={"k": 5, "kind": "video"})
    assert r.status_code == 200
    body = r.json()
    assert body["model_version"] == "v0001" and body["source"] == "als"
    assert len(body["items"]) == 5 and {i["kind"] for i in body["items"]} == {"video"}
    bundle = admin_client.app.state.services["feed"].models().recs
    seen = {bundle.items.ids[i] for i in bundle.seen[bundle.users.index["u1"]].indices}
    assert not {f"video:{i['item_id']}" for i in body["items"]} & seen


def test_unknown_user_gets_documented_popularity_fallback(served, admin_client):
    body = admin_client.get("/recommendations/nobody", params={"kind": "product"}).json()
    assert body["source"] == "popularity" and body["model_version"] == "v0001"
    assert body["items"] and all(i["kind"] == "product" for i in body["items"])
    scores = [i["score"] for i in body["items"]]
    assert scores == sorted(scores, reverse=True)


def test_similar_and_also_watched_items(served, admin_client):
    item = admin_client.get("/recommendations/u2", params={"kind": "video"}).json()["items"][0]
    for method in ("als", "also"):
        r = admin_client.get(f"/items/{item['item_id']}/similar", params={"method": method, "k": 3})
        assert r.status_code == 200, r.text
        assert r.json()["model_version"] == "v0001"
        assert item["item_id"] not in [i["item_id"] for i in r.json()["items"]]


def test_unknown_item_is_404_and_bad_params_are_422(served, admin_client):
    r = admin_client.get("/items/does-not-exist/similar")
    assert r.status_code == 404 and "unknown video item" in r.json()["detail"]
    assert admin_client.get("/recommendations/u1", params={"k": 0}).status_code == 422
    assert admin_client.get("/recommendations/u1", params={"kind": "car"}).status_code == 422


def test_rank_scores_candidates_with_ranker_version(served, admin_client):
    cands = [{"post_id": f"p{i}"} for i in range(20)] + [{"post_id": "brand-new", "author": "u3"}]
    r = admin_client.post("/rank", json={"viewer": "u5", "candidates": cands})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["model_version"] == "v0001" and body["source"] == "ranker"
    assert len(body["ranked"]) == 21
    scores = [c["score"] for c in body["ranked"]]
    assert scores == sorted(scores, reverse=True) and all(0 <= s <= 1 for s in scores)


def test_without_models_requests_still_succeed(admin_client):
    body = admin_client.get("/recommendations/u1").json()
    assert body["source"] == "none" and body["items"] == [] and body["model_version"] is None
    r = admin_client.post(
        "/rank",
        json={
            "viewer": "u1",
            "candidates": [
                {"post_id": "a", "created_ts": 1.0},
                {"post_id": "b", "created_ts": 2.0},
            ],
        },
    )
    assert r.json()["source"] == "recency" and [c["post_id"] for c in r.json()["ranked"]] == [
        "b",
        "a",
    ]
    assert admin_client.get("/items/x/similar").status_code == 404


def test_promotion_is_picked_up_without_restart(served, admin_client, settings):
    assert admin_client.get("/recommendations/u1").json()["model_version"] == "v0001"
    rv, _ = publish_models(settings.models_dir, seed=1, promote=False)
    served.promote("recs", rv)
    assert admin_client.get("/recommendations/u1").json()["model_version"] == rv == "v0002"
    served.rollback("recs")
    assert admin_client.get("/recommendations/u1").json()["model_version"] == "v0001"


def test_corrupt_new_version_keeps_previous_serving_and_is_reported(served, admin_client, settings):
    rv, _ = publish_models(settings.models_dir, seed=1, promote=False)
    served.promote("recs", rv)
    served.artifact("recs", rv).write_bytes(b"not a model")  # corrupted after promotion
    assert admin_client.get("/recommendations/u1").json()["model_version"] == "v0001"
    status = admin_client.get("/models/serving").json()
    assert status["recs_version"] == "v0001" and status["production"]["recs"] == "v0002"
    assert "checksum" in status["errors"]["recs"]["error"]


def test_cold_start_with_missing_production_artifact_serves_previous(
    served, settings, admin_headers
):
    from fastapi.testclient import TestClient

    from services.app import create_app

    rv, _ = publish_models(settings.models_dir, seed=1, promote=False)
    served.promote("recs", rv)
    served.artifact("recs", rv).unlink()
    with TestClient(create_app(settings), headers=admin_headers) as c:
        assert c.get("/recommendations/u1").json()["model_version"] == "v0001"
        assert "missing" in c.get("/models/serving").json()["errors"]["recs"]["error"]


def test_interactions_endpoint_needs_service_role_and_emits_feed_events(
    client, admin_headers, settings
):
    from warehouse.ingest import ingest_spool
    from warehouse.lake import Lake

    ev = {
        "events": [
            {
                "user_id": "u1",
                "item_id": "v1",
                "kind": "video",
                "type": "watch",
                "watch_seconds": 30,
            }
        ]
    }
    assert client.post("/interactions", json=ev).status_code == 401
    assert client.post("/interactions", json=ev, headers=admin_headers).status_code == 202
    bad = {"events": [{"user_id": "u1", "item_id": "v1", "kind": "video", "type": "explode"}]}
    assert client.post("/interactions", json=bad, headers=admin_headers).status_code == 422
    client.app.state.emitter.flush()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    got = Lake(settings.lake_dir).query(
        "SELECT system, type, actor, entity, attrs FROM events WHERE type = 'watch'"
    )
    assert got.select("system", "actor", "entity").rows() == [("feed", "u1", "v1")]
    assert '"watch_seconds":30' in got["attrs"][0].replace(" ", "")


def test_reload_under_concurrent_requests_drops_none(served, admin_client, settings):
    rv, _ = publish_models(settings.models_dir, seed=1, promote=False)
    errors, versions = [], set()
    stop = threading.Event()
    answered = [threading.Event() for _ in range(3)]  # each caller got an answer
    swapped = [threading.Event() for _ in range(3)]  # each caller got one from v0002

    def hammer(i: int) -> None:
        while not stop.is_set():
            r = admin_client.get("/recommendations/u1", params={"k": 3})
            if r.status_code != 200:
                errors.append(r.status_code)
            version = r.json()["model_version"]
            versions.add(version)
            answered[i].set()
            if version == rv:
                swapped[i].set()

    threads = [threading.Thread(target=hammer, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    try:
        assert all(e.wait(15) for e in answered)  # promote while requests are in flight
        served.promote("recs", rv)
        assert all(e.wait(15) for e in swapped)
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=15)
    assert not errors and versions == {"v0001", "v0002"}


def test_interaction_times_must_be_recent_and_not_in_the_future(client, admin_headers):
    from datetime import UTC, datetime, timedelta

    def ev(ts):
        return {
            "events": [
                {
                    "user_id": "u1",
                    "item_id": "v1",
                    "kind": "video",
                    "type": "view",
                    "ts": ts.isoformat(),
                }
            ]
        }

    now = datetime.now(UTC)
    ok = client.post("/interactions", json=ev(now - timedelta(minutes=5)), headers=admin_headers)
    assert ok.status_code == 202
    for ts in (now + timedelta(hours=1), now - timedelta(days=90)):
        r = client.post("/interactions", json=ev(ts), headers=admin_headers)
        assert r.status_code == 422 and "last 30 days" in r.text


def test_unreadable_stage_pointer_keeps_serving_and_is_reported(served, admin_client):
    assert admin_client.get("/recommendations/u1").json()["model_version"] == "v0001"
    served.pointer("recs").write_text("{not json", encoding="utf-8")
    r = admin_client.get("/recommendations/u1")
    assert r.status_code == 200 and r.json()["model_version"] == "v0001"
    status = admin_client.get("/models/serving").json()
    assert "stages.json is unreadable" in status["errors"]["recs"]["error"]


def test_interaction_window_is_measured_on_the_service_clock_and_all_or_nothing(settings, emitter):
    from datetime import UTC, datetime, timedelta

    from services.errors import Invalid
    from services.feed.service import Interaction
    from services.feed.system import build
    from services.social.system import build as build_social

    now = datetime(2030, 1, 1, tzinfo=UTC)
    social = build_social(settings, emitter)
    feed = build(settings, emitter, social=social, clock=now.timestamp)
    sent: list = []
    emitter.emit_events = sent.extend  # what the service hands the emitter
    try:

        def view(ts):
            return Interaction("u1", "v1", "video", "view", ts=ts)

        assert feed.record_interactions([view(now - timedelta(days=29))]) == 1
        assert [(e.system, e.type, e.ts) for e in sent] == [
            ("feed", "view", now - timedelta(days=29))
        ]
        for late in (now - timedelta(days=31), now + timedelta(hours=1)):
            with pytest.raises(Invalid, match="last 30 days"):
                feed.record_interactions([view(now), view(late)])
        assert len(sent) == 1  # a batch with one bad event records none of it
    finally:
        feed.close()
        social.close()
