"""The lake: events, the durable spool, Parquet ingestion, DuckDB views and the logging system."""
