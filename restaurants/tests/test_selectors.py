"""Recommendation reads: filters, order, pick, and the per-process cache with its invalidation."""

import pytest
from django.core.cache import cache
from django.core.management import call_command

from restaurants import cache as restaurant_cache
from restaurants.cache import GENERATION_KEY
from restaurants.selectors import (
    RecommendationQuery,
    restaurant_category_list,
    restaurant_pick,
    restaurant_recommendation_list,
)
from restaurants.services import restaurant_set_open
from restaurants.tests.factories import restaurant_near

pytestmark = pytest.mark.django_db

GAEPO = RecommendationQuery(campus="GAEPO")


@pytest.fixture
def neighbourhood():
    """Five places around Gaepo at 100, 300, 600, 900 m and 2 km; one of them closed."""
    return {
        "soup": restaurant_near("GAEPO", 100, name="국밥집", category="한식"),
        "noodles": restaurant_near("GAEPO", 0, 300, name="짜장집", category="중국식"),
        "sushi": restaurant_near("GAEPO", -600, name="초밥집", category="일식"),
        "stew": restaurant_near("GAEPO", 0, -900, name="찌개집", category="한식"),
        "far": restaurant_near("GAEPO", 2000, name="먼집", category="한식"),
        "closed": restaurant_near("GAEPO", 50, name="닫은집", category="한식", is_open=False),
    }


def _names(cards):
    return [card.name for card in cards]


def test_it_lists_open_restaurants_nearest_first(neighbourhood):
    cards, has_next = restaurant_recommendation_list(query=GAEPO)

    assert _names(cards) == ["국밥집", "짜장집", "초밥집", "찌개집", "먼집"]
    assert has_next is False
    assert cards[0].metres == 100
    assert cards[0].walk_minutes == 2  # 100 m at 67 m a minute
    assert cards[0].campus == "GAEPO"


def test_it_filters_by_category_and_walking_time(neighbourhood):
    korean = RecommendationQuery(campus="GAEPO", category="한식")
    ten_minutes = RecommendationQuery(campus="GAEPO", max_walk_minutes=10)  # 670 m
    both = RecommendationQuery(campus="GAEPO", category="한식", max_walk_minutes=10)

    assert _names(restaurant_recommendation_list(query=korean)[0]) == ["국밥집", "찌개집", "먼집"]
    assert _names(restaurant_recommendation_list(query=ten_minutes)[0]) == [
        "국밥집",
        "짜장집",
        "초밥집",
    ]
    assert _names(restaurant_recommendation_list(query=both)[0]) == ["국밥집"]


def test_it_measures_from_the_campus_asked_for(neighbourhood):
    seocho_place = restaurant_near("SEOCHO", 200, name="서초집")

    seocho, _ = restaurant_recommendation_list(query=RecommendationQuery(campus="SEOCHO"))

    assert seocho[0].api_id == seocho_place.api_id
    assert seocho[0].metres == 200
    assert all(card.campus == "SEOCHO" for card in seocho)


def test_it_slices(neighbourhood):
    first, more = restaurant_recommendation_list(query=GAEPO, offset=0, limit=2)
    last, no_more = restaurant_recommendation_list(query=GAEPO, offset=4, limit=2)

    assert (_names(first), more) == (["국밥집", "짜장집"], True)
    assert (_names(last), no_more) == (["먼집"], False)


@pytest.mark.parametrize(
    "query",
    [
        GAEPO,
        RecommendationQuery(campus="GAEPO", category="한식"),
        RecommendationQuery(campus="GAEPO", max_walk_minutes=5),
        RecommendationQuery(campus="SEOCHO", category="중국식", max_walk_minutes=60),
        RecommendationQuery(campus="GAEPO", category="양식"),
    ],
)
@pytest.mark.parametrize(
    "order_by",
    [
        ["metres", "restaurant__name", "pk"],
        ["-metres", "restaurant__name", "pk"],
        ["restaurant__name", "metres", "pk"],
        ["-restaurant__name", "metres", "-pk"],
    ],
)
def test_it_answers_the_same_with_and_without_the_cache(neighbourhood, settings, query, order_by):
    settings.RESTAURANT_CACHE_SECONDS = 300
    cached = restaurant_recommendation_list(query=query, order_by=order_by, offset=1, limit=2)
    settings.RESTAURANT_CACHE_SECONDS = 0
    direct = restaurant_recommendation_list(query=query, order_by=order_by, offset=1, limit=2)

    assert cached == direct


