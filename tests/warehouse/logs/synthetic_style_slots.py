"""Slot fillers for the invented log styles of :mod:`tests.warehouse.logs.synthetic_styles`.

Values of the kinds programs write into messages: durations and sizes with their units (glued
or spaced), paths, hex with and without ``0x``, ``ip:port``, quoted names with spaces,
bracketed lists of any length, identifiers glued to a word (``worker-12``, ``conn#7``), and
names from open sets drawn with a skew (a few names common, many rare), as accounts, hosts and
packages are in real logs. Every value and name here is invented.
"""

from __future__ import annotations

import random
from collections.abc import Callable

Slot = Callable[[random.Random], str]

_SYLLABLES = ("ka", "lo", "mi", "ren", "su", "ta", "vo", "zel", "dri", "po", "nax", "qui")


def _coined(i: int) -> str:
    """A made-up word, distinct for each ``i``: open-set names with no digits."""
    out = _SYLLABLES[i % 12] + _SYLLABLES[(i // 12 + 5) % 12]
    if i >= 144:
        out += _SYLLABLES[(i // 144 + 3) % 12]
    return out


def skewed(pool: list[str]) -> Slot:
    """A name from ``pool`` with Zipf-like weights: the first few common, the rest rare."""
    weights = [1.0 / (i + 1) for i in range(len(pool))]
    return lambda r: r.choices(pool, weights)[0]


USERS = [_coined(i) for i in range(40)]
HOSTS = [f"{_coined(i)}-{_coined(i + 50)}" for i in range(25)]  # host names with no digits
PACKAGES = [f"org.{_coined(i)}.{_coined(i + 7)}" for i in range(30)]
CLASSES = [f"{_coined(i).title()}{_coined(i + 3).title()}" for i in range(30)]
PROGRAMS = [_coined(i + 11) for i in range(20)]

user = skewed(USERS)


def pool(fmt: str, lo: int, n: int) -> Slot:
    """A name from ``n`` names ``fmt.format(w=word)``: an open set, a few common, many rare."""
    return skewed([fmt.format(w=w, W=w.title()) for w in USERS[lo : lo + n]])


def growing(lo_digits: int = 1, hi_digits: int = 9) -> Slot:
    """A number whose width grows: as many short as long ones."""

    def draw(r: random.Random) -> str:
        d = r.randint(lo_digits, hi_digits)
        return str(r.randint(10 ** (d - 1), 10**d - 1))

    return draw


host = skewed(HOSTS)
package = skewed(PACKAGES)
klass = skewed(CLASSES)
program = skewed(PROGRAMS)


def num(lo: int = 0, hi: int = 99999) -> Slot:
    return lambda r: str(r.randint(lo, hi))


def hexn(n: int = 8, prefix: str = "") -> Slot:
    return lambda r: f"{prefix}{r.getrandbits(4 * n):0{n}x}"


def dec(lo: float = 0.0, hi: float = 100.0, digits: int = 2) -> Slot:
    return lambda r: f"{r.uniform(lo, hi):.{digits}f}"


def glued(word: str, lo: int = 0, hi: int = 999, sep: str = "") -> Slot:
    """An identifier glued to a constant word: ``worker-12``, ``conn#7``, ``u0a45``."""
    return lambda r: f"{word}{sep}{r.randint(lo, hi)}"


def timer(r: random.Random) -> str:
    """A kernel driver's seconds.microseconds timer (``ARPT: 123456.000789:``)."""
    return f"{r.randint(1000, 999999)}.{r.randint(0, 999999):06d}"


def ms(r: random.Random) -> str:
    return f"{r.randint(0, 5000)}ms"


def secs(r: random.Random) -> str:
    return f"{r.uniform(0, 90):.3f}s"


def spaced_ms(r: random.Random) -> str:
    return f"{r.randint(0, 5000)} ms"


def mixed_duration(r: random.Random) -> str:
    """Go-style durations: ``850ms``, ``4.2s``, ``1m12s``."""
    roll = r.random()
    if roll < 0.4:
        return f"{r.randint(1, 999)}ms"
    if roll < 0.8:
        return f"{r.uniform(1, 59):.1f}s"
    return f"{r.randint(1, 59)}m{r.randint(0, 59)}s"


def size(r: random.Random) -> str:
    return f"{r.uniform(0.1, 999):.1f} {r.choice(('KB', 'MB', 'GB'))}"


def glued_size(r: random.Random) -> str:
    return f"{r.randint(1, 4096)}{r.choice(('K', 'M', 'G'))}"


def percent(r: random.Random) -> str:
    return f"{r.randint(0, 100)}%"


def ip(r: random.Random) -> str:
    return f"{r.randint(10, 223)}.{r.randint(0, 255)}.{r.randint(0, 255)}.{r.randint(1, 254)}"


def ip_port(r: random.Random) -> str:
    return f"{ip(r)}:{r.randint(1024, 65535)}"


def host_port(r: random.Random) -> str:
    name = r.choice(
        (f"{host(r)}.example.org", f"cdn{r.randint(1, 99)}.{_coined(r.randrange(60))}.net")
    )
    return f"{name}:{r.choice((80, 443, 8443, r.randint(1024, 65535)))}"


def uuid(r: random.Random) -> str:
    h = f"{r.getrandbits(128):032x}"
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def unix_path(r: random.Random) -> str:
    parts = [_coined(r.randrange(80)) for _ in range(r.randint(1, 4))]
    ext = r.choice(("", ".conf", ".db", ".log", ".so"))
    return (
        "/" + r.choice(("var/lib", "opt", "usr/share", "home", "srv")) + "/" + "/".join(parts) + ext
    )


def win_path(r: random.Random) -> str:
    parts = [_coined(r.randrange(80)).title() for _ in range(r.randint(1, 3))]
    return "C:\\Windows\\" + "\\".join(parts) + r.choice((".dll", ".mum", ".cat", ".manifest"))


def quoted_name(r: random.Random) -> str:
    """A display name of one to three plain words in double quotes: one variable."""
    words = [_coined(r.randrange(30)).title() for _ in range(r.randint(1, 3))]
    return '"' + " ".join(words) + '"'


def single_quoted(r: random.Random) -> str:
    return "'" + _coined(r.randrange(50)) + "'"


def bracket_list(item: Slot, lo: int = 1, hi: int = 4) -> Slot:
    """``[a, b, c]``: a list of any length, one variable."""
    return lambda r: "[" + ", ".join(item(r) for _ in range(r.randint(lo, hi))) + "]"


def boolean(r: random.Random) -> str:
    return r.choice(("true", "false"))


def version(r: random.Random) -> str:
    return f"{r.randint(0, 12)}.{r.randint(0, 30)}.{r.randint(0, 999)}"


def kb_package(r: random.Random) -> str:
    kb = f"Package_{r.randint(1, 99)}_for_KB{r.randint(10**6, 10**7)}"
    return f"{kb}~{hexn(16)(r)}~amd64~~{version(r)}.0"


def node(r: random.Random) -> str:
    return f"r{r.randint(0, 31)}n{r.randint(0, 63):02d}"


def email(r: random.Random) -> str:
    return f"{user(r)}@{_coined(r.randrange(20))}.example.com"


def url(r: random.Random) -> str:
    return f"https://{host(r)}.example.org/{_coined(r.randrange(40))}/{r.randint(1, 9999)}"


def pick(*words: str) -> Slot:
    """A value from a small set that is still a variable (a device letter, a flag word)."""
    return lambda r: r.choice(words)
