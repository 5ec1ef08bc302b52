"""The ``logs`` lake table: one row per log line, partitioned by service, date and hour.

Every field is text (``ts`` ISO-8601, ``attrs`` JSON) so that a whole spool frame can go to
``pl.read_ndjson`` in one call, sharing the union schema with the other spooled tables.
"""

import polars as pl

from warehouse.tables import TableSpec, register_table

LOGS_TABLE = "logs"

LOG_COLUMNS: dict[str, pl.DataType] = {
    "ts": pl.String(),
    "service": pl.String(),
    "host": pl.String(),
    "level": pl.String(),
    "logger": pl.String(),
    "message": pl.String(),
    "template_id": pl.String(),
    "template": pl.String(),
    "format": pl.String(),
    "raw": pl.String(),
    "request_id": pl.String(),
    "attrs": pl.String(),
}

LOGS = register_table(
    TableSpec(name=LOGS_TABLE, columns=LOG_COLUMNS, partition_by=("service", "date", "hour"))
)
