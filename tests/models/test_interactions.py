"""Event -> matrix weighting, decay, id maps and splits."""

from datetime import UTC, datetime, timedelta

import orjson
import polars as pl
import pytest

from models.interactions import (
    IdMap,
    InteractionWeights,
    build_interactions,
    events_to_frame,
    heldout_sets,
    normalise_action,
    random_split,
    time_split,
)
from tests.models.helpers import synthetic_matrix

NOW = datetime(2026, 1, 31, tzinfo=UTC)


def _events(rows):
    return pl.DataFrame(
        [
            {
                "ts": ts,
                "system": sys,
                "type": typ,
                "actor": a,
                "entity": e,
                "attrs": orjson.dumps(attrs).decode(),
            }
            for ts, sys, typ, a, e, attrs in rows
        ],
        schema={
            "ts": pl.Datetime("us", "UTC"),
            "system": pl.String,
            "type": pl.String,
            "actor": pl.String,
            "entity": pl.String,
            "attrs": pl.String,
        },
    )


def test_each_event_type_carries_its_configured_weight():
    w = InteractionWeights(
        view=1,
        like=4,
        purchase=10,
        follow=3,
        watch_per_minute=1,
        watch_cap=100,
        half_life_days=None,
    )
    ev = _events(
        [
            (NOW, "video", "view", "u1", "v1", {}),
            (NOW, "video", "like", "u1", "v1", {}),
            (NOW, "video", "watch", "u1", "v1", {"watch_seconds": 120}),
            (NOW, "shop", "purchase", "u1", "p1", {}),
            (NOW, "social", "follow", "u1", "u2", {}),
            (NOW, "shop", "unknown_type", "u1", "p2", {}),
        ]
    )
    data = build_interactions(events_to_frame(ev, w), w)
    m = data.matrix.toarray()
    u = data.users.index["u1"]
    assert m[u, data.items.index["video:v1"]] == pytest.approx(1 + 4 + 2)
    assert m[u, data.items.index["product:p1"]] == pytest.approx(10)
    assert m[u, data.items.index["user:u2"]] == pytest.approx(3)
    assert "product:p2" not in data.items


def test_time_decay_halves_weight_per_half_life():
    w = InteractionWeights(half_life_days=10)
    ev = _events(
        [
            (NOW, "video", "view", "u1", "new", {}),
            (NOW - timedelta(days=10), "video", "view", "u1", "old", {}),
        ]
    )
    data = build_interactions(events_to_frame(ev, w), w, now=NOW)
    m = data.matrix.toarray()[0]
    assert m[data.items.index["video:old"]] == pytest.approx(m[data.items.index["video:new"]] / 2)


def test_kind_from_attrs_overrides_system():
    ev = _events([(NOW, "feed", "purchase", "u1", "sku", {"kind": "product"})])
    assert events_to_frame(ev)["item"].to_list() == ["product:sku"]


def test_normalise_action_accepts_dotted_and_alias_types():
    assert normalise_action("video.view") == "view"
    assert normalise_action("order_placed") == "purchase"
    assert normalise_action("comment_deleted") is None


def test_id_map_extend_keeps_existing_indices():
    first = IdMap.from_ids(["b", "a"])
    later = IdMap.from_ids(["c", "a", "0"], base=first)
    assert first.ids == ("a", "b")
    assert later.ids[:2] == ("a", "b") and set(later.ids[2:]) == {"0", "c"}
    assert later.encode(["b", "a"]).tolist() == [1, 0]


def test_random_split_partitions_entries_reproducibly():
    m = synthetic_matrix()
    tr, te = random_split(m, 0.2, random_state=3)
    tr2, te2 = random_split(m, 0.2, random_state=3)
    assert tr.nnz + te.nnz == m.nnz
    assert (tr.multiply(te)).nnz == 0
    assert (tr != tr2).nnz == 0 and (te != te2).nnz == 0
    assert 0.1 < te.nnz / m.nnz < 0.3
    assert all(items for items in heldout_sets(tr, te).values())


def test_time_split_puts_newest_events_in_test():
    ev = _events(
        [(NOW + timedelta(minutes=i), "video", "view", f"u{i % 3}", f"v{i}", {}) for i in range(10)]
    )
    train, test = time_split(events_to_frame(ev), 0.3)
    assert len(train) == 7 and len(test) == 3
    assert train["ts"].max() < test["ts"].min()


def test_empty_events_give_empty_matrix():
    data = build_interactions(events_to_frame(pl.DataFrame()))
    assert data.matrix.shape == (0, 0) and data.nnz == 0


def test_other_systems_event_shapes_are_understood():
    w = InteractionWeights(watch_per_minute=1, watch_cap=100, half_life_days=None)
    ev = _events(
        [
            (NOW, "video", "watch", "u1", "v1", {"seconds": 180}),
            (NOW, "social", "repost", "u1", "42", {"author": "u9"}),
            (NOW, "feed", "impression", "u1", "43", {"kind": "post"}),
        ]
    )
    data = build_interactions(events_to_frame(ev, w), w)
    assert data.matrix[0, data.items.index["video:v1"]] == pytest.approx(3)
    assert data.matrix[0, data.items.index["post:42"]] == pytest.approx(w.like)
    assert "post:43" not in data.items  # an impression is exposure, not feedback
