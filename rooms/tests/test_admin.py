from datetime import date

import pytest
from django.urls import reverse

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
