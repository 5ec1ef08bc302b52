"""The registry of systems: number, id and title of each of the fifteen designs.

Everything that names a system derives from this list: the lake's ``system`` field and its
``<id>_events`` views, ``/healthz``, the Dagster asset groups, the ``blueprint <id>`` command
groups and the conformance test that checks every built system fills every slot
(``services/<id>/system.py``, ``settings.py``, ``api.py``, ``assets/<id>.py``,
``pipelines/workload/<id>.py``, ``pipelines/commands/<id>.py``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class System:
    number: int
    id: str
    title: str
    built: bool = True

    @property
    def env_prefix(self) -> str:
        """The prefix of this system's settings, e.g. ``BLUEPRINT_SHORTENER_``."""
        return f"BLUEPRINT_{self.id.upper()}_"


SYSTEMS: tuple[System, ...] = (
    System(1, "shortener", "URL shortener"),
    System(2, "social", "Social network"),
    System(3, "video", "Video streaming"),
    System(4, "rides", "Ride sharing"),
    System(5, "chat", "Messaging"),
    System(6, "files", "File sharing"),
    System(7, "crawl", "Web crawler"),
    System(8, "feed", "News feed"),
    System(9, "cache", "Distributed cache"),
    System(10, "cdn", "CDN"),
    System(11, "kv", "Distributed key-value store"),
    System(12, "notify", "Notifications"),
    System(13, "booking", "Booking"),
    System(14, "logs", "Distributed logging"),
    System(15, "shop", "E-commerce"),
)

# Events of the platform itself (API keys, the lake), which belong to no one system.
PLATFORM = "platform"

BY_ID: dict[str, System] = {s.id: s for s in SYSTEMS}
EVENT_SOURCES: frozenset[str] = frozenset([*BY_ID, PLATFORM])


def built() -> list[System]:
    """The systems that exist today, in number order."""
    return [s for s in SYSTEMS if s.built]


def system(system_id: str) -> System:
    """The registered system ``system_id``; ``KeyError`` names the known ids."""
    try:
        return BY_ID[system_id]
    except KeyError:
        raise KeyError(f"unknown system {system_id!r}; known: {', '.join(BY_ID)}") from None
