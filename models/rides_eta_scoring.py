"""The error measure of ride ETAs (MAPE) and the two corrections fitted to lower it.

A multiplicative scale (:func:`mape_scale`) and rounding to the step of recorded durations
(:func:`snap`, :func:`resolution_of`): the MAPE of a discrete target is minimised at one of
its values.
"""

from __future__ import annotations

import numpy as np


def mape_scale(pred: np.ndarray, actual: np.ndarray) -> float:
    """The factor c minimising mean |c*pred - y| / y: a median of y/pred weighted by pred/y."""
    r = actual / pred
    w = pred / actual
    order = np.argsort(r)
    cum = np.cumsum(w[order])
    return float(r[order][np.searchsorted(cum, cum[-1] / 2)])


def mape(pred: np.ndarray, actual: np.ndarray) -> float:
    return float(np.mean(np.abs(pred - actual) / actual))


def snap(secs: np.ndarray, resolution_s: float, min_s: float = 0.0) -> np.ndarray:
    """``secs`` rounded to the nearest multiple of ``resolution_s`` (0: unchanged), and
    never below ``min_s``."""
    if resolution_s <= 0:
        return secs
    return np.maximum(np.round(secs / resolution_s) * resolution_s, min_s)


def resolution_of(seconds: np.ndarray) -> float:
    """The step of recorded durations: their greatest common divisor (60 when the meter's
    time is kept in whole minutes), 0 when they have no coarser step than a second."""
    step = int(np.gcd.reduce(np.asarray(seconds, dtype=np.int64)))
    return float(step) if step > 1 else 0.0
