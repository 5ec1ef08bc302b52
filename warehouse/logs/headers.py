"""Recognise and strip a log line's header (timestamp, level, component, pid, host) unaided.

No format is configured. A :class:`HeaderStripper` learns the header layout of a stream from its
first lines: where a severity level sits (a level word at one consistent token position), which
header-like tokens follow it (thread in brackets, ``component:``, separators), or, for logs
without levels (syslog-style), how many leading timestamp tokens, host tokens and a
``program[pid]:`` token make the header. Layouts without those marks are learned from the
columns themselves: header fields fused by a separator with no spaces (``ts|comp|pid|msg``),
leading columns that hold a value in nearly every line (ids, nodes, epochs, with the word
fields between them), and a fixed-width header whose padded columns end at one character
column. Each line is then cut by that layout, and a line that does not fit it falls back to
stripping its own leading timestamp run. JSON and logfmt lines
give their message field directly. Free text without a recognisable header stays untouched.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


# Token classes
TS, LVL, NUM, SEP, BRK = "ts", "lvl", "num", "sep", "brk"
COMP, LOGGER, ADDR, OTHER = "comp", "logger", "addr", "other"

_LEVELS = _words(
    "trace debug dbg info information informational notice note warn warning err error crit "
    "critical alert emerg emergency fatal severe failure fine finer finest config verbose panic"
)
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
_DAYS = "mon|tue|wed|thu|fri|sat|sun"
_TS_TOKEN = re.compile(
    r"""^[\[(<]?(?:
        \d{2,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[-T_ ]\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:[.,]\d+)?)?
            (?:Z|[+-]\d{2}:?\d{2})?                       # dates, ISO / dotted timestamps
      | \d{1,2}:\d{2}(?::\d{2})?(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?   # times
      | \d{1,2}/(?:"""
    + _MONTHS
    + r""")/\d{2,4}(?::\d{2}:\d{2}:\d{2})?             # 10/Oct/2000:13:55:36
      | (?:"""
    + _MONTHS
    + r""")[a-z]*\.? | (?:"""
    + _DAYS
    + r""")[a-z]*,?                                     # month and weekday names
      | \d{6,14}(?:[.,]\d+)?                               # compact dates, epoch seconds/ms
      | \d{8}[-T_]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,:]\d+)?     # 20171223-22:15:29:606
      | \d{1,2}[-.]\d{1,2}                                 # 03-17, 10.30 (month and day)
      | [+-]\d{4} | utc | gmt
    )[\])>,]?:?$""",
    re.VERBOSE | re.IGNORECASE,
)
_NUM_TOKEN = re.compile(r"^[\[(]?#?\d+[\])]?:?$")
_ADDR_TOKEN = re.compile(
    r"^\[?(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\]?$|^\[?[0-9a-f]*(?::[0-9a-f]*){2,7}\]?$", re.I
)
_COMP_TOKEN = re.compile(r"^[A-Za-z_/][\w.$\-/@#~]*(?:\[[^\]\s]*\]|\([^)\s]*\))*:$")
_LOGGER_TOKEN = re.compile(r"^[A-Za-z_][\w$]*(?:\.[A-Za-z_$][\w$]*)+$")  # a.b.Class, no colon
_SEPS = frozenset({"-", "--", "|", ":", "::", ">", ">>", "->", "*"})
_TOKEN = re.compile(r"\s*(\[[^\[\]]*(?:\[[^\[\]]*\][^\[\]]*)*\]\S*|\S+)")
_PRI = re.compile(r"^<\d{1,3}>(?:1 )?")
# RFC 5424: <PRI>1 TIMESTAMP HOST APP PROCID MSGID STRUCTURED-DATA MSG
_SYSLOG5424 = re.compile(
    r'^<\d{1,3}>1 (?:\S+ ){5}(?:-|(?:\[(?:[^\]\\"]|\\.|"(?:[^"\\]|\\.)*")*\])+)(?: |$)'
)
_LOGFMT_PAIR = re.compile(r'([\w.@\-]+)=("(?:[^"\\]|\\.)*"|\S*)')
_MESSAGE_KEYS = ("message", "msg", "log", "text", "event", "MESSAGE", "Message", "short_message")
_HEADER_KEYS = _words(
    "time ts timestamp @timestamp date datetime level lvl severity loglevel log_level logger "
    "caller pid tid host hostname thread component source service app module"
)

_DIGITS_TO_ZERO = str.maketrans("123456789", "000000000")
_AFTER_LEVEL = frozenset({BRK, SEP, TS, NUM, COMP, LOGGER})
MAX_HEADER_TOKENS = 14
SAMPLE_LINES = 200
_FIELD_SEPS = ("|", "\t", ";")
MAX_FIELDS = 8
FIELD_AGREEMENT = 0.8  # share of sample lines that must agree on a fused-field header
MAX_VALUE_COLUMNS = 8
PROGRAM_WORDS = 4  # a syslog "program[pid]:" may sit this many tokens after its usual place
MAX_ALIGN = 100  # characters: a fixed-width header ends within this many
ALIGN_SHARE = 0.9  # share of lines starting a token at the column
ALIGN_PADDED_SHARE = 0.5  # share of lines reaching it through two or more spaces
MAX_WORD_COLUMNS = 2  # word columns allowed between two value columns of a header
VALUE_COLUMN_SHARE = 0.95  # share of lines with a digit for a column to count as a value column


def _has_digit(token: str) -> bool:
    return any(ch.isdigit() for ch in token)


def _is_value(token: str) -> bool:
    """A header value: a token holding a digit (not inside quotes, which open a message such as
    an access log's request line), or ``-`` standing for an empty one."""
    return token == "-" or (_has_digit(token) and '"' not in token and "'" not in token)


def classify(token: str) -> str:
    """Return the header class of one token (cached by the caller)."""
    if token in _SEPS:
        return SEP
    bare = token.strip("[]()<>:,")
    if bare.lower() in _LEVELS:
        return LVL
    if _TS_TOKEN.match(token):
        return TS
    if _NUM_TOKEN.match(token):
        return NUM
    if _ADDR_TOKEN.match(token):
        return ADDR
    if token.startswith("["):
        inner = token[1 : token.rfind("]")] if "]" in token else token[1:]
        words = inner.split()
        if words and all(classify(w) in (TS, NUM, SEP) for w in words):
            return TS
        if len(words) == 1 and words[0].lower() in _LEVELS:
            return LVL
        return BRK
    if _COMP_TOKEN.match(token) and len(token) <= 80 and not token[:-1].isdigit():
        return COMP
    if _LOGGER_TOKEN.match(token) and len(token) <= 80:
        return LOGGER
    return OTHER


def _structured_message(line: str) -> str | None:
    """Message of a JSON or logfmt line, or None when the line is neither."""
    s = line.strip()
    if s.startswith("{") and s.endswith("}"):
        try:
            obj = json.loads(s)
        except ValueError:
            return None
        if not isinstance(obj, dict):
            return None
        for key in _MESSAGE_KEYS:
            if isinstance(obj.get(key), str):
                return obj[key]
        rest = [f"{k}={v}" for k, v in obj.items() if k.lower() not in _HEADER_KEYS]
        return " ".join(rest)
    if "=" in s and _LOGFMT_PAIR.match(s):
        pairs = _LOGFMT_PAIR.findall(s)
        covered = sum(len(k) + 1 + len(v) for k, v in pairs)
        if len(pairs) >= 2 and covered >= 0.8 * len(s.replace(" ", "")):
            keys = {k.lower(): v for k, v in pairs}
            msg = next((keys[k] for k in ("msg", "message") if k in keys), None)
            rest = [f"{k}={v}" for k, v in pairs if k.lower() not in _HEADER_KEYS]
            rest = [p for p in rest if not p.lower().startswith(("msg=", "message="))]
            parts = ([msg.strip('"')] if msg is not None else []) + rest
            return " ".join(parts)
    return None


class HeaderStripper:
    """Learns a stream's header layout from its first lines and strips headers line by line."""

    def __init__(self, sample_lines: int = SAMPLE_LINES) -> None:
        self.sample_lines = sample_lines
        self._classes: dict[str, str] = {}
        self._sample: list[str] | None = []
        self._auto = True
        self._sep = ""
        self.layout: dict[str, int] | None = None

    # -- tokens -----------------------------------------------------------------------------------
    def _cls(self, token: str) -> str:
        # classes depend on the digits' positions, not their values: cache by shape
        shape = token.translate(_DIGITS_TO_ZERO)
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
        match = _TOKEN.match
        for _ in range(limit):
            m = match(line, pos)
            if m is None:
                break
            out.append((m.group(1), m.end()))
            pos = m.end()
        return out

    # -- learning ---------------------------------------------------------------------------------
    def learn(self, lines: Iterable[str]) -> dict[str, int]:
        """Infer the layout from sample lines and keep it; returns it."""
        self._auto = False
        self._sample = None
        return self._learn(lines)

    def _learn(self, lines: Iterable[str]) -> dict[str, int]:
        lvl_pos: Counter[int] = Counter()
        ts_end: Counter[int] = Counter()
        samples = [line for line in lines if line.strip()]
        toks = [self._tokens(_PRI.sub("", line), MAX_HEADER_TOKENS) for line in samples]
        for t in toks:
            classes = [self._cls(tok) for tok, _ in t]
            seen_ts = False
            for i, c in enumerate(classes[:12]):
                if c == LVL:
                    # a level opens the line or follows a timestamp; elsewhere it is a word
                    if i == 0 or seen_ts:
                        lvl_pos[i] += 1
                    break
                if c == COMP:  # a "program:" token ends the header
                    break
                seen_ts = seen_ts or c == TS
            ts_end[self._ts_end(classes)] += 1
        n = max(len(samples), 1)
        layout: dict[str, int] = {"lvl_pos": -1, "after": 0, "ts_end": 0, "host": 0, "comp": 0}
        sep, fields = self._learn_fields(samples)
        if fields:
            layout["fields"] = fields
            self._sep = sep
            self.layout = layout
            return layout
        if lvl_pos:
            pos, count = lvl_pos.most_common(1)[0]
            if count >= 0.5 * n:
                layout["lvl_pos"] = pos
                after: Counter[int] = Counter()
                for t in toks:
                    if len(t) > pos and self._cls(t[pos][0]) == LVL:
                        after[self._after_level(t, pos + 1, MAX_HEADER_TOKENS)] += 1
                if after:
                    k, kc = after.most_common(1)[0]
                    layout["after"] = k if kc >= 0.6 * sum(after.values()) else 0
                self._learn_align(samples, layout)
                self.layout = layout
                return layout
        end, count = ts_end.most_common(1)[0] if ts_end else (0, 0)
        if end and count >= 0.5 * n:
            layout["ts_end"] = end
            # syslog style: host tokens then "program[pid]:" (or "program -")
            comp_at: Counter[tuple[int, str]] = Counter()
            for t in toks:
                for j in range(end, min(end + 3, len(t))):
                    c = self._cls(t[j][0])
                    if c in (COMP, SEP):
                        comp_at[(j - end, c)] += 1
                        break
            if comp_at:
                (j, c), jc = comp_at.most_common(1)[0]
                if jc >= 0.5 * n:
                    layout["host"] = j
                    layout["comp"] = 1 if c == COMP else 2
        self._learn_align(samples, layout)
        if not layout["comp"]:
            values = self._learn_value_columns(toks)
            if values > layout["ts_end"]:
                layout["values"] = values
        self.layout = layout
        return layout

    def _learn_fields(self, samples: list[str]) -> tuple[str, int]:
        """Separator and count of header fields fused without spaces (``("", 0)`` if none).

        Learned from the sample, not from a known format: for each candidate separator, a
        line's header is its leading fields that hold no whitespace, up to the first field
        that does (the message). The layout is taken when most lines agree on that count and
        most lines open with a value (a field holding a digit: a clock, a date, an id).
        """
        best = ("", 0, 0)
        n = len(samples)
        for sep in _FIELD_SEPS:
            fields: Counter[int] = Counter()
            valued = 0
            for line in samples:
                parts = line.split(sep, MAX_FIELDS)
                if len(parts) < 2:
                    continue
                valued += any(ch.isdigit() for ch in parts[0])
                k = next((i for i, f in enumerate(parts) if any(c.isspace() for c in f)), 0)
                if k:
                    fields[k] += 1
            if not fields or valued < FIELD_AGREEMENT * n:
                continue
            k, count = fields.most_common(1)[0]
            if count >= FIELD_AGREEMENT * n and count > best[2]:
                best = (sep, k, count)
        return best[0], best[1]

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
        must be one, and at most ``MAX_WORD_COLUMNS`` word columns may separate two of them.
        """
        n = len(toks)
        if not n:
            return 0
        end = 0
        for p in range(MAX_VALUE_COLUMNS):
            has = sum(1 for t in toks if len(t) > p + 1 and _is_value(t[p][0]))
            if has >= VALUE_COLUMN_SHARE * n:
                end = p + 1
            elif not end or p - end >= MAX_WORD_COLUMNS:
                break  # the header opens with a value and its word columns are few
        return end

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

    # -- stripping --------------------------------------------------------------------------------
    def strip(self, line: str) -> str:
        """Return the message part of ``line``.

        Without an explicit :meth:`learn`, the layout is learned from the stream itself: again
        at 1, 2, 4, ... lines and a last time at ``sample_lines``, then kept.
        """
        sample = self._sample
        if sample is not None and self._auto:
            sample.append(line)
            n = len(sample)
            if n & (n - 1) == 0 or n >= self.sample_lines:
                self._learn(sample)
            if n >= self.sample_lines:
                self._sample = None
        return self._strip(line)

    def _head(self, body: str, n: int) -> tuple[list[str], list[str], bool]:
        """First ``n`` tokens, their classes, and whether plain whitespace split them.

        ``str.split`` is the fast path; a bracket group holding spaces needs the slower
        bracket-aware tokenizer.
        """
        parts = body.split(None, n)
        head = parts[:n]
        fast = True
        for t in head:
            if t[0] == "[" and t.count("[") != t.count("]"):
                head = [t for t, _ in self._tokens(body, n)]
                fast = False
                break
        cls = self._cls
        classes = [cls(t) for t in head]
        return head, classes, fast

    def _cut(self, body: str, k: int, fast: bool) -> str:
        """``body`` without its first ``k`` header tokens."""
        if k <= 0:
            return body.strip()
        if fast:
            parts = body.split(None, k)
            return parts[k].strip() if len(parts) > k else ""
        toks = self._tokens(body, k)
        return body[toks[-1][1] :].strip() if toks else body.strip()

    def _strip(self, line: str) -> str:
        message = self._strip_layout(line)
        align = (self.layout or {}).get("align", 0)
        if align and len(line) > align and line[align - 1] == " " and line[align] != " ":
            rest = line[align:].strip()
            if len(rest) < len(message) and message.endswith(rest):
                return rest
        return message

    def _strip_layout(self, line: str) -> str:
        if line.startswith("{") or "=" in line:
            structured = _structured_message(line)
            if structured is not None:
                return structured
        if line.startswith("<"):
            m = _SYSLOG5424.match(line)
            if m:
                return line[m.end() :].lstrip("\ufeff").strip()
        body = _PRI.sub("", line) if line.startswith("<") else line
        layout = self.layout or {}
        fields = layout.get("fields", 0)
        if fields:
            parts = body.split(self._sep, fields)
            if len(parts) == fields + 1 and not any(" " in f for f in parts[:fields]):
                return parts[fields].strip()
            return self._strip_leading(body)
        lvl = layout.get("lvl_pos", -1)
        if lvl >= 0:
            after = layout.get("after", 0)
            head, classes, fast = self._head(body, lvl + 1 + after)
            if len(head) > lvl and classes[lvl] == LVL:
                end = lvl + 1
                for c in classes[lvl + 1 :]:
                    if c in _AFTER_LEVEL:
                        end += 1
                    else:
                        break
                return self._cut(body, end, fast)
            return self._strip_leading(body)
        values = layout.get("values", 0)
        if values:
            head, _, fast = self._head(body, values)
            if len(head) == values and _is_value(head[-1]):
                return self._cut(body, values, fast)
        ts_end = layout.get("ts_end", 0)
        if ts_end:
            comp = ts_end + layout.get("host", 0) if layout.get("comp") else -1
            width = comp + PROGRAM_WORDS if comp >= 0 else ts_end
            head, classes, fast = self._head(body, max(ts_end, width))
            if self._ts_end(classes) == ts_end:
                end = ts_end
                if comp >= 0:
                    # the "program:" (or "-") ending the header, where learned or a few words
                    # later (a host of two words, a program name with spaces)
                    term = COMP if layout["comp"] == 1 else SEP
                    end = min(comp, len(head))
                    for j in range(comp, min(comp + PROGRAM_WORDS, len(head))):
                        if classes[j] == term:
                            end = j + 1
                            break
                return self._cut(body, end, fast)
        return self._strip_leading(body)

    def _strip_leading(self, body: str) -> str:
        """Fallback for a line off the learned layout: drop its own leading timestamp run."""
        head, classes, fast = self._head(body, 10)
        return self._cut(body, self._ts_end(classes), fast)


def strip_header(line: str) -> str:
    """Message of a single line, judged on its own (no stream to learn a layout from)."""
    return HeaderStripper().strip(line)
