"""Versioned artifacts, stage pointers, the promotion rule and rollback."""

import json

import numpy as np
import pytest

from models.registry import CorruptArtifact, ModelRegistry, RegistryError, decide_promotion


def _save(reg, value: float, name: str = "recs") -> str:
    return reg.save(
        name,
        "model.npz",
        lambda p: np.savez(p, x=np.array([value])),
        params={"v": value},
        metrics={"ndcg@10": value},
        snapshot={"partitions": ["2026-01-01", "2026-01-02"]},
    )


def test_save_writes_numbered_versions_with_metadata(tmp_path):
    reg = ModelRegistry(tmp_path)
    assert [_save(reg, 0.1), _save(reg, 0.2)] == ["v0001", "v0002"]
    meta = reg.meta("recs", "v0002")
    assert meta["params"] == {"v": 0.2} and meta["metrics"] == {"ndcg@10": 0.2}
    assert meta["snapshot"]["partitions"] == ["2026-01-01", "2026-01-02"]
    assert meta["created"] and len(meta["sha256"]) == 64
    assert not [p for p in (tmp_path / "recs").iterdir() if p.name.startswith(".new-")]


def test_promote_then_rollback_restores_previous(tmp_path):
    reg = ModelRegistry(tmp_path)
    v1, v2, v3 = _save(reg, 0.1), _save(reg, 0.2), _save(reg, 0.3)
    reg.promote("recs", v1)
    reg.promote("recs", v2)
    reg.promote("recs", v3)
    assert reg.stages("recs")["previous"] == v2
    st = reg.rollback("recs")
    assert (st["production"], st["previous"]) == (v2, v1)
    st = reg.rollback("recs")
    assert (st["production"], st["previous"]) == (v1, None)
    with pytest.raises(RegistryError, match="no previous"):
        reg.rollback("recs")


def test_tampered_or_missing_artifact_is_reported_corrupt(tmp_path):
    reg = ModelRegistry(tmp_path)
    v = _save(reg, 0.1)
    path = reg.artifact("recs", v)
    path.write_bytes(b"garbage")
    with pytest.raises(CorruptArtifact, match="checksum"):
        reg.artifact("recs", v)
    path.unlink()
    with pytest.raises(CorruptArtifact, match="missing"):
        reg.artifact("recs", v)
    with pytest.raises(CorruptArtifact):
        reg.promote("recs", v)
    assert reg.production("recs") is None


def test_unknown_version_cannot_be_promoted(tmp_path):
    with pytest.raises(RegistryError, match="no version"):
        ModelRegistry(tmp_path).promote("recs", "v0042")


def test_stage_pointer_is_json_with_history(tmp_path):
    reg = ModelRegistry(tmp_path)
    reg.promote("recs", _save(reg, 0.1))
    data = json.loads(reg.pointer("recs").read_text(encoding="utf-8"))
    assert data["production"] == "v0001" and data["history"] == ["v0001"]


@pytest.mark.parametrize(
    ("candidate", "production", "margin", "promote"),
    [
        (0.30, None, 0.01, True),
        (0.31, 0.30, 0.01, True),
        (0.305, 0.30, 0.01, False),
        (0.29, 0.30, 0.0, False),
        (float("nan"), 0.1, 0.0, False),
    ],
)
def test_candidate_must_beat_production_by_margin(candidate, production, margin, promote):
    d = decide_promotion("ndcg@10", candidate, production, margin)
    assert d.promote is promote and d.reason
