"""Reads for the recommendation page and API.

Two paths give the same answers: with the cache on (the default), the open restaurants of a
campus are read once per process and generation (one query), then filtered and ordered in memory,
and each filter's answer is kept too, so that a hot filter costs a slice or a random choice; with
`RESTAURANT_CACHE_SECONDS=0` every read asks the database with the filter, the order and the
slice in SQL. bench/bench_restaurants.py compares the two.
"""

import secrets
import uuid
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import Prefetch, QuerySet

from restaurants.cache import cache_enabled, cached
from restaurants.categories import category_label
from restaurants.geo import Campus, campus_list, max_metres_for_minutes, walk_minutes
from restaurants.models import CampusDistance, PriceLevel, Restaurant

# "Near the cluster": what the pages, the API and a room's restaurant mean by it when not told.
NEAR_WALK_MINUTES = 15

# The orders a list may take (ORM lookups on CampusDistance, as partner42.pagination makes them).
SORT_FIELDS = {"distance": "metres", "name": "restaurant__name"}
DEFAULT_ORDER = ["metres", "restaurant__name", "pk"]

_CARD_FIELDS = (
    "pk",
    "campus",
    "metres",
    "restaurant_id",
    "restaurant__api_id",
    "restaurant__name",
    "restaurant__category",
    "restaurant__address",
    "restaurant__road_address",
    "restaurant__phone",
    "restaurant__latitude",
    "restaurant__longitude",
    "restaurant__price_level",
    "restaurant__link",
)


@dataclass(frozen=True)
class RestaurantCard:
    """One restaurant as seen from one campus: everything a page or the API shows."""

    distance_id: int
    campus: str
    metres: int
    restaurant_id: int
    api_id: uuid.UUID
    name: str
    category: str
    address: str
    road_address: str
    phone: str
    latitude: float
    longitude: float
    price_level: int | None
    link: str

    @property
    def walk_minutes(self) -> int:
        return walk_minutes(self.metres)

    @property
    def display_address(self) -> str:
        return self.road_address or self.address

    @property
    def category_label(self) -> str:
        return category_label(self.category)

    @property
    def price_label(self) -> str:
        return PriceLevel(self.price_level).label if self.price_level else ""


@dataclass(frozen=True)
class RecommendationQuery:
    campus: str
    category: str = ""
    max_walk_minutes: int | None = None

    @property
    def max_metres(self) -> int | None:
        if self.max_walk_minutes is None:
            return None
        return max_metres_for_minutes(self.max_walk_minutes)


def restaurant_recommendation_list(
    *,
    query: RecommendationQuery,
    order_by: list[str] | None = None,
    offset: int = 0,
    limit: int = 20,
) -> tuple[list[RestaurantCard], bool]:
    """One slice of the open restaurants matching the query, and whether more follow."""
    order_by = order_by or DEFAULT_ORDER
    if cache_enabled():
        cards = _cached_matching(query, order_by)
        return list(cards[offset : offset + limit]), len(cards) > offset + limit
    rows = list(
        _distance_queryset(query)
        .order_by(*order_by)
        .values_list(*_CARD_FIELDS)[offset : offset + limit + 1]
    )
    return [RestaurantCard(*row) for row in rows[:limit]], len(rows) > limit


def restaurant_pick(*, query: RecommendationQuery) -> RestaurantCard | None:
    """A random open restaurant matching the query, or None."""
    if cache_enabled():
        cards = _cached_matching(query, DEFAULT_ORDER)
        return secrets.choice(cards) if cards else None
    qs = _distance_queryset(query)
    count = qs.count()
    if not count:
        return None
    row = qs.order_by("pk").values_list(*_CARD_FIELDS)[secrets.randbelow(count)]
    return RestaurantCard(*row)


def restaurant_category_list(*, campus: str) -> list[str]:
    """The categories of the open restaurants near a campus, for the filter's choices."""
    if cache_enabled():
        return sorted({card.category for card in _campus_cards(campus) if card.category})
    return list(
        _distance_queryset(RecommendationQuery(campus=campus))
        .exclude(restaurant__category="")
        .order_by("restaurant__category")
        .values_list("restaurant__category", flat=True)
        .distinct()
    )


