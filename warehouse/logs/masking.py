"""Variable masking for template mining: replace the parts of a message token that carry values.

Masking works token by token (whitespace-separated) with a per-token cache, because tokens repeat
heavily in logs: the regular expressions run once per distinct token, not once per line.
A token is split at structural punctuation; each piece that holds a value (anything with a digit:
numbers, hex ids, IPs, dates, sizes, durations; or a path, URL, e-mail or domain name) becomes
``<*>``. The punctuation around values stays, so ``uid=0`` becomes ``uid=<*>`` and
``[10.0.0.1]`` becomes ``[<*>]``.
"""

from __future__ import annotations

import re

from warehouse.logs.value_spans import (
    ESCAPED_QUOTE,
    REDACTION_OPEN,
    WILDCARD,
    mask_escaped_quoted,
    mask_opening_tag,
    mask_redacted,
    unpad_after_equals,
)

# Whole-token shapes that are values even without a digit.
_WHOLE_VALUE = re.compile(
    r"""^(?:
        [a-zA-Z][a-zA-Z0-9+.\-]*://\S+                     # URL
      | [\w.+\-]+@[\w\-]+(?:\.[\w\-]+)+                    # e-mail
      | (?=[:\w]*\d)(?:[0-9a-fA-F]{0,4}:){2,}[0-9a-fA-F]{0,4}  # IPv6 / MAC-like
        (?:(?:\.\d{1,3}){3})?                              # an IPv4 tail: ::ffff:10.0.0.1
      | [~.]?//?[^\s/]+(?:/[^\s/]*)+                       # path, or a build label: //a/b:c
      | //[\w.\-/]*:[\w.\-+/@]+                             # a build label: //a:b, //:all
      | [~.]?/[\w\-.]+\.\w{1,6}                            # single-segment path to a file
      | [A-Za-z]:\\\S*                                     # Windows path
      | (?:[\w\-]+\.)+[A-Za-z][\w\-]*:\d{1,5}                 # host:port, any domain
      | (?:[\w\-]+\.)+(?:com|net|org|edu|gov|mil|int|info|biz|io|co|uk|de|fr|jp|cn|ru|br|
         in|it|nl|au|ca|es|se|ch|kr|tw|pl|mx|local|lan|internal|arpa)\.?  # host name
    )$""",
    re.VERBOSE | re.IGNORECASE,
)

# A hex id that happens to hold no digit ("beeefae", one in 2,500 of 8-digit ids): words of
# seven or more letters a to f, all of one case, are ids ("defaced" is the rare exception).
LETTER_HEX = r"(?:[a-f]{7,}|[A-F]{7,})"
_LETTER_HEX_PIECE = re.compile(rf"^{LETTER_HEX}$")
_LETTER_HEX_IN = re.compile(rf"(?<![A-Za-z]){LETTER_HEX}(?![A-Za-z])")

# An acronym with one digit names a protocol or standard ("SOCKS5", "HTTP2"), as does one with
# a "v" before its version ("IPv6", "SNMPv3"): message text.
_ACRONYM = re.compile(r"^(?:[A-Z]{3,}|[A-Z]{2,}v)\d$")
# So does a label of a word with one digit joined by a hyphen to a word, a protocol's service
# opening a message ("pop3-login:"); without the colon that shape is as often a host (web1-prod).
_SERVICE_LABEL = re.compile(r"^[A-Za-z]{2,}\d-[A-Za-z]{2,}:$")

# Split a token into pieces at structural punctuation, keeping the separators. An octal
# escape (``\042``, a quote written by a logger that escapes what it prints) is punctuation,
# and is read as the character it stands for.
_PIECES = re.compile(r"((?:[=,;()\[\]{}<>\"'|]|\\[0-7]{3})+|:(?!//)|\.{2,})")
_OCTAL = re.compile(r"\\([0-7]{3})")
_HAS_DIGIT = re.compile(r"\d")
_KV = re.compile(r"^([A-Za-z_][\w.\-:]*)(=)(.+)$")
# a run of values in one token is one value: ``1.2.3``, and a list ``4,5,9-12`` or ``1;2;3``
_RUNS = re.compile(r"(?:<\*>[./:\-_#@,;]?)+<\*>")
# Two or more ``key=value`` pairs joined by commas with no space (``uid=ann,ou=people,dc=example``,
# a distinguished name): one value, a name written as its path of attributes.
_PAIRS = re.compile(r"^[A-Za-z][\w.\-]*=[^\s,=\"']+(?:,[A-Za-z][\w.\-]*=[^\s,=\"']+)+$")
# A bound glued to a number is part of the value: "<1" (sec), ">=5", "~30".
_BOUNDED = re.compile(r"^(?:[<>]=?|~)\d[\w.:]*$")
# a number right-aligned inside brackets: "[   12.345678]" (a kernel ring buffer's clock)
_PADDED_NUMBER = re.compile(r"\[ +(?=[\d.:]+\])")


