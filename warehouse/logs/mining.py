"""Online template mining (Drain-class) with header recognition, for ``blueprint logs mine``.

A message is masked (:mod:`warehouse.logs.masking`), a run of variables counts as one, and the
result is routed through a prefix tree keyed by token count and first token, then matched
against the templates in that leaf by positional similarity. A match generalises the template
(differing tokens become ``<*>``); no match starts a new one. On top of these Drain clusters a
refinement view (:mod:`warehouse.logs.refinement`) splits a template whose wildcard position
only ever holds a few distinct words (an enumeration such as "opened"/"closed" is template
text, a user name is not), and merges templates that are one event. Refinement is recomputed
from the clusters and the distinct masked messages ("signatures") seen so far, so it can run
again at any time without drifting; it runs by itself as the stream grows.

Ids are integers handed out in order of creation and never reused. One set of defaults serves
every log: there is no per-source configuration.
"""

from __future__ import annotations

import csv
import re
from array import array
from collections.abc import Hashable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

from warehouse.compressed import open_published
from warehouse.logs.headers import SAMPLE_LINES, HeaderStripper
from warehouse.logs.masking import WILDCARD, Masker
from warehouse.logs.refinement import Refinement
from warehouse.logs.template_tokens import collapse, generalise, has_run

SIM_THRESHOLD = 0.5
REST_MATCH = 0.8  # share of the other words that must agree to join across a first word
# a first word wholly in brackets is context (a user, a thread), not the event's name
_BRACKETED = re.compile(r"^(?:\(.+\)|\[.+\]|\{.+\}|<.+>):?$")
# a dotted name of three or more parts (a package, a reverse-DNS service id): an entity's name
_DOTTED_NAME = re.compile(r"^[A-Za-z_][\w\-]*(?:\.[A-Za-z_][\w\-]*){2,}:?$")
# a first word that binds a value to a key (``unit=sshd`` opening an audit record's message):
# the key names the field, the value is a variable
_KEY_VALUE = re.compile(r"^[A-Za-z_][\w.\-]*=[^=\s]+$")
# a first word that is a name glued to a colon (``web.service:``, ``pool_a/node3:``): a label
# naming the subject of what follows, not the event's own text
_LABEL_NAME = re.compile(r"^[^\s:]+:$")
SPLIT_MAX_VALUES = 4
MAX_LEAF_SCAN = 256
HEAD_LINES = 10 * SAMPLE_LINES  # lines read ahead to draw the header sample from
FIRST_REFINE = 64  # lines or signatures; then again each time either number doubles


@dataclass(frozen=True)
class MinedTemplate:
    """The template a message was assigned to."""

    template_id: int
    template: str
    count: int


class _Cluster:
    """A Drain cluster: a template and the signatures that matched it."""

    __slots__ = ("id", "sigs", "tokens")

    def __init__(self, cid: int, tokens: list[str]) -> None:
        self.id = cid
        self.tokens = tokens
        self.sigs: list[int] = []


def _same(template: list[str], tokens: list[str]) -> int:
    """How many of the words after the first agree."""
    return sum(1 for a, b in zip(template[1:], tokens[1:], strict=True) if a == b)


