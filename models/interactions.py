"""Events from the lake -> weighted user x item matrices, with stable id maps and splits.

Items are keyed ``<kind>:<entity>`` (``video:42``, ``product:sku-1``, ``post:9``, ``user:7``)
so one matrix holds every system's items and serving can filter by kind. The kind comes from
``attrs.kind`` when the emitter set it, else from the emitting system (``SYSTEM_KINDS``).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import numpy as np
import polars as pl
import scipy.sparse as sp

from warehouse.lake import Lake

SYSTEM_KINDS = {
    "video": "video",
    "shop": "product",
    "social": "post",
    "feed": "post",
}
TYPE_ALIASES = {
    "view": "view",
    "play": "view",
    "impression_click": "view",
    "product_view": "view",
    "video_view": "view",
    "like": "like",
    "repost": "like",
    "share": "like",
    "reply": "like",
    "comment": "like",
    "favorite": "like",
    "watch": "watch",
    "watch_time": "watch",
    "purchase": "purchase",
    "order_placed": "purchase",
    "checkout": "purchase",
    "follow": "follow",
}
FRAME_SCHEMA = {
    "user": pl.String,
    "item": pl.String,
    "kind": pl.String,
    "action": pl.String,
    "weight": pl.Float64,
    "ts": pl.Datetime("us", "UTC"),
}


@dataclass(frozen=True)
class InteractionWeights:
    """Confidence added by one event of each type; watch time counts per minute, capped."""

    view: float = 1.0
    like: float = 4.0
    watch_per_minute: float = 0.5
    watch_cap: float = 5.0
    purchase: float = 10.0
    follow: float = 3.0
    half_life_days: float | None = 30.0

    def for_action(self, action: str, watch_seconds: float | None) -> float:
        if action == "watch":
            return min(self.watch_cap, self.watch_per_minute * (watch_seconds or 0.0) / 60.0)
        return float(getattr(self, action, 0.0))


def normalise_action(event_type: str) -> str | None:
    """Map an event type (``view``, ``video.view``, ``order_placed``...) to an action."""
    t = (event_type or "").lower()
    return TYPE_ALIASES.get(t) or TYPE_ALIASES.get(t.rsplit(".", 1)[-1])


@dataclass(frozen=True)
class IdMap:
    """Lake ids <-> matrix indices. ``extend`` keeps old indices, so factors stay aligned."""

    ids: tuple[str, ...]
    index: dict[str, int] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "index", {v: i for i, v in enumerate(self.ids)})
        if len(self.index) != len(self.ids):
            raise ValueError("ids must be unique")

    @classmethod
    def from_ids(cls, ids: Iterable[str], base: IdMap | None = None) -> IdMap:
        known = list(base.ids) if base else []
        seen = set(known)
        return cls(tuple(known + sorted({str(i) for i in ids} - seen)))

    def __len__(self) -> int:
        return len(self.ids)

    def __contains__(self, key: object) -> bool:
        return key in self.index

    def get(self, key: str) -> int | None:
        return self.index.get(key)

    def encode(self, keys: Sequence[str]) -> np.ndarray:
        return np.fromiter((self.index[k] for k in keys), dtype=np.int64, count=len(keys))


@dataclass
class Interactions:
    """A users x items confidence matrix and what it was built from."""

    matrix: sp.csr_matrix
    users: IdMap
    items: IdMap
    snapshot: dict[str, Any] = field(default_factory=dict)

    @property
    def item_kinds(self) -> np.ndarray:
        return np.array([i.split(":", 1)[0] for i in self.items.ids])

    @property
    def nnz(self) -> int:
        return int(self.matrix.nnz)


def events_to_frame(
    events: pl.DataFrame, weights: InteractionWeights | None = None
) -> pl.DataFrame:
    """Lake ``events`` rows -> one row per usable interaction with its (undecayed) weight."""
    weights = weights or InteractionWeights()
    if events.is_empty():
        return pl.DataFrame(schema=FRAME_SCHEMA)
    attrs = (
        events["attrs"]
        .fill_null("{}")
        .str.json_decode(
            pl.Struct({"kind": pl.String, "watch_seconds": pl.Float64, "seconds": pl.Float64})
        )
    )
    df = events.select(
        pl.col("actor").alias("user"),
        pl.col("entity"),
        pl.col("system"),
        pl.col("type").map_elements(normalise_action, return_dtype=pl.String).alias("action"),
        pl.col("ts").cast(pl.Datetime("us", "UTC")),
        attrs.struct.field("kind").alias("attr_kind"),
        pl.coalesce(attrs.struct.field("watch_seconds"), attrs.struct.field("seconds")).alias(
            "watch_seconds"
        ),
    ).filter(
        pl.col("user").is_not_null()
        & pl.col("entity").is_not_null()
        & pl.col("action").is_not_null()
    )
    kind = (
        pl.when(pl.col("action") == "follow")
        .then(pl.lit("user"))
        .otherwise(
            pl.coalesce(
                "attr_kind", pl.col("system").replace_strict(SYSTEM_KINDS, default=pl.col("system"))
            )
        )
    )
    df = df.with_columns(kind.alias("kind"))
    w = [weights.for_action(a, s) for a, s in zip(df["action"], df["watch_seconds"], strict=True)]
    return df.select(
        "user",
        (pl.col("kind") + ":" + pl.col("entity")).alias("item"),
        "kind",
        "action",
        pl.Series("weight", w, dtype=pl.Float64),
        "ts",
    ).filter(pl.col("weight") > 0)


def load_events(
    lake: Lake,
    start: datetime | None = None,
    end: datetime | None = None,
    extra_types: Iterable[str] = (
        "post",
        "post_created",
        "create_post",
        "posted",
        "impression",
        "read",
        "unfollow",
    ),
) -> pl.DataFrame:
    """Interaction-like events in ``[start, end)`` from the lake (empty frame if none).

    Only types the models read are fetched: feedback (``TYPE_ALIASES``) and ``extra_types``
    (the ranker's post creations, exposures and unfollows), bare or as the last dotted
    segment."""
    if "events" not in lake.tables():
        return pl.DataFrame()
    types = sorted(set(TYPE_ALIASES) | set(extra_types))
    where = [
        "actor IS NOT NULL",
        "entity IS NOT NULL",
        "regexp_extract(lower(type), '[^.]*$') IN (SELECT unnest(?))",
    ]
    params: list[Any] = [types]
    if start is not None:
        where.append("ts >= ?")
        params.append(start)
    if end is not None:
        where.append("ts < ?")
        params.append(end)
    sql = (
        "SELECT ts, system, type, actor, entity, attrs, date FROM events WHERE "
        + " AND ".join(where)
        + " ORDER BY ts, source, seq"
    )
    return lake.query(sql, params)


def build_interactions(
    frame: pl.DataFrame,
    weights: InteractionWeights | None = None,
    *,
    now: datetime | None = None,
    users: IdMap | None = None,
    items: IdMap | None = None,
) -> Interactions:
    """Sum decayed weights per (user, item). ``users``/``items`` fix the id maps (e.g. the
    full data's maps for a split), else they are built from ``frame``."""
    weights = weights or InteractionWeights()
    users = users or IdMap.from_ids(frame["user"].unique().to_list() if len(frame) else [])
    items = items or IdMap.from_ids(frame["item"].unique().to_list() if len(frame) else [])
    snapshot: dict[str, Any] = {"events": len(frame)}
    if frame.is_empty():
        return Interactions(
            sp.csr_matrix((len(users), len(items)), dtype=np.float32), users, items, snapshot
        )
    ref = now or frame["ts"].max()
    ages = ((ref - frame["ts"]).dt.total_seconds() / 86400.0).clip(lower_bound=0).to_numpy()
    decay = 0.5 ** (ages / weights.half_life_days) if weights.half_life_days else 1.0
    vals = frame["weight"].to_numpy() * decay
    known = (
        frame.select(pl.col("user").is_in(list(users.ids)) & pl.col("item").is_in(list(items.ids)))
        .to_series()
        .to_numpy()
    )
    rows = users.encode(frame["user"].filter(known).to_list())
    cols = items.encode(frame["item"].filter(known).to_list())
    m = sp.coo_matrix(
        (vals[known].astype(np.float32), (rows, cols)), shape=(len(users), len(items))
    ).tocsr()
    m.sum_duplicates()
    first, last = frame["ts"].min(), frame["ts"].max()
    snapshot.update(
        first_ts=first.isoformat(),
        last_ts=last.isoformat(),
        partitions=[first.date().isoformat(), last.date().isoformat()],
        users=len(users),
        items=len(items),
        nnz=int(m.nnz),
    )
    return Interactions(m, users, items, snapshot)


def time_split(
    frame: pl.DataFrame, test_fraction: float = 0.2
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Events before / from the ``1 - test_fraction`` time quantile: train on the past only."""
    if frame.is_empty():
        return frame, frame
    ordered = frame.sort("ts")
    cut = int(round(len(ordered) * (1 - test_fraction)))
    return ordered[:cut], ordered[cut:]


def random_split(
    matrix: sp.csr_matrix, test_fraction: float = 0.2, random_state: int | None = 0
) -> tuple[sp.csr_matrix, sp.csr_matrix]:
    """Split the non-zero entries at random into train and test matrices of the same shape."""
    coo = matrix.tocoo()
    rng = np.random.default_rng(random_state)
    test = rng.random(coo.nnz) < test_fraction

    def part(mask: np.ndarray) -> sp.csr_matrix:
        return sp.csr_matrix((coo.data[mask], (coo.row[mask], coo.col[mask])), shape=matrix.shape)

    return part(~test), part(test)


def heldout_sets(train: sp.csr_matrix, test: sp.csr_matrix) -> dict[int, set[int]]:
    """Per user index: the test items the user has not already got in train."""
    out: dict[int, set[int]] = {}
    for u in range(test.shape[0]):
        items = set(test.indices[test.indptr[u] : test.indptr[u + 1]].tolist())
        items -= set(train.indices[train.indptr[u] : train.indptr[u + 1]].tolist())
        if items:
            out[u] = items
    return out


def utc(ts: str | datetime) -> datetime:
    """Parse an ISO timestamp as UTC."""
    dt = datetime.fromisoformat(ts) if isinstance(ts, str) else ts
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
