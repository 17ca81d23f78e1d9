from datetime import date, timedelta

import pytest

from accounts.tests.factories import UserFactory
from rooms.insights.selectors import DateRange, active_student_count, insights_for
from rooms.insights.tests.factories import (
    at,
    comment_at,
    match_at,
    request_at,
    review_at,
    room_at,
)

pytestmark = pytest.mark.django_db

D1, D2, D3 = date(2026, 3, 1), date(2026, 3, 2), date(2026, 3, 3)
SPAN = DateRange(D1, D3)
NOW = at(D3, 18)


def test_it_counts_matches_per_seoul_day_by_category_and_method():
    match_at(at(D1, 23, 30))  # 14:30 UTC, still the 1st in Seoul
    match_at(at(D2, 0, 10))  # 15:10 UTC on the 1st, the 2nd in Seoul
    match_at(at(D2, 9), method="MANUAL")
    match_at(at(D2, 10), category="STUDY")
    match_at(at(D1, 0, 0) - timedelta(minutes=1))  # the day before the range
    match_at(at(D3 + timedelta(days=1), 0, 0))  # the day after

    found = insights_for(span=SPAN, now=NOW)

    assert found.matches == {
        (D1, "MEAL", "RANDOM"): 1,
        (D2, "MEAL", "RANDOM"): 1,
        (D2, "MEAL", "MANUAL"): 1,
        (D2, "STUDY", "RANDOM"): 1,
    }


def test_it_counts_requests_by_outcome_and_the_expiry_rate():
    request_at(at(D1, 9), waited=timedelta(minutes=3))
    request_at(at(D1, 10), status="EXPIRED")
    request_at(at(D2, 10), status="CANCELLED")
    request_at(at(D2, 11), status="EXPIRED", category="STUDY")
    request_at(at(D3, 9))  # waiting past its time: expired, though beat has not closed it yet
    request_at(NOW - timedelta(minutes=5))  # still waiting

    found = insights_for(span=SPAN, now=NOW)

    assert found.requests == {
        (D1, "MEAL", "MATCHED"): 1,
        (D1, "MEAL", "EXPIRED"): 1,
        (D2, "MEAL", "CANCELLED"): 1,
        (D2, "STUDY", "EXPIRED"): 1,
        (D3, "MEAL", "EXPIRED"): 1,
        (D3, "MEAL", "WAITING"): 1,
    }
    assert found.expiry_rate == pytest.approx(3 / 5)
    assert found.waiting_now == {"MEAL": 1, "STUDY": 0, "*": 1}
    assert found.waiting_now_median == {
        "*": timedelta(minutes=5),
        "MEAL": timedelta(minutes=5),
        "STUDY": None,
    }


def test_it_has_no_rates_without_data():
    found = insights_for(span=SPAN, now=NOW)

    assert found.expiry_rate is None
    assert found.no_show_rate is None
    assert found.median_wait == {"*": None, "MEAL": None, "STUDY": None}
    assert found.active_students == 0


def test_it_takes_the_median_wait_per_category_and_overall():
    for minutes in (1, 9, 3):  # odd count: the middle one
        request_at(at(D1, 9), waited=timedelta(minutes=minutes))
    for minutes in (2, 10):  # even count: halfway between the middle two
        request_at(at(D2, 9), waited=timedelta(minutes=minutes), category="STUDY")
    request_at(at(D1, 9) - timedelta(days=1), waited=timedelta(minutes=30))  # outside

    found = insights_for(span=SPAN, now=NOW)

    assert found.median_wait == {
        "MEAL": timedelta(minutes=3),
        "STUDY": timedelta(minutes=6),
        "*": timedelta(minutes=3),  # 1 2 3 9 10
    }


def test_it_takes_the_median_of_an_even_count_overall():
    for minutes in (1, 2, 4, 8):
        request_at(at(D2, 9), waited=timedelta(minutes=minutes))

    found = insights_for(span=SPAN, now=NOW)

    assert found.median_wait["*"] == timedelta(minutes=3)
    assert found.median_wait["MEAL"] == timedelta(minutes=3)


def test_it_counts_rooms_opened_and_completed_on_their_own_days():
    room_at(at(D1, 8), completed=at(D2, 20))
    room_at(at(D1, 9))
    room_at(at(D2, 9), category="STUDY", completed=at(D3 + timedelta(days=1), 1))

    found = insights_for(span=SPAN, now=NOW)

    assert found.rooms_opened == {(D1, "MEAL"): 2, (D2, "STUDY"): 1}
    assert found.rooms_completed == {(D2, "MEAL"): 1}


def test_it_counts_each_active_student_once():
    alice, bob, charlie, dave = UserFactory.create_batch(4)
    room = room_at(at(D1), author=alice)  # alice opened a room (its row dates from the factory)
    comment_at(at(D2), room=room, author=alice)
    comment_at(at(D2), room=room, author=bob)
    request_at(at(D3), user=charlie)
    request_at(at(D1) - timedelta(days=3), user=dave)  # before the range

    assert active_student_count(span=SPAN) == 3


def test_it_counts_review_scores_and_the_no_show_rate():
    review_at(at(D1), "MATCH_REVIEW_5")
    review_at(at(D1), "MATCH_REVIEW_5")
    review_at(at(D2), "MATCH_REVIEW_3")
    review_at(at(D3), "MATCH_ABSENT")
    review_at(at(D3) + timedelta(days=1), "MATCH_ABSENT")  # after the range

    found = insights_for(span=SPAN, now=NOW)

    assert found.reviews == {
        "MATCH_ABSENT": 1,
        "MATCH_REVIEW_1": 0,
        "MATCH_REVIEW_2": 0,
        "MATCH_REVIEW_3": 1,
        "MATCH_REVIEW_4": 0,
        "MATCH_REVIEW_5": 2,
    }
    assert found.no_show_rate == pytest.approx(1 / 4)
