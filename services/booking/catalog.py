"""Inventory from real and generated catalogues.

Flights come from OpenFlights (``routes.dat``, ``airports.dat``): one unit per airline
route and cabin, sold per departure date. Seats are not in the data, so they come from the
route's first equipment code through ``SEATS`` (typical two-class layouts of common types;
unknown types get ``DEFAULT_SEATS``); large aircraft also get a business cabin.
Hotels for tests, the workload and the benchmark are generated (deterministic per seed).
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from pathlib import Path

SEATS = {
    "319": 144,
    "320": 180,
    "321": 200,
    "32N": 186,
    "32Q": 220,
    "318": 107,
    "738": 189,
    "737": 149,
    "73H": 174,
    "73G": 140,
    "733": 140,
    "734": 160,
    "735": 120,
    "7M8": 189,
    "752": 200,
    "753": 240,
    "763": 250,
    "764": 250,
    "772": 310,
    "773": 370,
    "77W": 350,
    "788": 240,
    "789": 290,
    "332": 260,
    "333": 300,
    "343": 270,
    "346": 320,
    "359": 315,
    "744": 400,
    "748": 410,
    "380": 500,
    "388": 500,
    "E70": 72,
    "E75": 80,
    "E90": 100,
    "E95": 120,
    "ER4": 50,
    "CR2": 50,
    "CR7": 70,
    "CR9": 90,
    "CRJ": 50,
    "DH4": 78,
    "AT7": 70,
    "AT5": 48,
    "SF3": 34,
    "100": 100,
    "717": 110,
    "M80": 150,
    "M90": 150,
}
DEFAULT_SEATS = 150
WIDEBODY = 250


@dataclass(frozen=True)
class Route:
    airline: str
    source: str
    dest: str
    equipment: str
    seats: int

    @property
    def unit_prefix(self) -> str:
        return f"{self.airline}-{self.source}-{self.dest}"

    def cabins(self) -> dict[str, int]:
        """Seats per cabin: economy, plus business (10%) on wide-bodies."""
        if self.seats >= WIDEBODY:
            business = self.seats // 10
            return {"economy": self.seats - business, "business": business}
        return {"economy": self.seats}


def seats_for(equipment: str) -> int:
    codes = equipment.split()
    return SEATS.get(codes[0], DEFAULT_SEATS) if codes else DEFAULT_SEATS


def read_routes(
    folder: Path, *, source: str | None = None, limit: int | None = None
) -> Iterator[Route]:
    """Direct (no stop) routes between airports with IATA codes, optionally from ``source``."""
    with (folder / "routes.dat").open(encoding="utf-8", newline="") as fh:
        count = 0
        for row in csv.reader(fh):
            if len(row) < 9 or row[7] != "0" or len(row[2]) != 3 or len(row[4]) != 3:
                continue
            if source is not None and row[2] != source:
                continue
            if not row[0].replace("-", "").isalnum():
                continue
            yield Route(row[0], row[2], row[4], row[8], seats_for(row[8]))
            count += 1
            if limit is not None and count >= limit:
                return


def airports(folder: Path) -> dict[str, tuple[str, str]]:
    """IATA code -> (city, country)."""
    out = {}
    with (folder / "airports.dat").open(encoding="utf-8", newline="") as fh:
        for row in csv.reader(fh):
            if len(row) > 4 and len(row[4]) == 3:
                out[row[4]] = (row[2], row[3])
    return out


CITIES = [
    "Lisbon",
    "Porto",
    "Faro",
    "Madrid",
    "Seville",
    "Paris",
    "Lyon",
    "Rome",
    "Milan",
    "Berlin",
    "Munich",
    "Vienna",
    "Prague",
    "Amsterdam",
    "Dublin",
    "London",
    "Athens",
    "Oslo",
    "Warsaw",
    "Zurich",
]
ROOM_TYPES = [
    ("single", "Single", 1, 0.7),
    ("double", "Double", 2, 1.0),
    ("family", "Family", 4, 1.6),
]


@dataclass(frozen=True)
class GeneratedHotel:
    id: str
    name: str
    city: str
    rooms: dict[str, tuple[str, int, int, int]]  # unit suffix -> (name, max guests, count, price)


def generate_hotels(n: int, seed: int = 0) -> list[GeneratedHotel]:
    rng = random.Random(seed)
    hotels = []
    for i in range(n):
        base = rng.randint(60, 260) * 100
        rooms = {
            suffix: (name, guests, rng.randint(2, 40), int(base * factor))
            for suffix, name, guests, factor in ROOM_TYPES
        }
        hotels.append(GeneratedHotel(f"p{i:04d}", f"Hotel {i}", CITIES[i % len(CITIES)], rooms))
    return hotels


def inventory_rows(unit_id: str, start: date, days: int, total: int, price: int, seed: int = 0):
    """Rows for ``BookingService.load_inventory``: weekend nights dearer, prices vary a bit."""
    rng = random.Random(f"{unit_id}:{seed}")
    first = start.toordinal()
    rows = []
    for d in range(first, first + days):
        weekend = date.fromordinal(d).weekday() >= 4
        p = int(price * (1.2 if weekend else 1.0) * rng.uniform(0.9, 1.1))
        rows.append(
            {"unit_id": unit_id, "day": d, "total": total, "available": total, "price_cents": p}
        )
    return rows
