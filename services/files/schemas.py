"""Request and response bodies of the file API."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field

from services.video.text import CleanText

MAX_INT64 = 2**63 - 1
Path = Annotated[CleanText, Field(max_length=4096)]
ChunkHash = Annotated[str, Field(pattern=r"^[0-9a-f]{64}$")]
ChunkPair = tuple[ChunkHash, Annotated[int, Field(ge=1, le=MAX_INT64)]]


class EntryOut(BaseModel):
    path: str
    name: str
    kind: Literal["file", "dir"]
    size: int
    etag: str
    modified: float


class WriteOut(EntryOut):
    version: int | None = None
    conflict_copy: bool = False


class VersionOut(BaseModel):
    version: int
    etag: str
    size: int
    chunks: int
    created: float
    device: str


class FolderIn(BaseModel):
    path: Path
    parents: bool = False


class MoveIn(BaseModel):
    src: Path
    dst: Path
    overwrite: bool = False


class RestoreVersionIn(BaseModel):
    path: Path
    version: int = Field(ge=1, le=2**31 - 1)


class TrashItem(BaseModel):
    id: str
    path: str
    kind: str
    trashed_at: float


class PlanIn(BaseModel):
    path: Path
    chunks: list[ChunkPair] = Field(max_length=200_000)
    if_match: Annotated[str, Field(max_length=64)] | None = None


class PlanOut(BaseModel):
    missing: list[str]
    missing_bytes: int
    total_bytes: int
    plan_id: str


class CommitIn(BaseModel):
    path: Path
    chunks: list[ChunkPair] | None = Field(default=None, max_length=200_000)
    plan_id: Annotated[str, Field(pattern="^[0-9a-f]{32}$")] | None = None
    if_match: Annotated[str, Field(max_length=64)] | None = None
    if_none_match: bool = False
    device: Annotated[CleanText, Field(max_length=64)] = ""
    on_conflict: Literal["fail", "copy"] = "fail"
    bytes_changed: int | None = Field(default=None, ge=0, le=MAX_INT64)


class ChunkOut(BaseModel):
    hash: str
    stored: bool


class ChunksOut(BaseModel):
    received: int = Field(description="Chunks in the request.")
    stored: int = Field(description="Of those, the ones the server did not hold yet.")


class ChangeOut(BaseModel):
    seq: int
    op: str
    path: str
    kind: str
    etag: str | None
    ts: float
    dest: str | None = None
    role: str | None = None


class ChangesOut(BaseModel):
    changes: list[ChangeOut]
    cursor: int


class UsageOut(BaseModel):
    used_bytes: int
    quota_bytes: int


class QuotaIn(BaseModel):
    quota_bytes: int = Field(ge=0, le=MAX_INT64)


class GcOut(BaseModel):
    claimed: int
    deleted: int


class ShareIn(BaseModel):
    path: Path
    rights: Literal["read", "write"] = "read"
    expires_in_s: float | None = Field(default=None, gt=0, le=10 * 365 * 86400)
    password: Annotated[CleanText, Field(min_length=1, max_length=256)] | None = None


class ShareOut(BaseModel):
    id: str
    path: str
    rights: str
    expires: float | None
    has_password: bool
    revoked: bool
    created: float


class ShareCreated(ShareOut):
    token: str
    url: str


class SharedMeta(BaseModel):
    entry: EntryOut
    children: list[EntryOut] | None = None
    rights: str


class GrantIn(BaseModel):
    path: Path
    user: Annotated[str, Field(min_length=1, max_length=128, pattern=r"^[^/\s]+$")]
    role: Literal["viewer", "editor"]


class GrantOut(BaseModel):
    id: str
    path: str
    user: str
    role: str
    owner: str
    mount: str
    created: float


class GrantsOut(BaseModel):
    given: list[GrantOut]
    received: list[GrantOut]
