"""One behavioural test mixin, run against every recommender on one synthetic matrix
(implicit's own testing idea), plus model-specific checks."""

from collections.abc import Callable

import numpy as np
import pytest
import scipy.sparse as sp
from sklearn.base import clone

from models.interactions import heldout_sets, random_split
from models.recommenders import (
    ALSRecommender,
    BaseRecommender,
    BPRRecommender,
    PopularityRecommender,
    also_interacted,
)
from models.search import bounded_search, evaluate_indices
from tests.models.helpers import synthetic_matrix

MATRIX = synthetic_matrix()


class RecommenderBehaviour:
    """Every recommender must pass these. Subclasses define ``make(**params)``."""

    make: Callable[..., BaseRecommender]

    def test_init_stores_params_unchanged_and_clones(self):
        model = self.make()
        params = model.get_params()
        assert clone(model).get_params() == params
        assert not [a for a in vars(model) if a.endswith("_")]

    def test_fit_returns_self_and_sets_learned_attributes(self):
        model = self.make()
        assert model.fit(MATRIX) is model
        assert model.item_factors_.shape[0] == MATRIX.shape[1]
        assert model.user_factors_.shape[0] == MATRIX.shape[0]

    def test_recommend_excludes_seen_items_and_respects_n(self):
        model = self.make().fit(MATRIX)
        for user in (0, 45):
            ids, scores = model.recommend(user, MATRIX, n=5)
            assert len(ids) == 5
            assert not set(ids.tolist()) & set(MATRIX[user].indices.tolist())
            assert list(scores) == sorted(scores, reverse=True)

    def test_recommend_respects_item_mask(self):
        model = self.make().fit(MATRIX)
        mask = np.zeros(MATRIX.shape[1], bool)
        mask[::3] = True
        ids, _ = model.recommend(1, MATRIX, n=50, items_mask=mask)
        assert len(ids) > 0 and mask[ids].all()

    def test_similar_items_excludes_the_item_itself(self):
        ids, _ = self.make().fit(MATRIX).similar_items(3, n=5)
        assert 3 not in ids.tolist() and len(ids) == 5

    def test_empty_matrix_is_rejected_with_clear_error(self):
        with pytest.raises(ValueError, match="empty"):
            self.make().fit(sp.csr_matrix((5, 5), dtype=np.float32))

    def test_random_state_makes_fits_reproducible(self):
        a = self.make(random_state=7).fit(MATRIX) if self.seeded else self.make().fit(MATRIX)
        b = self.make(random_state=7).fit(MATRIX) if self.seeded else self.make().fit(MATRIX)
        np.testing.assert_allclose(a.item_factors_, b.item_factors_, rtol=1e-5, atol=1e-6)


class TestPopularity(RecommenderBehaviour):
    seeded = False

    def make(self, **kw):
        return PopularityRecommender(**kw)


class TestALS(RecommenderBehaviour):
    seeded = True

    def make(self, **kw):
        return ALSRecommender(**{"factors": 8, "iterations": 10, "random_state": 0, **kw})

    def test_recommends_from_the_users_own_cluster(self):
        model = self.make().fit(MATRIX)
        ids, _ = model.recommend(0, MATRIX, n=5)
        assert (ids < MATRIX.shape[1] // 2).all()
        ids, _ = model.recommend(59, MATRIX, n=5)
        assert (ids >= MATRIX.shape[1] // 2).all()

    def test_bm25_weighting_changes_the_factorised_matrix(self):
        weighted = self.make(weighting="bm25").weight(MATRIX)
        assert weighted.nnz == MATRIX.nnz and not np.allclose(weighted.data, MATRIX.data)
        with pytest.raises(ValueError):
            self.make(weighting="nope").fit(MATRIX)


class TestBPR(RecommenderBehaviour):
    seeded = True

    def make(self, **kw):
        return BPRRecommender(**{"factors": 8, "iterations": 30, "random_state": 0, **kw})


def test_als_beats_popularity_on_heldout_entries():
    train, test = random_split(MATRIX, 0.25, random_state=0)
    held = heldout_sets(train, test)
    als = evaluate_indices(
        ALSRecommender(factors=8, iterations=15, random_state=0).fit(train), train, held
    )
    pop = evaluate_indices(PopularityRecommender().fit(train), train, held)
    assert als["ndcg@10"] > pop["ndcg@10"] + 0.1


def test_also_interacted_counts_co_occurrence():
    seen = sp.csr_matrix(np.array([[1, 1, 0, 0], [1, 1, 1, 0], [0, 0, 1, 1]], np.float32))
    ids, counts = also_interacted(seen, 0, n=5)
    assert ids.tolist() == [1, 2] and counts.tolist() == [2.0, 1.0]


def test_bounded_search_respects_trial_cap_and_validation_split():
    grid = {"factors": [4, 8, 16], "regularization": [0.01, 0.1], "iterations": [5]}
    res = bounded_search(ALSRecommender(random_state=0), MATRIX, grid, max_trials=3)
    assert len(res.trials) == 3
    assert res.best_params in [{k: t[k] for k in grid} for t in res.trials]
    assert res.best_score == pytest.approx(max(t["ndcg@10"] for t in res.trials), abs=1e-5)
