"""The file-sharing assets: dedup per user and overall (with sync efficiency from the lake),
and the chunker sweep's recommendation, each with its check."""

from __future__ import annotations

import dagster as dg
import polars as pl

from assets.files import files_chunker_sweep, files_dedup
from assets.resources import PlatformResource, SystemResource
from services.files.analytics import chunker_sweep, recommend
from services.files.chunking import chunk_bytes
from tests.services.files.conftest import random_bytes
from warehouse.ingest import ingest_spool
from warehouse.lake import Lake


def _check(result, name: str):
    (found,) = [e for e in result.get_asset_check_evaluations() if e.check_name == name]
    return found


def resources(settings, files):
    return {
        "platform": PlatformResource(data_dir=str(settings.data_dir)),
        "files": SystemResource.with_service("files", files),
    }


def test_dedup_asset_counts_shared_chunks_once(files, settings, emitter):
    data = random_bytes(40_000, 1)
    files.put_file("alice", "a.bin", data)
    files.put_file("bob", "b.bin", data)
    edited = data[:20_000] + b"edit" + data[20_000:]
    pairs = [(c.hash, c.size) for c in chunk_bytes(edited, 1024)]
    for h in files.plan("alice", "a.bin", pairs)[0]:
        c = next(c for c in chunk_bytes(edited, 1024) if c.hash == h)
        files.put_chunk("alice", h, edited[c.offset : c.offset + c.size])
    files.commit_chunks("alice", "a.bin", pairs, device="laptop", bytes_changed=4)
    emitter.flush()
    ingest_spool(settings.spool_dir, settings.lake_dir)
    result = dg.materialize([files_dedup], resources=resources(settings, files))
    assert result.success
    rows = {
        r["user"]: r for r in Lake(settings.lake_dir).query("SELECT * FROM files_dedup").to_dicts()
    }
    assert rows["*"]["logical_bytes"] == 2 * 40_000 + 40_004
    assert rows["*"]["stored_bytes"] < 41_000 + 4 * 8192
    assert rows["*"]["dedup_ratio"] > 2.5
    assert rows["bob"]["dedup_ratio"] == 1.0
    meta = result.asset_materializations_for_node("files_dedup")[0].metadata
    assert meta["sync_bytes_sent_per_byte_synced"].value < 0.5
    assert _check(result, "files_dedup_is_consistent").passed


def test_chunker_sweep_recommends_a_swept_size(files, settings):
    base = random_bytes(300_000, 2)
    for i in range(4):
        files.put_file("alice", f"v{i}", base[: 50_000 * i] + b"x" * i + base[50_000 * i :])
    result = dg.materialize([files_chunker_sweep], resources=resources(settings, files))
    assert result.success
    meta = result.asset_materializations_for_node("files_chunker_sweep")[0].metadata
    assert meta["sample_files"].value == 4
    swept = pl.read_parquet(settings.lake_dir / "files_chunker_sweep" / "snapshot.parquet")
    assert meta["recommended_avg_chunk_bytes"].value in swept["avg_chunk_bytes"].to_list()
    assert _check(result, "files_chunker_sweep_is_sane").passed


def test_sweep_prefers_small_chunks_when_versions_share_most_bytes():
    base = random_bytes(400_000, 3)
    versions = [base[: i * 1000] + b"!" + base[i * 1000 :] for i in range(1, 30, 3)]
    sweep = chunker_sweep(versions, sizes=(4096, 262144), overhead=40)
    assert recommend(sweep) == 4096
    one = chunker_sweep([base], sizes=(4096, 262144), overhead=400)
    assert recommend(one) == 262144  # nothing to share: fewer chunks cost less
