import logging
import socket
import uuid
from unittest import mock

import pytest
from channels_redis.core import RedisChannelLayer
from django.db import transaction

from alarms.models import Alarm, AlarmType
from alarms.services import alarm_create, alarm_list_mark_read, alarm_push_unread_count
from alarms.tests.factories import AlarmFactory
from tests.helpers import free_port


@pytest.fixture
def layer():
    """A stand-in channel layer recording group_send (the real one: test_consumers, test_sse)."""
    fake = mock.Mock()
    fake.group_send = mock.AsyncMock()
    with mock.patch("alarms.services.get_channel_layer", return_value=fake):
        yield fake


def test_it_creates_an_unread_alarm_for_the_recipient(alice, layer):
    article_id, opinion_id, match_id = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()

    alarm = alarm_create(
        user=alice,
        alarm_type=AlarmType.COMMENT_ON_MY_COMMENT,
        calling_nickname="bob",
        article_id=article_id,
        opinion_id=opinion_id,
        match_id=match_id,
    )

    alarm.refresh_from_db()
    assert alarm.user == alice
    assert alarm.alarm_type == AlarmType.COMMENT_ON_MY_COMMENT
    assert alarm.text == "내가 쓴 댓글에 댓글이 달렸어요!"
    assert (alarm.calling_nickname, alarm.is_read) == ("bob", False)
    assert (alarm.article_id, alarm.opinion_id, alarm.match_id) == (
        article_id,
        opinion_id,
        match_id,
    )


@pytest.mark.parametrize(
    ("alarm_type", "text"),
    [
        (AlarmType.PARTICIPATION_ON_MY_POST, "내가 쓴 글에 참여가 있었어요!"),
        (AlarmType.PARTICIPATION_CANCEL_ON_MY_POST, "내가 쓴 글에 참여가 취소되었어요!"),
        (AlarmType.MATCH_CONFIRMED, "매칭이 확정되었어요!"),
        (AlarmType.COMMENT_ON_MY_COMMENT, "내가 쓴 댓글에 댓글이 달렸어요!"),
        (AlarmType.RANDOM_MATCH_EXPIRED, "랜덤 매칭 상대를 찾지 못했어요. 다시 신청해 보세요!"),
    ],
)
def test_it_uses_the_original_texts(alice, layer, alarm_type, text):
    assert alarm_create(user=alice, alarm_type=alarm_type).text == text


def test_it_refuses_an_unknown_type(alice, layer):
    with pytest.raises(ValueError, match="NOPE"):
        alarm_create(user=alice, alarm_type="NOPE")
    assert not Alarm.objects.exists()


def test_it_pushes_only_after_commit(alice, layer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        alarm = alarm_create(user=alice, alarm_type=AlarmType.MATCH_CONFIRMED, calling_nickname="x")
    assert len(callbacks) == 1
    layer.group_send.assert_not_called()

    callbacks[0]()

    layer.group_send.assert_awaited_once_with(
        f"alarms.user.{alice.api_id}",
        {
            "type": "alarm.notify",
            "alarmId": str(alarm.api_id),
            "alarmType": "MATCH_CONFIRMED",
            "text": "매칭이 확정되었어요!",
            "callingNickname": "x",
            "roomTitle": "",
            "unread": 1,
        },
    )


def test_it_joins_the_callers_transaction(alice, layer, django_capture_on_commit_callbacks):
    with (  # noqa: PT012
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        alarm_create(user=alice, alarm_type=AlarmType.MATCH_CONFIRMED)
        raise RuntimeError("the cause failed")

    assert not Alarm.objects.exists()
    layer.group_send.assert_not_called()


def test_it_keeps_the_row_when_redis_is_down(alice, caplog, django_capture_on_commit_callbacks):
    dead = RedisChannelLayer(hosts=[f"redis://127.0.0.1:{free_port()}/0"])
    with (
        mock.patch("alarms.services.get_channel_layer", return_value=dead),
        caplog.at_level(logging.ERROR, logger="alarms.services"),
        django_capture_on_commit_callbacks(execute=True),
    ):
        alarm = alarm_create(user=alice, alarm_type=AlarmType.PARTICIPATION_ON_MY_POST)

    assert Alarm.objects.filter(pk=alarm.pk, user=alice).exists()
    [record] = caplog.records
    assert "Live alarm push" in record.getMessage()
    assert record.exc_info is not None


def test_it_gives_up_on_a_redis_that_never_answers(
    alice, caplog, django_capture_on_commit_callbacks
):
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never replies
        port = silent.getsockname()[1]
        hanging = RedisChannelLayer(hosts=[f"redis://127.0.0.1:{port}/0"])
        with (
            mock.patch("alarms.services.get_channel_layer", return_value=hanging),
            mock.patch("alarms.services.PUSH_TIMEOUT_SECONDS", 0.2),
            django_capture_on_commit_callbacks(execute=True),
        ):
            alarm = alarm_create(user=alice, alarm_type=AlarmType.MATCH_CONFIRMED)

    assert Alarm.objects.filter(pk=alarm.pk).exists()
    [record] = [r for r in caplog.records if "Live alarm push" in r.getMessage()]
    assert isinstance(record.exc_info[1], TimeoutError)


def test_it_marks_alarms_read_in_one_update(alice, layer, django_assert_num_queries):
    alarms = AlarmFactory.create_batch(3, user=alice)

    with django_assert_num_queries(1):
        updated = alarm_list_mark_read(user=alice, alarm_ids=[a.pk for a in alarms[:2]])

    assert updated == 2
    assert [a.is_read for a in Alarm.objects.order_by("pk")] == [True, True, False]


def test_it_never_marks_another_users_alarms(alice, bob, layer):
    bobs = AlarmFactory(user=bob)

    assert alarm_list_mark_read(user=alice, alarm_ids=[bobs.pk]) == 0
    bobs.refresh_from_db()
    assert bobs.is_read is False


def test_it_pushes_the_new_unread_count_after_marking_read(
    alice, layer, django_capture_on_commit_callbacks
):
    alarms = AlarmFactory.create_batch(2, user=alice)

    with django_capture_on_commit_callbacks(execute=True):
        alarm_list_mark_read(user=alice, alarm_ids=[alarms[0].pk])

    layer.group_send.assert_awaited_once_with(
        f"alarms.user.{alice.api_id}", {"type": "alarm.unread", "unread": 1}
    )


def test_it_reports_a_failed_unread_push_without_raising(alice, caplog):
    layer = mock.Mock()
    layer.group_send = mock.AsyncMock(side_effect=ConnectionError("down"))
    with mock.patch("alarms.services.get_channel_layer", return_value=layer):
        assert alarm_push_unread_count(user_id=alice.pk, user_api_id=alice.api_id) is False
    assert "Live alarm push" in caplog.text


def test_it_marks_a_listed_slice_read_and_returns_it_as_it_was(alice, bob, layer):
    from alarms.services import alarm_list_read
    from partner42.pagination import SliceParams

    alarms = AlarmFactory.create_batch(3, user=alice)
    AlarmFactory(user=bob)
    params = SliceParams(page=0, size=2, order_by=["-created_at", "-pk"])

    shown, has_next = alarm_list_read(user=alice, params=params)

    assert has_next
    assert len(shown) == 2
    assert not any(alarm.is_read for alarm in shown)  # as they were before this read
    read = set(Alarm.objects.filter(is_read=True).values_list("pk", flat=True))
    assert read == {alarm.pk for alarm in shown}
    assert read < {alarm.pk for alarm in alarms}
