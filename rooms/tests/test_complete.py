"""Completing a room into a MANUAL match (SPEC sections 3 and 5; API.md 4.2)."""

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import UserFactory
from alarms.models import Alarm, AlarmType
from alarms.tests.fake_slack import TOKEN, serve_fake_slack
from matching.models import Activity, ActivityMatchScore, Match
from matching.tests.match_helpers import client_for, completed_room, error_code
from partner42.choices import ConditionKind, ContentCategory, MethodCategory
from partner42.errors import ApplicationError
from rooms.models import Room
from rooms.services import room_complete, room_delete, room_join
from rooms.tests.factories import RoomFactory
from tests.helpers import run_together


def _url(room) -> str:
    return f"/api/articles/{room.api_id}/complete"


@pytest.fixture
def room(alice, bob, charlie):
    """Alice's room, joined by Bob and Charlie."""
    room = RoomFactory(author=alice, participant_num_max=4)
    room_join(room=room, user=bob)
    room_join(room=room, user=charlie)
    return room


def test_it_makes_a_manual_match_with_every_participant(room, alice, bob, charlie):
    match = room_complete(room=room, user=alice)

    room.refresh_from_db()
    assert room.is_complete
    assert room.completed_at is not None
    assert match.method == MethodCategory.MANUAL
    assert match.category == room.category
    assert match.room_id == room.pk
    assert match.participant_num == 3
    members = list(match.members.order_by("pk"))
    assert [(m.user_id, m.is_author) for m in members] == [
        (alice.pk, True),
        (bob.pk, False),
        (charlie.pk, False),
    ]


def test_it_copies_the_rooms_conditions(room, alice):
    match = room_complete(room=room, user=alice)

    conditions = set(match.conditions.values_list("kind", "value"))
    assert conditions == {
        (ConditionKind.PLACE, "GAEPO"),
        (ConditionKind.TIME_OF_EATING, "LUNCH"),
        (ConditionKind.WAY_OF_EATING, "EATOUT"),
    }


def test_it_answers_the_match_id(room, alice):
    response = client_for(alice).post(_url(room))

    assert response.status_code == 200
    match = Match.objects.get(room=room)
    assert response.json() == {"matchId": str(match.api_id)}


def test_it_lets_an_operator_complete_any_room(room, operator):
    response = client_for(operator).post(_url(room))

    assert response.status_code == 200
    match = Match.objects.get(room=room)
    # The operator is not a member: the match is the room's participants.
    assert match.members.count() == 3
    assert not match.members.filter(user=operator).exists()


def test_it_refuses_anyone_else(room, bob):
    response = client_for(bob).post(_url(room))

    assert error_code(response) == (403, "AR001")
    assert not Match.objects.exists()


def test_it_refuses_a_room_with_only_its_author(alice):
    lonely = RoomFactory(author=alice)

    response = client_for(alice).post(_url(lonely))

    assert error_code(response) == (409, "AR009")
    lonely.refresh_from_db()
    assert not lonely.is_complete
    assert not Match.objects.exists()


def test_it_refuses_completing_twice(room, alice):
    first = client_for(alice).post(_url(room))
    second = client_for(alice).post(_url(room))

    assert first.status_code == 200
    assert error_code(second) == (409, "AR007")
    assert Match.objects.filter(room=room).count() == 1


@pytest.mark.parametrize("article_id", ["00000000-0000-0000-0000-000000000000", "not-a-uuid"])
def test_it_answers_404_for_an_unknown_room(alice, article_id):
    response = client_for(alice).post(f"/api/articles/{article_id}/complete")

    assert error_code(response) == (404, "C003")


def test_it_answers_404_for_a_deleted_room(alice, bob):
    room = RoomFactory(author=alice)
    room_join(room=room, user=bob)
    room_delete(room=room, user=alice)

    response = client_for(alice).post(_url(room))

    assert error_code(response) == (404, "C003")


def test_it_needs_a_login(api_client, room):
    response = api_client.post(_url(room))

    assert response.status_code == 401


def test_it_closes_the_room_to_joins_and_leaves(room, alice, bob):
    room_complete(room=room, user=alice)
    dave = UserFactory(username="dave")

    assert error_code(client_for(dave).post(f"/api/articles/{room.api_id}/participate")) == (
        409,
        "AR007",
    )
    assert error_code(client_for(bob).post(f"/api/articles/{room.api_id}/participate-cancel")) == (
        409,
        "AR007",
    )


def test_it_scores_the_author_and_the_participants(room, alice, bob, charlie):
    match = room_complete(room=room, user=alice)

    rows = {
        (a.user_id, a.score_kind, a.score, a.activity_type, a.category)
        for a in Activity.objects.filter(match=match)
    }
    assert rows == {
        (alice.pk, ActivityMatchScore.ARTICLE_MATCH_AUTHOR, 42, "ARTICLE", ContentCategory.MEAL),
        (bob.pk, ActivityMatchScore.MATCH_PARTICIPANT, 10, "MATCH", ContentCategory.MEAL),
        (charlie.pk, ActivityMatchScore.MATCH_PARTICIPANT, 10, "MATCH", ContentCategory.MEAL),
    }


def test_it_alarms_every_member_with_the_authors_nickname(room, alice, bob, charlie):
    match = room_complete(room=room, user=alice)

    alarms = Alarm.objects.filter(alarm_type=AlarmType.MATCH_CONFIRMED, match_id=match.api_id)
    assert {(a.user_id, a.calling_nickname) for a in alarms} == {
        (alice.pk, alice.nickname),
        (bob.pk, alice.nickname),
        (charlie.pk, alice.nickname),
    }


