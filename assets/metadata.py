"""What people look at in the Dagster UI: markdown tables and PNG plots as asset metadata."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

import dagster as dg
import polars as pl

Rows = pl.DataFrame | Sequence[Mapping[str, Any]]


def md_table(
    rows: Rows, columns: Sequence[str] | None = None, *, limit: int = 10, width: int = 120
) -> dg.MetadataValue:
    """The first ``limit`` rows as a markdown table (cells cut at ``width`` characters).

    >>> md_table([{"code": "abc", "clicks": 3}]).value
    '| code | clicks |\\n|---|---|\\n| abc | 3 |'
    """
    df = rows if isinstance(rows, pl.DataFrame) else pl.DataFrame(list(rows))
    if columns is not None and not df.is_empty():
        df = df.select(columns)
    if df.is_empty():
        return dg.MetadataValue.md("_no rows_")
    lines = ["| " + " | ".join(df.columns) + " |", "|" + "---|" * len(df.columns)]
    for row in df.head(limit).iter_rows():
        cells = [_cell(v, width) for v in row]
        lines.append("| " + " | ".join(cells) + " |")
    return dg.MetadataValue.md("\n".join(lines))


def _cell(value: Any, width: int) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        value = round(value, 4)
    return str(value).replace("|", "\\|").replace("\n", " ")[:width]


@contextmanager
def figure(size: tuple[float, float] = (6, 3)) -> Iterator[tuple[Any, Any]]:
    """A matplotlib figure and axes on the non-interactive backend, closed afterwards."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=size)
    try:
        yield fig, ax
    finally:
        plt.close(fig)


def png_bytes_md(png: bytes, alt: str = "plot") -> dg.MetadataValue:
    """PNG bytes inlined as a markdown image, which the Dagster UI shows in place."""
    data = base64.b64encode(png).decode("ascii")
    return dg.MetadataValue.md(f"![{alt}](data:image/png;base64,{data})")


def plot_md(draw: Callable[[Any, Any], None], alt: str, size: tuple[float, float] = (6, 3)):
    """Draw with ``draw(fig, ax)`` and return the figure as an inline PNG metadata value."""
    with figure(size) as (fig, ax):
        draw(fig, ax)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png", dpi=80)
    return png_bytes_md(buf.getvalue(), alt)
