"""The ``events`` lake table: every service interaction."""

import polars as pl

from warehouse.events import EVENTS_TABLE
from warehouse.tables import TableSpec, register_table

EVENTS = register_table(
    TableSpec(
        name=EVENTS_TABLE,
        columns={
            "event_id": pl.String(),
            "ts": pl.String(),
            "system": pl.String(),
            "type": pl.String(),
            "actor": pl.String(),
            "entity": pl.String(),
            "attrs": pl.String(),
        },
    )
)
