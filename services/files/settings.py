"""File sharing settings (``BLUEPRINT_FILES_*``)."""

from __future__ import annotations

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from services.files.chunking import MAX_AVG, MIN_AVG


class FilesSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BLUEPRINT_FILES_", extra="ignore")

    avg_chunk_bytes: int = Field(
        default=64 * 1024,
        ge=MIN_AVG,
        le=MAX_AVG,
        description="FastCDC average chunk size (min a quarter of it, max eight times it).",
    )
    max_chunk_bytes: int = Field(
        default=8 * 1024 * 1024, gt=0, description="Largest chunk a client may send (413)."
    )
    max_chunks_per_file: int = Field(
        default=200_000, gt=0, description="Longest chunk list a commit may name."
    )
    default_quota_bytes: int = Field(
        default=10 * 1024**3, ge=0, description="Per user unless set otherwise (507 past it)."
    )
    max_versions: int = Field(default=50, ge=1, description="Versions kept per file.")
    max_upload_bytes: int = Field(
        default=16 * 1024**3, gt=0, description="Largest single upload (PUT or tus)."
    )
    gc_grace_s: float = Field(
        default=3600.0,
        gt=0,
        description="An unreferenced chunk is deleted only when nobody has touched it for this "
        "long: a delta-sync client has that long between planning and committing.",
    )
    encrypt_at_rest: bool = Field(
        default=True, description="Seal chunks with convergent AES-GCM (see chunkstore.py)."
    )
    longpoll_max_s: float = Field(default=30.0, gt=0, le=120)
    share_guess_limit: int = Field(
        default=20, ge=1, description="Failed share-token lookups per client per minute (429)."
    )
    edit_notice_window_s: float = Field(
        default=300.0,
        ge=0,
        description="Edits of one shared file notify each other user at most once this often.",
    )
