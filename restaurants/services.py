from dataclasses import dataclass

from django.db import transaction

from restaurants.cache import restaurant_cache_invalidate
from restaurants.geo import campus_distances
from restaurants.licence import ImportPlan, PlannedRestaurant
from restaurants.models import CampusDistance, Restaurant

# Fields an import owns; price level and link belong to the operators and survive re-imports.
IMPORTED_FIELDS = (
    "name",
    "category",
    "address",
    "road_address",
    "phone",
    "latitude",
    "longitude",
    "is_open",
)
BATCH_SIZE = 500


@dataclass(frozen=True)
class ImportResult:
    created: int
    updated: int
    unchanged: int
    closed: int
    skipped_closed: int
    skipped_far: int
    invalid: int


@transaction.atomic
def restaurant_import(*, plan: ImportPlan) -> ImportResult:
    """Upsert the planned restaurants by licence id, in one transaction.

    Restaurants we hold whose licence is now closed are marked closed, never deleted: a room may
    name them. Every process's recommendation cache is dropped once this commits.
    """
    by_licence = {p.licence_id: p for p in plan.restaurants}
    existing: dict[str, Restaurant] = {}
    licence_ids = list(by_licence)
    for start in range(0, len(licence_ids), BATCH_SIZE):
        chunk = licence_ids[start : start + BATCH_SIZE]
        existing.update({r.licence_id: r for r in Restaurant.objects.filter(licence_id__in=chunk)})

    stored_distances = _distances_of([r.pk for r in existing.values()])

    to_create: list[Restaurant] = []
    to_update: list[Restaurant] = []
    # Moved restaurants, and all of them after a campus was added to the settings.
    remeasured: list[Restaurant] = []
    for licence_id, planned in by_licence.items():
        restaurant = existing.get(licence_id)
        if restaurant is None:
            to_create.append(Restaurant(licence_id=licence_id, **_imported_values(planned)))
            continue
        changed = False
        for name, value in _imported_values(planned).items():
            if getattr(restaurant, name) != value:
                setattr(restaurant, name, value)
                changed = True
        if changed:
            to_update.append(restaurant)
        if stored_distances.get(restaurant.pk) != planned.distances:
            remeasured.append(restaurant)

    Restaurant.objects.bulk_create(to_create, batch_size=BATCH_SIZE)
    Restaurant.objects.bulk_update(to_update, IMPORTED_FIELDS, batch_size=BATCH_SIZE)
    # bulk_create sets primary keys only on some backends: read them back by licence id.
    created_ids = Restaurant.objects.filter(
        licence_id__in=[r.licence_id for r in to_create]
    ).values_list("id", "licence_id")
    _distances_replace(
        [(pk, by_licence[licence_id].distances) for pk, licence_id in created_ids]
        + [(r.pk, by_licence[r.licence_id].distances) for r in remeasured]
    )

    closed = 0
    closed_ids = plan.closed_licence_ids
    for start in range(0, len(closed_ids), BATCH_SIZE):
        closed += Restaurant.objects.filter(
            licence_id__in=closed_ids[start : start + BATCH_SIZE], is_open=True
        ).update(is_open=False)

    if to_create or to_update or remeasured or closed:
        transaction.on_commit(restaurant_cache_invalidate)
    return ImportResult(
        created=len(to_create),
        updated=len(to_update),
        unchanged=len(existing) - len(to_update),
        closed=closed,
        skipped_closed=plan.skipped_closed,
        skipped_far=plan.skipped_far,
        invalid=plan.invalid,
    )


@transaction.atomic
def restaurant_distances_refresh(*, restaurant: Restaurant) -> None:
    """Recompute one restaurant's campus distances (after an operator moved or added it)."""
    _distances_replace(
        [(restaurant.pk, campus_distances(restaurant.latitude, restaurant.longitude))]
    )
    transaction.on_commit(restaurant_cache_invalidate)


def _imported_values(planned: PlannedRestaurant) -> dict:
    return {
        "name": planned.name,
        "category": planned.category,
        "address": planned.address,
        "road_address": planned.road_address,
        "phone": planned.phone,
        "latitude": planned.latitude,
        "longitude": planned.longitude,
        "is_open": True,
    }


def _distances_of(restaurant_ids: list[int]) -> dict[int, dict[str, int]]:
    distances: dict[int, dict[str, int]] = {}
    for start in range(0, len(restaurant_ids), BATCH_SIZE):
        rows = CampusDistance.objects.filter(
            restaurant_id__in=restaurant_ids[start : start + BATCH_SIZE]
        ).values_list("restaurant_id", "campus", "metres")
        for restaurant_id, campus, metres in rows:
            distances.setdefault(restaurant_id, {})[campus] = metres
    return distances


def _distances_replace(rows: list[tuple[int, dict[str, int]]]) -> None:
    restaurant_ids = [pk for pk, _ in rows]
    for start in range(0, len(restaurant_ids), BATCH_SIZE):
        CampusDistance.objects.filter(
            restaurant_id__in=restaurant_ids[start : start + BATCH_SIZE]
        ).delete()
    CampusDistance.objects.bulk_create(
        [
            CampusDistance(restaurant_id=pk, campus=campus, metres=metres)
            for pk, distances in rows
            for campus, metres in distances.items()
        ],
        batch_size=BATCH_SIZE,
    )


@transaction.atomic
def restaurant_set_open(*, restaurant_ids: list[int], is_open: bool) -> int:
    """Open or close restaurants by hand (the admin's actions); returns how many changed."""
    changed = (
        Restaurant.objects.filter(pk__in=restaurant_ids)
        .exclude(is_open=is_open)
        .update(is_open=is_open)
    )
    if changed:
        transaction.on_commit(restaurant_cache_invalidate)
    return changed
