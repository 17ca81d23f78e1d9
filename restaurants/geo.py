"""Campuses, distances and walking time. Pure functions: no database, no cache."""

import math
from dataclasses import dataclass

from django.conf import settings

# A relaxed walk, 4 km/h. Distances are as the crow flies, so real walks take a little longer.
WALK_METRES_PER_MINUTE = 67
# Mean Earth radius (IUGG); haversine on a sphere is within 0.5 % of the ellipsoid at this scale.
EARTH_RADIUS_METRES = 6_371_008.8


@dataclass(frozen=True)
class Campus:
    key: str
    name: str
    address: str
    latitude: float
    longitude: float


def campus_list() -> list[Campus]:
    return [
        Campus(
            key=key,
            name=str(value["name"]),
            address=value["address"],
            latitude=float(value["latitude"]),
            longitude=float(value["longitude"]),
        )
        for key, value in settings.CAMPUSES.items()
    ]


def campus_keys() -> list[str]:
    return list(settings.CAMPUSES)


def haversine_metres(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    d_phi = phi2 - phi1
    d_lambda = math.radians(lon2 - lon1)
    a = math.sin(d_phi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(d_lambda / 2) ** 2
    return 2 * EARTH_RADIUS_METRES * math.asin(math.sqrt(a))


def campus_distances(latitude: float, longitude: float) -> dict[str, int]:
    """Whole metres from the point to every campus, keyed by campus."""
    return {
        campus.key: round(haversine_metres(latitude, longitude, campus.latitude, campus.longitude))
        for campus in campus_list()
    }


def walk_minutes(metres: int) -> int:
    return max(1, math.ceil(metres / WALK_METRES_PER_MINUTE))


def max_metres_for_minutes(minutes: int) -> int:
    """The largest distance whose `walk_minutes` is at most `minutes`."""
    return minutes * WALK_METRES_PER_MINUTE
