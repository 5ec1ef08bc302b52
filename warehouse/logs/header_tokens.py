"""The classes of a log line's leading tokens (timestamp, level, number, separator, bracket
group, ``component:``, dotted logger, address, other), judged from the token alone, and the
patterns that split a line into tokens."""

from __future__ import annotations

import re

from warehouse.logs.masking import LETTER_HEX


def words(text: str) -> frozenset[str]:
    """The set of whitespace-separated words of ``text``."""
    return frozenset(text.split())


# Token classes
TS, LVL, NUM, SEP, BRK = "ts", "lvl", "num", "sep", "brk"
COMP, LOGGER, ADDR, OTHER = "comp", "logger", "addr", "other"

_LEVELS = words(
    "trace debug dbg info information informational notice note warn warning err error crit "
    "critical alert emerg emergency fatal severe failure fine finer finest config verbose panic "
    "trce dbug fail"  # .NET's console names
)
_MONTHS = "jan|feb|mar|apr|may|jun|jul|aug|sep|sept|oct|nov|dec"
_DAYS = "mon|tue|wed|thu|fri|sat|sun"
_TS_TOKEN = re.compile(
    r"""^[\[(<]?(?:
        \d{2,4}[-/.]\d{1,2}[-/.]\d{1,4}(?:[-T_ ]\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:[.,]\d+)?)?
            (?:Z|[+-]\d{2}:?\d{2})?                       # dates, ISO / dotted timestamps
      | \d{1,2}:\d{2}(?::\d{2}(?::\d{3}(?!\d))?)?(?:[.,]\d+)?(?:Z|[+-]\d{2}:?\d{2})?  # times,
                                                  # milliseconds after a colon too: 10:11:12:345
      | \d{1,2}/\d{1,2}/\d{2,4}                            # 6/14/2024 (month first)
      | \d{1,2}/(?:"""
    + _MONTHS
    + r""")/\d{2,4}(?::\d{2}:\d{2}:\d{2})?             # 10/Oct/2000:13:55:36
      | (?:"""
    + _MONTHS
    + r""")[a-z]*\.? | (?:"""
    + _DAYS
    + r""")[a-z]*,?                                     # month and weekday names
      | \d{6,14}(?:[.,]\d+)?                               # compact dates, epoch seconds/ms
      | \d{1,5}\.\d{3,9}                                  # seconds since boot: 31546.415
      | \d{8}[-T_]?\d{1,2}:\d{2}(?::\d{2})?(?:[.,:]\d+)?     # 20171223-22:15:29:606
      | \d{1,2}[-.]\d{1,2}                                 # 03-17, 10.30 (month and day)
      | [+-]\d{4} | utc | gmt | am | pm                     # zones, a 12-hour clock's half
    )[\])>,]?:?$""",
    re.VERBOSE | re.IGNORECASE,
)
_NUM_TOKEN = re.compile(r"^[\[(]?#?\d+[\])]?:?$")
_ADDR_TOKEN = re.compile(
    r"^\[?(?:\d{1,3}\.){3}\d{1,3}(?::\d+)?\]?$|^\[?[0-9a-f]*(?::[0-9a-f]*){2,7}\]?$", re.I
)
# "program:", "program[pid]:", "tag( 123):" (logcat's brief format pads the pid), and a
# subsystem in parentheses closing the header after a "program[pid]" token:
# "(org.example.core):", "(org.example.agent[412]):"
_COMP_TOKEN = re.compile(
    r"^(?:[A-Za-z_/][\w.$\-/@#~]*(?:\[[^\]\s]*\]|\( *[^)\s]*\))*"
    r"|\([A-Za-z_][\w.\-]*(?:\[\d+\])?\)):$"
)
# a.b.Class, no colon; with an event id in brackets after it (.NET's ``App.Worker[14]``)
_LOGGER_TOKEN = re.compile(r"^[A-Za-z_][\w$]*(?:\.[A-Za-z_$][\w$]*)+(?:\[\d+\])?$")
_SEPS = frozenset({"-", "--", "|", ":", "::", ">", ">>", "->", "*"})
# a bracket group kept whole, spaces and all, with a counter padded inside brackets glued to it
# ("[time][  7]Category:", as "[time][127]Category:" is one token); a number padded inside
# parentheses ("tag( 123):"); a group in parentheses, spaces and all (a thread's name,
# "(ServerService Thread Pool -- 45)")
TOKEN = re.compile(
    r"\s*(\[[^\[\]]*(?:\[[^\[\]]*\][^\[\]]*)*\](?:\[ +\d+\])*\S*|[^\s(]*\( +\d+\)\S*"
    r"|\([^()\s][^()]*\)\S*|\S+)"
)
PRI = re.compile(r"^<\d{1,3}>(?:1 )?")
# a line opening on bracket fields glued together, some padded inside to a width
# (``[2021-02-01T14:38:00,000][INFO ][o.e.n.Node   ] [node-1] ...``, log4j's ``[%-5p]``)
_GLUED_BRACKETS = re.compile(r"^(?:\[[^\[\]]*\]){2,}(?=\s|$)")
_BRACKET_FIELD = re.compile(r"\[([^\[\]]*)\]")