def _words(text: str) -> frozenset[str]:
    return frozenset(text.split())


_TRAIL = ",;:)]}'\"."  # punctuation that may close a token
_LEAD = "\"'([{<"  # punctuation that may open a token
_CLOSE = {"[": "]", "(": ")", "{": "}"}
_DATE_WORDS = _words(
    "jan feb mar apr may jun jul aug sep sept oct nov dec january february march april june july "
    "august september october november december mon tue wed thu fri sat sun monday tuesday "
    "wednesday thursday friday saturday sunday"
)
# A unit right after a number belongs to the value ("16.0 KB", "12 ms").
_UNITS = _words(
    "b kb mb gb tb pb kib mib gib tib bytes ms us ns s sec secs seconds min mins minutes h hrs "
    "hours days %"
)
# so does a rate of bytes ("12.5 MB/s", "7.81 KiB/sec."), its unit as varied as a size's
_UNITS |= frozenset(
    f"{size}/{per}" for size in _words("b kb mb gb tb kib mib gib tib") for per in ("s", "sec")
)
UNITS = _UNITS  # also read by the header rules: a number before a unit is no clock
# The token after one of these words names an account: a variable (unless it is a plain
# function word, as in "user not found" or "user logged in").
_NAME_KEYS = frozenset(["user", "username", "ruser"])
_NOT_NAMES = _words(
    "is was has had have not no logged session sessions login logout from for by to in on at of "
    "with and or the a an name id"
)
# A boolean bound to a key ("visible=true", "animate= false", "Online = Yes") is that key's
# value; so is a word that stands for no value ("ws=null"), as other lines give one.
_BOOLEANS = frozenset(["true", "false", "yes", "no", "null", "none", "nil"])
# How a formatter prints a missing value where one belongs, in angle brackets: Go's "<nil>",
# dpkg's and docker's "<none>" (no version, no tag). A word in parentheses such as "(null)"
# stays text: it is as often one of a few fixed words of the event ("Opts: (null)").
_ABSENT = frozenset(["<null>", "<nil>", "<none>"])
_DIGITS_TO_ZERO = str.maketrans("123456789", "000000000")
# Tokens that are message punctuation, never values.
_KEEP = frozenset({"<*>", "-", "--", "...", "*", "+", "#", "/", "=", ":"})


def _mask_piece(piece: str) -> str:
    if not piece:
        return piece
    if _HAS_DIGIT.search(piece) or piece.count("/") >= 2 or _WHOLE_VALUE.match(piece):
        return piece if _ACRONYM.match(piece) else WILDCARD
    return WILDCARD if _LETTER_HEX_PIECE.match(piece) else piece


def _unescape(m: re.Match[str]) -> str:
    return chr(int(m.group(1), 8))


