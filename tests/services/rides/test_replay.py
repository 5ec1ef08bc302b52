"""The counterfactual replay: deterministic, conserving riders, sensitive to the policy, and
a promotion rule that only promotes what beats production."""

from __future__ import annotations

import random

from services.rides import replay
from services.rides.dispatch import speed_eta
from services.rides.surge import CURVES, PRODUCTION_CURVE
from tests.services.rides.conftest import LOOP, START

ETA = speed_eta(24.0)


def day(n_req: int = 400, n_drivers: int = 25, seed: int = 3):
    rng = random.Random(seed)
    reqs = []
    for i in range(n_req):
        p = (LOOP[0] + rng.gauss(0, 0.01), LOOP[1] + rng.gauss(0, 0.01))
        d = (p[0] + rng.uniform(-0.03, 0.03), p[1] + rng.uniform(-0.03, 0.03))
        reqs.append(replay.Request(START + i * 6.0, p, d, rng.uniform(300, 900)))
    drivers = [
        (f"d{i}", LOOP[0] + rng.uniform(-0.02, 0.02), LOOP[1] + rng.uniform(-0.02, 0.02))
        for i in range(n_drivers)
    ]
    return reqs, drivers


def test_a_replay_accounts_for_every_request_and_repeats_exactly():
    reqs, drivers = day()
    a = replay.replay(reqs, drivers, replay.PRODUCTION, ETA)
    assert a.matched + a.priced_out + a.abandoned == a.requests == len(reqs)
    assert 0 < a.completion_rate < 1 and 0 < a.utilisation <= 1
    assert a == replay.replay(reqs, drivers, replay.PRODUCTION, ETA)


def test_more_drivers_mean_shorter_waits_and_more_completed_rides():
    reqs, few = day(n_drivers=10)
    _, many = day(n_drivers=60)
    lo = replay.replay(reqs, few, replay.PRODUCTION, ETA)
    hi = replay.replay(reqs, many, replay.PRODUCTION, ETA)
    assert hi.completion_rate > lo.completion_rate and hi.wait_p90_s < lo.wait_p90_s


def test_a_flat_price_prices_nobody_out_and_a_steep_one_costs_riders_more():
    reqs, drivers = day(n_drivers=12)
    flat = replay.Policy("flat", "greedy", CURVES[0])
    steep = replay.Policy("steep", "greedy", CURVES[2])
    f = replay.replay(reqs, drivers, flat, ETA)
    s = replay.replay(reqs, drivers, steep, ETA)
    assert f.priced_out == 0 and s.priced_out > 0
    assert s.rider_cost_cents > f.rider_cost_cents


def test_the_verdict_promotes_only_a_policy_that_beats_production():
    reqs, drivers = day()
    v = replay.verdict(reqs, drivers, ETA)
    prod = next(o for o in v.outcomes if o.policy == replay.PRODUCTION.name)
    if v.promote is None:
        assert not any(replay.beats(o, prod) for o in v.outcomes)
    else:
        best = next(o for o in v.outcomes if o.policy == v.promote)
        assert replay.beats(best, prod) and best.wait_p90_s < prod.wait_p90_s
    same = replay.verdict(reqs, drivers, ETA, policies=[replay.PRODUCTION])
    assert same.promote is None  # production never beats itself


def test_the_rule_needs_shorter_waits_without_losing_riders():
    base = replay.Outcome("p", 100, 90, 5, 5, 300.0, 0.9, 0.5, 1500.0)
    faster = replay.Outcome("c", 100, 90, 5, 5, 250.0, 0.9, 0.5, 1500.0)
    faster_but_losing = replay.Outcome("c", 100, 80, 15, 5, 250.0, 0.8, 0.5, 1500.0)
    assert replay.beats(faster, base)
    assert not replay.beats(faster_but_losing, base)
    assert not replay.beats(base, base)
    assert PRODUCTION_CURVE in CURVES


def surge_far_from_supply(seed: int = 1):
    """Riders in the Loop's surge cell, every driver idle two surge cells away: beyond the
    pickup search, so only drivers who move towards the surge can serve them."""
    import h3

    from services.rides import geo

    rng = random.Random(seed)
    far = sorted(geo.ring(geo.surge_cell(*LOOP), 2))[0]
    lat, lng = h3.cell_to_latlng(far)
    reqs = []
    for i in range(300):
        p = (LOOP[0] + rng.gauss(0, 0.003), LOOP[1] + rng.gauss(0, 0.003))
        d = (p[0] + rng.uniform(-0.01, 0.01), p[1] + rng.uniform(-0.01, 0.01))
        reqs.append(replay.Request(START + i * 10.0, p, d, rng.uniform(300, 600)))
    drivers = [(f"d{i}", lat + rng.gauss(0, 0.002), lng + rng.gauss(0, 0.002)) for i in range(30)]
    return reqs, drivers


def test_idle_drivers_move_towards_surge_and_serve_riders_they_could_not_reach():
    reqs, drivers = surge_far_from_supply()
    moving = replay.replay(reqs, drivers, replay.PRODUCTION, ETA)
    static = replay.replay(reqs, drivers, replay.PRODUCTION, ETA, relocation=None)
    assert static.relocations == 0 and moving.relocations > 0
    assert moving.completion_rate > 5 * static.completion_rate
    assert moving.matched + moving.priced_out + moving.abandoned == len(reqs)
    assert moving == replay.replay(reqs, drivers, replay.PRODUCTION, ETA)  # deterministic


def test_a_curve_that_never_surges_moves_nobody():
    reqs, drivers = surge_far_from_supply()
    flat = replay.Policy("flat", "greedy", CURVES[0])
    moving = replay.replay(reqs, drivers, flat, ETA)
    assert moving.relocations == 0
    assert moving == replay.replay(reqs, drivers, flat, ETA, relocation=None)
