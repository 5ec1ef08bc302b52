"""Spans of a message that are one value whatever they hold, found on the message's text before
it is split into tokens (a span may hold spaces): a value between redaction marks, a quoted
string that carries escaped quotes, and a process's tag of ``key=value`` pairs in parentheses
opening the message; and the spaces a fixed-width number leaves after its ``key=``, made the
same however many its digits leave.
"""

from __future__ import annotations

import re

WILDCARD = "<*>"

REDACTION_OPEN = "\u2039"  # ‹
# the innermost span between redaction marks: ``‹42›``, ``‹Get [/a,/b)›``
_REDACTED = re.compile("\u2039[^\u2039\u203a]*\u203a")
_NESTING_MAX = 4  # marks nested in marks (``‹/Table/‹12››``) are read inside out

ESCAPED_QUOTE = '\\"'
# a double-quoted string holding an escaped quote: ``"key:\"/a/b\" limit:1 "``
_ESCAPED_QUOTED = re.compile(r'"(?:[^"\\]|\\.)*\\"(?:[^"\\]|\\.)*"')


def mask_redacted(message: str) -> str:
    """``message`` with each span between redaction marks made one ``<*>``.

    A redactable log marks what may be user data (``‹...›``): a key, a name, a request, any
    value, spaces and brackets included. The marks say where a value is; what they hold is
    never the event's text, whatever its shape (``‹Put›``, ``‹Get [/Table/5,/Min)›``).
    """
    for _ in range(_NESTING_MAX):
        masked = _REDACTED.sub(WILDCARD, message)
        if masked == message:
            break
        message = masked
    return message


def mask_escaped_quoted(message: str) -> str:
    """``message`` with each double-quoted string that holds escaped quotes made ``"<*>"``.

    A string printed quoted with its own quotes escaped (Go's ``%q``, a serialized request,
    ``"key:\\"/a\\" range_end:\\"/b\\" "``) is a value written whole: its words are data,
    not the event's text. A quoted string with no escaped quote is left to the quoted-phrase
    rule.
    """
    return _ESCAPED_QUOTED.sub('"' + WILDCARD + '"', message)


# a value printed after its label with printf padding: ``frame=  123`` as ``frame=12345``
_PADDED_AFTER_EQUALS = re.compile(r"=(?<=[A-Za-z]=) +(?=-?\d)")  # "=" first: fast to find


def unpad_after_equals(text: str) -> str:
    """``text`` with a number padded after ``key=`` glued to it (``fps= 30`` as ``fps=240``):
    a ``key=value`` line whose values are printed to a fixed width."""
    return _PADDED_AFTER_EQUALS.sub("=", text) if "= " in text else text


# a process's tag opening its output: ``(pid=1234, ip=10.0.0.5)``, ``(Trainer pid=7)``: pairs
# in parentheses, after at most one name, then a space
_OPENING_TAG = re.compile(
    r"\((?:[A-Za-z_][\w.\-]* )?[A-Za-z_]\w*=[^\s(),=]+(?:, [A-Za-z_]\w*=[^\s(),=]+)*\) "
)


def mask_opening_tag(message: str) -> str:
    """``message`` with a tag of ``key=value`` pairs in parentheses opening it made ``(<*>)``.

    A program that relays the output of many processes tags each line with where it came
    from, some pairs only on some lines (``(pid=7)``, ``(pid=7, ip=10.0.0.5)``, ``(Trainer
    pid=7)``): one value however many pairs it holds, as a header field would be."""
    m = _OPENING_TAG.match(message)
    return "(" + WILDCARD + ") " + message[m.end() :] if m else message