def mask_token(token: str) -> str:
    """Return ``token`` with every value-carrying piece replaced by ``<*>``."""
    if token in _KEEP:
        return token
    if token[:3] == "..." and not token.strip("."):
        return "..."  # a leader of dots padding a name to a column: one token, any length
    absent = token.rstrip(",;:.")
    if absent in _ABSENT:
        return WILDCARD + token[len(absent) :]
    if _WHOLE_VALUE.match(token):
        return WILDCARD
    bare = token.rstrip(_TRAIL)
    if bare != token and _WHOLE_VALUE.match(bare):  # "host.example:443," ends a list item
        return WILDCARD + token[len(bare) :]
    if token[-1:] == ":" and _SERVICE_LABEL.match(token):
        return token
    inner = token.lstrip(_LEAD)
    core = inner.rstrip(_TRAIL + ">")
    if (inner != token and _WHOLE_VALUE.match(core)) or ("=" in core and _PAIRS.match(core)):
        # a quoted address ("2001:db8::5",), a name of comma-joined pairs ("dc=example,dc=com")
        return token[: len(token) - len(inner)] + WILDCARD + inner[len(core) :]
    if bare[:1].isupper() and bare.lower() in _DATE_WORDS:  # "Jul", "Sat", not "may"
        return WILDCARD + token[len(bare) :]
    if (
        not _HAS_DIGIT.search(token)
        and "=" not in token
        and "/" not in token
        and "@" not in token
        and "." not in token
        and not _LETTER_HEX_IN.search(token)
    ):
        return token
    if _BOUNDED.match(bare):
        return WILDCARD + token[len(bare) :]
    m = _KV.match(token)
    if m and m.group(2) == "=":
        # key=value: keep the key; a name key's value is always a variable
        key, value = m.group(1), m.group(3)
        if key.lower() in _NAME_KEYS:
            tail = value[len(value.rstrip(_TRAIL)) :]
            return f"{key}={WILDCARD}{tail}" if len(tail) < len(value) else token
        bare_value = value.rstrip(_TRAIL)
        if bare_value.lower() in _BOOLEANS or (len(bare_value) > 1 and bare_value[-1] == "/"):
            # a boolean, or a folder (``path=secret/``: a name ending in a slash is a path)
            return f"{key}={WILDCARD}{value[len(bare_value) :]}"
        return f"{key}={mask_token(value)}"
    parts = _PIECES.split(token)
    out = []
    for i, part in enumerate(parts):
        if i % 2:
            out.append(_OCTAL.sub(_unescape, part) if "\\" in part else part)
        elif i and parts[i - 1].endswith("=") and part.lower() in _BOOLEANS:
            out.append(WILDCARD)  # a boolean bound to a key inside a dump: "{online=true,"
        else:
            out.append(_mask_piece(part))
    masked = "".join(out)
    if masked != token and WILDCARD in masked:
        masked = _value_group(_RUNS.sub(WILDCARD, masked))
    return masked


def _value_group(masked: str) -> str:
    """``{<*>(<*>)}`` is ``{<*>}``: a token's bracket group that holds values and punctuation
    only is one value, as a list of several items in it is (:func:`join_lists`); so is a group
    in braces that holds a value among words (``{des:cbc-md5(<*>)}``, a set of one member)."""
    close = _CLOSE.get(masked[:1])
    end = masked.rfind(close) if close else -1
    inner = masked[1:end]
    if end < 2 or inner == WILDCARD or WILDCARD not in inner:
        return masked
    if close != "}" and any(c.isalnum() for c in inner.replace(WILDCARD, "")):
        return masked
    return masked[0] + WILDCARD + masked[end:]


_QUOTED_MAX = 8  # words a quoted name may hold
_QUOTED_VALUE_MAX = 32  # words a quoted value may hold (a user agent)


def _value_word(word: str) -> bool:
    """Whether ``word`` is a value by its shape: it holds a digit, or is a path or URL."""
    return bool(_HAS_DIGIT.search(word)) or bool(_WHOLE_VALUE.match(word.rstrip(_TRAIL)))


def join_quoted(tokens: list[str]) -> list[str]:
    """Tokens with each double-quoted phrase of plain words made one token, and each quoted
    field that opens on a value made one variable.

    A quoted name ("Living Room TV", ``tag="View Lock"``) is one slot whatever its word count,
    so an event naming it is one template. A quoted span that opens on a value (a user agent
    ``"curl/8.5.0 (x86_64)"``, a command line ``"/usr/bin/tar -xf 3.tar"``) is data written
    whole, not text: one variable ``"<*>"``, whatever its length. A quoted name may hold a
    digit (``"results 3.zip"``); a quoted span opening on a word and holding a ``/`` (a request
    line, ``"GET /a HTTP/1.1"``) is left split: its words are read one by one. A quoted phrase in
    brackets that opens the message (``["became leader at term 5"] [term=5]``, a logger that
    writes every field in brackets, the message first) is the message's own text: left split.
    """
    out: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        if tok.count('"') == 1 and not tok.endswith('"') and not (i == 0 and tok[:2] == '["'):
            value = _value_word(tok[tok.index('"') + 1 :])
            limit = _QUOTED_VALUE_MAX if value else _QUOTED_MAX
            j = i + 1
            while j < n and j - i < limit and '"' not in tokens[j]:
                j += 1
            if j < n and tokens[j].count('"') == 1:
                last = tokens[j]
                if value:
                    out.append(tok[: tok.index('"') + 1] + WILDCARD + last[last.index('"') :])
                    i = j + 1
                    continue
                text = " ".join(tokens[i : j + 1])
                if "/" not in text:
                    out.append(text)
                    i = j + 1
                    continue
        out.append(tok)
        i += 1
    return out


