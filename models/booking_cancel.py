"""Cancellation model: the probability that a booking is cancelled, from leak-free features.

A histogram gradient-boosting classifier with native categorical splits (country, agent,
segment... as categories rather than one-hot columns), judged against a logistic-regression
baseline (one-hot + scaled numbers) on the same time split: trained on arrivals up to 2016,
tested on 2017 arrivals.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import polars as pl
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import roc_auc_score
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from models.booking_data import CATEGORICAL, NUMERIC, TARGET

MIN_CATEGORY_COUNT = 5


class CancellationModel:
    """``fit(frame)`` / ``predict_proba(frame)`` on prepared booking frames."""

    def __init__(self, random_state: int = 0, max_iter: int = 100) -> None:
        self.random_state = random_state
        self.max_iter = max_iter

    def _matrix(self, frame: pl.DataFrame) -> np.ndarray:
        cols = []
        for c in CATEGORICAL:
            codes = self.codes_[c]
            values = frame[c].cast(pl.Utf8).fill_null("NA").to_list()
            cols.append(np.array([codes.get(v, len(codes)) for v in values], dtype=float))
        for c in NUMERIC:
            cols.append(frame[c].cast(pl.Float64).to_numpy())
        return np.column_stack(cols)

    def fit(self, frame: pl.DataFrame) -> CancellationModel:
        self.codes_ = {}
        for c in CATEGORICAL:
            counts = frame[c].cast(pl.Utf8).fill_null("NA").value_counts(sort=True)
            kept = [v for v, n in counts.rows() if n >= MIN_CATEGORY_COUNT][:250]
            self.codes_[c] = {v: i for i, v in enumerate(kept)}
        self.estimator_ = HistGradientBoostingClassifier(
            categorical_features=[True] * len(CATEGORICAL) + [False] * len(NUMERIC),
            max_iter=self.max_iter,
            random_state=self.random_state,
        )
        self.estimator_.fit(self._matrix(frame), frame[TARGET].to_numpy())
        return self

    def predict_proba(self, frame: pl.DataFrame) -> np.ndarray:
        return self.estimator_.predict_proba(self._matrix(frame))[:, 1]


def _baseline_matrix(frame: pl.DataFrame) -> np.ndarray:
    cats = [
        np.array(frame[c].cast(pl.Utf8).fill_null("NA").to_list(), dtype=object)
        for c in CATEGORICAL
    ]
    nums = [frame[c].cast(pl.Float64).to_numpy().astype(object) for c in NUMERIC]
    return np.column_stack(cats + nums)


def logistic_baseline(frame: pl.DataFrame):
    """One-hot categories and scaled numbers into a logistic regression, fitted on ``frame``."""
    n_cat = len(CATEGORICAL)
    pipe = make_pipeline(
        ColumnTransformer(
            [
                (
                    "cat",
                    OneHotEncoder(
                        handle_unknown="infrequent_if_exist", min_frequency=MIN_CATEGORY_COUNT
                    ),
                    list(range(n_cat)),
                ),
                (
                    "num",
                    make_pipeline(SimpleImputer(), StandardScaler()),
                    list(range(n_cat, n_cat + len(NUMERIC))),
                ),
            ]
        ),
        LogisticRegression(max_iter=1000),
    )
    return pipe.fit(_baseline_matrix(frame), frame[TARGET].to_numpy())


def _baseline_proba(pipe, frame: pl.DataFrame) -> np.ndarray:
    return pipe.predict_proba(_baseline_matrix(frame))[:, 1]


@dataclass
class CancelEvaluation:
    model: CancellationModel
    auc: float
    baseline_auc: float
    train_rows: int
    test_rows: int
    test_scores: np.ndarray


def split_by_year(frame: pl.DataFrame, test_year: int = 2017) -> tuple[pl.DataFrame, pl.DataFrame]:
    train = frame.filter(pl.col("arrival_date_year") < test_year)
    test = frame.filter(pl.col("arrival_date_year") == test_year)
    return train, test


def evaluate(frame: pl.DataFrame, test_year: int = 2017, random_state: int = 0) -> CancelEvaluation:
    """Fit both on arrivals before ``test_year`` and score both on ``test_year``."""
    train, test = split_by_year(frame, test_year)
    if train.is_empty() or test.is_empty() or test[TARGET].n_unique() < 2:
        raise ValueError("need arrivals before and in the test year, with both outcomes")
    model = CancellationModel(random_state=random_state).fit(train)
    scores = model.predict_proba(test)
    y = test[TARGET].to_numpy()
    base = _baseline_proba(logistic_baseline(train), test)
    return CancelEvaluation(
        model=model,
        auc=float(roc_auc_score(y, scores)),
        baseline_auc=float(roc_auc_score(y, base)),
        train_rows=train.height,
        test_rows=test.height,
        test_scores=scores,
    )
