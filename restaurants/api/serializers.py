"""The restaurants' JSON: the recommendation cards, the detail, and the short summary a room or a
match shows (the one shape both use)."""

from typing import Any

from rest_framework import serializers


class RestaurantCardOutput(serializers.Serializer):
    """A recommended restaurant as seen from the requested campus (a selectors.RestaurantCard)."""

    restaurantId = serializers.UUIDField(source="api_id")
    name = serializers.CharField()
    category = serializers.CharField()
    address = serializers.CharField(source="display_address")
    phone = serializers.CharField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    priceLevel = serializers.IntegerField(source="price_level", allow_null=True)
    link = serializers.CharField()
    campus = serializers.CharField()
    distance = serializers.IntegerField(source="metres", help_text="metres, as the crow flies")
    walkMinutes = serializers.IntegerField(source="walk_minutes")


class CampusDistanceOutput(serializers.Serializer):
    campus = serializers.CharField()
    distance = serializers.IntegerField(source="metres")
    walkMinutes = serializers.IntegerField(source="walk_minutes")


class RestaurantDetailOutput(serializers.Serializer):
    restaurantId = serializers.UUIDField(source="api_id")
    name = serializers.CharField()
    category = serializers.CharField()
    address = serializers.CharField(source="display_address")
    lotAddress = serializers.CharField(source="address")
    phone = serializers.CharField()
    latitude = serializers.FloatField()
    longitude = serializers.FloatField()
    priceLevel = serializers.IntegerField(source="price_level", allow_null=True)
    link = serializers.CharField()
    isOpen = serializers.BooleanField(source="is_open")
    distances = CampusDistanceOutput(many=True)


def restaurant_summary_dto(restaurant: Any) -> dict[str, Any]:
    """A room's restaurant or a match's pinned one: a `Restaurant` or anything shaped like it."""
    return {
        "restaurantId": str(restaurant.api_id),
        "name": restaurant.name,
        "category": restaurant.category,
        "address": restaurant.display_address,
        "isOpen": restaurant.is_open,
    }


def restaurant_card_dto(card: Any) -> dict[str, Any]:
    """`RestaurantCardOutput` of a `selectors.RestaurantCard`, as a plain dict (no serializer on
    the way: a match's JSON carries up to three)."""
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


class RestaurantSummarySchema(serializers.Serializer):
    """The shape of `restaurant_summary_dto` (the OpenAPI schema only)."""

    restaurantId = serializers.UUIDField()
    name = serializers.CharField()
    category = serializers.CharField()
    address = serializers.CharField()
    isOpen = serializers.BooleanField()
