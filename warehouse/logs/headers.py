"""Recognise and strip a log line's header (timestamp, level, component, pid, host) unaided.

No format is configured. A :class:`HeaderStripper` learns the header layout of a stream from its
first lines: where a severity level sits (a level word at one consistent token position), which
header-like tokens follow it (thread in brackets, ``component:``, separators), or, for logs
without levels (syslog-style), how many leading timestamp tokens, host tokens and a
``program[pid]:`` token make the header. Layouts without those marks are learned from the
columns themselves: header fields fused by a separator with no spaces (``ts|comp|pid|msg``),
leading columns that hold a value in nearly every line (ids, nodes, epochs, with the word
fields between them) and the host words right after them or after the clock (a word the next
token does not predict is a source, not the message's first word), and a fixed-width header
whose padded columns end at one character column. Each line is then cut by that layout; a
line that fits it once its first token is set aside (an extra leading column on some lines
only: a record number, a relay's name) is cut after that token, and a line that does not fit
it falls back to stripping its own leading timestamp run. JSON and
logfmt lines give their message field directly. Free text without a recognisable header stays
untouched.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from warehouse.logs.header_fields import unquote
from warehouse.logs.header_learning import HeaderLayoutLearner
from warehouse.logs.header_tokens import (
    AFTER_LEVEL,
    COMP,
    LOGGER,
    LVL,
    NUM,
    OTHER,
    PRI,
    SEP,
    TS,
    hex_width,
    is_value,
    unglue_brackets,
)
from warehouse.logs.masking import UNITS
from warehouse.logs.structured_lines import structured_message

SAMPLE_LINES = 200
# a number of one or two digits on each side of a dot: a month and day ("10.30") or a decimal
_SHORT_DECIMAL = re.compile(r"^\d{1,2}\.\d{1,2}$")
PROGRAM_WORDS = 4  # a syslog "program[pid]:" may sit this many tokens after its usual place
# RFC 5424: <PRI>1 TIMESTAMP HOST APP PROCID MSGID STRUCTURED-DATA MSG
_SYSLOG5424 = re.compile(
    r'^<\d{1,3}>1 (?:\S+ ){5}(?:-|(?:\[(?:[^\]\\"]|\\.|"(?:[^"\\]|\\.)*")*\])+)(?: |$)'
)


class HeaderStripper(HeaderLayoutLearner):
    """Learns a stream's header layout from its first lines and strips headers line by line."""

    def __init__(self, sample_lines: int = SAMPLE_LINES) -> None:
        super().__init__()
        self.sample_lines = sample_lines
        self._sample: list[str] | None = []
        self._auto = True

    def learn(self, lines: Iterable[str]) -> dict[str, int]:
        """Infer the layout from sample lines and keep it; returns it."""
        self._auto = False
        self._sample = None
        return self._learn(lines)

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

    def _head(self, body: str, n: int, start: int = 0) -> tuple[list[str], list[str], bool]:
        """First ``n`` tokens, their classes, and whether plain whitespace split them.

        Classes are computed from token ``start`` on (the ones before are left empty): a layout
        that only reads the level and what follows it does not class the clock before it.

        ``str.split`` is the fast path; a bracket or parenthesised group holding spaces, or a
        number padded inside parentheses, needs the slower bracket-aware tokenizer.
        """
        parts = body.split(None, n)
        head = parts[:n]
        fast = True
        for t in head:
            if (
                (t[0] == "[" and t.count("[") != t.count("]"))
                or (t[0] == "(" and t.count("(") != t.count(")"))
                or t[-1] == "("
            ):
                head = [t for t, _ in self._tokens(body, n)]
                fast = False
                break
        cls = self._cls
        classes = [""] * start + [cls(t) for t in head[start:]] if start else list(map(cls, head))
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
        if line[:1] == "[" and (self.layout or {}).get("unglue"):
            line = unglue_brackets(line)
        message = self._strip_layout(line)
        align = (self.layout or {}).get("align", 0)
        if align and len(line) > align and line[align - 1] == " " and line[align] != " ":
            rest = line[align:].strip()
            if len(rest) < len(message) and message.endswith(rest):
                return rest
        return message

    def _strip_layout(self, line: str) -> str:
        if line.startswith("{") or "=" in line:
            structured = structured_message(line)
            if structured is not None:
                return structured
        if line.startswith("<"):
            m = _SYSLOG5424.match(line)
            if m:
                return line[m.end() :].lstrip("\ufeff").strip()
        body = PRI.sub("", line) if line.startswith("<") else line
        message = self._fit(body)
        if message is None:
            # an extra leading column on some lines only (a record number, a relay's name):
            # the rest of the line fits the layout
            rest = body.split(None, 1)
            if len(rest) == 2:
                message = self._fit(rest[1])
        return self._strip_leading(body) if message is None else message

    def _fit(self, body: str) -> str | None:
        """Message of ``body`` cut by the learned layout, or None when it does not fit it."""
        layout = self.layout or {}
        fields = layout.get("fields", 0)
        if fields:
            if layout.get("fields_rel") and self.clock_field(body.split(self._sep, 2)) == 1:
                body = body.split(self._sep, 1)[1]  # the extra leading field of this line
            parts = body.split(self._sep, fields)
            names = layout.get("names", 0)
            if len(parts) == fields + 1 and all(
                " " not in f or self.fused_header(unquote(f), i, names)
                for i, f in enumerate(parts[:fields])
            ):
                return unquote(parts[fields].strip())
            return None
        lvl = layout.get("lvl_pos", -1)
        if lvl >= 0:
            after = layout.get("after", 0)
            if layout.get("lvl_rel"):
                # the level sits ``lvl`` tokens after this line's own clock run
                head, classes, fast = self._head(body, 10 + lvl + 1 + after)
                lvl += self._ts_end(classes)
                classes = classes[: lvl + 1 + after]
            else:
                head, classes, fast = self._head(body, lvl + 1 + after, lvl)
            if len(head) > lvl and classes[lvl] == LVL:
                end = lvl + 1
                names = layout.get("after_names", -1)
                for i, c in enumerate(classes[lvl + 1 :]):
                    if c not in AFTER_LEVEL or (c in (COMP, LOGGER) and not names >> i & 1):
                        break  # a name where the column holds none opens the message
                    end += 1
                return self._cut(body, end, fast)
            return None
        values = layout.get("values", 0)
        words = layout.get("words", 0)
        if values:
            head, _, fast = self._head(body, values + words)
            if len(head) >= values and (
                is_value(head[values - 1]) or hex_width(head[values - 1]) == layout.get("hex")
            ):
                return self._cut(body, values + words, fast)
            # a line whose last value column holds a word (its message opens earlier): cut after
            # the last of the columns that holds a value, past the clock
            for k in range(min(values, len(head)) - 1, layout.get("ts_end", 0), -1):
                if is_value(head[k - 1]):
                    return self._cut(body, k, fast)
        ts_end = layout.get("ts_end", 0)
        if ts_end:
            comp = ts_end + layout.get("host", 0) if layout.get("comp") else -1
            width = comp + PROGRAM_WORDS if comp >= 0 else ts_end + words
            head, classes, fast = self._head(body, max(ts_end, width))
            own = self._ts_end(classes)
            if (
                own < ts_end
                and self._ts_end([TS if c == NUM else c for c in classes]) == ts_end
                and len(body.split(None, ts_end)) > ts_end
            ):
                # a clock counting from boot, still short: "(25194)", "(129804704)"; a number
                # that ends the line is a value of a line with no header ("NAME = 5855")
                own = ts_end
            shifted = comp >= 0 and own > ts_end
            if shifted:
                # more leading fields than learned (a tag of two words before the clock): the
                # host and program follow this line's own clock run as they do the learned one
                comp += own - ts_end
                head, classes, fast = self._head(body, comp + PROGRAM_WORDS)
            if own == ts_end or shifted:
                end = own
                if comp >= 0:
                    # the "program:" (or "-") ending the header, where learned or a few words
                    # later (a host of two words, a program name with spaces)
                    term = COMP if layout["comp"] == 1 else SEP
                    end = min(comp, len(head)) if not shifted else 0
                    for j in range(comp, min(comp + PROGRAM_WORDS, len(head))):
                        if classes[j] == term or (
                            classes[j] == LVL and term == COMP and self.term_class(head[j]) == COMP
                        ):
                            end = j + 1
                            break
                else:
                    end += words  # the host columns after the clock
                if end:
                    message = self._cut(body, end, fast)
                    if comp >= 0 and end > comp and " " not in message and "\t" not in message:
                        # one token at most after the "name:": a "key: value" message
                        return self._cut(body, comp, fast)
                    return message
        return None

    def _strip_leading(self, body: str) -> str:
        """Fallback for a line off the learned layout: drop its own leading timestamp run.

        A clock after two plain words is the message's own (``Phase began 10:11:12: name.``,
        ``Build Date - 07/18/2017``, a line with no header): the line is left whole; so is one
        after a word and a label (``Cumulative stall: 01:02:03.4``, a line of a message printed
        on several lines), and so is a short decimal after a label opening the line (``DRAM:  7.5
        GiB``: a size, not a month and day), and a number followed by a unit (``16254 bytes
        read``: a quantity, not epoch seconds).
        """
        head, classes, fast = self._head(body, 10)
        end = self._ts_end(classes)
        if end:
            before = classes[: classes.index(TS)]
            if before.count(OTHER) >= 2 or (OTHER in before and COMP in before[1:]):
                return body.strip()
            if before == [COMP] and end == 2 and _SHORT_DECIMAL.match(head[1]):
                return body.strip()  # "DRAM:  7.5 GiB": a label's number, not a month and day
            if end == 1 and len(head) > 1 and head[0].isdigit() and head[1].lower() in UNITS:
                return body.strip()  # "16254 bytes read": a quantity, not an epoch's seconds
        return self._cut(body, end, fast)


def strip_header(line: str) -> str:
    """Message of a single line, judged on its own (no stream to learn a layout from)."""
    return HeaderStripper().strip(line)