def test_it_picks_one_of_the_matching_restaurants(neighbourhood):
    query = RecommendationQuery(campus="GAEPO", category="한식", max_walk_minutes=15)

    picks = {restaurant_pick(query=query).name for _ in range(30)}

    assert picks <= {"국밥집", "찌개집"}


@pytest.mark.parametrize("cache_seconds", [300, 0])
def test_it_picks_nothing_when_nothing_matches(neighbourhood, settings, cache_seconds):
    settings.RESTAURANT_CACHE_SECONDS = cache_seconds
    only_one = RecommendationQuery(campus="GAEPO", category="중국식")

    assert restaurant_pick(query=RecommendationQuery(campus="GAEPO", category="양식")) is None
    assert restaurant_pick(query=only_one).name == "짜장집"


@pytest.mark.parametrize("cache_seconds", [300, 0])
def test_it_lists_the_categories_near_a_campus(neighbourhood, settings, cache_seconds):
    settings.RESTAURANT_CACHE_SECONDS = cache_seconds

    assert restaurant_category_list(campus="GAEPO") == ["일식", "중국식", "한식"]


def test_it_serves_repeated_reads_from_its_copy(neighbourhood, django_assert_num_queries):
    with django_assert_num_queries(1):
        restaurant_recommendation_list(query=GAEPO)
    with django_assert_num_queries(0):
        restaurant_recommendation_list(query=RecommendationQuery(campus="GAEPO", category="한식"))
        restaurant_pick(query=GAEPO)
        restaurant_category_list(campus="GAEPO")


def test_it_sees_an_import_on_the_next_read(
    neighbourhood, sample_csv, django_capture_on_commit_callbacks
):
    assert len(restaurant_recommendation_list(query=GAEPO, limit=100)[0]) == 5

    with django_capture_on_commit_callbacks(execute=True):
        call_command("import_restaurants", str(sample_csv), "--no-progress", stdout=None)

    cards, _ = restaurant_recommendation_list(query=GAEPO, limit=100)
    assert len(cards) > 5
    assert "혁신파크순대국" in _names(cards)


def test_it_drops_its_copy_when_another_process_bumps_the_generation(neighbourhood):
    restaurant_recommendation_list(query=GAEPO)
    neighbourhood["soup"].name = "새국밥집"
    neighbourhood["soup"].save()
    assert _names(restaurant_recommendation_list(query=GAEPO)[0])[0] == "국밥집"  # its copy

    # Another process imported: only the shared generation number changes here.
    cache.add(GENERATION_KEY, 0, timeout=None)
    cache.incr(GENERATION_KEY)

    assert _names(restaurant_recommendation_list(query=GAEPO)[0])[0] == "새국밥집"


def test_it_sees_an_operator_closing_a_restaurant(
    neighbourhood, django_capture_on_commit_callbacks
):
    restaurant_recommendation_list(query=GAEPO)

    with django_capture_on_commit_callbacks(execute=True):
        restaurant_set_open(restaurant_ids=[neighbourhood["soup"].pk], is_open=False)

    assert "국밥집" not in _names(restaurant_recommendation_list(query=GAEPO)[0])


def test_it_reloads_its_copy_when_it_expires(neighbourhood, settings, monkeypatch):
    settings.RESTAURANT_CACHE_SECONDS = 60
    now = [1000.0]
    monkeypatch.setattr(restaurant_cache.time, "monotonic", lambda: now[0])
    restaurant_recommendation_list(query=GAEPO)
    neighbourhood["soup"].name = "새국밥집"
    neighbourhood["soup"].save()

    now[0] += 59
    assert _names(restaurant_recommendation_list(query=GAEPO)[0])[0] == "국밥집"
    now[0] += 2
    assert _names(restaurant_recommendation_list(query=GAEPO)[0])[0] == "새국밥집"