def restaurant_get(*, api_id: uuid.UUID | str) -> Restaurant | None:
    """A restaurant with its campus distances, open or not (a room may name a closed one)."""
    distances = Prefetch("distances", queryset=CampusDistance.objects.order_by("campus"))
    try:
        return Restaurant.objects.prefetch_related(distances).filter(api_id=api_id).first()
    except ValidationError:  # not a UUID
        return None


def restaurant_is_near(
    *, restaurant: Restaurant, campuses: list[str], max_walk_minutes: int = NEAR_WALK_MINUTES
) -> bool:
    """Whether the restaurant is within the walk of one of `campuses` (of any, when empty)."""
    qs = CampusDistance.objects.filter(
        restaurant=restaurant, metres__lte=max_metres_for_minutes(max_walk_minutes)
    )
    if campuses:
        qs = qs.filter(campus__in=campuses)
    return qs.exists()


def restaurant_choice_groups(
    *, max_walk_minutes: int = NEAR_WALK_MINUTES, per_campus: int = 100
) -> list[tuple[Campus, list[RestaurantCard]]]:
    """Restaurants a room may name, nearest first under each campus (from the cache when on)."""
    groups = []
    for campus in campus_list():
        query = RecommendationQuery(campus=campus.key, max_walk_minutes=max_walk_minutes)
        cards, _more = restaurant_recommendation_list(query=query, limit=per_campus)
        groups.append((campus, cards))
    return groups


def _distance_queryset(query: RecommendationQuery) -> QuerySet[CampusDistance]:
    qs = CampusDistance.objects.filter(campus=query.campus, restaurant__is_open=True)
    if query.category:
        qs = qs.filter(restaurant__category=query.category)
    if query.max_metres is not None:
        qs = qs.filter(metres__lte=query.max_metres)
    return qs


def _campus_cards(campus: str) -> tuple[RestaurantCard, ...]:
    def load() -> tuple[RestaurantCard, ...]:
        rows = (
            _distance_queryset(RecommendationQuery(campus=campus))
            .order_by(*DEFAULT_ORDER)
            .values_list(*_CARD_FIELDS)
        )
        return tuple(RestaurantCard(*row) for row in rows)

    return cached(("campus", campus), load)


def _cached_matching(query: RecommendationQuery, order_by: list[str]) -> tuple[RestaurantCard, ...]:
    """The query's whole answer in order, kept per filter so a hot filter costs one lookup."""

    def load() -> tuple[RestaurantCard, ...]:
        return tuple(_sorted(_matching(_campus_cards(query.campus), query), order_by))

    return cached(("query", query, tuple(order_by)), load)


def _matching(cards: tuple[RestaurantCard, ...], query: RecommendationQuery) -> list:
    max_metres = query.max_metres
    return [
        card
        for card in cards
        if (not query.category or card.category == query.category)
        and (max_metres is None or card.metres <= max_metres)
    ]


_SORT_KEYS = {
    "metres": lambda card: card.metres,
    "restaurant__name": lambda card: card.name.casefold(),
    "pk": lambda card: card.distance_id,
}


def _sorted(cards: list[RestaurantCard], order_by: list[str]) -> list[RestaurantCard]:
    if order_by == DEFAULT_ORDER:
        return cards  # the campus's cards are read in this order
    # Stable sorts from the last key to the first give a mixed-direction multi-key order.
    for item in reversed(order_by):
        cards = sorted(cards, key=_SORT_KEYS[item.lstrip("-")], reverse=item.startswith("-"))
    return cards


def restaurant_cards_near(*, campuses: list[str], max_walk_minutes: int) -> list[RestaurantCard]:
    """The open restaurants within the walk of each of `campuses`, nearest first per campus (a
    card per campus a restaurant is near). From the cache when on (no SQL when warm, one query
    per campus when cold), else one query."""
    max_metres = max_metres_for_minutes(max_walk_minutes)
    if cache_enabled():
        return [
            card
            for campus in campuses
            for card in _campus_cards(campus)
            if card.metres <= max_metres
        ]
    if not campuses:
        return []
    rows = (
        CampusDistance.objects.filter(
            campus__in=campuses, metres__lte=max_metres, restaurant__is_open=True
        )
        .order_by("campus", *DEFAULT_ORDER)
        .values_list(*_CARD_FIELDS)
    )
    return [RestaurantCard(*row) for row in rows]
