"""The delivery-gap audit and the delivery SLO, from the lake's ``chat`` events alone.

Each device's ``delivered`` events (one per row its socket sent and it acknowledged) are
read in the order they were recorded. For every device and conversation the audit counts
**duplicates** (a seq delivered twice), **reorders** (a seq lower than one delivered before)
and **holes** (a seq between the first and the last delivered that was never delivered,
although the user was a member then and the device was not told of a purge covering it).
Membership spans come from ``member_added``/``member_removed`` events, purges the device
was told of from ``gap_notified``. A clean log has all three at zero: exactly once, in order.
An event is counted once however many times it was spooled (by its event id).
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import polars as pl

# Each event once: an outbox row published again after a crash (``services.outbox``) brings
# the same event ids back under new spool positions.
EVENTS_SQL = (
    "SELECT ts, source, seq AS event_seq, type, actor, entity, attrs FROM chat_events "
    "WHERE type IN ('delivered', 'member_added', 'member_removed', 'gap_notified') "
    "QUALIFY row_number() OVER (PARTITION BY event_id ORDER BY source, seq) = 1 "
    "ORDER BY ts, source, event_seq"
)
AUDIT_SCHEMA = {
    "user_id": pl.String,
    "device": pl.String,
    "conv": pl.String,
    "delivered": pl.Int64,
    "first_seq": pl.Int64,
    "last_seq": pl.Int64,
    "duplicates": pl.Int64,
    "reorders": pl.Int64,
    "holes": pl.Int64,
    "notified_gaps": pl.Int64,
}


def _attrs(df: pl.DataFrame) -> list[dict[str, Any]]:
    import orjson

    return [orjson.loads(a) if a else {} for a in df["attrs"].to_list()]


def gap_audit(events: pl.DataFrame) -> pl.DataFrame:
    """One row per (user, device, conversation) with its counts; ``events`` are the chat
    events (``type, actor, entity, attrs``) in the order they were recorded."""
    spans: dict[tuple[str, str], list[list[int | None]]] = defaultdict(list)
    gaps: dict[tuple[str, str, str], list[tuple[int, int]]] = defaultdict(list)
    seen: dict[tuple[str, str, str], list[int]] = defaultdict(list)
    attrs = _attrs(events)
    for kind, actor, conv, a in zip(
        events["type"].to_list(),
        events["actor"].to_list(),
        events["entity"].to_list(),
        attrs,
        strict=True,
    ):
        if kind == "member_added":
            spans[(conv, a["user"])].append([a["seq"], None])
        elif kind == "member_removed":
            open_spans = [s for s in spans[(conv, a["user"])] if s[1] is None]
            if open_spans:
                open_spans[-1][1] = a["seq"]
        elif kind == "gap_notified":
            gaps[(actor, a["device"], conv)].append((a["from"], a["to"]))
        elif kind == "delivered":
            seen[(actor, a["device"], conv)].append(int(a["seq"]))
    rows = []
    for (user, device, conv), seqs in seen.items():
        duplicates = len(seqs) - len(set(seqs))
        reorders = sum(1 for prev, cur in zip(seqs, seqs[1:], strict=False) if cur < prev)
        got = set(seqs)
        member = spans.get((conv, user), [])
        told = gaps.get((user, device, conv), [])
        holes = 0
        for s in range(min(seqs), max(seqs) + 1):
            if s in got:
                continue
            in_span = any(j <= s and (left is None or s <= left) for j, left in member)
            if not member:
                in_span = True  # no membership events in this window: every seq counts
            if in_span and not any(a <= s <= b for a, b in told):
                holes += 1
        rows.append(
            {
                "user_id": user,
                "device": device,
                "conv": conv,
                "delivered": len(seqs),
                "first_seq": min(seqs),
                "last_seq": max(seqs),
                "duplicates": duplicates,
                "reorders": reorders,
                "holes": holes,
                "notified_gaps": len(told),
            }
        )
    return pl.DataFrame(rows, schema=AUDIT_SCHEMA)


def verdict(audit: pl.DataFrame) -> dict[str, int]:
    """Totals of the audit: what must be zero, and how much it covered."""
    if audit.is_empty():
        return {"devices": 0, "delivered": 0, "duplicates": 0, "reorders": 0, "holes": 0}
    return {
        "devices": audit.select(pl.struct("user_id", "device").n_unique()).item(),
        "delivered": int(audit["delivered"].sum()),
        "duplicates": int(audit["duplicates"].sum()),
        "reorders": int(audit["reorders"].sum()),
        "holes": int(audit["holes"].sum()),
    }


HOPS = {
    "stored_to_sent": ("stored_at", "sent_at"),
    "sent_to_acked": ("sent_at", "acked_at"),
    "stored_to_acked": ("stored_at", "acked_at"),
}


def delivery_slo(delivered: pl.DataFrame) -> pl.DataFrame:
    """p50 and p99 in milliseconds per hop, from ``delivered`` events' attrs (JSON)."""
    parsed = delivered.select(
        pl.col("attrs").str.json_decode(
            pl.Struct({"stored_at": pl.Float64, "sent_at": pl.Float64, "acked_at": pl.Float64})
        )
    ).unnest("attrs")
    rows = []
    for hop, (a, b) in HOPS.items():
        ms = parsed.select(((pl.col(b) - pl.col(a)) * 1000).alias("ms")).drop_nulls()["ms"]
        rows.append(
            {
                "hop": hop,
                "count": ms.len(),
                "p50_ms": float(ms.quantile(0.5)) if ms.len() else None,
                "p99_ms": float(ms.quantile(0.99)) if ms.len() else None,
            }
        )
    return pl.DataFrame(
        rows,
        schema={"hop": pl.String, "count": pl.Int64, "p50_ms": pl.Float64, "p99_ms": pl.Float64},
    )
