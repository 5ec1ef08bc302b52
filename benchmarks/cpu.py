"""CPU time of child processes: a cost that does not depend on how busy the machine is."""

from __future__ import annotations

import resource


def children_cpu_seconds() -> float:
    """User + system seconds of every child process waited for so far."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime
