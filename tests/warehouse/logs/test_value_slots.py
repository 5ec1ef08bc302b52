"""One slot of an event filled with values of several shapes: whatever shapes meet in it, the
event is one template. A rule that reads one shape as more or fewer tokens than another (a name
before its port split from it, an address with its port whole) splits the event by shape."""

from __future__ import annotations

import random
from collections.abc import Callable

import pytest

from warehouse.logs.mining import grouping_accuracy, mine_lines


def _ip(r: random.Random) -> str:
    return f"10.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"


def _list(r: random.Random) -> str:
    items = ", ".join(str(r.randint(1, 99)) for _ in range(r.randint(2, 5)))
    return r.choice([f"[{r.randint(1, 9)}]", f"[{items}]", "[alpha, beta]"])


def _dump(r: random.Random) -> str:
    pairs = ", ".join(f"k{i}={r.randint(1, 9)}" for i in range(r.randint(1, 4)))
    return r.choice([f"{{{pairs}}}", "{x}", "{a, b, c}"])


SHAPES: dict[str, Callable[[random.Random], str]] = {
    "name or address before a port": lambda r: r.choice(
        [f"localhost:{r.randint(1000, 9999)}", f"{_ip(r)}:{r.randint(1000, 9999)}"]
        + [f"db:{r.randint(1, 9999)}", f"web{r.randint(1, 9)}-prod:{r.randint(80, 9000)}"]
    ),
    "size spaced or glued to its unit": lambda r: r.choice(
        [f"{r.randint(1, 999)} MB", f"{r.randint(1, 999)}MB", f"{r.randint(1, 99)}.5GB"]
    ),
    "list of one or several items": _list,
    "dump of any number of pairs": _dump,
    "quoted phrase or bare name": lambda r: r.choice(
        [f'"alpha {r.randint(1, 99)}"', f"gamma{r.randint(1, 9)}", f'"x{r.randint(1, 999)}"']
    ),
    "duration of any unit": lambda r: r.choice(
        [f"{r.randint(1, 999)}ms", f"{r.randint(1, 9)}.{r.randint(0, 9)}s", f"{r.randint(1, 9)}m3s"]
    ),
    "key's value padded or not": lambda r: r.choice(
        [f"id={r.randint(1, 999)}", f"id= {r.randint(1, 99)}", f"id=  {r.randint(1, 9)}"]
    ),
}


@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_a_slot_of_values_of_several_shapes_is_one_variable(shape: str) -> None:
    r = random.Random(5)
    slot = SHAPES[shape]
    lines, truth = [], []
    for _ in range(600):
        clock = f"10:{r.randint(0, 59):02d}:{r.randint(0, 59):02d},{r.randint(0, 999):03d}"
        head = f"2031-03-01 {clock} INFO  [w-{r.randint(1, 8)}] "
        kind = r.random()
        if kind < 0.45:
            lines.append(head + f"Request for {slot(r)} finished in {r.randint(1, 99)} ms")
        elif kind < 0.75:
            lines.append(head + f"Dropped {slot(r)}")
        else:
            lines.append(head + f"Cache warmed with {r.randint(1, 999)} entries")
        truth.append(0 if kind < 0.45 else 1 if kind < 0.75 else 2)
    assert grouping_accuracy([tid for _, tid, _ in mine_lines(lines)], truth) == 1.0
