"""Where a meal match eats, as the match's JSON shows it (`restaurantSuggestions`,
`pinnedRestaurant`): used by `GET /api/matches/{id}` and the pin endpoint."""

from typing import Any

from rest_framework import serializers

from matching.selectors.matches import MatchView
from matching.selectors.suggestions import MatchSuggestions, match_suggestions
from partner42.serializers import local_datetime
from restaurants.selectors import RestaurantCard


def where_to_eat_dto(view: MatchView) -> dict[str, Any]:
    """Ours: up to three `restaurantSuggestions` ([] for a study match) and `pinnedRestaurant`
    (or null)."""
    eat = match_suggestions(view)
    return {
        "restaurantSuggestions": [suggestion_dto(card) for card in eat.suggestions],
        "pinnedRestaurant": pinned_dto(eat),
    }


def suggestion_dto(card: RestaurantCard) -> dict[str, Any]:
    return {
        "restaurantId": str(card.api_id),
        "name": card.name,
        "category": card.category,
        "address": card.display_address,
        "phone": card.phone,
        "latitude": card.latitude,
        "longitude": card.longitude,
        "priceLevel": card.price_level,
        "link": card.link,
        "campus": card.campus,
        "distance": card.metres,
        "walkMinutes": card.walk_minutes,
    }


def pinned_dto(eat: MatchSuggestions) -> dict[str, Any] | None:
    restaurant = eat.pinned
    if restaurant is None:
        return None
    return {
        "restaurantId": str(restaurant.api_id),
        "name": restaurant.name,
        "category": restaurant.category,
        "address": restaurant.display_address,
        "isOpen": restaurant.is_open,
        "pinnedBy": eat.pinned_by.nickname if eat.pinned_by is not None else None,
        "pinnedAt": local_datetime(eat.pinned_at),
    }


class PinnedRestaurantSchema(serializers.Serializer):
    restaurantId = serializers.UUIDField()
    name = serializers.CharField()
    category = serializers.CharField()
    address = serializers.CharField()
    isOpen = serializers.BooleanField()
    pinnedBy = serializers.CharField(allow_null=True, help_text="the member's nickname, or 익명")
    pinnedAt = serializers.CharField(allow_null=True)
