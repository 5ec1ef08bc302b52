import subprocess
import sys

PROBE = """
import gc
from services.heap import YOUNG_THRESHOLD, settle_startup_heap
kept = [object() for _ in range(1000)]
settle_startup_heap()
assert gc.get_freeze_count() >= len(kept), gc.get_freeze_count()
assert gc.get_threshold()[0] == YOUNG_THRESHOLD
assert gc.collect() >= 0 and gc.get_freeze_count() >= len(kept)
print("ok")
"""


def test_settled_heap_is_frozen_out_of_full_collections_and_young_collections_are_rarer():
    # In a child: freezing pins objects for the life of the process.
    out = subprocess.run(
        [sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60, check=True
    )
    assert out.stdout.strip() == "ok"
