"""Blob store and chunk store: atomic content-addressed writes, hashes checked both ways,
convergent encryption that keeps deduplication."""

from __future__ import annotations

import hashlib

import pytest

from services.files.blobs import LocalBlobStore
from services.files.chunkstore import ChunkStore
from services.files.errors import ChunkCorrupt, ChunkMismatch


def h(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_put_get_roundtrip_and_layout(tmp_path):
    blobs = LocalBlobStore(tmp_path)
    key = h(b"abc")
    blobs.put(key, b"abc")
    assert blobs.get(key) == b"abc"
    assert (tmp_path / key[:2] / key).is_file()
    assert list(blobs.keys()) == [key]
    blobs.delete(key)
    assert not blobs.exists(key)
    with pytest.raises(KeyError):
        blobs.get(key)


def test_blob_keys_must_be_hex(tmp_path):
    blobs = LocalBlobStore(tmp_path)
    for bad in ("../../etc/passwd", "ABCDEF0123456789", "short"):
        with pytest.raises(ValueError):
            blobs.put(bad, b"x")


def test_chunk_whose_bytes_do_not_match_is_refused_and_not_stored(tmp_path):
    store = ChunkStore(LocalBlobStore(tmp_path), b"secret")
    with pytest.raises(ChunkMismatch):
        store.put(h(b"one"), b"two")
    assert not store.exists(h(b"one"))
    assert list(LocalBlobStore(tmp_path).keys()) == []


def test_stored_chunks_are_encrypted_and_equal_chunks_converge(tmp_path):
    blobs = LocalBlobStore(tmp_path)
    store = ChunkStore(blobs, b"secret")
    data = b"hello convergent world" * 100
    store.put(h(data), data)
    store.put(h(data), data)
    (key,) = list(blobs.keys())
    assert key != h(data)  # the blob key does not reveal the plaintext hash
    raw = blobs.get(key)
    assert data not in raw and b"hello" not in raw
    assert store.get(h(data)) == data


def test_damaged_chunk_is_reported_not_served(tmp_path):
    for secret in (b"secret", None):
        blobs = LocalBlobStore(tmp_path / str(bool(secret)))
        store = ChunkStore(blobs, secret)
        data = b"precious bytes" * 50
        store.put(h(data), data)
        path = blobs.path(store.blob_key(h(data)))
        raw = bytearray(path.read_bytes())
        raw[5] ^= 0xFF
        path.write_bytes(bytes(raw))
        with pytest.raises(ChunkCorrupt):
            store.get(h(data))


def test_missing_chunk_is_corruption(tmp_path):
    store = ChunkStore(LocalBlobStore(tmp_path), b"k")
    with pytest.raises(ChunkCorrupt):
        store.get(h(b"never stored"))


@pytest.mark.parametrize("secret", [b"k" * 32, b"", b"s" * 64, bytes(range(200))])
def test_keys_are_hmac_sha256_of_the_server_secret(tmp_path, secret):
    import hmac

    store = ChunkStore(LocalBlobStore(tmp_path), secret=secret)
    digest = hashlib.sha256(b"chunk").digest()
    for label in (b"blob-key:", b"chunk-key:", b"user-key:"):
        assert store._derive(label, digest) == hmac.digest(secret, label + digest, "sha256")
    assert (
        store.blob_key(digest.hex()) == hmac.digest(secret, b"blob-key:" + digest, "sha256").hex()
    )
