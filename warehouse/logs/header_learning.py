"""Learning a stream's header layout from sample lines, with no format configured: a level
word at one token position (or, when an extra leading column on some lines moves it, at one
position after each line's clock run) and the header tokens after it, a syslog-style run of
timestamp, host and ``program[pid]:`` tokens, fields fused by a separator
(:mod:`warehouse.logs.header_fields`), a fixed-width padded header, or leading value columns
(behind an alert tag column or not). :class:`warehouse.logs.headers.HeaderStripper` cuts lines
by it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

from warehouse.logs.header_fields import WORD_COLUMN_LINES, FusedFields
from warehouse.logs.header_tokens import (
    ADDR,
    BRK,
    COMP,
    DIGITS_TO_ZERO,
    LOGGER,
    LVL,
    MAX_HEADER_TOKENS,
    NUM,
    PRI,
    SEP,
    TOKEN,
    TS,
    classify,
    hex_width,
    is_value,
    padded_brackets,
    unglue_brackets,
)

MAX_VALUE_COLUMNS = 8
MAX_ALIGN = 100  # characters: a fixed-width header ends within this many
ALIGN_SHARE = 0.9  # share of lines starting a token at the column
ALIGN_PADDED_SHARE = 0.5  # share of lines reaching it through two or more spaces
MAX_WORD_COLUMNS = 3  # word columns allowed between two value columns of a header
# a column with a digit in at least this share of lines, but not nearly all (node names that
# are mostly numbered), is neither a value column nor a word column: it only bridges
MIXED_COLUMN_SHARE = 0.5
PADDED_BRACKETS_SHARE = 0.2  # share of lines opening on padded glued brackets to split them
LEVEL_SHARE = 0.8  # share of sample lines with a level word at one position to be a column
VALUE_COLUMN_SHARE = 0.95  # share of lines with a digit for a column to count as a value column
MAX_HEADER_WORDS = 2  # word columns (hosts) after the leading timestamp or value columns
WORD_COLUMN_PREDICTED = 0.6  # share of lines whose word the next token predicts: message
WORD_COLUMN_GAIN = 0.5  # share of the other lines the next token gets right, over the commonest


_HEX_LETTERS = frozenset("abcdefABCDEF")


def _quoted(column: list[tuple[str, object]], lines: int = 0) -> bool:
    """Whether most of ``lines`` (default: the column's own) open a quoted field at the
    column: a message opening on quoted text, not a header field."""
    opened = sum(1 for token, _ in column if token[:1] in "\"'")
    return opened * 2 > (lines or len(column))


def _next_predicts(rows: list[tuple[str, str]]) -> bool:
    """Whether the next token predicts a column's word in ``(word, next)`` rows: a message's
    first word goes with the words after it, a header field's word does not (every source logs
    every event). A column of one word is never predicted.

    What counts is what the next token adds over always guessing the column's commonest value:
    a header word beside another header column (a stream name before a flag) is as often the
    commonest whatever follows it.
    """
    by_next: dict[str, Counter[str]] = {}
    for v, nxt in rows:
        by_next.setdefault(nxt, Counter())[v] += 1
    predicted = sum(c.most_common(1)[0][1] for c in by_next.values())
    usual = Counter(v for v, _ in rows).most_common(1)[0][1]
    if usual == len(rows):
        return False
    gain = (predicted - usual) / (len(rows) - usual)
    return predicted >= WORD_COLUMN_PREDICTED * len(rows) and gain >= WORD_COLUMN_GAIN


class HeaderLayoutLearner(FusedFields):
    """The learned layout (``layout``), and the token classing and cutting it is learned with."""

    def __init__(self) -> None:
        self._classes: dict[str, str] = {}
        self._sep = ""
        self.layout: dict[str, int] | None = None

    # -- tokens -----------------------------------------------------------------------------------
    def _cls(self, token: str) -> str:
        # classes depend on the digits' positions, not their values: cache by shape (and by
        # the token itself, for the words that repeat: levels, components)
        c = self._classes.get(token)
        if c is not None:
            return c
        shape = token.translate(DIGITS_TO_ZERO)
        c = self._classes.get(shape)
        if c is None:
            c = classify(shape)
            if len(self._classes) > 100_000:
                self._classes.clear()
            self._classes[shape] = c
        return c

    def _tokens(self, line: str, limit: int) -> list[tuple[str, int]]:
        """First ``limit`` tokens of ``line`` (bracket groups kept whole), with end offsets."""
        out = []
        pos = 0
        match = TOKEN.match
        for _ in range(limit):
            m = match(line, pos)
            if m is None:
                break
            out.append((m.group(1), m.end()))
            pos = m.end()
        return out

    # -- learning ---------------------------------------------------------------------------------
    def _learn(self, lines: Iterable[str]) -> dict[str, int]:
        lvl_pos: Counter[int] = Counter()
        lvl_rel: Counter[int] = Counter()  # the level's position after the line's own clock run
        ts_end: Counter[int] = Counter()
        samples = [line for line in lines if line.strip()]
        # glued bracket fields padded inside, on a share of the lines: every line's run is split
        unglue = sum(map(padded_brackets, samples)) >= PADDED_BRACKETS_SHARE * len(samples) > 0
        if unglue:
            samples = list(map(unglue_brackets, samples))
        toks = [self._tokens(PRI.sub("", line), MAX_HEADER_TOKENS) for line in samples]
        for t in toks:
            classes = [self._cls(tok) for tok, _ in t]
            own = self._ts_end(classes)
            seen_ts = False
            for i, c in enumerate(classes[:12]):
                if c == LVL:
                    # a level opens the line or follows a timestamp; elsewhere it is a word
                    if i == 0 or seen_ts:
                        lvl_pos[i] += 1
                        if own and i >= own:
                            lvl_rel[i - own] += 1
                    break
                if c == COMP:  # a "program:" token ends the header
                    break
                seen_ts = seen_ts or c == TS
            ts_end[own] += 1
        n = max(len(samples), 1)
        layout: dict[str, int] = {"lvl_pos": -1, "after": 0, "ts_end": 0, "host": 0, "comp": 0}
        if unglue:
            layout["unglue"] = 1
        sep, fields, names, rel = self._learn_fields(samples)
        if fields:
            layout["fields"] = fields
            if rel:
                layout["fields_rel"] = 1
            if names:
                layout["names"] = names
            self._sep = sep
            self.layout = layout
            return layout
        if lvl_pos:
            pos, count = lvl_pos.most_common(1)[0]
            rel = 0
            if count < LEVEL_SHARE * n and lvl_rel:
                # an extra leading column on some lines only (a sequence number, a relay's
                # name) moves the level by one token: it still follows the line's clock run
                pos, count = lvl_rel.most_common(1)[0]
                rel = 1
            # a level column holds a level in (nearly) every line; a level word in half the
            # lines is a message word ("error : ..." events of a log without levels)
            if count >= LEVEL_SHARE * n:
                layout["lvl_pos"] = pos
                if rel:
                    layout["lvl_rel"] = 1
                after: Counter[int] = Counter()
                for t in toks:
                    at = self.level_at(t, pos, rel)
                    if at >= 0:
                        after[self._after_level(t, at + 1, MAX_HEADER_TOKENS)] += 1
                if after:
                    # the longest run of header-like tokens after the level that most lines
                    # have: a line with more (a bracketed context opening its message) has
                    # these too
                    total, at_least, k = sum(after.values()), 0, 0
                    for size in sorted(after, reverse=True):
                        at_least += after[size]
                        if at_least >= 0.6 * total:
                            k = size
                            break
                    layout["after"] = k
                    layout["after_names"] = self._after_names(toks, pos, rel, k)
                self._learn_align(samples, layout)
                self.layout = layout
                return layout
        end, count = ts_end.most_common(1)[0] if ts_end else (0, 0)
        if end and count >= 0.5 * n:
            layout["ts_end"] = end
            # syslog style: host tokens then "program[pid]:" (or "program -"); a level word
            # with a colon ("FATAL:") ends such a header as a "LOG:" does
            comp_at: Counter[tuple[int, str]] = Counter()
            for t in toks:
                for j in range(end, min(end + 3, len(t))):
                    c = self.term_class(t[j][0])
                    if c in (COMP, SEP):
                        comp_at[(j - end, c)] += 1
                        break
            if comp_at:
                (j, c), jc = comp_at.most_common(1)[0]
                if jc >= 0.5 * n and not (j and self._host_is_message(toks, end + j, c)):
                    layout["host"] = j
                    layout["comp"] = 1 if c == COMP else 2
        self._learn_align(samples, layout)
        if not layout["comp"]:
            values = self._learn_value_columns(toks)
            if values > layout["ts_end"]:
                layout["values"] = values
                width = self._hex_column(toks, values - 1)
                if width:
                    layout["hex"] = width
            start = max(values, layout["ts_end"])
            if start:
                layout["words"] = self._learn_word_columns(toks, start)
        self.layout = layout
        return layout

    def _host_is_message(self, toks: list[list[tuple[str, int]]], at: int, term: str) -> bool:
        """Whether the words before a ``name:`` closing the header at token ``at`` open the
        message rather than fill a host column: each word goes with one ``name:`` and each
        ``name:`` with one word (``Doing step:``, ``STATE CHANGE:``), where a host is
        written before several programs and a program on several hosts. A column of one-letter
        words is a level (logcat's ``I Tag:``), however its tags pair with it."""
        rows = [
            (t[at - 1][0], t[at][0].translate(DIGITS_TO_ZERO))
            for t in toks
            if len(t) > at and self.term_class(t[at][0]) == term
        ]
        return (
            len(rows) >= WORD_COLUMN_LINES
            and any(len(word) > 1 for word, _ in rows)
            and _next_predicts(rows)
            and _next_predicts([(b, a) for a, b in rows])
        )

    @staticmethod
    def _learn_word_columns(toks: list[list[tuple[str, int]]], start: int) -> int:
        """Word columns (a host, a node name without digits) right after the leading values.

        A message's first word goes with the words after it: given the next word, it is
        nearly always the same. A header field's word does not: it is a source, and every
        source logs every event. A column from ``start`` on whose value the next token
        predicts in fewer than ``WORD_COLUMN_PREDICTED`` of the lines, while taking few
        distinct values that repeat, is a header field; at most ``MAX_HEADER_WORDS`` of them.
        """
        n = len(toks)
        k = 0
        for p in range(start, start + MAX_HEADER_WORDS):
            rows = [
                (t[p][0], t[p + 1][0].translate(DIGITS_TO_ZERO)) for t in toks if len(t) > p + 1
            ]
            if len(rows) < WORD_COLUMN_LINES or len(rows) < 0.9 * n or _quoted(rows):
                break
            values = {v for v, _ in rows}
            if len(values) < 2 or len(values) > len(rows) // 4 or any(map(is_value, values)):
                break
            if _next_predicts(rows):
                break
            k += 1
        return k

    def level_at(self, t: list[tuple[str, int]], pos: int, rel: int) -> int:
        """Index of the level in tokens ``t`` (``-1`` if not there): at ``pos``, or ``pos``
        tokens after the line's own clock run when ``rel``."""
        if rel:
            pos += self._ts_end([self._cls(tok) for tok, _ in t[:10]])
        return pos if len(t) > pos and self._cls(t[pos][0]) == LVL else -1

    def term_class(self, token: str) -> str:
        """The class of ``token`` where a header's closing ``program:`` is looked for: a level
        word with a colon (``FATAL:``) closes it as ``LOG:`` (a component) does."""
        c = self._cls(token)
        return COMP if c == LVL and token[-1] == ":" else c

    @staticmethod
    def _learn_align(samples: list[str], layout: dict[str, int]) -> None:
        """Character column where a padded, fixed-width header ends, if the stream has one.

        Fixed-width layouts pad their fields with runs of spaces so that every line's next
        field starts at the same column (a level padded to 20 characters, then a component
        padded to 8). The header ends at the last column, within ``MAX_ALIGN`` characters,
        where nearly every line starts a token and many lines reach it through padding.
        """
        n = len(samples)
        if not n:
            return
        starts: Counter[int] = Counter()
        padded: Counter[int] = Counter()
        for line in samples:
            gap = 0
            for i, ch in enumerate(line[:MAX_ALIGN]):
                if ch == " ":
                    gap += 1
                    continue
                if gap:
                    starts[i] += 1
                    if gap >= 2:
                        padded[i] += 1
                gap = 0
        columns = [
            c
            for c, count in starts.items()
            if count >= ALIGN_SHARE * n and padded[c] >= ALIGN_PADDED_SHARE * n
        ]
        if columns:
            layout["align"] = max(columns)

    def _learn_value_columns(self, toks: list[list[tuple[str, int]]]) -> int:
        """Header tokens of a layout of value columns: through the last leading column in which
        nearly every line holds a digit (ids, clocks, epochs, node names, flags).

        A header of numeric and host columns with no level word has no other mark. Words
        between such columns (a facility, an event kind) are header fields too. Values in the
        message are masked whatever the cut, so a cut too far over digits costs little; the
        column must be digit-bearing in ``VALUE_COLUMN_SHARE`` of the lines, the first column
        must be one, and at most ``MAX_WORD_COLUMNS`` word columns (a digit in fewer than
        ``MIXED_COLUMN_SHARE`` of the lines) may separate two of them; a column in between
        (host names, most of them numbered) bridges without counting, and so does a leading
        column of alert tags.
        """
        n = len(toks)
        if not n:
            return 0
        end = words = 0
        for p in range(MAX_VALUE_COLUMNS):
            has = sum(1 for t in toks if len(t) > p + 1 and is_value(t[p][0]))
            if has >= VALUE_COLUMN_SHARE * n:
                end = p + 1
                words = 0
            elif p == 0 and self._tag_column(toks):
                continue  # an alert tag column: "-" in most lines, a tag word in the rest
            elif not end or _quoted([t[p] for t in toks if len(t) > p], n):
                break  # the header opens with a value; a quoted column opens the message
            elif has < MIXED_COLUMN_SHARE * n:
                words += 1
                if words > MAX_WORD_COLUMNS:
                    break  # and its word columns are few
        return end

    @staticmethod
    def _hex_column(toks: list[list[tuple[str, int]]], p: int) -> int:
        """Width of the hex ids column ``p`` holds, or 0.

        A column of fixed-width hex ids (a tag, a trace id) is a value column in every line,
        also where one id happens to hold no digit (``<bbeaab>``): nearly every line holds an
        id of that width, and many of them hold a letter (not a column of decimal numbers).
        """
        widths = [hex_width(t[p][0]) for t in toks if len(t) > p]
        width, count = Counter(widths).most_common(1)[0] if widths else (0, 0)
        if not width or count < VALUE_COLUMN_SHARE * len(widths):
            return 0
        lettered = sum(1 for t in toks if len(t) > p and _HEX_LETTERS.intersection(t[p][0]))
        return width if lettered * 2 >= len(widths) else 0

    @staticmethod
    def _tag_column(toks: list[list[tuple[str, int]]]) -> bool:
        """Whether the first column is an alert tag: one placeholder value (``-``) in at least
        ``MIXED_COLUMN_SHARE`` of the lines, a tag word or the placeholder in the others."""
        first = Counter(t[0][0] for t in toks if t)
        if not first:
            return False
        common, count = first.most_common(1)[0]
        return (
            is_value(common)
            and not any(ch.isalnum() for ch in common)
            and count >= MIXED_COLUMN_SHARE * len(toks)
        )

    def _ts_end(self, classes: list[str]) -> int:
        """Index after the leading run of timestamp-like tokens (first 10 tokens).

        One other token between timestamp parts (a host between two clocks) joins the run.
        """
        end = 0
        seen_ts = False
        window = classes[:10]
        for i, c in enumerate(window):
            if c == TS:
                seen_ts = True
                end = i + 1
            elif c in (NUM, SEP, ADDR) or (c == BRK and not seen_ts):
                if seen_ts:
                    end = i + 1
            elif seen_ts and i + 1 < len(window) and window[i + 1] == TS:
                continue
            elif seen_ts or i >= 3:
                break
        return end if seen_ts else 0

    def _after_names(self, toks: list[list[tuple[str, int]]], pos: int, rel: int, k: int) -> int:
        """Bit mask of the ``k`` header columns after the level that hold a name (``Comp:``, a
        dotted logger) in most lines. Where a column holds bracket groups or numbers, a name
        on some line is that message's first word (``INFO      maxRetry: 3``), not a header
        field every line has. A name that one token at most follows is never counted: a
        message of one ``key: value`` pair may fill most lines, and what would be left of it
        is a value alone."""
        names = [0] * k
        lines = 0
        for t in toks:
            at = self.level_at(t, pos, rel)
            if at < 0:
                continue
            lines += 1
            for i, (tok, _) in enumerate(t[at + 1 : at + 1 + k]):
                names[i] += self._cls(tok) in (COMP, LOGGER) and len(t) > at + i + 3
        return sum(1 << i for i, n in enumerate(names) if 2 * n > lines)

    def _after_level(self, toks: list[tuple[str, int]], start: int, stop: int) -> int:
        """How many header-like tokens follow the level (thread, component:, separators)."""
        k = 0
        comp_seen = False
        for i in range(start, min(stop, len(toks))):
            c = self._cls(toks[i][0])
            if c in (BRK, SEP, TS, NUM):
                k += 1
            elif c in (COMP, LOGGER) and not comp_seen:
                comp_seen = True
                k += 1
            else:
                break
        return k
