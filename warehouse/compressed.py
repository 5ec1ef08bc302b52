"""Open a file as it was published: plain, or compressed by the codec its suffix names.

Traces and logs travel compressed (rotated ``syslog.2.gz``, trace collections in ``.zst``);
reading them in place saves a decompressed copy of a file that may be gigabytes.
"""

from __future__ import annotations

import bz2
import gzip
import lzma
from pathlib import Path
from typing import IO, Any

import zstandard

CODECS = {
    ".gz": gzip.open,
    ".bz2": bz2.open,
    ".xz": lzma.open,
    ".lzma": lzma.open,
    ".zst": zstandard.open,
}


def is_compressed(path: Path) -> bool:
    """Whether ``path``'s suffix names a codec this module reads."""
    return Path(path).suffix.lower() in CODECS


def open_published(path: Path, mode: str = "rt", **kwargs: Any) -> IO:
    """``path`` opened for reading (``rt`` or ``rb``), decompressed when its suffix names a
    codec; ``kwargs`` go to the opener (``encoding``, ``errors``, ``newline`` in text mode).

    A file that is not what its suffix says raises, at the first read, one of
    :data:`CODEC_ERRORS`.
    """
    opener = CODECS.get(Path(path).suffix.lower(), open)
    return opener(path, mode, **kwargs)


# What a damaged or mislabelled archive raises while it is read.
CODEC_ERRORS = (OSError, EOFError, lzma.LZMAError, zstandard.ZstdError)
