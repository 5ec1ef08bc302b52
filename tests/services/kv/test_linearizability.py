"""The linearizability checker agrees with brute force on small random histories and catches
a planted stale read."""

from __future__ import annotations

import itertools
import math
import random

import pytest

from services.kv.linearizability import Op, check_history, check_register


def brute_force(ops: list[Op], initial: bytes | None = None) -> bool:
    ops = [op for op in ops if not (op.kind == "read" and math.isinf(op.ret))]
    for order in itertools.permutations(range(len(ops))):
        pos = {op_i: p for p, op_i in enumerate(order)}
        if any(
            ops[a].ret < ops[b].call and pos[a] > pos[b]
            for a in range(len(ops))
            for b in range(len(ops))
        ):
            continue
        state = initial
        for i in order:
            op = ops[i]
            if op.kind == "write":
                state = op.value
            elif op.value != state:
                break
        else:
            return True
    return False


def random_history(rng: random.Random, n_ops: int) -> list[Op]:
    ops = []
    clock = {c: 0.0 for c in range(3)}
    values = [b"a", b"b", b"c"]
    for _ in range(n_ops):
        client = rng.randrange(3)
        call = clock[client] + rng.random() * 2
        ret = call + rng.random() * 3
        if rng.random() < 0.1:
            ret = math.inf
        clock[client] = ret if not math.isinf(ret) else call + 100
        if rng.random() < 0.5:
            ops.append(Op(client, call, ret, "write", rng.choice(values)))
        else:
            ops.append(Op(client, call, ret, "read", rng.choice([None, *values])))
    return ops


@pytest.mark.parametrize("seed", range(300))
def test_checker_agrees_with_brute_force_on_small_random_histories(seed):
    rng = random.Random(seed)
    ops = random_history(rng, rng.randint(1, 7))
    assert check_register(ops) == brute_force(ops)


def test_random_histories_include_both_verdicts():
    verdicts = {check_register(random_history(random.Random(s), 6)) for s in range(200)}
    assert verdicts == {True, False}


def test_a_planted_stale_read_is_caught():
    ok = [
        Op(0, 0, 1, "write", b"x"),
        Op(1, 2, 3, "write", b"y"),
        Op(2, 4, 5, "read", b"y"),
    ]
    assert check_register(ok)
    stale = [*ok[:2], Op(2, 4, 5, "read", b"x")]
    assert not check_register(stale)


def test_overlapping_operations_may_take_effect_in_either_order():
    ops = [
        Op(0, 0, 10, "write", b"x"),
        Op(1, 1, 2, "read", b"x"),
        Op(2, 3, 4, "read", None),
    ]
    assert not check_register(ops)  # once x was read, a later read cannot see nothing
    ops = [Op(0, 0, 10, "write", b"x"), Op(1, 1, 2, "read", None), Op(2, 3, 4, "read", b"x")]
    assert check_register(ops)


def test_a_write_with_unknown_outcome_may_or_may_not_have_happened():
    lost = [Op(0, 0, math.inf, "write", b"x"), Op(1, 5, 6, "read", None)]
    happened = [Op(0, 0, math.inf, "write", b"x"), Op(1, 5, 6, "read", b"x")]
    assert check_register(lost) and check_register(happened)


def test_histories_are_checked_per_key():
    ops = [
        Op(0, 0, 1, "write", b"1", key=b"a"),
        Op(0, 2, 3, "read", b"1", key=b"a"),
        Op(1, 0, 1, "write", b"2", key=b"b"),
        Op(1, 2, 3, "read", b"1", key=b"b"),
    ]
    assert check_history(ops) == {b"a": True, b"b": False}


def test_a_long_concurrent_history_is_checked_quickly():
    rng = random.Random(5)
    ops, value, t = [], None, 0.0
    for i in range(3000):  # a real register: op i takes effect at t + 1, inside its interval
        start, end = t + rng.random(), t + 1 + rng.random() * 3
        if rng.random() < 0.5:
            value = b"%d" % i
            ops.append(Op(i % 8, start, end, "write", value))
        else:
            ops.append(Op(i % 8, start, end, "read", value))
        t += 0.5
    # those instants are in order, so the history is linearizable by construction
    assert check_register(ops)
