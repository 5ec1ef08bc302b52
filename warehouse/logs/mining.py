"""Online template mining (Drain-class) with header recognition, for ``blueprint logs mine``.

A message is masked (:mod:`warehouse.logs.masking`), a run of variables counts as one, and the
result is routed through a prefix tree keyed by token count and first token, then matched
against the templates in that leaf by positional similarity. A match generalises the template
(differing tokens become ``<*>``); no match starts a new one. On top of these Drain clusters a
refinement view splits a template whose wildcard position only ever holds a few distinct words
(an enumeration such as "opened"/"closed" is template text, a user name is not), and merges
templates that differ only in how many words a variable spans. Refinement is
recomputed from the clusters and the distinct masked messages ("signatures") seen so far, so it
can run again at any time without drifting; it runs by itself as the stream grows.

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

from warehouse.logs.headers import SAMPLE_LINES, HeaderStripper
from warehouse.logs.masking import WILDCARD, Masker
from warehouse.logs.template_tokens import collapse, fold_instances, generalise, has_run, series

SIM_THRESHOLD = 0.5
REST_MATCH = 0.8  # share of the other words that must agree to join across a first word
# a first word wholly in brackets is context (a user, a thread), not the event's name
_BRACKETED = re.compile(r"^(?:\(.+\)|\[.+\]|\{.+\}|<.+>):?$")
# words that name things rather than enumerate states: dotted ids and quoted names; seen once
# each, they are values (a rare event naming three packages)
_NAME_LIKE = re.compile(r'\w\.\w|^"')
# a dotted name of three or more parts (a package, a reverse-DNS service id): an entity's name
_DOTTED_NAME = re.compile(r"^[A-Za-z_][\w\-]*(?:\.[A-Za-z_][\w\-]*){2,}:?$")
# a first word that binds a value to a key (``unit=sshd`` opening an audit record's message):
# the key names the field, the value is a variable
_KEY_VALUE = re.compile(r"^[A-Za-z_][\w.\-]*=[^=\s]+$")
# a first word that is a name glued to a colon (``web.service:``, ``pool_a/node3:``): a label
# naming the subject of what follows, not the event's own text
_LABEL_NAME = re.compile(r"^[^\s:]+:$")
# a name with its value in square brackets (``prog[<*>]``, ``host[<*>]``): the owner of the value
_OWNER = re.compile(r"^[\w.\-]+\[<\*>\][:,;]?$")
SPLIT_MAX_VALUES = 4
_LABEL = WILDCARD + ":"  # a variable naming what follows (``eth0:``, ``CPU12:``)
# a variable with the punctuation it ends on: counts as a bare one when templates are merged
_PUNCTUATED = frozenset((_LABEL, WILDCARD + ",", WILDCARD + ";"))
MAX_LEAF_SCAN = 256
ENUM_MAX_VALUES = 16
_CONSTANT = re.compile(r"^[A-Z][A-Z_]*[A-Z]$")
# a word holding a digit that masking kept as text ("CPU6:", "SOCKS5")
_NUMBERED = re.compile(r"[A-Za-z_]\d|\d[A-Za-z_]")
_NUMBERED_WORD = re.compile(r"[A-Za-z_]*\d\w*")
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


def _numbered(token: str) -> str:
    """``token`` with a numbered name in it as the masker writes a value: ``CPU6:`` -> ``<*>:``."""
    if WILDCARD in token or not _NUMBERED.search(token):
        return token
    out = _NUMBERED_WORD.sub(WILDCARD, token)
    return WILDCARD if out.rstrip(":,;") == WILDCARD else out


def _same(template: list[str], tokens: list[str]) -> int:
    """How many of the words after the first agree."""
    return sum(1 for a, b in zip(template[1:], tokens[1:], strict=True) if a == b)


class TemplateMiner:
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

    def refine(self) -> None:
        """Recompute the refinement view over all clusters.

        A wildcard position whose words take between 2 and ``split_max_values`` distinct values
        (none a value masked whole, and not merely "(<*>)" vs "()") is an enumeration of
        template text, so the cluster is split by those words; so is one of up to
        ``ENUM_MAX_VALUES`` UPPER_CASE words (states, event types). More distinct words stay a
        variable (user names, hosts). A group keeps its id across refinements while its split
        stays the same; the largest group of a cluster carries the cluster's own id.

        A cluster that held several events of one length (split apart here) is split once more
        within each group: an event's own enumeration ("staged"/"installed") is a wildcard of
        the cluster that the other events filled with values.
        """
        self._tokens = {}
        self._count = {}
        self._sub_split = {}
        sigs = self._sigs
        members: dict[int, list[int]] = {}
        for cluster in self._clusters:
            split_at = self._positions(cluster.tokens, cluster.sigs)
            if split_at:
                self._split_at[cluster.id] = split_at
            else:
                self._split_at.pop(cluster.id, None)
            groups: dict[tuple[str, ...], list[int]] = {}
            for s in cluster.sigs:
                groups.setdefault(tuple(sigs[s][p] for p in split_at), []).append(s)
            if len(groups) > 1:
                for key, sids in list(groups.items()):
                    tokens = list(sigs[sids[0]])
                    for s in sids:
                        generalise(tokens, sigs[s])
                    sub = self._positions(tokens, sids)
                    if sub:
                        self._sub_split[(cluster.id, key)] = sub
                        del groups[key]
                        for s in sids:
                            groups.setdefault(key + tuple(sigs[s][p] for p in sub), []).append(s)
            counts = self._sig_count
            ordered = sorted(
                groups.items(), key=lambda kv: (-sum(counts[s] for s in kv[1]), kv[1][0])
            )
            for key, sids in ordered:
                sub = self._sub_split.get((cluster.id, key[: len(split_at)]), ())
                tid = self._group_id(cluster.id, split_at + sub, key)
                tokens = list(sigs[sids[0]])
                for s in sids:
                    generalise(tokens, sigs[s])
                    self._sig_tid[s] = tid
                self._tokens[tid] = tokens
                self._count[tid] = sum(counts[s] for s in sids)
                members[tid] = sids
        self._merge_runs(self._merge_instances(members))

    def _merge_instances(self, members: dict[int, list[int]]) -> dict[int, int]:
        """Fold each template that is one instance of another into it; returns the aliases.

        Drain's order of arrival can pair an event's commonest name with an enumeration:
        ``Jail 'main' started`` and ``Jail 'main' stopped`` open one cluster (split again by
        refinement), and the event's other names then open clusters of their own, ``Jail <*>
        started``. A template whose words differ from another's (of its length and first word)
        only where that one holds a variable over plain words, an open set of names, is one
        of its lines. A variable over masked values (numbers) does not take a word: ``sent
        <*> bytes`` and ``sent no bytes`` stay two.
        """
        sigs = self._sigs
        general: dict[tuple[int, str], list[tuple[int, frozenset[int]]]] = {}
        for tid, tokens in self._tokens.items():
            if WILDCARD not in tokens[1:]:
                continue
            named = frozenset(
                p
                for p in range(1, len(tokens))
                if tokens[p] == WILDCARD and all(WILDCARD not in sigs[s][p] for s in members[tid])
            )
            if named:
                general.setdefault((len(tokens), tokens[0]), []).append((tid, named))
        alias: dict[int, int] = {}
        for tid, tokens in self._tokens.items():
            for other, named in general.get((len(tokens), tokens[0]) if tokens else (0, ""), ()):
                wider = self._tokens[other]
                if wider != tokens and all(
                    a == b or (p in named and WILDCARD not in a)
                    for p, (a, b) in enumerate(zip(tokens, wider, strict=True))
                ):
                    alias[tid] = other
                    break
        for tid, other in alias.items():
            while other in alias:
                other = alias[other]
            alias[tid] = other
            self._count[other] += self._count.pop(tid)
            del self._tokens[tid]
        return alias

    def _merge_runs(self, alias: dict[int, int]) -> None:
        """Merge templates that differ only in how many words a variable spans.

        ``device <*> connected`` and ``device <*> <*> connected`` are one event naming a device
        of one word or of two: templates equal once each run of ``<*>`` is one ``<*>`` become
        the largest of them, with the shorter text. A numbered name the masker kept as text
        (``CPU6:``, an upper-case word and one digit, as protocol names are written) counts as
        a variable here, so ``CPU6: ...`` joins ``CPU15: ...`` (``<*>: ...``). A variable's
        colon does not count (``<*>:`` is ``<*>``): a template generalised from ``CPU6:`` and
        ``CPU15:`` holds a bare ``<*>`` where one of only ``CPU15:``-like names holds ``<*>:``.
        Nor does its comma: a list item that is a name without digits (``node-a,``) among
        numbered ones (``node-7,``, masked with the value before it) generalises to a bare
        ``<*>``, so ``(<*>, <*> executor`` is ``(<*>, executor``.
        """
        self._alias = alias
        by_key: dict[tuple[str, ...], list[int]] = {}
        keys = self._merge_keys
        if len(keys) > 4 * len(self._tokens) + 1024:
            keys.clear()
        for tid, tokens in self._tokens.items():
            text = tuple(tokens)
            key = keys.get(text)
            if key is None:
                if _NUMBERED.search(" ".join(tokens)):
                    tokens = [_numbered(t) for t in tokens]
                key = keys[text] = (
                    tuple(WILDCARD if t in _PUNCTUATED else t for t in collapse(tokens))
                    if WILDCARD in tokens or not _PUNCTUATED.isdisjoint(tokens)
                    else ()
                )
            if key:
                by_key.setdefault(key, []).append(tid)
        for key, tids in by_key.items():
            if len(tids) < 2:
                continue
            keep = max(tids, key=lambda t: (self._count[t], -t))
            for t in tids:
                if t != keep:
                    self._alias[t] = keep
                    self._count[keep] += self._count.pop(t)
                    del self._tokens[t]
            self._tokens[keep] = list(key)
        if self._alias:
            alias = self._alias
            for t, keep in alias.items():
                while keep in alias:  # an instance's template merged here in turn
                    keep = alias[keep]
                alias[t] = keep
            self._sig_tid[:] = [alias.get(t, t) for t in self._sig_tid]

    # -- refinement internals ---------------------------------------------------------------------
    def _positions(self, template: list[str], members: list[int]) -> tuple[int, ...]:
        """The wildcard positions of ``template`` that enumerate event text over the
        signatures ``members`` (see :meth:`refine`)."""
        if len(members) < 2:
            return ()
        sigs = self._sigs
        lines = sum(self._sig_count[s] for s in members)
        out = []
        for p, tok in enumerate(template):
            if tok != WILDCARD:
                continue
            values = {sigs[s][p] for s in members}
            if len(values) < 2 or WILDCARD in values:
                continue
            values = fold_instances(values)
            if len(values) < 2 or (lines <= len(values) and all(map(_NAME_LIKE.search, values))):
                continue
            if series(values) or self._named(values) or all(map(_OWNER.match, values)):
                continue
            # UPPER_CASE words are symbolic constants (states, event types): an enumeration
            # even when it has more members
            if len(values) > self.split_max_values and (
                len(values) > ENUM_MAX_VALUES or not all(map(_CONSTANT.match, values))
            ):
                continue
            if len({v.replace(WILDCARD, "") for v in values}) > 1:
                out.append(p)
        return tuple(out)

    def _named(self, values: set[str]) -> bool:
        """Whether most of the words are account names the log itself wrote as a name key's
        value elsewhere (``user=root``): a variable, however few names it takes here."""
        names = self._masker.names
        return bool(names) and 2 * sum(v.rstrip(",;:)]}'\".") in names for v in values) > len(
            values
        )

    def _group_id(self, cid: int, split_at: tuple[int, ...], key: tuple[str, ...]) -> int:
        gkey = (cid, split_at, key)
        tid = self._group_ids.get(gkey)
        if tid is None:
            if cid not in self._tokens:
                tid = cid  # the largest group (first in order) keeps the cluster's id
            else:
                tid = self._next_id
                self._next_id += 1
            self._group_ids[gkey] = tid
        elif tid in self._tokens:  # taken already in this pass (split changed shape)
            tid = self._next_id
            self._next_id += 1
            self._group_ids[gkey] = tid
        return tid

    def _view_id(self, cluster: _Cluster, sig: tuple[str, ...]) -> int:
        split_at = self._split_at.get(cluster.id)
        if not split_at:
            return cluster.id
        key = tuple(sig[p] for p in split_at)
        sub = self._sub_split.get((cluster.id, key))
        if sub:
            split_at += sub
            key += tuple(sig[p] for p in sub)
        return self._group_ids.get((cluster.id, split_at, key), cluster.id)

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
    that are not UTF-8 are replaced rather than fatal.
    """
    with Path(path).open(encoding="utf-8", errors="replace", newline="\n") as fh:
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
