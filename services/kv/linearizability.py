"""A linearizability checker for read/write registers (Wing & Gong's search with Lowe's
memoisation, as Porcupine does it), one history per key.

An operation is a call and a return on one client: ``write(v)`` or ``read() -> v``. A history
is linearizable when every operation can be given one instant between its call and its return
such that, in that order, every read returns the latest write. Writes whose outcome is unknown
(timeout, error) get an infinite return time: they may take effect at any point after their
call, or never observably. Failed reads are dropped.

The search walks the history's events in time order, linearizing a pending call when the
model allows, backtracking at a return whose call is not yet linearized, and never revisiting
a (set of linearized ops, register value) state it has seen fail.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class Op:
    client: int
    call: float
    ret: float  # math.inf: the outcome is unknown
    kind: str  # "read" or "write"
    value: bytes | None  # the value written, or the value read (None: key absent)
    key: bytes = b""


@dataclass
class _Entry:
    op_index: int
    is_call: bool
    time: float
    prev: _Entry | None = None
    next: _Entry | None = None
    match: _Entry | None = None  # a call's return entry


def _build(ops: list[Op]) -> _Entry:
    events: list[tuple[float, int, int, bool]] = []
    for i, op in enumerate(ops):
        events.append((op.call, 0, i, True))
        events.append((op.ret, 1, i, False))
    # at equal times returns come first: an op returning at t precedes one called at t
    events.sort(key=lambda e: (e[0], 0 if not e[3] else 1, e[2]))
    head = _Entry(-1, False, -math.inf)
    calls: dict[int, _Entry] = {}
    prev = head
    for t, _, i, is_call in events:
        entry = _Entry(i, is_call, t, prev=prev)
        prev.next = entry
        prev = entry
        if is_call:
            calls[i] = entry
        else:
            calls[i].match = entry
    return head


def _lift(entry: _Entry) -> None:
    entry.prev.next = entry.next  # type: ignore[union-attr]
    if entry.next is not None:
        entry.next.prev = entry.prev
    ret = entry.match
    assert ret is not None
    ret.prev.next = ret.next  # type: ignore[union-attr]
    if ret.next is not None:
        ret.next.prev = ret.prev


def _unlift(entry: _Entry) -> None:
    ret = entry.match
    assert ret is not None
    ret.prev.next = ret  # type: ignore[union-attr]
    if ret.next is not None:
        ret.next.prev = ret
    entry.prev.next = entry  # type: ignore[union-attr]
    if entry.next is not None:
        entry.next.prev = entry


def _step(state: bytes | None, op: Op) -> tuple[bool, bytes | None]:
    if op.kind == "write":
        return True, op.value
    return op.value == state, state


def check_register(
    ops: list[Op], initial: bytes | None = None, max_states: int = 2_000_000
) -> bool:
    """Whether one register's history is linearizable (``RuntimeError`` past ``max_states``)."""
    ops = [op for op in ops if not (op.kind == "read" and math.isinf(op.ret))]
    if not ops:
        return True
    head = _build(ops)
    state = initial
    linearized = 0
    cache: set[tuple[int, bytes | None]] = set()
    stack: list[tuple[_Entry, bytes | None]] = []
    entry = head.next
    visited = 0
    while head.next is not None:
        visited += 1
        if visited > max_states:
            raise RuntimeError("linearizability search exceeded its budget")
        assert entry is not None
        if entry.is_call:
            op = ops[entry.op_index]
            ok, new_state = _step(state, op)
            if ok:
                bits = linearized | (1 << entry.op_index)
                if (bits, new_state) not in cache:
                    cache.add((bits, new_state))
                    stack.append((entry, state))
                    state = new_state
                    linearized = bits
                    _lift(entry)
                    entry = head.next
                    continue
            entry = entry.next
        else:
            if not stack:
                return False
            top, state = stack.pop()
            linearized &= ~(1 << top.op_index)
            _unlift(top)
            entry = top.next
    return True


def check_history(ops: Iterable[Op], initial: bytes | None = None) -> dict[bytes, bool]:
    """Check each key's history on its own (linearizability is compositional)."""
    by_key: dict[bytes, list[Op]] = defaultdict(list)
    for op in ops:
        by_key[op.key].append(op)
    return {key: check_register(key_ops, initial) for key, key_ops in by_key.items()}
