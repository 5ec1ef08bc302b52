"""A BM25 full-text index stored as a sparse term-frequency matrix (scipy ``.npz``) + metadata.

Fields: the title counts ``TITLE_WEIGHT`` times and URL path words once, a cheap BM25F. Words
are stemmed with Snowball (the stemmer Sphinx search uses) so "dumps" finds "dump".
"""

from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import numpy as np
import polars as pl
import scipy.sparse as sp
import snowballstemmer

TITLE_WEIGHT = 4
_WORD = re.compile(r"[^\W_]+", re.UNICODE)
STOPWORDS = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "by",
        "for",
        "from",
        "how",
        "i",
        "in",
        "into",
        "is",
        "it",
        "of",
        "on",
        "or",
        "that",
        "the",
        "this",
        "to",
        "was",
        "what",
        "when",
        "where",
        "which",
        "with",
        "do",
        "does",
        "can",
        "you",
        "your",
        "my",
    ]
)
_STEMMER = snowballstemmer.stemmer("english")


_STEMS: dict[str, str] = {}


def stem(word: str) -> str:
    """Snowball stem of a lower-case word, memoised (vocabularies are small, texts large)."""
    found = _STEMS.get(word)
    if found is None:
        found = _STEMS[word] = _STEMMER.stemWord(word)
    return found


def tokenize(text: str) -> list[str]:
    return [stem(w) for w in _WORD.findall(text.lower()) if w not in STOPWORDS]


def _doc_terms(url: str, title: str, text: str) -> Counter[str]:
    path_words = " ".join(re.split(r"[/._\-#?=&]+", urlsplit(url).path))
    counts = Counter(tokenize(text))
    for term in tokenize(title):
        counts[term] += TITLE_WEIGHT
    for term in tokenize(path_words):
        counts[term] += 1
    return counts


@dataclass
class Hit:
    url: str
    title: str
    score: float
    snippet: str


class SearchIndex:
    """BM25 (k1, b) over a docs x terms CSC matrix of term frequencies."""

    def __init__(
        self,
        docs: pl.DataFrame,
        vocab: dict[str, int],
        tf: sp.csc_matrix,
        k1: float = 1.2,
        b: float = 0.75,
    ) -> None:
        self.docs = docs
        self.vocab = vocab
        self.tf = tf.tocsc()
        self.k1, self.b = k1, b
        self.lengths = np.asarray(self.tf.sum(axis=1)).ravel()
        self.avgdl = float(self.lengths.mean()) if len(self.lengths) else 0.0
        df = np.diff(self.tf.indptr)
        n = self.tf.shape[0]
        self.idf = np.log(1 + (n - df + 0.5) / (df + 0.5))

    @classmethod
    def build(cls, docs: pl.DataFrame) -> SearchIndex:
        """``docs`` needs columns url, title, text (others are kept for display)."""
        vocab: dict[str, int] = {}
        rows, cols, vals = [], [], []
        for i, (url, title, text) in enumerate(docs.select("url", "title", "text").iter_rows()):
            for term, count in _doc_terms(url, title or "", text or "").items():
                rows.append(i)
                cols.append(vocab.setdefault(term, len(vocab)))
                vals.append(count)
        tf = sp.csc_matrix(
            (np.array(vals, dtype=np.float32), (rows, cols)), shape=(docs.height, len(vocab))
        )
        return cls(docs, vocab, tf)

    def save(self, folder: Path) -> Path:
        folder.mkdir(parents=True, exist_ok=True)
        sp.save_npz(folder / "tf.npz", self.tf)
        (folder / "vocab.json").write_text(json.dumps(self.vocab), encoding="utf-8")
        self.docs.write_parquet(folder / "docs.parquet")
        return folder

    @classmethod
    def load(cls, folder: Path) -> SearchIndex:
        vocab = json.loads((folder / "vocab.json").read_text(encoding="utf-8"))
        return cls(pl.read_parquet(folder / "docs.parquet"), vocab, sp.load_npz(folder / "tf.npz"))

    def search(self, query: str, limit: int = 10) -> list[Hit]:
        terms = [self.vocab[t] for t in dict.fromkeys(tokenize(query)) if t in self.vocab]
        if not terms or self.tf.shape[0] == 0:
            return []
        scores = np.zeros(self.tf.shape[0])
        norm = self.k1 * (1 - self.b + self.b * self.lengths / max(self.avgdl, 1e-9))
        for t in terms:
            start, end = self.tf.indptr[t], self.tf.indptr[t + 1]
            rows = self.tf.indices[start:end]
            f = self.tf.data[start:end]
            scores[rows] += self.idf[t] * f * (self.k1 + 1) / (f + norm[rows])
        top = np.argsort(-scores)[:limit]
        words = set(tokenize(query))
        hits = []
        for i in top:
            if scores[i] <= 0:
                break
            row = self.docs.row(int(i), named=True)
            hits.append(
                Hit(
                    row["url"],
                    row["title"] or "",
                    float(scores[i]),
                    snippet(row["text"] or "", words),
                )
            )
        return hits


def snippet(text: str, stems: set[str], width: int = 30) -> str:
    """About ``width`` words around the densest run of query terms, terms in ``<mark>``."""
    words = text.split()
    if not words:
        return ""
    marks = [
        any(stem(t) in stems for t in _WORD.findall(w.lower()) if t not in STOPWORDS)
        for w in words[:20_000]
    ]
    best, best_at = -1, 0
    window = sum(marks[:width])
    for i in range(len(marks) - width + 1 if len(marks) > width else 1):
        if i:
            window += marks[i + width - 1] - marks[i - 1]
        if window > best:
            best, best_at = window, i
    chosen = words[best_at : best_at + width]
    out = " ".join(f"<mark>{w}</mark>" if marks[best_at + j] else w for j, w in enumerate(chosen))
    return ("… " if best_at else "") + out + (" …" if best_at + width < len(words) else "")