_LIST_MAX = 64  # items a bracketed list may hold
# "[a, ...", "(a, ...", "[(a,b):1, ..." or "{a(1), ...": a cheap first test; an item may hold a
# group in parentheses of its own (a replica written ``(n1,s2):3``)
_LIST_OPEN = re.compile(r"[\[(][^\s\[\]()]*(?:\([^\s()]*\)[^\s\[\]()]*)*, |\{[^\s{}]*, ")
# where a list opens: at a token's start, as a key's value (``pools=[a, b]``), or in
# parentheses glued to a word that names what it lists (``SELECT(id, ts)``)
_LIST_START = re.compile(r"^(?:[A-Za-z_][\w.\-]*=|[A-Za-z_]\w*(?=\())?[\[({]")


def join_lists(tokens: list[str]) -> list[str]:
    """Tokens with each bracketed, comma-separated list made one masked token.

    ``[alpha, beta, gamma]`` lists values, of any length and whatever they look like: one
    variable, ``[<*>]`` (the punctuation after the closing bracket stays; so does a key the
    list is the value of, ``pools=[<*>]``). A list in braces is one too (``{aes(18), des(3)}``,
    a set printed as its members, its items holding parentheses of their own). A bracket group
    without commas between its words (``[preauth]``, ``[Errno 2]``) is left to the masker.
    """
    out: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        start = _LIST_START.match(tok)
        opener = tok[start.end() - 1] if start else ""
        if opener and tok.endswith(",") and tok.count(opener) == 1:
            close = _CLOSE[opener]
            j = i + 1
            while (
                j < n and j - i < _LIST_MAX and tokens[j].endswith(",") and close not in tokens[j]
            ):
                j += 1
            if j < n and tokens[j].count(close) == 1 and tokens[j].find(close) >= 1:
                last = tokens[j]
                end = last.index(close)
                if not any(c.isspace() for c in last[:end]):
                    out.append(tok[: start.end()] + WILDCARD + last[end:])
                    i = j + 1
                    continue
        out.append(tok)
        i += 1
    return out


# an object dump opening on a named object and its first field: ``PowerState{screen=1``
_DUMP_OPEN = re.compile(r"^([A-Za-z_][\w.$]*)\{[A-Za-z_][\w.\-]*=")


def join_dumps(tokens: list[str]) -> list[str]:
    """Tokens with each object dump ``Name{a=1 b=2}`` made one masked token ``Name{<*>}``.

    An object printed with its fields (``key=value`` after the name and an opening brace) is one
    value, whatever number of fields it was printed with: the name stays, the fields are one
    variable (the punctuation after the closing brace stays).
    """
    out: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        m = _DUMP_OPEN.match(tok)
        if m:
            depth, j = 0, i
            while j < n and j - i < _LIST_MAX:
                depth += tokens[j].count("{") - tokens[j].count("}")
                if depth <= 0:
                    break
                j += 1
            if j < n and depth == 0:
                last = tokens[j]
                out.append(f"{m.group(1)}{{{WILDCARD}}}{last[last.rindex('}') + 1 :]}")
                i = j + 1
                continue
        out.append(tok)
        i += 1
    return out


_WIN_PATH = re.compile(r"^[\"'(]?[A-Za-z]:\\")  # a Windows path's opening: ``C:\``
_PATH_WORDS_MAX = 6  # words a Windows path's folder and file names may hold between them


def join_windows_paths(tokens: list[str]) -> list[str]:
    """Tokens with each Windows path that holds spaces made one masked token.

    ``C:\\Program Files (x86)\\Tools\\run.exe`` is one path, whatever the number of words
    its folder names hold: the words up to the last one that goes on with a backslash are its
    own (before the next path, within a few words). Only what closes the path stays.
    """
    out: list[str] = []
    i, n = 0, len(tokens)
    while i < n:
        tok = tokens[i]
        if _WIN_PATH.match(tok):
            end = i
            for j in range(i + 1, min(n, i + 1 + _PATH_WORDS_MAX)):
                if _WIN_PATH.match(tokens[j]):
                    break
                if "\\" in tokens[j]:
                    end = j
            if end > i:
                last = tokens[end]
                bare = last.rstrip(_TRAIL)
                lead = tok[: len(tok) - len(tok.lstrip("\"'("))]
                out.append(lead + WILDCARD + last[len(bare) :])
                i = end + 1
                continue
        out.append(tok)
        i += 1
    return out


