"""The chaos benchmark, small: random provider faults and SIGKILLed workers lose nothing."""

from __future__ import annotations

import pytest


@pytest.mark.slow
def test_chaos_benchmark_loses_and_duplicates_nothing_at_small_scale():
    from benchmarks.notify_bench import measure

    result = measure(n=150, seed=3, deadline_s=90, log=lambda _: None)
    assert result["worker_kills"] >= 1
    assert result["notify_lost"] == 0, result
    assert result["notify_dupes"] == 0, result
    assert result["final_status"] == {"sent": result["deliveries"]}
