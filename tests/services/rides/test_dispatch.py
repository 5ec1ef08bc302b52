"""Matching as pure functions: the growing k-ring finds what a scan of every driver finds,
ranking follows the predictor (not straight distance), and batched assignment beats greedy
on total pickup time. Plus the position index: stale drivers age out, Redis agrees."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime

import pytest

from services.rides import dispatch, geo
from services.rides.locations import MemoryIndex, Position, RedisIndex
from tests.conftest import server_reachable
from tests.services.rides.conftest import LOOP

WHEN = datetime(2030, 3, 1, 12, tzinfo=UTC)
ETA = dispatch.speed_eta(24.0)


def random_index(n: int, seed: int = 0, spread: float = 0.05) -> MemoryIndex:
    rng = random.Random(seed)
    idx = MemoryIndex()
    for i in range(n):
        idx.update(
            f"d{i}",
            LOOP[0] + rng.uniform(-spread, spread),
            LOOP[1] + rng.uniform(-spread, spread),
            0.0,
        )
    return idx


@pytest.mark.parametrize("seed", range(5))
def test_ring_search_finds_the_nearest_driver_a_full_scan_finds(seed):
    idx = random_index(2000, seed)
    rng = random.Random(100 + seed)
    for _ in range(20):
        pickup = (LOOP[0] + rng.uniform(-0.03, 0.03), LOOP[1] + rng.uniform(-0.03, 0.03))
        ring = dispatch.rank(
            dispatch.search(idx.in_cells, pickup, want=5, max_ring=10), pickup, ETA, WHEN
        )
        scan = dispatch.rank(dispatch.brute_force(idx.all(), pickup, want=5), pickup, ETA, WHEN)
        assert ring[0].driver_id == scan[0].driver_id


def test_search_skips_busy_stale_and_excluded_drivers():
    idx = MemoryIndex()
    idx.update("busy", *LOOP, 100.0)
    idx.set_busy("busy", True)
    idx.update("stale", *LOOP, 1.0)
    idx.update("tried", *LOOP, 100.0)
    idx.update("free", LOOP[0] + 0.003, LOOP[1], 100.0)
    got = dispatch.search(idx.in_cells, LOOP, want=1, max_ring=5, exclude={"tried"}, fresh_after=50)
    assert [p.driver_id for p in got] == ["free"]


def test_ranking_follows_the_predictor_not_straight_distance():
    near = Position("near", LOOP[0] + 0.001, LOOP[1], geo.cell(*LOOP), 0.0)
    far = Position("far", LOOP[0] + 0.01, LOOP[1], geo.cell(*LOOP), 0.0)

    def river_in_the_way(origins, _dest, _when):  # the near driver is across a river
        return [900.0 if o[0] < LOOP[0] + 0.005 else 300.0 for o in origins]

    assert [c.driver_id for c in dispatch.rank([near, far], LOOP, river_in_the_way, WHEN)] == [
        "far",
        "near",
    ]
    assert [c.driver_id for c in dispatch.rank([near, far], LOOP, ETA, WHEN)] == ["near", "far"]


def test_batched_assignment_minimises_total_pickup_time_where_greedy_does_not():
    # Driver A sits between both riders; greedy gives A to rider 1 (first come) and leaves
    # rider 2 the far driver B. The batch gives A to rider 2 and B to rider 1.
    a = Position("A", 41.900, -87.630, "", 0.0)
    b = Position("B", 41.880, -87.630, "", 0.0)
    r1, r2 = (41.898, -87.630), (41.905, -87.630)
    pairs = dispatch.assign_batch([r1, r2], [[a, b], [a, b]], ETA, WHEN)
    got = {i: c.driver_id for i, c in pairs}
    assert got == {0: "B", 1: "A"}
    batch_total = sum(c.eta_s for _i, c in pairs)
    greedy_total = ETA([(a.lat, a.lng)], [r1], WHEN)[0] + ETA([(b.lat, b.lng)], [r2], WHEN)[0]
    assert batch_total < greedy_total


def test_a_request_with_no_candidate_is_left_out_of_the_batch():
    a = Position("A", 41.9, -87.63, "", 0.0)
    pairs = dispatch.assign_batch([(41.9, -87.63), (41.0, -87.0)], [[a], []], ETA, WHEN)
    assert [(i, c.driver_id) for i, c in pairs] == [(0, "A")]


def test_stale_drivers_age_out_of_the_index():
    idx = MemoryIndex()
    idx.update("old", *LOOP, 10.0)
    idx.update("new", *LOOP, 100.0)
    assert idx.expire(50.0) == ["old"]
    assert [p.driver_id for p in idx.in_cells([geo.cell(*LOOP)])] == ["new"]
    idx.update("new", LOOP[0] + 0.01, LOOP[1], 101.0)  # moved: out of its old cell
    assert idx.in_cells([geo.cell(*LOOP)]) == []


@pytest.mark.servers
def test_the_redis_index_answers_as_the_in_process_one():
    if not server_reachable("127.0.0.1", 6379):
        pytest.skip("Redis is not running on 127.0.0.1:6379")
    redis_idx = RedisIndex("redis://127.0.0.1:6379/0", prefix=f"test-rides-{uuid.uuid4().hex[:8]}")
    try:
        mem = random_index(300, seed=7, spread=0.01)
        for p in mem.all():
            redis_idx.update(p.driver_id, p.lat, p.lng, p.ts)
        redis_idx.set_busy("d3", True)
        mem.set_busy("d3", True)
        cells = (
            geo.ring(geo.cell(*LOOP), 0)
            + geo.ring(geo.cell(*LOOP), 1)
            + geo.ring(geo.cell(*LOOP), 2)
        )
        assert sorted(redis_idx.in_cells(cells), key=lambda p: p.driver_id) == sorted(
            mem.in_cells(cells), key=lambda p: p.driver_id
        )
        assert len(redis_idx) == 300
        redis_idx.update("d0", 0.0, 0.0, -5.0)
        assert redis_idx.expire(-1.0) == ["d0"] and len(redis_idx) == 299
    finally:
        redis_idx.clear()


def test_a_shortlist_predicts_only_the_nearest_found_drivers():
    pickup = (41.88, -87.63)
    seen: list[int] = []

    def counting(origins, destinations, when):
        seen.append(len(origins))
        return dispatch.speed_eta(24.0)(origins, destinations, when)

    far_first = [
        Position(f"d{i}", pickup[0] + 0.001 * (40 - i), pickup[1], "c", 0.0, False)
        for i in range(40)
    ]
    when = datetime(2015, 3, 4, 9, tzinfo=UTC)
    full = dispatch.rank(far_first, pickup, counting, when, 3)
    short = dispatch.rank(far_first, pickup, counting, when, 3, shortlist=5)
    assert seen == [40, 5]
    assert [c.driver_id for c in short] == [c.driver_id for c in full] == ["d39", "d38", "d37"]


def test_nearest_keeps_the_straight_line_order_with_ties_by_id():
    rng = random.Random(3)
    pickup = (41.88, -87.63)
    spots = [(pickup[0] + rng.uniform(-0.02, 0.02), pickup[1] + rng.uniform(-0.02, 0.02))]
    spots += [(pickup[0] + rng.uniform(-0.02, 0.02), pickup[1]) for _ in range(60)]
    positions = [  # several drivers on each spot: ties at the shortlist's edge
        Position(f"d{i:03d}", *spots[i % len(spots)], "c", 0.0, False) for i in range(300)
    ]
    rng.shuffle(positions)
    by_loop = sorted(positions, key=lambda p: (geo.haversine_m(p.lat, p.lng, *pickup), p.driver_id))
    for n in (1, 7, 32, 299, 300, 400):
        assert dispatch.nearest(positions, pickup, n) == by_loop[:n]
