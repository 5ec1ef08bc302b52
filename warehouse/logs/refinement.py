"""The refinement view of template mining: Drain's clusters split by enumerations and merged
where they are one event.

Drain's similarity joins messages of one length that share most words, so an enumeration
("opened"/"closed") ends up as a wildcard and one event can open several clusters. This view
is recomputed from the clusters and the distinct masked messages seen so far (see
:meth:`Refinement.refine`); :class:`warehouse.logs.mining.TemplateMiner` holds the state it reads.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

from warehouse.logs.masking import WILDCARD, Masker
from warehouse.logs.template_tokens import (
    collapse,
    fold_instances,
    generalise,
    instances,
    series,
)

if TYPE_CHECKING:
    from warehouse.logs.mining import _Cluster

# words that name things rather than enumerate states: dotted ids and quoted names; seen once
# each, they are values (a rare event naming three packages)
_NAME_LIKE = re.compile(r'\w\.\w|^"')
# a name with its value in square brackets (``prog[<*>]``, ``host[<*>]``): the owner of the value
_OWNER = re.compile(r"^[\w.\-]+\[<\*>\][:,;]?$")
_LABEL = WILDCARD + ":"  # a variable naming what follows (``eth0:``, ``CPU12:``)
# a variable with the punctuation it ends on: counts as a bare one when templates are merged
_PUNCTUATED = frozenset((_LABEL, WILDCARD + ",", WILDCARD + ";"))
ENUM_MAX_VALUES = 16
_CONSTANT = re.compile(r"^[A-Z][A-Z_]*[A-Z]$")
# one value, whole, in quotes or brackets: ``'<*>'``, ``(<*>)`` (a key printed as a string or
# as a tuple)
_WRAPPED = re.compile(r"[\"'(\[{]<\*>[\"')\]}]")
# a quoted character or two of punctuation (``unexpected token '}'``): data, not event text
_QUOTED_SYMBOL = re.compile(r"([\"'`])[^\w\s]{1,3}\1[:,;.]?")
# a word holding a digit that masking kept as text ("CPU6:", "SOCKS5")
_NUMBERED = re.compile(r"[A-Za-z_]\d|\d[A-Za-z_]")
_NUMBERED_WORD = re.compile(r"[A-Za-z_]*\d\w*")
# a protocol named with its version after a "v" ("IPv4", "IPv6"): not one of a numbered series
_VERSIONED = re.compile(r"^[A-Z]{2,}v\d[:,;]?$")


def _numbered(token: str) -> str:
    """``token`` with a numbered name in it as the masker writes a value: ``CPU6:`` -> ``<*>:``;
    a versioned protocol's name stays text (``IPv4`` and ``IPv6`` name two events)."""
    if WILDCARD in token or not _NUMBERED.search(token) or _VERSIONED.match(token):
        return token
    out = _NUMBERED_WORD.sub(WILDCARD, token)
    return WILDCARD if out.rstrip(":,;") == WILDCARD else out


def _group_key(
    sig: tuple[str, ...], split_at: tuple[int, ...], folds: list[dict[str, str]] | None
) -> tuple[str, ...]:
    """A signature's words at the split positions, each instance of a masked value as that
    value (``folds``, one map per position; none: the words as they are)."""
    if not folds:
        return tuple(sig[p] for p in split_at)
    return tuple(f.get(sig[p], sig[p]) for f, p in zip(folds, split_at, strict=True))


class Refinement:
    """Refinement over a miner's clusters and signatures (mixed into ``TemplateMiner``)."""

    split_max_values: int
    _masker: Masker
    _clusters: list[_Cluster]
    _sigs: list[tuple[str, ...]]
    _sig_count: list[int]
    _sig_tid: list[int]
    _split_at: dict[int, tuple[int, ...]]
    _sub_split: dict[tuple[int, tuple[str, ...]], tuple[int, ...]]
    _instances: dict[int, list[dict[str, str]]]
    _alias: dict[int, int]
    _merge_keys: dict[tuple[str, ...], tuple[str, ...]]
    _group_ids: dict[tuple[int, tuple[int, ...], tuple[str, ...]], int]
    _tokens: dict[int, list[str]]
    _count: dict[int, int]

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
        self._instances = {}
        sigs = self._sigs
        members: dict[int, list[int]] = {}
        for cluster in self._clusters:
            split_at = self._positions(cluster.tokens, cluster.sigs)
            if split_at:
                self._split_at[cluster.id] = split_at
            else:
                self._split_at.pop(cluster.id, None)
            groups: dict[tuple[str, ...], list[int]] = {}
            # a word that is an instance of a masked value there groups with that value
            folds = [instances({sigs[s][p] for s in cluster.sigs}) for p in split_at]
            if not any(folds):
                folds = []
            if folds:
                self._instances[cluster.id] = folds
            for s in cluster.sigs:
                groups.setdefault(_group_key(sigs[s], split_at, folds), []).append(s)
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
                if folds:
                    for p, word in zip(split_at, key, strict=False):
                        tokens[p] = word  # the group's masked value, its instances folded in
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
            if all(map(_WRAPPED.fullmatch, values)):
                continue  # one value quoted in some lines, in brackets in others: one slot
            if all(map(_QUOTED_SYMBOL.fullmatch, values)):
                continue
            # UPPER_CASE words are symbolic constants (states, event types): an enumeration
            # even when it has more members
            if len(values) > self.split_max_values and (
                len(values) > ENUM_MAX_VALUES or not all(map(_CONSTANT.match, values))
            ):
                continue
            if len({v.replace(WILDCARD, "") for v in values}) > 1:
                out.append(p)
        return tuple(out) or self._swapped(template, members)

    def _swapped(self, template: list[str], members: list[int]) -> tuple[int, ...]:
        """Two neighbouring wildcards where every message holds a value at one and a word at
        the other, one word at each: the word and the value trade places, so the two shapes
        are two events' texts (``Analyzed target <*> (`` and ``Analyzed <*> targets (``)."""
        sigs = self._sigs
        for p in range(len(template) - 1):
            if template[p] != WILDCARD or template[p + 1] != WILDCARD:
                continue
            pairs = {(sigs[s][p], sigs[s][p + 1]) for s in members}
            if (
                len(pairs) == 2
                and {a == WILDCARD for a, _ in pairs} == {True, False}
                and all((a == WILDCARD) != (b == WILDCARD) for a, b in pairs)
            ):
                return (p, p + 1)
        return ()

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
        key = _group_key(sig, split_at, self._instances.get(cluster.id))
        sub = self._sub_split.get((cluster.id, key))
        if sub:
            split_at += sub
            key += tuple(sig[p] for p in sub)
        return self._group_ids.get((cluster.id, split_at, key), cluster.id)
