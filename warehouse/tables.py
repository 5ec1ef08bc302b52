"""The lake's table registry: each spooled record names its table, and the table says its
columns and how it is partitioned on disk."""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

PARTITION_SAFE = re.compile(r"[^A-Za-z0-9_.-]+")


@dataclass(frozen=True)
class TableSpec:
    """A lake table fed through the spool.

    ``columns`` are the record fields as they arrive (``ts`` as ISO-8601 text); ``partition_by``
    lists the Hive partition keys in path order. ``date`` and ``hour`` are derived from ``ts``;
    any other key is taken from the column of that name (and kept out of the file body).
    """

    name: str
    columns: dict[str, pl.DataType]
    partition_by: tuple[str, ...] = ("date", "hour")
    ts_column: str = "ts"
    dedupe_on: tuple[str, ...] = ("source", "seq")

    @property
    def read_schema(self) -> dict[str, pl.DataType]:
        return {**self.columns, "source": pl.String(), "seq": pl.Int64()}


_REGISTRY: dict[str, TableSpec] = {}


def register_table(spec: TableSpec) -> TableSpec:
    _REGISTRY[spec.name] = spec
    return spec


def get_table(name: str) -> TableSpec | None:
    _load_builtin_tables()
    return _REGISTRY.get(name)


def all_tables() -> dict[str, TableSpec]:
    _load_builtin_tables()
    return dict(_REGISTRY)


def _load_builtin_tables() -> None:
    # Tables are declared next to the code that owns them; importing registers them.
    import warehouse.events_table  # noqa: F401
    import warehouse.logs.table  # noqa: F401
    import warehouse.quarantine  # noqa: F401


def partition_value(value: object) -> str:
    """A path-safe Hive partition value."""
    text = "unknown" if value is None or value == "" else str(value)
    return PARTITION_SAFE.sub("_", text)[:100]
