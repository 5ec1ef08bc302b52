"""Encryption at rest for the spool and the lake: an option, off by default.

``BLUEPRINT_ENCRYPT_AT_REST=1`` turns it on for every process of a data directory. The key is
``BLUEPRINT_AT_REST_KEY`` (base64 of 16, 24 or 32 bytes) when set, otherwise 32 random bytes
generated on first use into ``<data_dir>/secrets/at_rest_key`` (mode 0600, ``warehouse.secrets``).
The key is never logged; only its id (a short hash) appears in errors.

- **Spool frames** are sealed with AES-GCM (``cryptography``): each frame's payload becomes
  ``MAGIC | key id | 12-byte random nonce | ciphertext+tag``, with ``<source>/<segment>/<offset>``
  as associated data, so a frame moved to another offset, segment or writer fails to open.
  The frame header (length and crc32 of the sealed bytes) is unchanged, so torn-tail recovery
  works without the key. A frame whose checksum holds but whose tag does not is tampering,
  never data: ``FrameTampered``.
- **Parquet files** are written with Parquet modular encryption (uniform AES-GCM: footer and
  every column under one key) through pyarrow, named ``*.parquet.enc``, and read by DuckDB
  with ``PRAGMA add_parquet_key`` and ``encryption_config`` (``warehouse.lake.Lake``). The
  first encrypted file marks the lake (``<lake>/_encrypted``, holding the key id), so a lake
  opened without its key, or with another key, fails with a clear error instead of reading
  half the files. Older plaintext files stay readable beside encrypted ones.

What it does not do: the spool and lake file names, sizes and partition values (``date=``,
``service=``) stay visible, and a whole plaintext segment or file put in place by someone who
can write the data directory is read as before (GCM authenticates each encrypted frame and
file, not the set of files). DuckDB 2.0 cannot read a Parquet AAD prefix, so encrypted files
are not bound to their path.

Cost, measured by ``make bench-encryption`` (``benchmarks/lake_encryption.py``: 200,000 log
lines, plaintext and encrypted alternated in the same run, CPU time, median of 5 rounds):
spool append 1.05x, ingest 1.32x, three log queries 1.19x; lake files 1.28x larger, of which
1.27x is the layout (``parquet_io.ONE_PAGE_PER_CHUNK``: DuckDB 2.0 fails the tag of a later
page in a column chunk written by pyarrow) and 1.005x the encryption. Off, nothing changes:
frames, file names and the zero-copy ingestion path are those of a plaintext spool.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

if TYPE_CHECKING:
    from warehouse.settings import Settings

#: First bytes of a sealed frame payload. No JSON text starts with NUL, so a plaintext frame
#: can never be mistaken for a sealed one.
MAGIC = b"\x00BPAE1"
KEY_ID_BYTES = 4
NONCE_BYTES = 12
_PREFIX = len(MAGIC) + KEY_ID_BYTES + NONCE_BYTES
SECRET_NAME = "at_rest_key"
ENABLE_ENV = "BLUEPRINT_ENCRYPT_AT_REST"
KEY_ENV = "BLUEPRINT_AT_REST_KEY"
#: The file that marks a lake holding encrypted Parquet (its content: the key id).
LAKE_MARKER = "_encrypted"
ENCRYPTED_SUFFIX = ".parquet.enc"


class AtRestError(RuntimeError):
    """Encrypted data could not be read: no key, another key, or tampering."""


class KeyMissing(AtRestError):
    """Data is encrypted and no key is configured."""


class WrongKey(AtRestError):
    """Data was encrypted under another key."""


class FrameTampered(AtRestError):
    """A sealed spool frame failed authentication: altered, moved or spliced."""


@dataclass(frozen=True)
class AtRestKey:
    """An AES key (16, 24 or 32 bytes). ``repr`` shows its id, never the key."""

    raw: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.raw) not in (16, 24, 32):
            raise ValueError("an at-rest key is 16, 24 or 32 bytes (AES-128/192/256)")

    @classmethod
    def from_text(cls, text: str) -> AtRestKey:
        """A key from its base64 text (``BLUEPRINT_AT_REST_KEY`` or the secret file)."""
        try:
            raw = base64.b64decode(text.strip(), validate=True)
        except (binascii.Error, ValueError) as exc:
            raise ValueError("the at-rest key is not valid base64") from exc
        return cls(raw)

    @property
    def key_id(self) -> str:
        """A short, non-secret name of the key, stored beside what it encrypts."""
        return hashlib.sha256(b"blueprint-at-rest-key-id\0" + self.raw).hexdigest()[:8]

    @property
    def b64(self) -> str:
        return base64.b64encode(self.raw).decode("ascii")

    def __repr__(self) -> str:
        return f"AtRestKey(id={self.key_id})"

    # -- spool frames ------------------------------------------------------------------
    def seal(self, plaintext: bytes, aad: bytes) -> bytes:
        """``MAGIC | key id | nonce | AES-GCM(plaintext)``, authenticated with ``aad``."""
        nonce = os.urandom(NONCE_BYTES)
        sealed = AESGCM(self.raw).encrypt(nonce, plaintext, aad)
        return MAGIC + bytes.fromhex(self.key_id) + nonce + sealed

    def open(self, body: bytes | memoryview, aad: bytes) -> bytes:
        """The plaintext of a sealed payload; ``WrongKey`` or ``FrameTampered`` otherwise."""
        body = bytes(body)
        key_id = body[len(MAGIC) : len(MAGIC) + KEY_ID_BYTES].hex()
        if key_id != self.key_id:
            raise WrongKey(f"sealed under key id {key_id}, the configured key is {self.key_id}")
        nonce = body[len(MAGIC) + KEY_ID_BYTES : _PREFIX]
        try:
            return AESGCM(self.raw).decrypt(nonce, body[_PREFIX:], aad)
        except InvalidTag as exc:
            raise FrameTampered(f"authentication failed for {aad.decode()}") from exc


def is_sealed(payload: bytes | memoryview) -> bool:
    return bytes(payload[: len(MAGIC)]) == MAGIC


def frame_aad(source: str, segment: int, offset: int) -> bytes:
    """What binds a frame to its place: writer, segment index and byte offset."""
    return f"{source}/{segment:012d}/{offset}".encode()


def generate_key_text() -> str:
    return base64.b64encode(os.urandom(32)).decode("ascii")


# -- which key a data directory uses -----------------------------------------------------
def write_key(data_dir: Path, settings: Settings | None = None) -> AtRestKey | None:
    """The key new spool frames and lake files are sealed with: ``None`` unless
    ``encrypt_at_rest`` is on in ``settings`` (default: the process's, from
    ``BLUEPRINT_ENCRYPT_AT_REST``); then the configured key, or the data directory's
    generated one, created on first use."""
    from warehouse.settings import get_settings

    if settings is None and not os.environ.get(ENABLE_ENV):
        return None  # off, decided without building the settings (no side effect)
    settings = settings or get_settings()
    if not settings.encrypt_at_rest:
        return None
    if settings.at_rest_key:
        return AtRestKey.from_text(settings.at_rest_key)
    from warehouse.secrets import secret

    return AtRestKey.from_text(secret(Path(data_dir), SECRET_NAME, generate_key_text))


def read_key(data_dir: Path, settings: Settings | None = None) -> AtRestKey | None:
    """The key to open what is already on disk: the configured one, or the data directory's
    generated one if it exists (never created here), even with encryption since turned off."""
    from warehouse.settings import get_settings

    path = Path(data_dir) / "secrets" / SECRET_NAME
    if settings is None and not os.environ.get(ENABLE_ENV) and not os.environ.get(KEY_ENV):
        return _read_secret(path) if path.exists() else None
    settings = settings or get_settings()
    if settings.at_rest_key:
        return AtRestKey.from_text(settings.at_rest_key)
    if path.exists():
        return write_key(data_dir, settings) if settings.encrypt_at_rest else _read_secret(path)
    return write_key(data_dir, settings)


def _read_secret(path: Path) -> AtRestKey:
    from warehouse.secrets import secret

    return AtRestKey.from_text(secret(path.parent.parent, SECRET_NAME, generate_key_text))


#: Default of every ``key`` parameter: the data directory's key, per the settings.
FROM_SETTINGS = "settings"
KeyArg = AtRestKey | None | str


def resolve_write(key: KeyArg, data_dir: Path) -> AtRestKey | None:
    return write_key(data_dir) if key == FROM_SETTINGS else key  # type: ignore[return-value]


def resolve_read(key: KeyArg, data_dir: Path) -> AtRestKey | None:
    return read_key(data_dir) if key == FROM_SETTINGS else key  # type: ignore[return-value]
