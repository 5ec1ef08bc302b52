"""Content-addressed chunks, verified on write and on read, encrypted at rest.

A chunk is named by the SHA-256 of its plaintext. :meth:`ChunkStore.put` refuses bytes whose
hash is not the name they came with (422, nothing stored); :meth:`ChunkStore.get` checks the
hash again after reading, so damaged storage is reported instead of served.

Encryption at rest is convergent: each chunk is sealed with AES-GCM under a key derived from
its SHA-256 and a server secret (HMAC-SHA256), so equal plaintext chunks, from any user, become
equal ciphertexts and deduplication still works. The blob key is also an HMAC of the hash, so
someone holding only the blob store cannot confirm a guess of a file's content by hashing it.
What convergent encryption reveals, by design: that two chunks are equal (to whoever sees the
store), and chunk sizes. What it does not protect against: someone who holds the server secret
and guesses a chunk's exact content can confirm the guess. Per-user wrapping of chunk keys is
not done here: the server derives chunk keys on demand from the secret.
"""

from __future__ import annotations

import hashlib
import hmac

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from services.files.blobs import BlobStore
from services.files.errors import ChunkCorrupt, ChunkMismatch

_HEX64 = frozenset("0123456789abcdef")


def is_chunk_hash(value: str) -> bool:
    return len(value) == 64 and set(value) <= _HEX64


class ChunkStore:
    """Chunks by plaintext SHA-256 over a :class:`BlobStore`; ``secret`` keys the encryption
    (``None`` stores plaintext, for benchmarks that measure the cost of encryption)."""

    def __init__(self, blobs: BlobStore, secret: bytes | None) -> None:
        self.blobs = blobs
        self._secret = secret

    def _derive(self, label: bytes, digest: bytes) -> bytes:
        assert self._secret is not None
        return hmac.new(self._secret, label + digest, hashlib.sha256).digest()

    def blob_key(self, chunk_hash: str) -> str:
        """Where the chunk ``chunk_hash`` lives in the blob store."""
        if self._secret is None:
            return chunk_hash
        return self._derive(b"blob-key:", bytes.fromhex(chunk_hash)).hex()

    def put(self, chunk_hash: str, data: bytes) -> None:
        """Store ``data`` as the chunk ``chunk_hash``; :class:`ChunkMismatch` when it is not."""
        if hashlib.sha256(data).hexdigest() != chunk_hash:
            raise ChunkMismatch(f"chunk bytes do not hash to {chunk_hash}; nothing was stored")
        self.blobs.put(self.blob_key(chunk_hash), self._seal(chunk_hash, data))

    def put_many(self, items: list[tuple[str, bytes]], *, verified: bool = False) -> None:
        """Store several chunks with one durability barrier (see the blob store).
        ``verified``: the caller computed each hash from these bytes itself."""
        for chunk_hash, data in items:
            if not verified and hashlib.sha256(data).hexdigest() != chunk_hash:
                raise ChunkMismatch(f"chunk bytes do not hash to {chunk_hash}; nothing was stored")
        self.blobs.put_many([(self.blob_key(h), self._seal(h, d)) for h, d in items])

    def get(self, chunk_hash: str) -> bytes:
        """The chunk's plaintext, verified; :class:`ChunkCorrupt` when storage lost or damaged
        it."""
        try:
            stored = self.blobs.get(self.blob_key(chunk_hash))
        except KeyError:
            raise ChunkCorrupt(f"chunk {chunk_hash} is missing from the blob store") from None
        data = self._open(chunk_hash, stored)
        if hashlib.sha256(data).hexdigest() != chunk_hash:
            raise ChunkCorrupt(f"chunk {chunk_hash} does not match its hash")
        return data

    def exists(self, chunk_hash: str) -> bool:
        return self.blobs.exists(self.blob_key(chunk_hash))

    def delete(self, chunk_hash: str) -> None:
        self.blobs.delete(self.blob_key(chunk_hash))

    def _seal(self, chunk_hash: str, data: bytes) -> bytes:
        if self._secret is None:
            return data
        digest = bytes.fromhex(chunk_hash)
        key = self._derive(b"chunk-key:", digest)
        # One key per distinct plaintext, so a fixed nonce never repeats under a key with
        # different plaintext: deterministic encryption is the point (deduplication).
        return AESGCM(key).encrypt(b"\0" * 12, data, digest)

    def _open(self, chunk_hash: str, stored: bytes) -> bytes:
        if self._secret is None:
            return stored
        digest = bytes.fromhex(chunk_hash)
        key = self._derive(b"chunk-key:", digest)
        try:
            return AESGCM(key).decrypt(b"\0" * 12, stored, digest)
        except Exception as exc:  # cryptography's InvalidTag: the stored bytes were changed
            raise ChunkCorrupt(f"chunk {chunk_hash} failed authentication") from exc
