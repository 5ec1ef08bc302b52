"""Bloom filter sizing and measured false-positive rate; SimHash near-duplicates."""

from __future__ import annotations

import math

from crawlers.bloom import BloomFilter, measure_fpr
from crawlers.simhash import SimHashIndex, from_signed, hamming, simhash, to_signed


def test_bloom_is_sized_from_capacity_and_target_rate() -> None:
    bf = BloomFilter(10_000, 0.01)
    assert bf.nbits == math.ceil(-10_000 * math.log(0.01) / math.log(2) ** 2)
    assert bf.nhashes == 7


def test_bloom_has_no_false_negatives() -> None:
    bf = BloomFilter(2_000, 0.001)
    urls = [f"http://h/{i}" for i in range(2_000)]
    for u in urls:
        assert bf.add(u) is False or u in bf
    assert all(u in bf for u in urls)


def test_measured_fpr_at_capacity_is_near_the_target() -> None:
    rate = measure_fpr(20_000, 0.01, probes=50_000)
    assert 0.005 < rate < 0.015


def test_simhash_of_near_duplicates_is_close_and_of_different_texts_far() -> None:
    base = " ".join(f"sentence {i} about crawling politely and storing pages" for i in range(40))
    assert hamming(simhash(base), simhash(base + " one extra remark")) <= 3
    other = " ".join(f"recipe {i} for bread with flour water salt and yeast" for i in range(40))
    assert hamming(simhash(base), simhash(other)) > 10


def test_simhash_index_finds_a_stored_near_duplicate() -> None:
    index = SimHashIndex(max_distance=3)
    index.add(0b1011 << 40, "a")
    assert index.near((0b1011 << 40) ^ 0b111) == "a"  # 3 bits apart
    assert index.near((0b1011 << 40) ^ 0b1111) is None  # 4 bits apart


def test_signed_round_trip_for_sqlite_storage() -> None:
    h = (1 << 64) - 5
    assert -(1 << 63) <= to_signed(h) < 1 << 63
    assert from_signed(to_signed(h)) == h
