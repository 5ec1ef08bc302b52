"""Plain records the file store hands out."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Entry:
    """A live file or folder (or one in the trash) of a user's tree."""

    id: str
    owner: str
    path: str
    kind: str  # file | dir
    size: int
    etag: str
    modified: float
    version_id: str | None = None

    @property
    def name(self) -> str:
        return self.path.rsplit("/", 1)[-1]

    def public(self) -> dict:
        return {
            "path": self.path,
            "name": self.name,
            "kind": self.kind,
            "size": self.size,
            "etag": self.etag,
            "modified": self.modified,
        }


@dataclass(frozen=True)
class Version:
    id: str
    file_id: str
    owner: str
    number: int
    size: int
    chunks: list[tuple[str, int]] = field(repr=False)
    created: float
    device: str = ""

    def public(self) -> dict:
        return {
            "version": self.number,
            "etag": self.id,
            "size": self.size,
            "chunks": len(self.chunks),
            "created": self.created,
            "device": self.device,
        }


@dataclass(frozen=True)
class Change:
    seq: int
    op: str
    path: str
    kind: str
    etag: str | None
    ts: float
    dest: str | None = None
    role: str | None = None  # of a grant change

    def public(self) -> dict:
        out = {
            "seq": self.seq,
            "op": self.op,
            "path": self.path,
            "kind": self.kind,
            "etag": self.etag,
            "ts": self.ts,
        }
        if self.dest is not None:
            out["dest"] = self.dest
        if self.role is not None:
            out["role"] = self.role
        return out
