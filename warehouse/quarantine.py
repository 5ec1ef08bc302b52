"""The ``quarantine`` table: records that could not be stored as they were, with the reason.

Nothing is dropped silently: a malformed record lands here with its raw text."""

import polars as pl

from warehouse.tables import TableSpec, register_table

QUARANTINE_TABLE = "quarantine"

QUARANTINE = register_table(
    TableSpec(
        name=QUARANTINE_TABLE,
        columns={
            "ts": pl.String(),
            "table_name": pl.String(),
            "reason": pl.String(),
            "raw": pl.String(),
        },
        dedupe_on=(),
    )
)