class TemplateMiner(Refinement):
    """Online Drain-like miner: ``add`` one message at a time, get a stable template id back."""

    def __init__(
        self,
        sim_threshold: float = SIM_THRESHOLD,
        split_max_values: int = SPLIT_MAX_VALUES,
        auto_refine: bool = True,
    ) -> None:
        self.sim_threshold = sim_threshold
        self.split_max_values = split_max_values
        self.auto_refine = auto_refine
        self._masker = Masker()
        self._leaves: dict[tuple[int, str], list[_Cluster]] = {}
        self._by_len: dict[int, list[_Cluster]] = {}
        self._clusters: list[_Cluster] = []
        self._next_id = 1
        # one signature per distinct masked message
        self._sig_of: dict[tuple[str, ...], int] = {}
        self._sigs: list[tuple[str, ...]] = []
        self._sig_cluster: list[_Cluster] = []
        self._sig_count: list[int] = []
        # refinement view: template id per signature, and each template's tokens and count
        self._sig_tid: list[int] = []
        self._split_at: dict[int, tuple[int, ...]] = {}
        # a split group's own further split: (cluster id, group key) -> positions
        self._sub_split: dict[tuple[int, tuple[str, ...]], tuple[int, ...]] = {}
        # a split position's words that are instances of a masked value there (see refine)
        self._instances: dict[int, list[dict[str, str]]] = {}
        self._alias: dict[int, int] = {}  # template id merged into another (see _merge_runs)
        self._merge_keys: dict[tuple[str, ...], tuple[str, ...]] = {}  # template -> merge key
        self._group_ids: dict[tuple[int, tuple[int, ...], tuple[str, ...]], int] = {}
        self._tokens: dict[int, list[str]] = {}
        self._count: dict[int, int] = {}
        self._next_refine = FIRST_REFINE
        self._lines = 0
        self._next_refine_lines = FIRST_REFINE

    # -- public -----------------------------------------------------------------------------------
    def add(self, message: str) -> MinedTemplate:
        """Assign ``message`` (header already removed) to a template, creating one if needed."""
        sid = self.add_sig(message)  # may refine, which can merge this message's template
        tid = self._sig_tid[sid]
        return MinedTemplate(tid, " ".join(self._tokens[tid]), self._count[tid])

    def add_sig(self, message: str) -> int:
        """Add ``message`` and return its signature id (one per distinct masked message).

        :meth:`template_of` maps a signature id to its current template id at any later time.
        """
        sid = self._add_tokens(self._masker.mask(message))
        self._lines += 1
        if self.auto_refine and (
            len(self._sigs) >= self._next_refine or self._lines >= self._next_refine_lines
        ):
            self._next_refine = 2 * len(self._sigs)
            self._next_refine_lines = 2 * self._lines
            self.refine()
        return sid

    def template_of(self, sig: int) -> int:
        """Current template id of a signature id from :meth:`add_sig`."""
        return self._sig_tid[sig]

    def template(self, template_id: int) -> str:
        """Current template text of an id."""
        return " ".join(self._tokens[template_id])

    def templates(self) -> list[MinedTemplate]:
        """All live templates, by id."""
        return [
            MinedTemplate(tid, " ".join(self._tokens[tid]), self._count[tid])
            for tid in sorted(self._tokens)
        ]

    # -- Drain internals --------------------------------------------------------------------------
    def _add_tokens(self, tokens: list[str]) -> int:
        if WILDCARD in tokens and has_run(tokens):
            tokens = collapse(tokens)
        key = tuple(tokens)
        sid = self._sig_of.get(key)
        if sid is not None:
            self._sig_count[sid] += 1
            tid = self._sig_tid[sid]
            self._count[tid] += 1
            return sid
        leaf = self._leaves.setdefault((len(tokens), self._route(tokens)), [])
        cluster = self._best(leaf, tokens)
        if cluster is None or (
            _BRACKETED.match(tokens[0]) and _same(cluster.tokens, tokens) < len(tokens) - 1
        ):
            # a bracketed first word is likely a variable: a template elsewhere that agrees on
            # more of the other words is the better home ("(alice) RELOAD (x)" opened this
            # leaf; "(alice) CMD (y)" belongs with "<*> CMD (<*>)")
            other = self._other_first_word(tokens)
            if other is not None and (
                cluster is None or _same(other.tokens, tokens) > _same(cluster.tokens, tokens)
            ):
                cluster = other
                leaf.append(cluster)
        if cluster is None:
            cluster = _Cluster(self._next_id, list(tokens))
            self._next_id += 1
            self._clusters.append(cluster)
            leaf.append(cluster)
            self._by_len.setdefault(len(tokens), []).append(cluster)
        else:
            generalise(cluster.tokens, tokens)
        sid = len(self._sigs)
        self._sig_of[key] = sid
        self._sigs.append(key)
        self._sig_cluster.append(cluster)
        self._sig_count.append(1)
        cluster.sigs.append(sid)
        tid = self._view_id(cluster, key)
        tid = self._alias.get(tid, tid)
        self._sig_tid.append(tid)
        if tid in self._tokens:
            if len(self._tokens[tid]) == len(key):
                generalise(self._tokens[tid], key)
            self._count[tid] += 1
        else:
            self._tokens[tid] = list(key)
            self._count[tid] = 1
        return sid

    def _other_first_word(self, tokens: list[str]) -> _Cluster | None:
        """A template of the same length that differs in the first word only, if there is one.

        Routing by the first word splits an event whose first word is a variable the masker
        cannot see: a user or thread name in brackets, ``(alice)``. When a message whose first
        word is wholly bracketed finds no template in its own leaf, the templates of its length
        are searched for one whose other words agree almost entirely (``REST_MATCH``); it then
        joins that template, and the leaf of its first word points to it too. A bare first
        word stays the event's name ("syslogd started" and "klogd started" are two events), and
        refinement still splits a bracketed one back out when it takes only a few values. A
        first word that is a dotted name of three or more parts (a package or service id), a
        key bound to a value (``unit=sshd``), or a name glued to a colon (``web.service:``,
        ``pool_a/node3:``, a label naming the subject) joins a template whose other words all
        agree; refinement splits a label of a few words back out (``Note:``/``Alarm:``).
        """
        n = len(tokens)
        if n < 3:
            return None
        if _BRACKETED.match(tokens[0]):
            need = REST_MATCH * (n - 1)
        elif (
            _DOTTED_NAME.match(tokens[0])
            or _KEY_VALUE.match(tokens[0])
            or _LABEL_NAME.match(tokens[0])
        ):
            need = n - 1  # a dotted name may also be the event's subject: every other word agrees
        else:
            return None
        pool = self._by_len.get(n)
        if not pool:
            return None
        rest = tokens[1:]
        best = None
        best_same = -1
        for c in pool[-MAX_LEAF_SCAN:]:
            same = 0
            for a, b in zip(c.tokens[1:], rest, strict=True):
                if a == b:
                    same += 1
            if same > best_same:
                best, best_same = c, same
        return best if best_same >= need else None

    @staticmethod
    def _route(tokens: list[str]) -> str:
        """The leaf key of a message: its first word, or the key of a value bound to it
        (``acquire:lock=<*>,`` and ``release:lock=<*>,`` are two events; ``[<*>]`` and
        ``task.name[<*>]`` route as a variable)."""
        if not tokens:
            return ""
        first = tokens[0]
        if WILDCARD not in first:
            return first
        head = first[: first.index(WILDCARD)]
        return head if head[-1:] == "=" and head[:1].isalpha() else WILDCARD

    def _best(self, leaf: list[_Cluster], tokens: list[str]) -> _Cluster | None:
        """Most similar template of the leaf, if similar enough.

        Only the ``MAX_LEAF_SCAN`` most recently matched or created templates are compared, so
        a leaf that fills with unrelated messages (random text) costs bounded time per line; a
        matched template moves to the recent end.
        """
        n = len(tokens)
        if n == 0:
            return leaf[0] if leaf else None
        best = None
        best_sim = -1.0
        window = leaf[-MAX_LEAF_SCAN:] if len(leaf) > MAX_LEAF_SCAN else leaf
        for c in window:
            same = 0
            for a, b in zip(c.tokens, tokens, strict=True):
                if a == b:
                    same += 1
            sim = same / n
            if sim > best_sim:
                best, best_sim = c, sim
        if best is not None and best_sim >= self.sim_threshold:
            if len(leaf) > MAX_LEAF_SCAN and leaf[-1] is not best:
                leaf.remove(best)
                leaf.append(best)
            return best
        return None


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


