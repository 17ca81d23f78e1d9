"""Where a meal match could eat: up to three restaurants near the pair's campus that fit their
conditions, computed on read (nothing is stored but a member's pin, `Match.pinned_restaurant`).

- Campuses: the match's places that are campuses (`settings.CAMPUSES`); a match naming no place
  at all means any campus; one naming only OUT_OF_CLUSTER gets no suggestion.
- Way of eating: each way has a walk limit and the restaurant categories that suit it
  (`WAY_RULES`); with several ways a restaurant fits when it suits one of them. No way named:
  eating out. A café is never a meal.
- Time of eating (room matches): breakfast and the midnight snack narrow the categories
  (`TIME_CATEGORIES`); the other times take any.
- When too few fit, the time is dropped first, then the categories (never the walk limit): the
  list fills from the best fitting tier to the loosest, up to three.
- Different each time: in each tier the nearest `POOL_SIZE` are shuffled with the match's id as
  the seed, so one match shows the same three on every read while two matches differ, and the
  three are not always the nearest. Restaurants pinned in the members' matches of the last
  `RECENT_PIN_DAYS` days go last (a soft preference), and different categories come first.
"""

import random
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.utils import timezone

from matching.models import Match
from matching.selectors.matches import MatchView, MemberView
from partner42.choices import (
    ConditionKind,
    ContentCategory,
    MatchStatus,
    Place,
    TimeOfEating,
    WayOfEating,
)
from restaurants.geo import max_metres_for_minutes
from restaurants.models import Restaurant
from restaurants.selectors import NEAR_WALK_MINUTES, RestaurantCard, restaurant_cards_near

SUGGESTION_COUNT = 3
# The three are drawn from the nearest this many of a tier: near enough, not always the nearest.
POOL_SIZE = 12
RECENT_PIN_DAYS = 30

NOT_A_MEAL = frozenset({"까페"})
_TAKEAWAY = frozenset({"분식", "김밥(도시락)", "패스트푸드", "한식", "중국식", "일식", "호프/통닭"})


@dataclass(frozen=True)
class WayRule:
    max_walk_minutes: int
    categories: frozenset[str] | None  # None: any meal category


WAY_RULES: dict[str, WayRule] = {
    # Sitting down together: "near the cluster", any kind of meal.
    WayOfEating.EATOUT: WayRule(NEAR_WALK_MINUTES, None),
    # Picked up and eaten back at the cluster: a short walk, food that travels.
    WayOfEating.TAKEOUT: WayRule(10, _TAKEAWAY),
    # Brought to the cluster: nobody walks, but a nearby kitchen delivers fast.
    WayOfEating.DELIVERY: WayRule(20, _TAKEAWAY),
}
DEFAULT_WAY = WayOfEating.EATOUT

TIME_CATEGORIES: dict[str, frozenset[str]] = {
    TimeOfEating.BREAKFAST: frozenset({"한식", "분식", "김밥(도시락)", "패스트푸드"}),
    TimeOfEating.MIDNIGHT: frozenset(
        {"호프/통닭", "분식", "패스트푸드", "식육(숯불구이)", "중국식", "탕류(보신용)"}
    ),
}


@dataclass(frozen=True)
class SuggestionQuery:
    """What a match asks of a restaurant, read from its conditions."""

    campuses: tuple[str, ...]
    ways: tuple[str, ...]
    times: tuple[str, ...]

    @property
    def max_walk_minutes(self) -> int:
        return max(WAY_RULES[way].max_walk_minutes for way in self.ways)

    def fits(self, card: RestaurantCard, *, tier: int) -> bool:
        """Tier 0: way and time; 1: way only; 2: any meal within the walk."""
        if card.category in NOT_A_MEAL:
            return False
        way_fits = False
        for way in self.ways:
            rule = WAY_RULES[way]
            if card.metres > max_metres_for_minutes(rule.max_walk_minutes):
                continue
            if tier >= 2 or rule.categories is None or card.category in rule.categories:
                way_fits = True
                break
        if not way_fits:
            return False
        if tier >= 1:
            return True
        narrowing = [TIME_CATEGORIES[time] for time in self.times if time in TIME_CATEGORIES]
        # A time without its own list (lunch, dinner …) among them takes any category.
        if not narrowing or len(narrowing) < len(self.times):
            return True
        return any(card.category in categories for categories in narrowing)


TIERS = (0, 1, 2)


def suggestion_query(match: Match) -> SuggestionQuery | None:
    """The match's conditions as a query, or None when nothing should be suggested (a STUDY
    match, or one that is only outside the clusters). Needs `conditions` prefetched."""
    if match.category != ContentCategory.MEAL:
        return None
    values: dict[str, list[str]] = {}
    for condition in match.conditions.all():
        values.setdefault(condition.kind, []).append(condition.value)
    campuses = tuple(match_campuses(match))
    if not campuses:
        return None
    ways = tuple(
        way for way in WayOfEating.values if way in values.get(ConditionKind.WAY_OF_EATING, [])
    )
    times = tuple(
        time for time in TimeOfEating.values if time in values.get(ConditionKind.TIME_OF_EATING, [])
    )
    return SuggestionQuery(campuses=campuses, ways=ways or (DEFAULT_WAY,), times=times)


