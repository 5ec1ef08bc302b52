"""Ring placement, key movement on a join, PBS and repair-order arithmetic."""

from __future__ import annotations

import pytest

from services.kv.pbs import consistency_probability
from services.kv.repair_order import convergence
from services.kv.ring import Ring, moved_fraction

KEYS = [f"key:{i}".encode() for i in range(20_000)]


def test_a_preference_list_has_n_distinct_nodes_and_skips_down_ones():
    ring = Ring([f"n{i}" for i in range(1, 6)], vnodes=64)
    for key in KEYS[:200]:
        pref = ring.preference_list(key, 3)
        assert len(set(pref)) == 3
        placement = ring.placement(key, 3, down={pref[0]})
        assert placement.live == pref[1:]
        ((stand_in, home),) = placement.substitutes.items()
        assert home == pref[0] and stand_in not in pref
        strict = ring.placement(key, 3, down={pref[0]}, sloppy=False)
        assert strict.substitutes == {}


def test_a_sixth_node_moves_about_a_sixth_of_the_keys():
    five = Ring([f"n{i}" for i in range(1, 6)], vnodes=128)
    six = Ring([f"n{i}" for i in range(1, 7)], vnodes=128)
    moved = moved_fraction(five, six, KEYS)
    assert abs(moved - 1 / 6) <= 0.2 * (1 / 6)


def test_keys_move_only_to_the_new_node():
    five = Ring([f"n{i}" for i in range(1, 6)], vnodes=64)
    six = Ring([f"n{i}" for i in range(1, 7)], vnodes=64)
    for key in KEYS[:2000]:
        before, after = five.preference_list(key, 1), six.preference_list(key, 1)
        assert before == after or after == ["n6"]


def test_pbs_is_certain_with_intersecting_quorums_and_grows_with_time():
    writes = [0.5, 1.0, 2.0, 8.0, 30.0]
    reads = [0.3, 0.6, 1.5, 4.0]
    for r, w in ((2, 2), (1, 3), (3, 1)):
        assert consistency_probability(writes, reads, 3, r, w, [0.0]) == [1.0]
    curve = consistency_probability(writes, reads, 3, 1, 1, [0, 1, 5, 50])
    assert curve == sorted(curve)
    assert curve[0] < 1.0 and curve[-1] == 1.0
    with pytest.raises(ValueError):
        consistency_probability(writes, reads, 3, 4, 1)


def test_worst_first_repairs_divergent_keys_sooner_than_a_sweep():
    result = convergence({190: 50, 3: 1, 100: 5}, 192)
    assert result["worst_first"]["steps_to_converge"] == 3
    assert result["round_robin"]["steps_to_converge"] == 191
    assert result["worst_first"]["mean_steps_per_key"] < result["round_robin"]["mean_steps_per_key"]