def mine_lines(
    lines: Iterable[str], miner: TemplateMiner | None = None
) -> Iterator[tuple[int, int, str]]:
    """Yield ``(line_no, template_id, template)`` for raw lines, in order, 1-based.

    The header layout is learned from lines spread over the first ``HEAD_LINES`` (a log that
    opens with a burst of one event still shows its other lines' headers); ids and template
    texts are reported as they stand at the end of the stream (after a last refinement), so
    every line of one group carries the same id and text. Memory: one int per line plus one
    entry per signature.
    ``miner`` (default: one with the shipped defaults) lets an evaluation try other settings.
    """
    it = iter(lines)
    head: list[str] = []
    for line in it:
        head.append(line.rstrip("\r\n"))
        if len(head) >= HEAD_LINES:
            break
    lm = LineMiner(miner)
    step = max(1, len(head) // SAMPLE_LINES)
    lm.learn(head[::step][:SAMPLE_LINES])
    sigs = array("q")
    for line in head:
        sigs.append(lm.add(line))
    for line in it:
        sigs.append(lm.add(line.rstrip("\r\n")))
    miner = lm.miner
    miner.refine()
    texts: dict[int, str] = {}
    for i, sid in enumerate(sigs, start=1):
        tid = miner.template_of(sid)
        text = texts.get(tid)
        if text is None:
            text = texts[tid] = miner.template(tid)
        yield i, tid, text


def read_lines(path: Path) -> Iterator[str]:
    """The lines of a text file as a log system counts them: split on ``\n`` only.

    A trailing ``\r`` is dropped; other control characters stay inside their line, and bytes
    that are not UTF-8 are replaced rather than fatal. A rotated log compressed as ``.gz``,
    ``.bz2``, ``.xz`` or ``.zst`` is read as it lies.
    """
    with open_published(path, "rt", encoding="utf-8", errors="replace", newline="\n") as fh:
        for line in fh:
            yield line.rstrip("\n").rstrip("\r")


def mine_to_csv(path: Path, out: TextIO) -> None:
    """Write ``line,template_id,template`` CSV for every line of the file at ``path``."""
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["line", "template_id", "template"])
    for row in mine_lines(read_lines(path)):
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
