"""Where a meal match eats, as the match's JSON shows it (`restaurantSuggestions`,
`pinnedRestaurant`): used by `GET /api/matches/{id}` and the pin endpoint."""

from typing import Any

from rest_framework import serializers

from matching.selectors.matches import MatchView
from matching.selectors.suggestions import MatchSuggestions, match_suggestions
from partner42.serializers import local_datetime
from restaurants.api.serializers import (
    RestaurantSummarySchema,
    restaurant_card_dto,
    restaurant_summary_dto,
)


def where_to_eat_dto(view: MatchView) -> dict[str, Any]:
    """Ours: up to three `restaurantSuggestions` ([] for a study match) and `pinnedRestaurant`
    (or null)."""
    eat = match_suggestions(view)
    return {
        "restaurantSuggestions": [restaurant_card_dto(card) for card in eat.suggestions],
        "pinnedRestaurant": pinned_dto(eat),
    }


def pinned_dto(eat: MatchSuggestions) -> dict[str, Any] | None:
    restaurant = eat.pinned
    if restaurant is None:
        return None
    return {
        **restaurant_summary_dto(restaurant),
        "pinnedBy": eat.pinned_by.nickname if eat.pinned_by is not None else None,
        "pinnedAt": local_datetime(eat.pinned_at),
    }


class PinnedRestaurantSchema(RestaurantSummarySchema):
    pinnedBy = serializers.CharField(allow_null=True, help_text="the member's nickname, or 익명")
    pinnedAt = serializers.CharField(allow_null=True)
