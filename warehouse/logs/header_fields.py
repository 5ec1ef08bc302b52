"""Headers of fields fused by a separator (``|``, tab, ``;``, ``,`` or ``:``), learned from
sample lines: ``20240301-10:00:00:123|Step_LSC|30002312|message``, quoted or not, with columns
of repeating names of a few words (``Service Control Manager``). Mixed into
:class:`warehouse.logs.header_learning.HeaderLayoutLearner`, which tries this layout first."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from warehouse.logs.header_tokens import LVL, TS

_FIELD_SEPS = ("|", "\t", ";", ",", ":")
MAX_FIELDS = 8
MAX_NAME_WORDS = 4  # words of a source's name in a fused field ("Service Control Manager")
NAME_COLUMN_SHARE = 0.125  # at most this many distinct values per line in a column of names
FIELD_AGREEMENT = 0.8  # share of sample lines that must agree on a fused-field header
WORD_COLUMN_LINES = 20  # sample lines needed to judge a column


def unquote(field: str) -> str:
    """A fused field without the double quotes a spreadsheet export wraps every field in
    (``"Information"``), its doubled inner quotes made single."""
    if len(field) >= 2 and field[0] == '"' and field[-1] == '"':
        return field[1:-1].replace('""', '"')
    return field


class FusedFields:
    """Learning and reading a header of fused fields (mixed into ``HeaderLayoutLearner``)."""

    _cls: Callable[[str], str]  # the learner's cached token classifier

    def header_field(self, field: str) -> bool:
        """Whether one fused field can be header: one word (padding aside), or a date and time
        (``2024-03-01 10:00:00.123``) whose words are all timestamp parts."""
        if not any(c.isspace() for c in field):
            return True
        words = field.split()
        return len(words) == 1 or (bool(words) and all(self._cls(w) == TS for w in words))

    def _learn_fields(self, samples: list[str]) -> tuple[str, int, int, int]:
        """Separator, count of header fields fused without spaces (``("", 0, 0, 0)`` if
        none), the bit mask of the columns of names among them, and whether they are counted
        from each line's clock field.

        Learned from the sample, not from a known format: for each candidate separator, a
        line's header is its leading fields that hold no whitespace, up to the first field
        that does (the message). A field of a few words is header too in a column of names:
        one whose values repeat, few and distinct (a source such as ``Service Control
        Manager``), never a message, whose words vary. The layout is taken when most lines
        agree on that count (a line whose message holds no space agrees with any count below
        its fields) and most lines open with a value (a field holding a digit: a clock, a
        date, an id) or a level word (``WARN;2024-03-01T10:00:00;Http;...``). A comma joins
        at least two header fields: one comma after a clock is its milliseconds. So does a
        colon, behind a level only (``ERROR:app.db:message``): a clock is written with colons.

        When they do not, because an extra leading field opens some lines only (a relay's
        name), the fields are counted from each line's clock field instead (``rel``).
        """
        best = ("", 0, 0, 0, 0)
        n = len(samples)
        for sep in _FIELD_SEPS:
            split = [line.split(sep, MAX_FIELDS) for line in samples]
            if sum(len(p) > 1 for p in split) < FIELD_AGREEMENT * n:
                continue  # most lines hold no such separator
            if sep == ":" and sum(self._cls(p[0]) == LVL for p in split) < FIELD_AGREEMENT * n:
                continue  # colons join fields behind a level only
            split = [list(map(unquote, p)) for p in split]
            k, count, names = self._fields_agreement(split, n, sep)
            if count < FIELD_AGREEMENT * n and any(self.clock_field(p) == 1 for p in split):
                shifted = [p[t:] for p in split if (t := self.clock_field(p)) >= 0]
                k, count, names = self._fields_agreement(shifted, n, sep)
                if count >= FIELD_AGREEMENT * n and count > best[2]:
                    best = (sep, k, count, names, 1)
            elif count >= FIELD_AGREEMENT * n and count > best[2]:
                best = (sep, k, count, names, 0)
        return best[0], best[1], best[3], best[4]

    def clock_field(self, parts: list[str]) -> int:
        """Index of the first of the two leading fused fields that is a clock (all its words
        timestamp parts), or -1."""
        for i, f in enumerate(parts[:2]):
            words = f.split()
            if words and all(self._cls(w) == TS for w in words):
                return i
        return -1

    def _fields_agreement(self, split: list[list[str]], n: int, sep: str) -> tuple[int, int, int]:
        """Header fields most lines agree on, how many lines agree, and the mask of the
        columns of names among them (``(0, 0, 0)`` when lines do not open with values)."""
        names = self._name_columns(split)
        fields: Counter[int] = Counter()
        # lines whose message holds no space either ("a|b|c|key=1##2"): they agree with any
        # header of fewer fields than they have
        unspaced: Counter[int] = Counter()
        valued = 0
        for parts in split:
            if len(parts) < 2:
                continue
            level = self._cls(parts[0]) == LVL
            valued += level if sep == ":" else level or any(ch.isdigit() for ch in parts[0])
            k = next((i for i, f in enumerate(parts) if not self.fused_header(f, i, names)), -1)
            if k > 0:
                fields[k] += 1
            elif k < 0:
                unspaced[len(parts) - 1] += 1
        if not fields or valued < FIELD_AGREEMENT * n:
            return 0, 0, 0
        k, count = fields.most_common(1)[0]
        count += sum(c for m, c in unspaced.items() if m >= k)
        if sep in ",:" and k < 2:
            return 0, 0, 0
        return k, count, names & ((1 << k) - 1)

    def fused_header(self, field: str, i: int, names: int) -> bool:
        """Whether fused field ``i`` can be header, given the mask of the columns of names."""
        return self.header_field(field) or (
            names >> i & 1 == 1
            and field == field.strip()
            and len(field.split()) <= MAX_NAME_WORDS
            and not any(ch.isdigit() for ch in field)
        )

    @staticmethod
    def _name_columns(split: list[list[str]]) -> int:
        """Bit mask of the columns (before the last field of each line) whose values are names
        of a few words: no padding, no digit, few distinct values that repeat."""
        mask = 0
        for i in range(1, MAX_FIELDS):
            values = [p[i] for p in split if len(p) > i + 1]
            if len(values) < WORD_COLUMN_LINES or len(values) < 0.5 * len(split):
                break
            named = [
                v
                for v in values
                if v == v.strip()
                and len(v.split()) <= MAX_NAME_WORDS
                and not any(ch.isdigit() for ch in v)
            ]
            distinct = len(set(named))
            if len(named) >= FIELD_AGREEMENT * len(values) and distinct <= max(
                2, NAME_COLUMN_SHARE * len(values)
            ):
                mask |= 1 << i
        return mask