def test_it_hides_an_anonymous_author_in_the_alarms(alice, bob):
    # Stored in the alarm row: the same name whatever the completer's language.
    with translation.override("en"):
        _room, match = completed_room(alice, bob, anonymity=True)

    alarms = {a.user_id: a.calling_nickname for a in Alarm.objects.filter(match_id=match.api_id)}
    assert alarms[alice.pk] == alice.nickname
    assert alarms[bob.pk] == "익명"


def test_it_posts_to_slack_only_after_commit(
    room, alice, bob, charlie, settings, django_capture_on_commit_callbacks
):
    fake, stop = serve_fake_slack()
    try:
        fake.users.update({alice.email: "UA", bob.email: "UB", charlie.email: "UC"})
        settings.SLACK_BOT_TOKEN = TOKEN
        settings.SLACK_API_URL = fake.url
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            room_complete(room=room, user=alice)
        assert fake.calls == []  # nothing left the transaction

        for callback in callbacks:
            callback()
    finally:
        stop()

    opened = fake.calls_to("conversations.open")
    assert len(opened) == 1
    assert set(opened[0]["users"].split(",")) == {"UA", "UB", "UC"}
    assert len(fake.calls_to("chat.postMessage")) == 1


def test_it_rolls_everything_back_when_the_match_fails(room, alice, monkeypatch):
    from rooms import services

    def broken_match_create(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(services, "match_create", broken_match_create)
    with pytest.raises(RuntimeError):
        room_complete(room=room, user=alice)

    room.refresh_from_db()
    assert not room.is_complete
    assert not Match.objects.exists()


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "mysql", reason="row locks of MariaDB")
def test_it_makes_one_match_when_completes_race(monkeypatch):
    from alarms import tasks

    monkeypatch.setattr(tasks.slack_match_notice_task, "delay", lambda *args: None)
    author, joiner, operator = (
        UserFactory(username="race-author"),
        UserFactory(username="race-joiner"),
        UserFactory(username="race-operator", is_staff=True),
    )
    room = RoomFactory(author=author)
    room_join(room=room, user=joiner)

    results = run_together(
        [
            lambda: room_complete(room=room, user=author),
            lambda: room_complete(room=room, user=operator),
            lambda: room_complete(room=room, user=author),
        ]
    )

    made = [r for r in results if isinstance(r, Match)]
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(made) == 1, results
    assert [r.code for r in refused] == ["AR007", "AR007"], results
    assert Match.objects.filter(room=room).count() == 1
    assert Activity.objects.filter(match=made[0]).count() == 2


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "mysql", reason="row locks of MariaDB")
def test_it_never_leaves_a_racing_joiner_out_of_the_match(monkeypatch):
    from alarms import tasks

    monkeypatch.setattr(tasks.slack_match_notice_task, "delay", lambda *args: None)
    author, first, late = (
        UserFactory(username="race2-author"),
        UserFactory(username="race2-first"),
        UserFactory(username="race2-late"),
    )
    room = RoomFactory(author=author)
    room_join(room=room, user=first)

    results = run_together(
        [lambda: room_complete(room=room, user=author), lambda: room_join(room=room, user=late)]
    )

    completed, joined = results
    assert isinstance(completed, Match), results
    members = set(completed.members.values_list("user_id", flat=True))
    room = Room.objects.get(pk=room.pk)
    participants = set(room.participations.values_list("user_id", flat=True))
    # Either the join came first and the late user is in the match, or it was refused.
    assert members == participants
    if isinstance(joined, ApplicationError):
        assert joined.code == "AR007"
        assert late.pk not in members
    else:
        assert late.pk in members


# --- The room page --------------------------------------------------------------------------


def _page(client, room) -> str:
    return client.get(reverse("rooms:detail", args=[room.api_id])).content.decode()


def test_it_offers_the_complete_button_to_the_author_once_someone_joined(client, alice, bob):
    room = RoomFactory(author=alice)
    complete_url = reverse("rooms:complete", args=[room.api_id])
    client.force_login(alice)
    assert complete_url not in _page(client, room)

    room_join(room=room, user=bob)

    assert complete_url in _page(client, room)
    client.force_login(bob)
    assert complete_url not in _page(client, room)


def test_it_completes_from_the_room_page_and_shows_the_match(client, room, alice):
    client.force_login(alice)

    response = client.post(reverse("rooms:complete", args=[room.api_id]), {"confirm": "1"})

    match = Match.objects.get(room=room)
    assert response.status_code == 302
    assert response["Location"] == reverse("mypage:match_detail", args=[match.api_id])
    page = _page(client, room)
    assert reverse("mypage:match_detail", args=[match.api_id]) in page
    assert reverse("rooms:complete", args=[room.api_id]) not in page


def test_it_reports_a_refusal_on_the_room_page(client, room, bob):
    client.force_login(bob)

    response = client.post(reverse("rooms:complete", args=[room.api_id]), follow=True)

    assert "게시글의 작성자가 아닙니다." in response.content.decode()
    assert not Match.objects.exists()


def test_it_sends_a_rooms_match_from_the_random_match_page_to_its_own(client, room, alice):
    match = room_complete(room=room, user=alice)
    client.force_login(alice)

    response = client.get(reverse("matching:match_detail", args=[match.api_id]))

    assert response.status_code == 302
    assert response["Location"] == reverse("mypage:match_detail", args=[match.api_id])
