"""The headers of widely used loggers and daemons are cut off and their events grouped as the
truth, with no hint of which format it is (:mod:`tests.warehouse.logs.common_formats`)."""

from __future__ import annotations

import pytest

from tests.warehouse.logs.common_formats import FORMATS, generate_common
from warehouse.logs.mining import grouping_accuracy, mine_lines


@pytest.mark.parametrize("name", sorted(FORMATS))
def test_events_group_the_same_whatever_the_logger_s_header(name: str) -> None:
    lines, truth = generate_common(name, 1500, seed=3)
    assert grouping_accuracy([tid for _, tid, _ in mine_lines(lines)], truth) >= 0.99
