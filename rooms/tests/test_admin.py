from datetime import date

import pytest
from django.urls import reverse

from partner42.errors import ErrorCode
from rooms import services
from rooms.models import Comment, Room
from rooms.tests.factories import CommentFactory, RoomFactory

pytestmark = pytest.mark.django_db


def test_it_lists_searches_and_filters_rooms(staff_client, alice, bob):
    RoomFactory(author=alice, title="치킨 먹을 사람")
    gone = RoomFactory(author=bob, title="공부방")
    services.room_delete(room=gone, user=bob)
    url = reverse("admin:rooms_room_changelist")

    assert "치킨 먹을 사람" in staff_client.get(url, {"q": "치킨"}).text
    assert "공부방" not in staff_client.get(url, {"q": "치킨"}).text
    assert "공부방" in staff_client.get(url, {"deleted": "yes"}).text
    assert "치킨 먹을 사람" not in staff_client.get(url, {"deleted": "yes"}).text
    for query in ({"category__exact": "MEAL"}, {"is_complete__exact": "0"}, {"q": "bob"}):
        assert staff_client.get(url, query).status_code == 200


def test_it_restores_and_deletes_rooms_with_actions(staff_client, alice):
    room = RoomFactory(author=alice)
    done = RoomFactory(author=alice)
    Room.objects.filter(pk=done.pk).update(is_complete=True)
    url = reverse("admin:rooms_room_changelist")

    staff_client.post(
        url, {"action": "delete_rooms", "_selected_action": [room.pk, done.pk]}, follow=True
    )
    assert Room.objects.get(pk=room.pk).deleted_at is not None
    assert Room.objects.get(pk=done.pk).deleted_at is None  # a completed room stays

    staff_client.post(url, {"action": "restore_rooms", "_selected_action": [room.pk]})
    assert Room.objects.get(pk=room.pk).deleted_at is None


def test_it_edits_a_room_through_the_service(staff_client, alice, bob):
    room = RoomFactory(author=alice, participant_num_max=4)
    services.room_join(room=room, user=bob)
    url = reverse("admin:rooms_room_change", args=[room.pk])
    form = {
        "title": "운영자 수정",
        "content": "내용",
        "date": "2020-01-01",  # operators may fix old rooms
        "anonymity": "",
        "participant_num_max": "1",
        "conditions-TOTAL_FORMS": "0",
        "conditions-INITIAL_FORMS": "0",
        "participations-TOTAL_FORMS": "0",
        "participations-INITIAL_FORMS": "0",
    }

    response = staff_client.post(url, form)
    assert response.status_code == 200  # refused: below the two participants
    assert Room.objects.get(pk=room.pk).participant_num_max == 4

    response = staff_client.post(url, {**form, "participant_num_max": "3"})
    assert response.status_code == 302, response.content
    room = Room.objects.get(pk=room.pk)
    assert (room.title, room.date, room.participant_num_max) == ("운영자 수정", date(2020, 1, 1), 3)
    assert room.participant_num == 2
    assert room.version == 2  # the join, then the edit


def test_it_shows_participations_read_only(staff_client, alice):
    RoomFactory(author=alice)
    url = reverse("admin:rooms_participation_changelist")
    response = staff_client.get(url, {"q": "alice"})
    assert response.status_code == 200
    assert "alice" in response.text
    assert staff_client.get(reverse("admin:rooms_participation_add")).status_code == 403


def test_it_restores_and_deletes_comments(staff_client, bob):
    comment = CommentFactory(author=bob, content="지워질 댓글")
    url = reverse("admin:rooms_comment_changelist")

    assert "지워질 댓글" in staff_client.get(url, {"q": "지워질"}).text
    staff_client.post(url, {"action": "delete_comments", "_selected_action": [comment.pk]})
    assert Comment.objects.get(pk=comment.pk).deleted_at is not None
    assert staff_client.get(url, {"deleted": "yes", "level__exact": "1"}).status_code == 200
    staff_client.post(url, {"action": "restore_comments", "_selected_action": [comment.pk]})
    assert Comment.objects.get(pk=comment.pk).deleted_at is None


def test_it_keeps_students_out(client, alice):
    client.force_login(alice)
    response = client.get(reverse("admin:rooms_room_changelist"))
    assert response.status_code == 302


# --- Operators' actions through the services ---------------------------------------------------


@pytest.fixture
def _no_match_side_effects(monkeypatch):
    from alarms import tasks

    monkeypatch.setattr(tasks.slack_match_notice_task, "delay", lambda *args: None)


def _messages(response) -> list[tuple[str, str]]:
    return [(m.level_tag, str(m)) for m in response.context["messages"]]


@pytest.mark.usefixtures("_no_match_side_effects")
def test_it_completes_rooms_with_an_action_reporting_each(staff_client, alice, bob):
    from matching.models import Match

    ready = RoomFactory(author=alice, title="ready")
    services.room_join(room=ready, user=bob)
    lonely = RoomFactory(author=alice, title="lonely")  # nobody but the author
    url = reverse("admin:rooms_room_changelist")

    response = staff_client.post(
        url,
        {"action": "complete_rooms", "_selected_action": [ready.pk, lonely.pk]},
        follow=True,
    )

    assert Room.objects.get(pk=ready.pk).is_complete
    assert not Room.objects.get(pk=lonely.pk).is_complete
    assert Match.objects.filter(room=ready).exists()
    messages = _messages(response)
    assert [level for level, _text in messages] == ["success", "error"]
    assert "ready" in messages[0][1]
    assert messages[1][1].startswith("lonely: ")
    assert ErrorCode.NO_PARTICIPANT_BESIDES_AUTHOR.message in messages[1][1]


def test_it_reports_a_refused_save_as_an_error_not_a_success(staff_client, alice, monkeypatch):
    from django.contrib.admin.models import LogEntry

    from partner42.errors import ApplicationError, ErrorCode

    room = RoomFactory(author=alice, title="before")

    def refuse(**kwargs):
        raise ApplicationError(ErrorCode.ARTICLE_COMPLETED)

    monkeypatch.setattr(services, "room_update", refuse)
    url = reverse("admin:rooms_room_change", args=[room.pk])
    form = {
        "title": "after",
        "content": "내용",
        "date": "2020-01-01",
        "anonymity": "",
        "participant_num_max": "4",
        "conditions-TOTAL_FORMS": "0",
        "conditions-INITIAL_FORMS": "0",
        "participations-TOTAL_FORMS": "0",
        "participations-INITIAL_FORMS": "0",
    }

    response = staff_client.post(url, form, follow=True)

    messages = _messages(response)
    assert messages == [("error", ErrorCode.ARTICLE_COMPLETED.message)]
    assert response.redirect_chain[-1][0] == url
    assert Room.objects.get(pk=room.pk).title == "before"
    assert not LogEntry.objects.filter(object_id=str(room.pk)).exists()


def test_it_reports_a_refused_comment_deletion_per_comment(staff_client, bob, monkeypatch):
    from partner42.errors import ApplicationError, ErrorCode

    comment = CommentFactory(author=bob)

    def refuse(**kwargs):
        raise ApplicationError(ErrorCode.NOT_FOUND)

    monkeypatch.setattr(services, "comment_delete", refuse)
    response = staff_client.post(
        reverse("admin:rooms_comment_changelist"),
        {"action": "delete_comments", "_selected_action": [comment.pk]},
        follow=True,
    )

    assert response.status_code == 200
    assert [level for level, _text in _messages(response)] == ["error"]
