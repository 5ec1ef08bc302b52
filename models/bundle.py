"""A trained recommender with its id maps, in lake ids: what is saved, served and evaluated.

Saved as one ``.npz`` (factors, the seen-items CSR, popularity, id arrays) with
``allow_pickle=False``: loading never executes code. Immutable once built, so the serving
process can swap one for another atomically.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import scipy.sparse as sp

from models.interactions import IdMap, Interactions
from models.metrics import mean_at_k
from models.recommenders import BaseRecommender, also_interacted, top_k


@dataclass(frozen=True)
class RecBundle:
    """Factors + id maps + what each user has already seen."""

    user_factors: np.ndarray
    item_factors: np.ndarray
    seen: sp.csr_matrix
    popularity: np.ndarray
    users: IdMap
    items: IdMap
    kinds: np.ndarray = field(init=False, repr=False, compare=False)
    masks: dict[str, np.ndarray] = field(init=False, repr=False, compare=False)
    _norm_items: np.ndarray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        kinds = np.array([i.split(":", 1)[0] for i in self.items.ids])
        norms = np.linalg.norm(self.item_factors, axis=1, keepdims=True)
        norms[norms == 0] = 1.0
        object.__setattr__(self, "kinds", kinds)
        object.__setattr__(self, "masks", {k: kinds == k for k in np.unique(kinds).tolist()})
        object.__setattr__(self, "_norm_items", self.item_factors / norms)

    @classmethod
    def from_model(cls, model: BaseRecommender, data: Interactions) -> RecBundle:
        return cls(
            model.user_factors_,
            model.item_factors_,
            data.matrix.tocsr(),
            np.asarray(model.item_popularity_, dtype=np.float32),
            data.users,
            data.items,
        )

    # ---- persistence -------------------------------------------------------------------
    def save(self, path: Path) -> None:
        with open(path, "wb") as fh:
            np.savez_compressed(
                fh,
                user_factors=self.user_factors,
                item_factors=self.item_factors,
                seen_data=self.seen.data,
                seen_indices=self.seen.indices,
                seen_indptr=self.seen.indptr,
                seen_shape=np.array(self.seen.shape),
                popularity=self.popularity,
                user_ids=np.array(self.users.ids, dtype=str),
                item_ids=np.array(self.items.ids, dtype=str),
            )

    @classmethod
    def load(cls, path: Path) -> RecBundle:
        with np.load(path, allow_pickle=False) as z:
            seen = sp.csr_matrix(
                (z["seen_data"], z["seen_indices"], z["seen_indptr"]), shape=tuple(z["seen_shape"])
            )
            bundle = cls(
                z["user_factors"],
                z["item_factors"],
                seen,
                z["popularity"],
                IdMap(tuple(z["user_ids"].tolist())),
                IdMap(tuple(z["item_ids"].tolist())),
            )
        if bundle.user_factors.shape[0] != len(bundle.users) or bundle.item_factors.shape[0] != len(
            bundle.items
        ):
            raise ValueError("artifact is inconsistent: factor rows do not match the id maps")
        return bundle

    # ---- serving ----------------------------------------------------------------------
    def _mask(self, kind: str | None) -> np.ndarray | None:
        if kind is None:
            return None
        return self.masks.get(kind, np.zeros(len(self.kinds), dtype=bool))

    def _ranked(self, scores: np.ndarray, k: int) -> list[tuple[str, float]]:
        idx = top_k(scores, k)
        return [(self.items.ids[i], float(scores[i])) for i in idx]

    def popular(
        self, k: int = 10, kind: str | None = None, exclude: Iterable[str] = ()
    ) -> list[tuple[str, float]]:
        scores = self.popularity.astype(np.float64, copy=True)
        mask = self._mask(kind)
        if mask is not None:
            scores[~mask] = -np.inf
        for item in exclude:
            if (i := self.items.get(item)) is not None:
                scores[i] = -np.inf
        scores[scores <= 0] = -np.inf
        return self._ranked(scores, k)

    def recommend(
        self, user: str, k: int = 10, kind: str | None = None, exclude: Iterable[str] | None = None
    ) -> tuple[list[tuple[str, float]], bool]:
        """Top ``k`` unseen items for ``user`` and whether the popularity fallback served."""
        u = self.users.get(user)
        if u is None:
            return self.popular(k, kind, exclude or ()), True
        scores = (self.item_factors @ self.user_factors[u]).astype(np.float64)
        if exclude is None:
            scores[self.seen.indices[self.seen.indptr[u] : self.seen.indptr[u + 1]]] = -np.inf
        else:
            for item in exclude:
                if (i := self.items.get(item)) is not None:
                    scores[i] = -np.inf
        mask = self._mask(kind)
        if mask is not None:
            scores[~mask] = -np.inf
        return self._ranked(scores, k), False

    def similar(self, item: str, k: int = 10, kind: str | None = None) -> list[tuple[str, float]]:
        i = self.items.index[item]
        scores = (self._norm_items @ self._norm_items[i]).astype(np.float64)
        scores[i] = -np.inf
        mask = self._mask(kind)
        if mask is not None:
            scores[~mask] = -np.inf
        return self._ranked(scores, k)

    def also(self, item: str, k: int = 10, kind: str | None = None) -> list[tuple[str, float]]:
        idx, scores = also_interacted(self.seen, self.items.index[item], k, self._mask(kind))
        return [(self.items.ids[i], float(s)) for i, s in zip(idx, scores, strict=True)]

    def score(self, user: str, items: Iterable[str]) -> list[float | None]:
        """Cosine of ``user``'s and each item's factors (None when either is unknown).

        Cosine, not the raw dot product, so the feature means the same whichever ALS
        (weighting, factors) produced it: the ranker trains with one and serves with another.
        """
        u = self.users.get(user)
        out: list[float | None] = []
        if u is None:
            return [None for _ in items]
        uvec = self.user_factors[u]
        unorm = float(np.linalg.norm(uvec)) or 1.0
        for item in items:
            i = self.items.get(item)
            out.append(None if i is None else float(self._norm_items[i] @ uvec) / unorm)
        return out


def evaluate_bundle(
    bundle: RecBundle,
    train_seen: Mapping[str, set[str]],
    heldout: Mapping[str, set[str]],
    k: int = 10,
    n_items: int | None = None,
) -> dict[str, float]:
    """Mean P/R/nDCG/MAP@k on ``heldout``, filtering each user's ``train_seen`` items.

    Both candidate and production go through this with the same arguments, so the gate
    compares them on the same held-out data whatever data each was trained on.
    """
    recs: dict[str, list[str]] = {}
    for user in heldout:
        ranked, _ = bundle.recommend(user, k, exclude=train_seen.get(user, set()))
        recs[user] = [item for item, _ in ranked]
    return mean_at_k(recs, heldout, k, n_items=n_items or len(bundle.items))


def seen_sets(data: Interactions, matrix: sp.csr_matrix | None = None) -> dict[str, set[str]]:
    """Per lake user id: lake item ids with a non-zero entry in ``matrix`` (default: data's)."""
    m = (data.matrix if matrix is None else matrix).tocsr()
    out: dict[str, set[str]] = {}
    for u in range(m.shape[0]):
        cols = m.indices[m.indptr[u] : m.indptr[u + 1]]
        if cols.size:
            out[data.users.ids[u]] = {data.items.ids[c] for c in cols}
    return out
