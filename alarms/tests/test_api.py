import uuid
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework_simplejwt.tokens import AccessToken

from alarms.models import Alarm, AlarmType
from alarms.tests.factories import AlarmFactory

URL = "/api/alarms"


@pytest.fixture
def alice_client(api_client, alice):
    api_client.force_authenticate(alice)
    return api_client


def _alarms_at(user, *minutes_ago: int) -> list[Alarm]:
    alarms = []
    for minutes in minutes_ago:
        alarm = AlarmFactory(user=user)
        Alarm.objects.filter(pk=alarm.pk).update(
            created_at=timezone.now() - timedelta(minutes=minutes)
        )
        alarms.append(alarm)
    return alarms


def test_it_lists_my_alarms_in_the_original_shape(alice_client, alice):
    article_id, opinion_id = uuid.uuid4(), uuid.uuid4()
    alarm = AlarmFactory(
        user=alice,
        alarm_type=AlarmType.COMMENT_ON_MY_COMMENT,
        calling_nickname="bob",
        article_id=article_id,
        opinion_id=opinion_id,
    )

    body = alice_client.get(URL).json()

    [item] = body["content"]
    assert list(item)[:4] == ["alarmId", "text", "alarmArgsDto", "isRead"]
    assert item["alarmId"] == str(alarm.api_id)
    assert item["text"] == "내가 쓴 댓글에 댓글이 달렸어요!"
    assert item["alarmArgsDto"] == {
        "callingMemberNickname": "bob",
        "articleId": str(article_id),
        "opinionId": str(opinion_id),
        "matchId": None,
    }
    assert (item["isRead"], item["alarmType"]) == (False, "COMMENT_ON_MY_COMMENT")
    assert "+" not in item["createdAt"]
    assert (body["first"], body["last"], body["numberOfElements"]) == (True, True, 1)


def test_it_lists_newest_first(alice_client, alice):
    old, new, middle = _alarms_at(alice, 30, 1, 10)

    ids = [item["alarmId"] for item in alice_client.get(URL).json()["content"]]

    assert ids == [str(new.api_id), str(middle.api_id), str(old.api_id)]


def test_it_sorts_by_created_at_as_asked(alice_client, alice):
    old, new = _alarms_at(alice, 30, 1)

    ids = [
        item["alarmId"]
        for item in alice_client.get(URL, {"sort": "createdAt,asc"}).json()["content"]
    ]

    assert ids == [str(old.api_id), str(new.api_id)]


def test_it_marks_listed_alarms_read_and_shows_their_previous_state(alice_client, alice):
    AlarmFactory(user=alice)

    assert alice_client.get(URL).json()["content"][0]["isRead"] is False
    assert alice_client.get(URL).json()["content"][0]["isRead"] is True
    assert not Alarm.objects.filter(is_read=False).exists()


def test_it_marks_only_the_returned_slice(alice_client, alice):
    older, newer = _alarms_at(alice, 10, 1)

    body = alice_client.get(URL, {"size": 1}).json()

    assert body["last"] is False
    older.refresh_from_db()
    newer.refresh_from_db()
    assert (newer.is_read, older.is_read) == (True, False)


def test_it_never_lists_another_users_alarms(alice_client, bob):
    AlarmFactory(user=bob)

    assert alice_client.get(URL).json()["content"] == []
    assert not Alarm.objects.filter(is_read=True).exists()


def test_it_answers_in_two_queries_whatever_the_size(
    alice_client, alice, django_assert_num_queries
):
    AlarmFactory.create_batch(15, user=alice)

    with django_assert_num_queries(2):  # the slice, then one UPDATE
        assert len(alice_client.get(URL).json()["content"]) == 15


@pytest.mark.parametrize("sort", ["createdDate,desc", "nope"])
def test_it_refuses_an_unknown_sort_field(alice_client, sort):
    response = alice_client.get(URL, {"sort": sort})

    assert response.status_code == 400
    assert response.json()["code"] == "C001"


def test_it_refuses_a_bad_page(alice_client):
    response = alice_client.get(URL, {"page": "x"})

    assert (response.status_code, response.json()["code"]) == (400, "C001")


def test_it_requires_a_login(api_client, db):
    response = api_client.get(URL)

    assert response.status_code == 401
    assert response.json()["code"] == "AU000"


def test_it_accepts_a_bearer_access_token(api_client, alice):
    AlarmFactory(user=alice)

    response = api_client.get(URL, HTTP_AUTHORIZATION=f"Bearer {AccessToken.for_user(alice)}")

    assert response.status_code == 200
    assert len(response.json()["content"]) == 1
