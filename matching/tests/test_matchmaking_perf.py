"""The cost shape of a matchmaking run: statements per batch and per group, whatever the groups'
number and size, and the live alarm pushes of a run going through one sender (one event loop).

Counts, never timings (those are bench/bench_matchmaking.py's, docs/performance.md).
"""

import asyncio
import logging
from datetime import timedelta
from unittest import mock

import pytest
from channels_redis.core import RedisChannelLayer
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.tests.factories import UserFactory
from alarms.models import Alarm, AlarmType
from matching.models import Match, RandomMatchRequest
from matching.services import random as random_services
from matching.services.random import matchmaking_run, random_match_request_create
from partner42.choices import ContentCategory
from tests.helpers import free_port

pytestmark = pytest.mark.django_db

MEAL = ContentCategory.MEAL


@pytest.fixture(autouse=True)
def _no_side_effects(monkeypatch):
    from alarms import tasks

    monkeypatch.setattr(random_services, "matchmaking_trigger", lambda: None)
    monkeypatch.setattr(tasks.slack_match_notice_task, "delay", lambda *args: None)


@pytest.fixture
def layer():
    """A stand-in channel layer recording each group_send and the event loop it ran on."""
    sent: list[tuple[str, dict, asyncio.AbstractEventLoop]] = []
    fake = mock.Mock()

    async def group_send(group, message):
        sent.append((group, message, asyncio.get_running_loop()))

    fake.group_send = group_send
    with mock.patch("alarms.services.get_channel_layer", return_value=fake):
        yield sent


def queue(count: int, *, start=None) -> list:
    """`count` students asking for a meal with any place and way of eating, a second apart."""
    start = start or timezone.now() - timedelta(minutes=1)
    users = [UserFactory() for _ in range(count)]
    for i, user in enumerate(users):
        random_match_request_create(user=user, category=MEAL, now=start + timedelta(seconds=i))
    return users


def run_statements(settings, *, groups: int, size: int) -> tuple[int, list[str]]:
    settings.MATCH_SIZE = size
    queue(groups * size)
    with CaptureQueriesContext(connection) as captured:
        result = matchmaking_run()
    assert len(result.matches) == groups
    assert not RandomMatchRequest.objects.filter(status=RandomMatchRequest.Status.WAITING).exists()
    # Each request is linked to the match its user is a member of, and that match has the size.
    for request in RandomMatchRequest.objects.select_related("match"):
        assert request.match.members.filter(user_id=request.user_id).exists()
        assert request.match.members.count() == request.match.participant_num == size
    return len(captured), [query["sql"] for query in captured.captured_queries]


# A run that makes matches in one batch: the expiry check (1), the pass's reads (queue, users,
# past partners, blocks: 4) and the other category's queue (1); the batch: savepoint (the
# transaction outside tests), the locking read, the matches, the claim, members, conditions,
# activity rows, alarms, release (9).
BATCH_STATEMENTS = 9
RUN_STATEMENTS = 1 + 4 + 1 + BATCH_STATEMENTS


@pytest.mark.parametrize(("groups", "size"), [(1, 2), (2, 2), (2, 4), (12, 2), (5, 6)])
def test_a_batch_costs_the_same_statements_whatever_its_groups(settings, groups, size):
    count, statements = run_statements(settings, groups=groups, size=size)
    assert count == RUN_STATEMENTS, "\n".join(statements)


def test_a_full_batch_and_the_next_one(settings, monkeypatch):
    monkeypatch.setattr(random_services, "GROUPS_PER_TRANSACTION", 3)
    count, statements = run_statements(settings, groups=7, size=2)
    # Three batches (3 + 3 + 1 groups), each the same 8 statements.
    assert count == RUN_STATEMENTS + 2 * BATCH_STATEMENTS, "\n".join(statements)


# One by one (the fallback of a failed batch, or a database without RETURNING): the savepoint of
# the batch's transaction and its release (2), and per group: savepoint, match, claim, members,
# conditions, activity rows, alarms, release (8).
@pytest.mark.parametrize("size", [2, 3, 5])
def test_one_by_one_a_group_costs_the_same_statements_whatever_its_size(
    settings, monkeypatch, size
):
    monkeypatch.setattr(random_services, "_batch_supported", lambda: False)
    count, statements = run_statements(settings, groups=3, size=size)
    assert count == 1 + 4 + 1 + 2 + 3 * 8, "\n".join(statements)


