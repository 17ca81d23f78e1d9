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
