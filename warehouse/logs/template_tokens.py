"""Token-level operations on templates and masked messages, shared by mining and refinement.

A template is a list of tokens in which ``<*>`` stands for a variable. These functions decide
when two such lists are the same event: a run of variables is one variable, a word that fits a
masked value's shape is that value, and differing tokens generalise to ``<*>``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from warehouse.logs.masking import WILDCARD

_RUN = re.compile(r"<\*>[,;]?\0<\*>")
# a key whose whole value is masked: ``ws=<*>,``
_WHOLE_KEYED = re.compile(r"^[A-Za-z_][\w.\-]*=<\*>[,;)\]}]?$")
_LISTED = frozenset((WILDCARD, WILDCARD + ",", WILDCARD + ";"))


def has_run(tokens: list[str]) -> bool:
    """Whether ``tokens`` hold two variables in a row (what :func:`collapse` merges)."""
    return _RUN.search("\0".join(tokens)) is not None


def collapse(tokens: list[str]) -> list[str]:
    """One variable for a run of them: a list of values of any length is one variable.

    The run may be separated by spaces, by ``,``/``;`` (``1, 2, 3``) or by arrows (a chain
    ``a -> b -> c`` of hops); it keeps the last token's punctuation.
    """
    out: list[str] = []
    for tok in tokens:
        if tok in _LISTED and out and out[-1] in _LISTED:
            out[-1] = tok
            continue
        if tok in _LISTED and len(out) > 1 and out[-1] == "->" and out[-2] in _LISTED:
            out.pop()
            out[-1] = tok
            continue
        out.append(tok)
    return out


def _shape(masked: str) -> re.Pattern[str]:
    return re.compile(".+".join(map(re.escape, masked.split(WILDCARD))))


def _partly(value: str, shapes: list[tuple[re.Pattern[str], str]]) -> str | None:
    """The masked value among ``shapes`` that ``value``, masked in part, is an instance of:
    ``{[<*>][WlIUzDqB],`` of ``{[<*>][<*>],`` (an id the masker could not see beside one it
    could); the wider one holds more variables, so no two are instances of each other."""
    n = value.count(WILDCARD)
    for shape, m in shapes:
        if m.count(WILDCARD) > n and shape.fullmatch(value):
            return m
    return None


def fold_instances(values: set[str]) -> set[str]:
    """Values of one position, each word that fits a masked one's shape folded into it.

    ``AppWindowToken{<*>`` and ``AppWindowToken{dfcfcdd`` are one slot: a value the masker
    could not see (a hex id without digits) is not an enumeration member; nor is a value
    masked in part where the same slot is masked further (:func:`_partly`). ``(uid=<*>)`` and
    ``LOGIN(uid=<*>)`` stay two. A key whose whole value was masked in one line
    (``ws=<*>,``) takes every value of that key: ``ws=Source{<*>},`` folds into it.
    """
    masked = [v for v in values if WILDCARD in v]
    if not masked or len(masked) == len(values) == 1:
        return values
    whole = [v for v in masked if _WHOLE_KEYED.match(v)]
    shapes = [_shape(v) for v in masked]
    wholes = [_shape(v) for v in whole]
    partial = [(s, v) for s, v in zip(shapes, masked, strict=True) if v != WILDCARD]
    out = {
        v
        for v in masked
        if (v in whole or not any(s.fullmatch(v) for s in wholes)) and not _partly(v, partial)
    }
    for v in values:
        if WILDCARD not in v and not any(s.fullmatch(v) for s in shapes):
            out.add(v)
    return out


def instances(values: set[str]) -> dict[str, str]:
    """Each word of one position that fits a masked value's shape there, mapped to that value.

    ``SELECT(id)`` is an instance of ``SELECT(<*>)``: a list of one item where other lines
    listed several (masked whole), the same slot (as :func:`fold_instances` reads it), so the
    lines group with the masked value's, not by the word; so is a value masked in part where
    the slot is masked further. A bare ``<*>`` takes no word: at a position where a word and a
    value trade places, the word is the event's text.
    """
    masked = [v for v in values if WILDCARD in v and v != WILDCARD]
    if not masked or len(values) < 2:
        return {}
    shapes = [(_shape(v), v) for v in masked]
    out: dict[str, str] = {}
    for v in values:
        if WILDCARD not in v:
            for shape, m in shapes:
                if shape.fullmatch(v):
                    out[v] = m
                    break
        elif v != WILDCARD:
            wider = _partly(v, shapes)
            if wider is not None:
                out[v] = wider
    return out


def generalise(tokens: list[str], other: Sequence[str]) -> None:
    """Turn each token of ``tokens`` that differs from ``other``'s into ``<*>`` (in place)."""
    for i, tok in enumerate(other):
        if tokens[i] != tok:
            tokens[i] = WILDCARD


def series(values: set[str]) -> bool:
    """Whether the words are members of a named series (``sda``, ``sdb``, ``sdc``).

    Words of one length (three or more letters) that differ only in their last letter name
    devices or volumes; states and verbs ("opened"/"closed", "GET"/"PUT") differ earlier.
    """
    first = next(iter(values))
    n = len(first)
    if n < 3 or not first.isalpha():
        return False
    stem = first[:-1]
    return all(len(v) == n and v.startswith(stem) and v[-1].isalpha() for v in values)
