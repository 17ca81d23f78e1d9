"""alarm_create_many and AlarmPushSender: many alarms in one INSERT, pushed through one loop."""

import asyncio
import uuid
from unittest import mock

import pytest

from accounts.tests.factories import UserFactory
from alarms.models import Alarm, AlarmType
from alarms.services import AlarmDraft, AlarmPushSender, alarm_create, alarm_create_many

pytestmark = pytest.mark.django_db


@pytest.fixture
def layer():
    """A stand-in channel layer recording each group_send and the loop it ran on."""
    sent: list[tuple[str, dict, asyncio.AbstractEventLoop]] = []
    fake = mock.Mock()

    async def group_send(group, message):
        sent.append((group, message, asyncio.get_running_loop()))

    fake.group_send = group_send
    with mock.patch("alarms.services.get_channel_layer", return_value=fake):
        yield sent


def test_it_writes_many_alarms_in_one_insert(django_assert_num_queries, layer):
    users = [UserFactory() for _ in range(4)]
    users[1].muted_alarm_types = [AlarmType.MATCH_CONFIRMED.value]
    match_id = uuid.uuid4()
    drafts = [
        AlarmDraft(
            user=user,
            alarm_type=AlarmType.MATCH_CONFIRMED,
            calling_nickname="system",
            match_id=match_id,
        )
        for user in users
    ]
    with django_assert_num_queries(1):
        made = alarm_create_many(drafts=drafts)
    assert [alarm.user for alarm in made] == [users[0], users[2], users[3]]
    rows = Alarm.objects.filter(match_id=match_id)
    assert {alarm.user for alarm in rows} == {users[0], users[2], users[3]}
    assert {(a.alarm_type, a.calling_nickname, a.is_read) for a in rows} == {
        (AlarmType.MATCH_CONFIRMED, "system", False)
    }


def test_a_draft_that_may_coalesce_goes_through_alarm_create(layer):
    author = UserFactory()
    room_id = uuid.uuid4()
    first = alarm_create(
        user=author,
        alarm_type=AlarmType.PARTICIPATION_ON_MY_POST,
        calling_nickname="bob",
        article_id=room_id,
    )
    [again] = alarm_create_many(
        drafts=[
            AlarmDraft(
                user=author,
                alarm_type=AlarmType.PARTICIPATION_ON_MY_POST,
                calling_nickname="bob",
                article_id=room_id,
            )
        ]
    )
    assert again.pk == first.pk
    assert Alarm.objects.count() == 1


def test_without_a_sender_the_pushes_go_out_after_commit_on_one_loop(
    layer, django_capture_on_commit_callbacks
):
    users = [UserFactory() for _ in range(3)]
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        made = alarm_create_many(
            drafts=[AlarmDraft(user=user, alarm_type=AlarmType.MATCH_CONFIRMED) for user in users]
        )
    assert layer == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert [group for group, _, _ in layer] == [f"alarms.user.{u.api_id}" for u in users]
    assert [message["alarmId"] for _, message, _ in layer] == [str(a.api_id) for a in made]
    assert {message["unread"] for _, message, _ in layer} == {1}
    assert len({id(loop) for _, _, loop in layer}) == 1


def test_a_sender_queues_until_flushed_and_keeps_its_loop(layer):
    alice, bob = UserFactory(), UserFactory()
    with AlarmPushSender() as sender:
        for user in (alice, bob):
            alarm_create(user=user, alarm_type=AlarmType.MATCH_CONFIRMED, sender=sender)
        # Outside tests on_commit runs at once here (autocommit); in the test transaction it
        # waits, so queue by hand what the commit would.
        assert sender.flush() == 0
        sender.add(_pushes_for(Alarm.objects.filter(user__in=[alice, bob])))
        assert layer == []
        assert sender.flush() == 2
        sender.add(_pushes_for(Alarm.objects.filter(user=alice)))
        assert sender.flush() == 1
    assert len(layer) == 3
    assert len({id(loop) for _, _, loop in layer}) == 1
    assert sender.sent == 3


def test_a_push_queued_after_the_sender_closed_still_goes_out(layer):
    alice = UserFactory()
    alarm_create(user=alice, alarm_type=AlarmType.MATCH_CONFIRMED)
    sender = AlarmPushSender()
    sender.close()
    sender.add(_pushes_for(Alarm.objects.filter(user=alice)))
    assert [group for group, _, _ in layer] == [f"alarms.user.{alice.api_id}"]


def _pushes_for(alarms):
    from alarms.services import _notify_event, _Push

    return [
        _Push(alarm.user_id, alarm.user.api_id, _notify_event(alarm))
        for alarm in alarms.select_related("user")
    ]