def match_campuses(match: Match) -> list[str]:
    """The campuses a match is near (its places that are campuses; every campus when it names
    no place; none when it names only OUT_OF_CLUSTER). Needs `conditions` prefetched."""
    places = [c.value for c in match.conditions.all() if c.kind == ConditionKind.PLACE]
    if not places:
        return list(settings.CAMPUSES)
    return [key for key in settings.CAMPUSES if key in places and key != Place.OUT_OF_CLUSTER]


def recently_pinned_ids(*, user_ids: Iterable[int], exclude_match_id: int | None) -> set[int]:
    """The restaurants pinned in these users' matches of the last RECENT_PIN_DAYS days. One
    query."""
    since = timezone.now() - timedelta(days=RECENT_PIN_DAYS)
    qs = Match.objects.filter(
        members__user_id__in=list(user_ids),
        pinned_restaurant__isnull=False,
        pinned_at__gte=since,
    )
    if exclude_match_id is not None:
        qs = qs.exclude(pk=exclude_match_id)
    return set(qs.values_list("pinned_restaurant_id", flat=True).distinct())


def restaurant_suggestions(
    match: Match, *, member_ids: Iterable[int] | None = None
) -> list[RestaurantCard]:
    """Up to three restaurants for a meal match, nearest first; [] for others.

    Needs `conditions` prefetched (and `members`, unless `member_ids` is given). Queries: one
    for the members' recent pins, plus the restaurants: none when the restaurant cache is warm,
    one per campus when cold, one without the cache.
    """
    query = suggestion_query(match)
    if query is None:
        return []
    if member_ids is None:
        member_ids = [member.user_id for member in match.members.all()]
    recent = recently_pinned_ids(user_ids=member_ids, exclude_match_id=match.pk)
    cards = restaurant_cards_near(
        campuses=list(query.campuses), max_walk_minutes=query.max_walk_minutes
    )
    return pick_suggestions(cards, query=query, seed=str(match.api_id), avoid=recent)


def pick_suggestions(
    cards: list[RestaurantCard],
    *,
    query: SuggestionQuery,
    seed: str,
    avoid: set[int] = frozenset(),  # type: ignore[assignment]
    count: int = SUGGESTION_COUNT,
) -> list[RestaurantCard]:
    """The deterministic draw (pure: no database). `cards` nearest first per campus."""
    # A restaurant near two campuses counts once, at its nearer one.
    nearest: dict[int, RestaurantCard] = {}
    for card in cards:
        known = nearest.get(card.restaurant_id)
        if known is None or card.metres < known.metres:
            nearest[card.restaurant_id] = card
    ordered = sorted(nearest.values(), key=lambda c: (c.metres, c.name, c.restaurant_id))
    rng = random.Random(seed)  # noqa: S311 (a stable draw, not security)
    chosen: list[RestaurantCard] = []
    taken: set[int] = set()
    for tier in TIERS:
        if len(chosen) >= count:
            break
        pool = [c for c in ordered if c.restaurant_id not in taken and query.fits(c, tier=tier)]
        pool = pool[:POOL_SIZE]
        rng.shuffle(pool)
        # Stable: not recently pinned first, then the shuffle's order.
        pool.sort(key=lambda c: c.restaurant_id in avoid)
        categories = {c.category for c in chosen}
        fresh = [c for c in pool if c.category not in categories and c.restaurant_id not in avoid]
        # One of each category first, then the rest of the pool.
        firsts: list[RestaurantCard] = []
        for card in fresh:
            if card.category not in {c.category for c in firsts}:
                firsts.append(card)
        rest = [c for c in pool if c not in firsts]
        for card in [*firsts, *rest]:
            if len(chosen) >= count:
                break
            chosen.append(card)
            taken.add(card.restaurant_id)
    return sorted(chosen, key=lambda c: (c.metres, c.name, c.restaurant_id))


@dataclass(frozen=True)
class MatchSuggestions:
    """What the match page and the API show of where to eat."""

    suggestions: list[RestaurantCard]
    pinned: Restaurant | None
    # The member who pinned it, as the viewer sees them (masked when the hidden author); None when
    # nothing is pinned or they are gone.
    pinned_by: MemberView | None
    pinned_at: datetime | None
    can_pin: bool

    @property
    def pinned_id(self) -> int | None:
        return self.pinned.pk if self.pinned is not None else None

    @property
    def pinned_is_suggested(self) -> bool:
        return any(card.restaurant_id == self.pinned_id for card in self.suggestions)

    @property
    def shown(self) -> bool:
        return bool(self.suggestions) or self.pinned is not None


def match_suggestions(view: MatchView) -> MatchSuggestions:
    """Suggestions and the pin of a match as its viewer sees it. Needs the match from
    `match_get_visible` (pinned restaurant selected, members and conditions prefetched): one
    query for the members' recent pins on a meal match, plus the restaurants when the cache is
    cold or off; none on a study match."""
    match = view.match
    pinned = match.pinned_restaurant if match.pinned_restaurant_id else None
    pinned_by = None
    if pinned is not None and match.pinned_by_id is not None:
        pinned_by = next((m for m in view.members if m.member.user_id == match.pinned_by_id), None)
    suggestions = restaurant_suggestions(match, member_ids=[m.member.user_id for m in view.members])
    return MatchSuggestions(
        suggestions=suggestions,
        pinned=pinned,
        pinned_by=pinned_by,
        pinned_at=match.pinned_at if pinned is not None else None,
        can_pin=view.is_member
        and match.status == MatchStatus.MATCHED
        and match.category == ContentCategory.MEAL,
    )
