"""Redis's glob (``KEYS``, ``SCAN MATCH``): a port of ``stringmatchlen`` from util.c.

``fnmatch`` differs from it (``[^a]``, backslash escapes, an unterminated ``[``), and a client
must get the keys Redis would give, so the matcher follows Redis's byte for byte.
"""

from __future__ import annotations


def _at(b: bytes, i: int) -> int:
    return b[i] if 0 <= i < len(b) else 0


def _match(p: bytes, pi: int, s: bytes, si: int, skip: list[bool]) -> bool:
    plen, slen = len(p) - pi, len(s) - si
    while plen and slen:
        c = p[pi]
        if c == 0x2A:  # '*'
            while plen and _at(p, pi + 1) == 0x2A:
                pi += 1
                plen -= 1
            if plen == 1:
                return True
            while slen:
                if _match(p, pi + 1, s, si, skip):
                    return True
                if skip[0]:
                    return False
                si += 1
                slen -= 1
            skip[0] = True
            return False
        if c == 0x3F:  # '?'
            si += 1
            slen -= 1
        elif c == 0x5B:  # '['
            pi += 1
            plen -= 1
            negate = _at(p, pi) == 0x5E
            if negate:
                pi += 1
                plen -= 1
            matched = False
            while True:
                pc = _at(p, pi)
                if pc == 0x5C and plen >= 2:
                    pi += 1
                    plen -= 1
                    if _at(p, pi) == s[si]:
                        matched = True
                elif pc == 0x5D:
                    break
                elif plen == 0:
                    pi -= 1
                    plen += 1
                    break
                elif plen >= 3 and _at(p, pi + 1) == 0x2D:
                    start, end = pc, _at(p, pi + 2)
                    if start > end:
                        start, end = end, start
                    pi += 2
                    plen -= 2
                    if start <= s[si] <= end:
                        matched = True
                elif pc == s[si]:
                    matched = True
                pi += 1
                plen -= 1
            if negate:
                matched = not matched
            if not matched:
                return False
            si += 1
            slen -= 1
        else:
            if c == 0x5C and plen >= 2:
                pi += 1
                plen -= 1
            if _at(p, pi) != s[si]:
                return False
            si += 1
            slen -= 1
        pi += 1
        plen -= 1
        if slen == 0:
            while _at(p, pi) == 0x2A and plen > 0:
                pi += 1
                plen -= 1
            break
    return plen == 0 and slen == 0


def glob_match(pattern: bytes, key: bytes) -> bool:
    """Whether ``key`` matches the Redis glob ``pattern``."""
    if pattern == b"*":
        return True
    return _match(pattern, 0, key, 0, [False])
