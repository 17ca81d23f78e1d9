import pytest

from restaurants.demo import restaurants_demo_load
from restaurants.models import Restaurant
from restaurants.tests.conftest import SAMPLE_OPEN_NEAR

pytestmark = pytest.mark.django_db


def test_it_loads_the_sample_again_and_again():
    assert restaurants_demo_load() == f"{SAMPLE_OPEN_NEAR} created, 0 updated, 0 unchanged"
    assert restaurants_demo_load() == f"0 created, 0 updated, {SAMPLE_OPEN_NEAR} unchanged"

    assert Restaurant.objects.count() == SAMPLE_OPEN_NEAR
    assert Restaurant.objects.filter(price_level__isnull=False).count() == 8