class Masker:
    """Token masker with a bounded per-token cache (tokens repeat, values mostly do not)."""

    def __init__(self, cache_size: int = 200_000) -> None:
        self._cache: dict[str, str] = {}
        self._cache_size = cache_size
        # tokens that trigger a context rule: units (after a value) and name keys (before one)
        self._context: set[str] = set()
        self._whole_shapes: set[str] = set()
        # words seen as a name key's value ("user=root", "user alice"): the log's own
        # vocabulary of account names, which refinement reads as values wherever they appear
        self.names: set[str] = set()

    def _fill(self, tokens: list[str]) -> None:
        cache = self._cache
        shapes = self._whole_shapes
        if len(cache) >= self._cache_size:
            cache.clear()
            self._context.clear()
        if len(shapes) >= self._cache_size:
            shapes.clear()
        for tok in tokens:
            if tok not in cache:
                # a token masked whole stays masked whole whatever its digits: skip the regexes
                shape = tok.translate(_DIGITS_TO_ZERO)
                if shape in shapes:
                    cache[tok] = WILDCARD
                    continue
                masked = cache[tok] = mask_token(tok)
                if masked == WILDCARD and shape != tok:
                    shapes.add(shape)
                bare = tok.rstrip(_TRAIL).lower()
                if bare in _UNITS or bare in _BOOLEANS or tok.lower() in _NAME_KEYS:
                    self._context.add(tok)
                if masked != tok and "=" in tok:
                    m = _KV.match(tok)
                    if m and m.group(1).lower() in _NAME_KEYS:
                        self._name(m.group(3))

    def mask_tokens(self, tokens: list[str]) -> list[str]:
        """Mask a list of tokens, reusing cached results."""
        get = self._cache.get
        out = [get(t) for t in tokens]
        if None in out:
            self._fill(tokens)
            get = self._cache.get
            out = [get(t) for t in tokens]
        if not self._context.isdisjoint(tokens):
            self._apply_context(tokens, out)
        return out  # type: ignore[return-value]

    def _name(self, value: str) -> None:
        bare = value.rstrip(_TRAIL)
        if bare and len(self.names) < self._cache_size:
            self.names.add(bare)

    def _apply_context(self, tokens: list[str], out: list) -> None:
        for i in range(1, len(tokens)):
            tok = tokens[i]
            if out[i] != tok:
                continue
            bare = tok.rstrip(_TRAIL)
            if not bare:
                continue
            prev = out[i - 1]
            # a unit after a value, also one opened by punctuation: "(1.2 KB)"
            if prev.endswith(WILDCARD) and bare.lower() in _UNITS:
                out[i] = WILDCARD + tok[len(bare) :]
            elif prev == tokens[i - 1] and prev.lower() in _NAME_KEYS:
                if bare.lower() not in _NOT_NAMES:
                    rest = tok[len(bare) :]
                    if bare[0] in "\"'" and rest[:1] == bare[0]:
                        rest = rest[1:]  # a quoted name: its closing quote goes with it
                    out[i] = WILDCARD + rest
                    self._name(bare)
            elif prev.endswith("=") and bare.lower() in _BOOLEANS:
                out[i] = WILDCARD + tok[len(bare) :]

    def mask(self, message: str) -> list[str]:
        """Split a message on whitespace and mask each token; a number padded inside its
        brackets (``[   12.5]``) is one token, and so is a process tag of pairs opening it
        (``(pid=7, ip=10.0.0.5)``)."""
        if "[ " in message:
            message = _PADDED_NUMBER.sub("[", message)
        if message[:1] == "(":
            message = mask_opening_tag(message)
        if "= " in message:
            message = unpad_after_equals(message)
        if REDACTION_OPEN in message:
            message = mask_redacted(message)
        if ESCAPED_QUOTE in message:
            message = mask_escaped_quoted(message)
        tokens = message.split()
        if '"' in message:
            tokens = join_quoted(tokens)
        if (
            ", " in message
            and (
                " [" in message
                or "(" in message
                or " {" in message
                or "=[" in message
                or message[:1] in "[({"
            )
            and _LIST_OPEN.search(message)
        ):
            tokens = join_lists(tokens)
        if "{" in message and "=" in message:
            tokens = join_dumps(tokens)
        if ":\\" in message:
            tokens = join_windows_paths(tokens)
        return self.mask_tokens(tokens)


def mask_message(message: str) -> str:
    """Convenience: the masked message as text (tokens joined by one space)."""
    return " ".join(Masker().mask(message))
