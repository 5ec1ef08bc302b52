"""Incoming timestamps as UTC datetimes: quick for what emitters write, general for the rest.

Timestamp parsing is a large share of ingestion, and nearly every row carries the one layout
``datetime.isoformat()`` writes for an aware time, ``YYYY-MM-DDTHH:MM:SS.ffffff+HH:MM``. Those
rows are read without a general date parser: the seconds through polars' fixed-format fast
path, the fraction and the offset as integers. What that misses goes through ISO 8601 with
an offset, then through a format polars infers from the remaining values ("Z", no offset, a
space for the ``T``). Every step is an expression, which polars runs over the column's chunks
in parallel.
"""

from __future__ import annotations

from collections.abc import Callable

import polars as pl

ISO_FORMAT = "%Y-%m-%dT%H:%M:%S%.f%:z"
_ISO_MICROS = r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{6}[+-]\d\d:\d\d$"
_OPTIONS = {"time_zone": "UTC", "time_unit": "us", "strict": False}


def _iso_micros(text: pl.Expr) -> pl.Expr:
    seconds = text.str.head(19).str.to_datetime("%Y-%m-%dT%H:%M:%S", cache=False, **_OPTIONS)
    micros = text.str.slice(20, 6).cast(pl.Int64, strict=False)
    minutes = text.str.slice(27, 2).cast(pl.Int64, strict=False) * 60 + text.str.slice(30, 2).cast(
        pl.Int64, strict=False
    )
    sign = pl.when(text.str.slice(26, 1) == "-").then(-1).otherwise(1)
    utc = seconds + pl.duration(microseconds=micros) - pl.duration(minutes=sign * minutes)
    return pl.when(text.str.contains(_ISO_MICROS)).then(utc)


def _iso(text: pl.Expr) -> pl.Expr:
    return text.str.to_datetime(ISO_FORMAT, cache=False, **_OPTIONS)


def _inferred(text: pl.Expr) -> pl.Expr:
    return text.str.to_datetime(**_OPTIONS)


_PARSERS: tuple[Callable[[pl.Expr], pl.Expr], ...] = (_iso_micros, _iso, _inferred)


def parse_timestamps(df: pl.DataFrame, column: str) -> pl.Series:
    """``df[column]`` as UTC datetimes, null where a value is not a timestamp.

    Each parser only sees the values the ones before it left null, so the inferred format
    is inferred from those values alone.
    """
    text = pl.col(column)
    want_nulls = df[column].null_count()
    parsed = df.select(_PARSERS[0](text)).to_series()
    for parse in _PARSERS[1:]:
        if parsed.null_count() == want_nulls:
            break
        rest = parse(pl.when(parsed.is_null()).then(text))
        parsed = df.select(pl.coalesce(pl.lit(parsed), rest)).to_series()
    return parsed.alias(column)
