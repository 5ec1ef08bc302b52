"""What the Dagster UI shows about every asset, filled in one place for all systems:

- owners: the system's team (``team:<group>``), so the catalogue says whom to ask;
- a code version: a digest of the source of the module that defines the asset, so the UI
  marks assets whose code changed since they were materialised and no others;
- a column schema (``dagster/column_schema``) for assets that are lake tables: from the
  table's Parquet files when it has some, else from its spool table spec.

Time partitions start at the first day with data (``first_data_day``), not at a fixed date,
so a fresh install shows no years of "missing" partitions.
"""

from __future__ import annotations

import hashlib
import inspect
import warnings
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import ModuleType

import dagster as dg
import polars as pl

from warehouse.settings import get_settings
from warehouse.tables import all_tables


def code_version(module: ModuleType) -> str:
    """A short digest of the module's source."""
    source = inspect.getsource(module).encode("utf-8")
    return hashlib.sha256(source).hexdigest()[:12]


def _parquet_schema(lake_dir: Path, table: str) -> dict[str, pl.DataType] | None:
    folder = lake_dir / table
    if not folder.is_dir():
        return None
    first = next(iter(sorted(folder.rglob("*.parquet"))), None)
    if first is None:  # a table encrypted at rest: its schema through the lake's key
        return _encrypted_schema(lake_dir, table)
    try:
        return dict(pl.read_parquet_schema(first))
    except (OSError, pl.exceptions.PolarsError):  # a file being replaced: no schema this time
        return None


def _encrypted_schema(lake_dir: Path, table: str) -> dict[str, pl.DataType] | None:
    from warehouse.lake import Lake

    lake = Lake(lake_dir)
    if not lake.has_files(table):
        return None
    try:
        with lake.session() as con:
            return dict(con.sql(f"SELECT * FROM {lake.scan(table)} LIMIT 0").pl().schema)
    except Exception:  # noqa: BLE001 - no key or a file being replaced: no schema this time
        return None


def column_schema(table: str, lake_dir: Path | None = None) -> dg.TableSchema | None:
    """The columns of lake table ``table``, or ``None`` when it is not one (yet)."""
    lake_dir = lake_dir or get_settings().lake_dir
    schema = _parquet_schema(lake_dir, table)
    if schema is None and table in all_tables():
        schema = all_tables()[table].read_schema
    if not schema:
        return None
    return dg.TableSchema(
        columns=[dg.TableColumn(name, str(dtype)) for name, dtype in schema.items()]
    )


def describe_assets(defs: dg.Definitions, module: ModuleType) -> dg.Definitions:
    """``defs`` with owners, the module's code version and column schemas on every asset."""
    version = code_version(module)
    lake_dir = get_settings().lake_dir

    def describe(spec: dg.AssetSpec) -> dg.AssetSpec:
        metadata = dict(spec.metadata or {})
        if "dagster/column_schema" not in metadata:
            schema = column_schema(spec.key.path[-1], lake_dir)
            if schema is not None:
                metadata["dagster/column_schema"] = schema
        owners = list(spec.owners or []) or [f"team:{spec.group_name or 'platform'}"]
        return spec.replace_attributes(
            owners=owners, code_version=spec.code_version or version, metadata=metadata
        )

    with warnings.catch_warnings():  # map_asset_specs is a preview API of Dagster 1.13
        warnings.simplefilter("ignore", dg.PreviewWarning)
        return defs.map_asset_specs(func=describe)


def first_data_day(*tables: str, lake_dir: Path | None = None) -> str:
    """The earliest ``date=`` partition among ``tables`` in the lake (``YYYY-MM-DD``); when
    they have none yet, yesterday (UTC), so a fresh lake shows the last whole day and today.
    The ``date=`` level may sit under other keys (``logs/service=api/date=...``)."""
    lake_dir = lake_dir or get_settings().lake_dir
    days = [
        p.name.removeprefix("date=")
        for table in tables
        if (lake_dir / table).is_dir()
        for p in (lake_dir / table).rglob("date=*")
        if p.is_dir()
    ]
    valid = sorted(d for d in days if _is_day(d))
    yesterday = (datetime.now(UTC) - timedelta(days=1)).strftime("%Y-%m-%d")
    return valid[0] if valid else yesterday


def _is_day(text: str) -> bool:
    try:
        datetime.strptime(text, "%Y-%m-%d")
    except ValueError:
        return False
    return True
