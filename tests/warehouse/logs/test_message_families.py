"""Grouping on message styles we hold no sample of, from invented families with known events.

Each family of :mod:`tests.warehouse.logs.synthetic_messages` is mined from raw lines with the
shipped defaults; the floors are the accuracies reached, less a small margin, so a change to
masking or mining that loses a style fails here before it is measured on data we lack.
"""

from __future__ import annotations

import pytest

from tests.warehouse.logs.synthetic_messages import FAMILIES, generate_family
from warehouse.logs.mining import grouping_accuracy, mine_lines

FLOORS = {
    "desktop_kernel": 0.98,
    "cloud_api": 0.98,
    "proxy": 0.98,
    "servicing": 0.98,
    "mobile": 0.98,
    "cluster_ras": 0.98,
    "syslog_cluster": 0.97,
    "health_app": 0.98,
    "held_out": 0.98,
}


def test_every_family_has_a_floor() -> None:
    assert set(FLOORS) == set(FAMILIES)


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_events_of_each_message_family_are_grouped_as_the_truth(family: str) -> None:
    scores = []
    for seed in (0, 1):
        lines, truth, _ = generate_family(family, 2000, seed)
        scores.append(grouping_accuracy([tid for _, tid, _ in mine_lines(lines)], truth))
    assert min(scores) >= FLOORS[family], scores


def test_a_variable_length_list_of_values_is_one_event() -> None:
    lines = [
        f"2024-01-01 10:00:{i % 60:02d} INFO active base files: "
        + " ".join(f"/var/cache/img/{i * 7 + j:08x}" for j in range(1 + i % 3))
        for i in range(60)
    ]
    assert len({tid for _, tid, _ in mine_lines(lines)}) == 1
