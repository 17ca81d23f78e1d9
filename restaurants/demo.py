"""The embedded default's restaurants (`manage.py load_demo`): the sample licence file."""

from pathlib import Path

from django.db import transaction

from restaurants.cache import restaurant_cache_invalidate
from restaurants.licence import plan_import
from restaurants.models import Restaurant
from restaurants.services import restaurant_import

SAMPLE_CSV = Path(__file__).resolve().parent / "fixtures" / "seoul_restaurants_sample.csv"

# What an operator would curate in the admin; set only where nobody has yet.
DEMO_PRICE_LEVELS = {
    "3220000-101-2016-00412": 1,
    "3220000-101-2019-00127": 1,
    "3220000-101-2021-00288": 3,
    "3220000-101-2014-00377": 3,
    "3210000-101-2017-00562": 2,
    "3210000-101-2016-01102": 2,
    "3210000-101-2019-01418": 2,
    "3210000-101-2015-00990": 1,
}


def restaurants_demo_load() -> str:
    result = restaurant_import(plan=plan_import(SAMPLE_CSV))
    curated = 0
    for licence_id, level in DEMO_PRICE_LEVELS.items():
        curated += Restaurant.objects.filter(
            licence_id=licence_id, price_level__isnull=True
        ).update(price_level=level)
    if curated:
        transaction.on_commit(restaurant_cache_invalidate)
    return f"{result.created} created, {result.updated} updated, {result.unchanged} unchanged"
