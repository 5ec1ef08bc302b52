"""Online template mining (Drain-class) with header recognition, for ``blueprint logs mine``.

A message is masked (:mod:`warehouse.logs.masking`), then routed through a prefix tree keyed by
its token count and first token, and matched against the templates in that leaf by positional
similarity. A match generalises the template (differing tokens become ``<*>``); no match starts
a new template. Ids are integers handed out in order of creation and never reused; when two
templates are merged the younger id becomes an alias of the older one. One set of defaults
serves every log: there is no per-source configuration.
"""

from __future__ import annotations

import csv
from array import array
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from warehouse.logs.headers import SAMPLE_LINES, HeaderStripper
from warehouse.logs.masking import WILDCARD, Masker

SIM_THRESHOLD = 0.5
SPLIT_MAX_VALUES = 4


@dataclass(frozen=True)
class MinedTemplate:
    """The template a message was assigned to."""

    template_id: int
    template: str
    count: int


class _Cluster:
    __slots__ = ("count", "id", "tokens")

    def __init__(self, cid: int, tokens: list[str]) -> None:
        self.id = cid
        self.tokens = tokens
        self.count = 0

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


def _route(token: str) -> str:
    return WILDCARD if WILDCARD in token else token


class TemplateMiner:
    """Online Drain-like miner: ``add`` one message at a time, get a stable template id back."""

    def __init__(self, sim_threshold: float = SIM_THRESHOLD) -> None:
        self.sim_threshold = sim_threshold
        self._masker = Masker()
        self._leaves: dict[tuple[int, str], list[_Cluster]] = {}
        self._clusters: dict[int, _Cluster] = {}
        self._alias: dict[int, int] = {}
        # one signature per distinct masked message: its tokens, template and line count
        self._sig_of: dict[tuple[str, ...], int] = {}
        self._sigs: list[tuple[str, ...]] = []
        self._sig_cluster: list[_Cluster] = []
        self._sig_count: list[int] = []
        self._next_id = 1

    # -- public -----------------------------------------------------------------------------------
    def add(self, message: str) -> MinedTemplate:
        """Assign ``message`` (header already removed) to a template, creating one if needed."""
        cluster = self._sig_cluster[self._add_tokens(self._masker.mask(message))]
        return MinedTemplate(cluster.id, cluster.text, cluster.count)

    def resolve(self, template_id: int) -> int:
        """The id a possibly merged-away template id now lives under."""
        alias = self._alias
        while template_id in alias:
            template_id = alias[template_id]
        return template_id

    def template(self, template_id: int) -> str:
        """Current template text of an id (merged ids are followed)."""
        return self._clusters[self.resolve(template_id)].text

    def templates(self) -> list[MinedTemplate]:
        """All live templates, by id."""
        return [
            MinedTemplate(c.id, c.text, c.count)
            for c in sorted(self._clusters.values(), key=lambda c: c.id)
        ]

    def add_sig(self, message: str) -> int:
        """Add ``message`` and return its signature id (one per distinct masked message).

        :meth:`cluster_of` maps a signature id to its template id at any later time, also after
        :meth:`refine` has split templates.
        """
        return self._add_tokens(self._masker.mask(message))

    def cluster_of(self, sig: int) -> int:
        """Current template id of a signature id from :meth:`add_sig`."""
        return self.resolve(self._sig_cluster[sig].id)

    def refine(self) -> None:
        """Split templates whose wildcard positions hold only a few distinct words.

        A position that varies among at most ``SPLIT_MAX_VALUES`` words, none of them a value
        masked whole, is an enumeration of template text ("opened"/"closed", "LOOKING"/
        "LEADING"), not a variable, so the template is split by those words. Positions with
        more distinct words stay variables (user names, hosts), and so do positions whose
        words differ only by a masked value being present or not ("(<*>)" vs "()").
        Signatures keep pointing at their new template.
        """
        members: dict[int, list[int]] = {}
        for sid, c in enumerate(self._sig_cluster):
            members.setdefault(self.resolve(c.id), []).append(sid)
        sigs = self._sigs
        for cid, sids in members.items():
            if len(sids) < 2:
                continue
            cluster = self._clusters[cid]
            split_at = []
            for p, tok in enumerate(cluster.tokens):
                if tok != WILDCARD:
                    continue
                values = {sigs[s][p] for s in sids}
                if (
                    2 <= len(values) <= SPLIT_MAX_VALUES
                    and WILDCARD not in values
                    and len({v.replace(WILDCARD, "") for v in values}) > 1
                ):
                    split_at.append(p)
            if split_at:
                self._split(cluster, sids, split_at)

    # -- internals --------------------------------------------------------------------------------
    def _split(self, cluster: _Cluster, sids: list[int], split_at: list[int]) -> None:
        groups: dict[tuple[str, ...], list[int]] = {}
        for s in sids:
            groups.setdefault(tuple(self._sigs[s][p] for p in split_at), []).append(s)
        counts = self._sig_count
        ordered = sorted(groups.values(), key=lambda g: (-sum(counts[s] for s in g), g[0]))
        leaf = self._leaves[self._leaf_key(cluster.tokens)]
        for i, group in enumerate(ordered):
            if i == 0:
                target = cluster
            else:
                target = _Cluster(self._next_id, [])
                self._next_id += 1
                self._clusters[target.id] = target
                leaf.append(target)
            tokens = list(self._sigs[group[0]])
            for s in group[1:]:
                for j, tok in enumerate(self._sigs[s]):
                    if tokens[j] != tok:
                        tokens[j] = WILDCARD
            target.tokens = tokens
            target.count = sum(counts[s] for s in group)
            for s in group:
                self._sig_cluster[s] = target

    @staticmethod
    def _leaf_key(tokens: list[str]) -> tuple[int, str]:
        return (len(tokens), _route(tokens[0]) if tokens else "")

    def _add_tokens(self, tokens: list[str]) -> int:
        key = tuple(tokens)
        sid = self._sig_of.get(key)
        if sid is not None:
            cluster = self._sig_cluster[sid]
            if cluster.id in self._alias:
                cluster = self._clusters[self.resolve(cluster.id)]
                self._sig_cluster[sid] = cluster
            cluster.count += 1
            self._sig_count[sid] += 1
            return sid
        leaf = self._leaves.setdefault(self._leaf_key(tokens), [])
        cluster = self._best(leaf, tokens)
        if cluster is None:
            cluster = _Cluster(self._next_id, list(tokens))
            self._next_id += 1
            self._clusters[cluster.id] = cluster
            leaf.append(cluster)
        else:
            self._generalise(cluster, tokens)
        cluster.count += 1
        sid = len(self._sigs)
        self._sig_of[key] = sid
        self._sigs.append(key)
        self._sig_cluster.append(cluster)
        self._sig_count.append(1)
        return sid

    def _best(self, leaf: list[_Cluster], tokens: list[str]) -> _Cluster | None:
        n = len(tokens)
        if n == 0:
            return leaf[0] if leaf else None
        best = None
        best_sim = -1.0
        for c in leaf:
            same = 0
            for a, b in zip(c.tokens, tokens, strict=True):
                if a == b:
                    same += 1
            sim = same / n
            if sim > best_sim:
                best, best_sim = c, sim
        if best is not None and best_sim >= self.sim_threshold:
            return best
        return None

    def _generalise(self, cluster: _Cluster, tokens: list[str]) -> None:
        t = cluster.tokens
        for i, tok in enumerate(tokens):
            if t[i] != tok and t[i] != WILDCARD:
                t[i] = WILDCARD


