"""Build (or list) the media corpus the per-shot benchmark runs on: ``make media-corpus``.

The titles are cached under ``<data_dir>/cache/media-corpus`` (see ``media.corpus``); the
media files never enter the repository.
"""

from __future__ import annotations

from pathlib import Path

from media.corpus import Title, build_corpus
from warehouse.settings import get_settings


def corpus_dir() -> Path:
    return get_settings().data_dir / "cache" / "media-corpus"


def corpus() -> list[Title]:
    return build_corpus(corpus_dir())


def main() -> None:
    titles = corpus()
    for t in titles:
        print(
            f"{t.klass:10s} {t.name:14s} {t.width}x{t.height} {t.fps:g} fps "
            f"{t.duration_s:.1f}s ({t.origin})"
        )
    classes = sorted({t.klass for t in titles})
    print(
        f"{len(titles)} titles in {len(classes)} classes ({', '.join(classes)}) at {corpus_dir()}"
    )


if __name__ == "__main__":
    main()
