import math

import factory

from restaurants.geo import campus_distances, campus_list
from restaurants.models import CampusDistance, Restaurant


class RestaurantFactory(factory.django.DjangoModelFactory):
    """A restaurant at the Gaepo campus unless placed elsewhere; its distances come with it."""

    class Meta:
        model = Restaurant
        skip_postgeneration_save = True

    licence_id = factory.Sequence(lambda n: f"3220000-101-2024-{n:05d}")
    name = factory.Sequence(lambda n: f"식당{n:03d}")
    category = "한식"
    address = "서울특별시 강남구 개포동 12"
    road_address = "서울특별시 강남구 개포로 416 (개포동)"
    phone = "02-000-0000"
    latitude = 37.4881
    longitude = 127.0655

    @factory.post_generation
    def distances(obj, create, extracted, **kwargs):
        if create:
            CampusDistance.objects.bulk_create(
                CampusDistance(restaurant=obj, campus=campus, metres=metres)
                for campus, metres in campus_distances(obj.latitude, obj.longitude).items()
            )


def restaurant_near(campus: str, east_metres: float, north_metres: float = 0, **kwargs):
    """A restaurant this many metres east and north of a campus."""
    centre = next(c for c in campus_list() if c.key == campus)
    latitude = centre.latitude + north_metres / 111_195
    longitude = centre.longitude + east_metres / (111_195 * math.cos(math.radians(centre.latitude)))
    return RestaurantFactory(latitude=latitude, longitude=longitude, **kwargs)
