"""Metrics against cases computed by hand."""

import math

import pytest

from models.metrics import (
    auc,
    average_precision_at_k,
    catalogue_coverage,
    mean_at_k,
    ndcg_at_k,
    precision_at_k,
    recall_at_k,
)

RANKED = ["a", "b", "c", "d", "e"]
RELEVANT = {"a", "c", "x"}


def test_precision_counts_hits_over_k():
    assert precision_at_k(RANKED, RELEVANT, 3) == pytest.approx(2 / 3)
    assert precision_at_k(RANKED, RELEVANT, 5) == pytest.approx(2 / 5)


def test_recall_divides_by_all_relevant_items():
    assert recall_at_k(RANKED, RELEVANT, 3) == pytest.approx(2 / 3)
    assert recall_at_k(RANKED, set(), 3) == 0.0


def test_ndcg_matches_hand_computation():
    dcg = 1 / math.log2(2) + 1 / math.log2(4)
    idcg = 1 / math.log2(2) + 1 / math.log2(3) + 1 / math.log2(4)
    assert ndcg_at_k(RANKED, RELEVANT, 3) == pytest.approx(dcg / idcg)
    assert ndcg_at_k(["a", "c"], {"a", "c"}, 10) == pytest.approx(1.0)
    assert ndcg_at_k(["z"], {"a"}, 1) == 0.0


def test_average_precision_averages_precision_at_each_hit():
    # hits at ranks 1 and 3: (1/1 + 2/3) / min(3, 5)
    assert average_precision_at_k(RANKED, RELEVANT, 5) == pytest.approx((1 + 2 / 3) / 3)


def test_coverage_is_share_of_catalogue_recommended():
    assert catalogue_coverage([["a", "b"], ["b", "c"]], 10) == pytest.approx(0.3)


def test_auc_of_perfect_inverse_and_tied_rankings():
    assert auc([0, 0, 1, 1], [0.1, 0.2, 0.8, 0.9]) == 1.0
    assert auc([0, 0, 1, 1], [0.9, 0.8, 0.2, 0.1]) == 0.0
    assert auc([0, 1, 0, 1], [0.5, 0.5, 0.5, 0.5]) == 0.5
    assert math.isnan(auc([1, 1], [0.2, 0.3]))


def test_mean_at_k_skips_users_without_heldout_items():
    out = mean_at_k({"u1": ["a", "b"], "u2": ["c"]}, {"u1": {"a"}, "u2": set()}, 2, n_items=4)
    assert out["users"] == 1
    assert out["precision@2"] == pytest.approx(0.5)
    assert out["ndcg@2"] == pytest.approx(1.0)
    assert out["coverage"] == pytest.approx(0.5)
