"""A member pins where a meal match eats (`Match.pinned_restaurant`), or takes the pin away."""

import uuid

from django.utils import timezone
from django.utils.translation import gettext as _

from matching.models import Match, MatchMember
from matching.selectors.matches import NotMatchMemberError
from matching.selectors.suggestions import match_campuses, suggestion_query
from partner42.choices import ContentCategory, MatchStatus
from partner42.errors import ApplicationError, ErrorCode, InvalidInputError
from restaurants.models import Restaurant
from restaurants.selectors import NEAR_WALK_MINUTES, restaurant_is_near

FIELD = "restaurantId"


class MatchCanceledError(ApplicationError):
    """MCH006: a canceled match takes no pin."""

    error_code = ErrorCode.MATCH_CANCELED


def _refuse(value: object, reason: str) -> InvalidInputError:
    shown = "" if value is None else str(value)[:100]
    return InvalidInputError(errors=[{"field": FIELD, "value": shown, "reason": reason}])


def pin_walk_minutes(match: Match) -> int:
    """How far from the match's campus a pinned restaurant may be: its suggestions' walk limit,
    at least "near the cluster"."""
    query = suggestion_query(match)
    return max(NEAR_WALK_MINUTES, query.max_walk_minutes if query is not None else 0)


def match_restaurant_pin(*, match: Match, user, restaurant_id: str | uuid.UUID | None) -> Match:
    """Pin a restaurant for a meal match (replacing any pin), or unpin with `restaurant_id` None.

    Checks, in this order: 403 MCH002 the caller is not a member (operators included); 409
    MCH006 the match is canceled; 400 C001 on `restaurantId`: a STUDY match, an id that names no
    restaurant (malformed ids too), a closed one, or one farther than the match's walk limit
    from its campus (any campus when it names none). Any open restaurant near enough may be
    pinned, a suggestion or one found on the restaurants page. One conditional UPDATE: a match
    canceled meanwhile is refused with MCH006, and of two concurrent pins the last one stays.
    """
    if not MatchMember.objects.filter(match=match, user=user).exists():
        raise NotMatchMemberError()
    if match.status != MatchStatus.MATCHED:
        raise MatchCanceledError()
    restaurant = None
    if restaurant_id is not None:
        if match.category != ContentCategory.MEAL:
            raise _refuse(restaurant_id, _("식사 매칭에만 식당을 정할 수 있어요."))
        restaurant = _restaurant(restaurant_id)
        if not restaurant.is_open:
            raise _refuse(restaurant_id, _("문을 닫은 식당이에요."))
        minutes = pin_walk_minutes(match)
        if not restaurant_is_near(
            restaurant=restaurant, campuses=match_campuses(match), max_walk_minutes=minutes
        ):
            raise _refuse(
                restaurant_id,
                _("매칭한 클러스터에서 걸어서 %(minutes)d분 안에 있는 식당만 정할 수 있어요.")
                % {"minutes": minutes},
            )
    now = timezone.now()
    changes = {
        "pinned_restaurant": restaurant,
        "pinned_by": user if restaurant is not None else None,
        "pinned_at": now if restaurant is not None else None,
    }
    updated = Match.objects.filter(pk=match.pk, status=MatchStatus.MATCHED).update(
        **changes, updated_at=now
    )
    if not updated:
        raise MatchCanceledError()
    for field, value in changes.items():
        setattr(match, field, value)
    return match


def _restaurant(restaurant_id: str | uuid.UUID) -> Restaurant:
    try:
        api_id = uuid.UUID(str(restaurant_id))
    except (TypeError, ValueError, AttributeError):
        raise _refuse(restaurant_id, _("그런 식당이 없어요.")) from None
    restaurant = Restaurant.objects.filter(api_id=api_id).first()
    if restaurant is None:
        raise _refuse(restaurant_id, _("그런 식당이 없어요."))
    return restaurant
