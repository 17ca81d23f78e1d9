"""The matching demo of the embedded default (`manage.py load_demo`): matches, reviews, scores and
a waiting random request, all made by the real services, and loaded any number of times."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db.models import Sum

from accounts.demo import DEMO_LOGINS
from accounts.models import User
from accounts.tests.factories import UserFactory
from alarms.models import Alarm, AlarmType
from matching.models import (
    Activity,
    Match,
    MatchCondition,
    MatchMember,
    MemberReview,
    RandomMatchRequest,
)
from matching.services.random import random_match_request_create
from partner42.choices import ContentCategory, MethodCategory, Place
from rooms.demo_matches import DEMO_COMPLETED_ROOMS, DEMO_WAITING_REQUEST, matches_demo_load
from rooms.models import Participation, Room

pytestmark = pytest.mark.django_db
WAITING = RandomMatchRequest.Status.WAITING
COUNTED = (
    User,
    Room,
    Participation,
    Match,
    MatchMember,
    MatchCondition,
    MemberReview,
    Activity,
    Alarm,
    RandomMatchRequest,
)


@pytest.fixture(autouse=True)
def _reviews_open(settings):
    settings.REVIEW_DELAY_MINUTES = 0  # as under `make run`


def _load_demo() -> str:
    out = StringIO()
    call_command("load_demo", stdout=out)
    return out.getvalue()


def _counts() -> dict[str, int]:
    return {model.__name__: model.objects.count() for model in COUNTED}


def _student(login: str) -> User:
    return User.objects.get(username=login)


def test_it_loads_the_same_rows_twice():
    first = _load_demo()
    counts = _counts()

    second = _load_demo()

    assert "2 rooms completed, 3 reviews written, random match made, waiting request queued" in (
        first
    )
    assert "0 rooms completed, 0 reviews written, random match kept, waiting request kept" in (
        second
    )
    assert _counts() == counts
    assert counts["Match"] == 3
    assert counts["MemberReview"] == 2 + 2 + 3  # one row per reviewed member


def test_it_gives_every_demo_student_a_match_and_a_review_to_write():
    _load_demo()

    for login in DEMO_LOGINS:
        memberships = MatchMember.objects.filter(user__username=login)
        assert memberships.exists(), login
        assert memberships.filter(is_reviewed=False).exists(), login


def test_it_completes_the_rooms_through_the_room_service():
    _load_demo()

    for demo in DEMO_COMPLETED_ROOMS:
        room = Room.objects.get(author__username=demo.author, title=demo.title)
        match = Match.objects.get(room=room)
        assert room.is_complete
        assert match.method == MethodCategory.MANUAL
        assert room.participant_num == match.participant_num == len(demo.members) + 1
        assert set(match.members.values_list("user__username", flat=True)) == {
            demo.author,
            *demo.members,
        }
        assert (
            Alarm.objects.filter(
                alarm_type=AlarmType.MATCH_CONFIRMED, match_id=match.api_id
            ).count()
            == len(demo.members) + 1
        )
        assert Alarm.objects.filter(
            alarm_type=AlarmType.PARTICIPATION_ON_MY_POST, article_id=room.api_id
        ).count() == len(demo.members)


def test_it_makes_the_random_match_with_the_matchmaker():
    _load_demo()

    match = Match.objects.get(method=MethodCategory.RANDOM)
    assert match.category == ContentCategory.STUDY
    assert set(match.members.values_list("user__username", flat=True)) == {"dohyjung", "hayoucho"}
    assert set(match.conditions.values_list("kind", "value")) == {
        ("PLACE", "SEOCHO"),
        ("TYPE_OF_STUDY", "NOT_INNER_CIRCLE"),
    }
    assert RandomMatchRequest.objects.filter(match=match).count() == 2


def test_it_leaves_a_meal_request_waiting_for_another_student(django_capture_on_commit_callbacks):
    _load_demo()
    waiting = RandomMatchRequest.objects.get(status=WAITING)
    assert (waiting.user.username, waiting.category, waiting.places) == (
        DEMO_WAITING_REQUEST.login,
        ContentCategory.MEAL,
        [Place.GAEPO],
    )

    with django_capture_on_commit_callbacks(execute=True):
        mine = random_match_request_create(
            user=_student("jisookim"), category=ContentCategory.MEAL, places=[Place.GAEPO]
        )

    mine.refresh_from_db()
    waiting.refresh_from_db()
    assert mine.status == waiting.status == RandomMatchRequest.Status.MATCHED
    assert mine.match_id == waiting.match_id
    assert set(mine.match.members.values_list("user__username", flat=True)) == {
        "jisookim",
        DEMO_WAITING_REQUEST.login,
    }


def test_it_queues_the_waiting_request_again_once_it_was_matched():
    _load_demo()
    RandomMatchRequest.objects.filter(status=WAITING).update(
        status=RandomMatchRequest.Status.CANCELLED, waiting_key=None
    )

    assert "waiting request queued" in _load_demo()
    assert RandomMatchRequest.objects.filter(status=WAITING).count() == 1


def test_it_shows_a_review_form_and_scores_on_the_my_page(client):
    _load_demo()
    client.force_login(_student("jisookim"))

    page = client.get("/me/scores/").content.decode()

    # Author of the MEAL room (42), then 5 stars from each of the two others (42 + 42).
    assert 'data-score="MEAL">126<' in page
    page = client.get("/me/history/").content.decode()
    assert page.count('class="review-form"') == 1
    assert "리뷰 완료" not in page


def test_it_keeps_every_score_in_the_ledger():
    _load_demo()

    for review in MemberReview.objects.all():
        assert Activity.objects.filter(
            user=review.target, match=review.match, score_kind=review.score_kind
        ).exists()
    total = Activity.objects.aggregate(total=Sum("score"))["total"]
    assert total > 0


def test_it_writes_no_review_before_reviews_open(settings):
    settings.REVIEW_DELAY_MINUTES = 30

    output = _load_demo()

    assert "0 reviews written (3 not open yet)" in output
    assert not MemberReview.objects.exists()


def test_it_skips_what_needs_a_missing_demo_student():
    UserFactory(username="jisookim", is_staff=True)

    output = _load_demo()

    assert "1 rooms completed" in output
    assert "(demo students missing)" in output
    assert not Room.objects.filter(author__username="jisookim").exists()
    assert Match.objects.count() == 2


def test_it_does_nothing_without_demo_students():
    assert matches_demo_load().startswith("demo matches: 0 rooms completed")
    assert not Match.objects.exists()
    assert not RandomMatchRequest.objects.exists()