def test_condition_rows_are_one_insert_for_the_batch(settings):
    settings.MATCH_SIZE = 2
    start = timezone.now() - timedelta(minutes=1)
    users = [UserFactory() for _ in range(6)]
    for i, user in enumerate(users):
        random_match_request_create(
            user=user,
            category=MEAL,
            places=["SEOCHO"],
            options=["DELIVERY"],
            now=start + timedelta(seconds=i),
        )
    with CaptureQueriesContext(connection) as captured:
        result = matchmaking_run()
    assert len(result.matches) == 3
    inserts = [
        q["sql"]
        for q in captured.captured_queries
        if "INSERT INTO `matching_matchcondition`" in q["sql"]
    ]
    assert len(inserts) == 1
    for match in Match.objects.all():
        assert {(c.kind, c.value) for c in match.conditions.all()} == {
            ("PLACE", "SEOCHO"),
            ("WAY_OF_EATING", "DELIVERY"),
        }


@pytest.mark.django_db(transaction=True)
def test_a_run_pushes_every_alarm_through_one_event_loop(settings, layer, monkeypatch):
    """Committed for real (on_commit runs): every member's alarm is pushed once, with their
    unread count, all from one loop, batch after batch."""
    monkeypatch.setattr(random_services, "GROUPS_PER_TRANSACTION", 2)
    users = queue(10)
    settings.MATCH_SIZE = 2
    result = matchmaking_run()
    assert len(result.matches) == 5
    assert Alarm.objects.filter(alarm_type=AlarmType.MATCH_CONFIRMED).count() == 10
    assert sorted(group for group, _, _ in layer) == sorted(
        f"alarms.user.{user.api_id}" for user in users
    )
    assert {message["type"] for _, message, _ in layer} == {"alarm.notify"}
    assert {message["unread"] for _, message, _ in layer} == {1}
    assert {message["alarmType"] for _, message, _ in layer} == {"MATCH_CONFIRMED"}
    alarm_ids = {str(a) for a in Alarm.objects.values_list("api_id", flat=True)}
    assert {message["alarmId"] for _, message, _ in layer} == alarm_ids
    assert len({id(loop) for _, _, loop in layer}) == 1


@pytest.mark.django_db(transaction=True)
def test_a_muted_kind_is_neither_written_nor_pushed(settings, layer):
    settings.MATCH_SIZE = 2
    alice, bob = queue(2)
    bob.muted_alarm_types = [AlarmType.MATCH_CONFIRMED.value]
    bob.save(update_fields=["muted_alarm_types"])
    assert len(matchmaking_run().matches) == 1
    assert list(Alarm.objects.values_list("user", flat=True)) == [alice.pk]
    assert [group for group, _, _ in layer] == [f"alarms.user.{alice.api_id}"]


@pytest.mark.django_db(transaction=True)
def test_a_failed_push_keeps_the_matches_and_their_alarms(settings, caplog):
    settings.MATCH_SIZE = 2
    queue(4)
    dead = RedisChannelLayer(hosts=[f"redis://127.0.0.1:{free_port()}/0"])
    with (
        mock.patch("alarms.services.get_channel_layer", return_value=dead),
        caplog.at_level(logging.ERROR, logger="alarms.services"),
    ):
        result = matchmaking_run()
    assert len(result.matches) == 2
    assert Alarm.objects.filter(alarm_type=AlarmType.MATCH_CONFIRMED).count() == 4
    # One line for the batch, not one per push.
    [record] = [r for r in caplog.records if "Live alarm push" in r.getMessage()]
    assert "4 of 4" in record.getMessage()


@pytest.mark.django_db(transaction=True)
def test_a_run_pushes_to_an_open_tab_through_redis_and_skips_the_others(settings, monkeypatch):
    """On the real channels-redis layer: the member with a tab open (a channel in their alarm
    group) hears of the match; nothing is sent to the group of the member without one."""
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer

    from alarms.services import alarm_group_name

    settings.MATCH_SIZE = 2
    layer = get_channel_layer()
    alice, bob = queue(2)
    channel = async_to_sync(layer.new_channel)()
    async_to_sync(layer.group_add)(alarm_group_name(alice.api_id), channel)
    sent_to = []
    real_group_send = layer.group_send

    async def group_send(group, message):
        sent_to.append(group)
        await real_group_send(group, message)

    monkeypatch.setattr(layer, "group_send", group_send)
    try:
        assert len(matchmaking_run().matches) == 1

        async def receive():
            return await asyncio.wait_for(layer.receive(channel), timeout=10)

        message = async_to_sync(receive)()
    finally:
        async_to_sync(layer.group_discard)(alarm_group_name(alice.api_id), channel)
    assert sent_to == [alarm_group_name(alice.api_id)]
    assert message["type"] == "alarm.notify"
    assert message["alarmType"] == "MATCH_CONFIRMED"
    assert message["unread"] == 1
    assert message["alarmId"] == str(Alarm.objects.get(user=alice).api_id)
    assert Alarm.objects.filter(user=bob).count() == 1