def padded_brackets(line: str) -> bool:
    """Whether ``line`` opens on a run of glued bracket fields with one padded inside."""
    m = _GLUED_BRACKETS.match(line)
    return m is not None and any(f != f.strip() for f in _BRACKET_FIELD.findall(m.group()))


def unglue_brackets(line: str) -> str:
    """``line`` with its leading run of glued bracket fields written as separate tokens, the
    padding inside each dropped. For a stream whose runs are padded (:func:`padded_brackets`):
    a padded field breaks the run at its spaces, differently on each line (``[INFO ]`` but
    ``[DEBUG]``), and a glued one hides its level."""
    m = _GLUED_BRACKETS.match(line)
    if m is None:
        return line
    fields = " ".join(f"[{f.strip()}]" for f in _BRACKET_FIELD.findall(m.group()))
    return fields + line[m.end() :]


# RFC 5424: <PRI>1 TIMESTAMP HOST APP PROCID MSGID STRUCTURED-DATA MSG
_SYSLOG5424 = re.compile(
    r'^<\d{1,3}>1 (?:\S+ ){5}(?:-|(?:\[(?:[^\]\\"]|\\.|"(?:[^"\\]|\\.)*")*\])+)(?: |$)'
)
DIGITS_TO_ZERO = str.maketrans("123456789", "000000000")
AFTER_LEVEL = frozenset({BRK, SEP, TS, NUM, COMP, LOGGER})
MAX_HEADER_TOKENS = 14


def _has_digit(token: str) -> bool:
    return any(ch.isdigit() for ch in token)


_HEX_ID = re.compile(r"^[\[(<#]?([0-9a-fA-F]{4,})[\])>]?[:;,]?$")
_LETTER_HEX_ID = re.compile(rf"^[\[(<#]?{LETTER_HEX}[\])>]?[:;,]?$")


def is_value(token: str) -> bool:
    """A header value: a token holding a digit (not inside quotes, which open a message such as
    an access log's request line) or a hex id without one, or ``-`` standing for an empty one."""
    if token == "-" or _LETTER_HEX_ID.match(token):
        return True
    return _has_digit(token) and '"' not in token and "'" not in token


def hex_width(token: str) -> int:
    """Width of the hex id ``token`` holds (``<bbeaab>;`` -> 6), punctuation aside; 0 if none."""
    m = _HEX_ID.match(token)
    return len(m.group(1)) if m else 0


def classify(token: str) -> str:
    """Return the header class of one token (cached by the caller)."""
    if token in _SEPS or (len(token) <= 4 and not token.strip("-=>|*~:")):
        return SEP  # a rule of separator characters: "---", "=>", "|>"
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
        # a bracket group closed by a colon ends the header as "program:" does: a thread and
        # its level, "[Server thread/INFO]:"
        return COMP if token[-2:] == "]:" else BRK
    if token[:1] == "(" and token[-1:] == ")" and len(token) > 2:
        return BRK  # a thread in parentheses after the level: "INFO (MainThread) [logger]"
    if _COMP_TOKEN.match(token) and len(token) <= 80 and not token[:-1].isdigit():
        return COMP
    if _LOGGER_TOKEN.match(token) and len(token) <= 80:
        return LOGGER
    return OTHER