class LineMiner:
    """Header recognition plus template mining for one stream of raw lines."""

    def __init__(self, miner: TemplateMiner | None = None) -> None:
        self.miner = miner or TemplateMiner()
        self.headers = HeaderStripper()

    def learn(self, sample: list[str]) -> None:
        """Learn the header layout from the first lines of the stream."""
        self.headers.learn(sample)

    def add(self, line: str) -> int:
        """Signature id of one raw line (see :meth:`TemplateMiner.add_sig`)."""
        return self.miner.add_sig(self.headers.strip(line))


def mine_lines(lines: Iterable[str]) -> Iterator[tuple[int, int, str]]:
    """Yield ``(line_no, template_id, template)`` for raw lines, in order, 1-based.

    Ids and template texts are reported as they stand at the end of the stream, so every line
    of one group carries the same id and text. This keeps one int per line in memory.
    """
    it = iter(lines)
    head: list[str] = []
    for line in it:
        head.append(line.rstrip("\r\n"))
        if len(head) >= SAMPLE_LINES:
            break
    lm = LineMiner()
    lm.learn(head)
    ids = array("q")
    for line in head:
        ids.append(lm.add(line))
    for line in it:
        ids.append(lm.add(line.rstrip("\r\n")))
    miner = lm.miner
    miner.refine()
    for i, sid in enumerate(ids, start=1):
        tid = miner.cluster_of(sid)
        yield i, tid, miner.template(tid)


def mine_to_csv(path: Path, out: TextIO) -> None:
    """Write ``line,template_id,template`` CSV for every line of the file at ``path``."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["line", "template_id", "template"])
    with Path(path).open(encoding="utf-8", errors="replace", newline="") as fh:
        lines = (line.rstrip("\n").rstrip("\r") for line in fh)
        for row in mine_lines(lines):
            writer.writerow(row)


def grouping_accuracy(predicted: Sequence[Hashable], truth: Sequence[Hashable]) -> float:
    """Loghub grouping accuracy: share of lines whose predicted group equals their true group."""
    if len(predicted) != len(truth):
        raise ValueError("predicted and truth must have the same length")
    if not predicted:
        return 1.0
    pred_size: dict[Hashable, int] = {}
    true_size: dict[Hashable, int] = {}
    pair: dict[tuple[Hashable, Hashable], int] = {}
    for p, t in zip(predicted, truth, strict=True):
        pred_size[p] = pred_size.get(p, 0) + 1
        true_size[t] = true_size.get(t, 0) + 1
        pair[(p, t)] = pair.get((p, t), 0) + 1
    correct = 0
    for (p, t), n in pair.items():
        if n == pred_size[p] == true_size[t]:
            correct += n
    return correct / len(predicted)
