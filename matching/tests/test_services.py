"""Requests, cancel, renew, expiry, match creation and blocks (matching.services.*)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alarms.models import Alarm, AlarmType
from matching.models import Block, Match, RandomMatchRequest
from matching.services import random as random_services
from matching.services.blocks import block_create, block_delete
from matching.services.matches import match_create
from matching.services.random import (
    PENDING_KEY,
    RandomMatchExistsError,
    RandomMatchNoneError,
    RandomMatchWrongConditionError,
    random_match_expire_due,
    random_match_request_cancel,
    random_match_request_create,
    random_match_request_renew,
)
from partner42.choices import ConditionKind, ContentCategory, MethodCategory
from partner42.errors import InvalidInputError, NotFoundError

Status = RandomMatchRequest.Status
MEAL, STUDY = ContentCategory.MEAL, ContentCategory.STUDY


@pytest.fixture
def delays(monkeypatch):
    """Count matchmaking runs enqueued instead of running them."""
    calls = []
    from matching import tasks

    monkeypatch.setattr(tasks.matchmaking_run_task, "delay", lambda: calls.append(1))
    return calls


@pytest.fixture
def slack_calls(monkeypatch, settings):
    settings.SLACK_BOT_TOKEN = "xoxb-test"  # a notice is written only when Slack is set up
    calls = []
    from alarms import tasks

    # The third argument, the match's api id, gives the notice its buttons (alarms/slackapp);
    # `buttons`, those after "매칭 보기" (a meal match's pin buttons).
    monkeypatch.setattr(
        tasks.slack_match_notice_task,
        "delay",
        lambda emails, text, match_id=None, buttons=None: calls.append((emails, text)),
    )
    return calls


def test_it_stores_a_request_with_its_lists(alice):
    now = timezone.now()
    request = random_match_request_create(
        user=alice, category=MEAL, places=["SEOCHO", "GAEPO"], options=["EATOUT"], now=now
    )
    request.refresh_from_db()
    assert request.status == Status.WAITING
    assert request.places == ["SEOCHO", "GAEPO"]
    assert request.options == ["EATOUT"]
    assert request.waiting_key == f"{alice.pk}:MEAL"
    assert request.expires_at == now + timedelta(minutes=30)


def test_it_takes_the_conditions_by_kind(alice):
    request = random_match_request_create(
        user=alice,
        category=STUDY,
        conditions={ConditionKind.PLACE: ["GAEPO"], ConditionKind.TYPE_OF_STUDY: []},
    )
    assert (request.places, request.options) == (["GAEPO"], [])


@pytest.mark.parametrize(
    ("category", "kind", "value"),
    [
        (MEAL, ConditionKind.TYPE_OF_STUDY, "INNER_CIRCLE"),
        (STUDY, ConditionKind.WAY_OF_EATING, "DELIVERY"),
        (MEAL, ConditionKind.TIME_OF_EATING, "LUNCH"),
    ],
)
def test_it_refuses_a_condition_the_category_does_not_allow(alice, category, kind, value):
    # RM003 is the service's rule, whoever calls it (API, page, admin).
    with pytest.raises(RandomMatchWrongConditionError):
        random_match_request_create(user=alice, category=category, conditions={kind: [value]})
    assert not RandomMatchRequest.objects.exists()


def test_it_keeps_lists_in_enum_order_without_duplicates(alice):
    request = random_match_request_create(
        user=alice, category=STUDY, places=["GAEPO", "SEOCHO", "GAEPO"], options=[]
    )
    assert request.places == ["SEOCHO", "GAEPO"]
    assert request.options == []


def test_it_refuses_a_second_waiting_request_in_a_category(alice):
    random_match_request_create(user=alice, category=MEAL)
    with pytest.raises(RandomMatchExistsError) as error:
        random_match_request_create(user=alice, category=MEAL, places=["GAEPO"])
    assert error.value.code == "RM001"
    assert RandomMatchRequest.objects.filter(user=alice).count() == 1


def test_it_allows_one_waiting_request_per_category(alice):
    random_match_request_create(user=alice, category=MEAL)
    random_match_request_create(user=alice, category=STUDY)
    assert RandomMatchRequest.objects.filter(user=alice, status=Status.WAITING).count() == 2


def test_it_allows_a_new_request_after_a_cancel(alice):
    random_match_request_create(user=alice, category=MEAL)
    random_match_request_cancel(user=alice, category=MEAL)
    random_match_request_create(user=alice, category=MEAL)
    assert RandomMatchRequest.objects.filter(user=alice, status=Status.WAITING).count() == 1


def test_it_expires_a_stale_request_before_accepting_a_new_one(alice):
    start = timezone.now()
    old = random_match_request_create(user=alice, category=MEAL, now=start)
    random_match_request_create(user=alice, category=MEAL, now=start + timedelta(minutes=31))
    old.refresh_from_db()
    assert old.status == Status.EXPIRED
    assert Alarm.objects.filter(user=alice, alarm_type=AlarmType.RANDOM_MATCH_EXPIRED).count() == 1


@pytest.mark.parametrize(
    ("category", "places", "options"),
    [
        (MEAL, ["NOWHERE"], []),
        (MEAL, [], ["INNER_CIRCLE"]),
        (STUDY, [], ["EATOUT"]),
        ("SLEEP", [], []),
    ],
)
def test_it_refuses_values_outside_the_categorys_enums(alice, category, places, options):
    with pytest.raises(InvalidInputError):
        random_match_request_create(user=alice, category=category, places=places, options=options)
    assert not RandomMatchRequest.objects.exists()


def test_it_triggers_one_run_after_commit_for_many_requests(
    alice, bob, charlie, delays, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        random_match_request_create(user=alice, category=MEAL)
    with django_capture_on_commit_callbacks(execute=True):
        random_match_request_create(user=bob, category=MEAL)
        random_match_request_create(user=charlie, category=STUDY)
    assert delays == [1]


def test_it_triggers_nothing_before_commit(alice, delays, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        random_match_request_create(user=alice, category=MEAL)
    assert delays == []
    assert len(callbacks) == 1


def test_it_triggers_again_once_a_run_has_started(alice, bob, delays):
    from django.core.cache import cache

    random_services.matchmaking_trigger()
    random_services.matchmaking_run()  # deletes the pending flag first thing
    assert cache.get(PENDING_KEY) is None
    random_services.matchmaking_trigger()
    assert delays == [1, 1]


def test_it_cancels_the_waiting_request(alice):
    request = random_match_request_create(user=alice, category=MEAL)
    assert random_match_request_cancel(user=alice, category=MEAL) == 1
    request.refresh_from_db()
    assert request.status == Status.CANCELLED
    assert request.waiting_key is None
    assert request.version == 1


def test_it_answers_rm002_when_nothing_waits(alice, bob):
    random_match_request_create(user=bob, category=MEAL)
    random_match_request_create(user=alice, category=STUDY)
    with pytest.raises(RandomMatchNoneError) as error:
        random_match_request_cancel(user=alice, category=MEAL)
    assert error.value.code == "RM002"


def test_it_answers_rm002_for_an_expired_request(alice):
    start = timezone.now()
    random_match_request_create(user=alice, category=MEAL, now=start)
    with pytest.raises(RandomMatchNoneError):
        random_match_request_cancel(user=alice, category=MEAL, now=start + timedelta(minutes=30))


def test_it_answers_rm002_for_a_cancelled_request(alice):
    random_match_request_create(user=alice, category=MEAL)
    random_match_request_cancel(user=alice, category=MEAL)
    with pytest.raises(RandomMatchNoneError):
        random_match_request_cancel(user=alice, category=MEAL)


def test_it_expires_due_requests_with_an_alarm(alice, bob, django_capture_on_commit_callbacks):
    start = timezone.now()
    random_match_request_create(user=alice, category=MEAL, now=start)
    random_match_request_create(user=bob, category=MEAL, now=start + timedelta(minutes=10))
    assert random_match_expire_due(now=start + timedelta(minutes=29)) == 0
    assert random_match_expire_due(now=start + timedelta(minutes=30)) == 1
    assert random_match_expire_due(now=start + timedelta(minutes=30)) == 0
    assert RandomMatchRequest.objects.get(user=alice).status == Status.EXPIRED
    assert RandomMatchRequest.objects.get(user=bob).status == Status.WAITING
    alarms = Alarm.objects.filter(alarm_type=AlarmType.RANDOM_MATCH_EXPIRED)
    assert [a.user for a in alarms] == [alice]


def test_it_expires_only_the_given_users_requests(alice, bob):
    start = timezone.now()
    random_match_request_create(user=alice, category=MEAL, now=start)
    random_match_request_create(user=bob, category=MEAL, now=start)
    assert random_match_expire_due(now=start + timedelta(hours=1), user=alice) == 1
    assert RandomMatchRequest.objects.get(user=bob).status == Status.WAITING


def test_it_renews_an_expired_request_with_the_same_conditions(alice):
    start = timezone.now()
    random_match_request_create(
        user=alice, category=STUDY, places=["GAEPO"], options=["INNER_CIRCLE"], now=start
    )
    later = start + timedelta(minutes=45)
    renewed = random_match_request_renew(user=alice, category=STUDY, now=later)
    assert renewed.status == Status.WAITING
    assert (renewed.places, renewed.options) == (["GAEPO"], ["INNER_CIRCLE"])
    assert renewed.expires_at == later + timedelta(minutes=30)
    assert RandomMatchRequest.objects.filter(user=alice, status=Status.EXPIRED).count() == 1


def test_it_renews_nothing_when_the_last_request_did_not_expire(alice, bob):
    with pytest.raises(NotFoundError):
        random_match_request_renew(user=alice, category=MEAL)
    random_match_request_create(user=alice, category=MEAL)
    with pytest.raises(RandomMatchExistsError):
        random_match_request_renew(user=alice, category=MEAL)
    random_match_request_cancel(user=alice, category=MEAL)
    with pytest.raises(NotFoundError):
        random_match_request_renew(user=alice, category=MEAL)


def test_it_creates_a_match_with_members_conditions_and_alarms(
    alice, bob, slack_calls, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        match = match_create(
            category=MEAL,
            method=MethodCategory.RANDOM,
            users=[alice, bob],
            conditions={ConditionKind.PLACE: ["GAEPO"], ConditionKind.WAY_OF_EATING: ["EATOUT"]},
        )
    assert match.participant_num == 2
    assert match.status == "MATCHED"
    assert {(m.user, m.is_author) for m in match.members.all()} == {(alice, False), (bob, False)}
    assert {(c.kind, c.value) for c in match.conditions.all()} == {
        ("PLACE", "GAEPO"),
        ("WAY_OF_EATING", "EATOUT"),
    }
    alarms = Alarm.objects.filter(alarm_type=AlarmType.MATCH_CONFIRMED, match_id=match.api_id)
    assert {(a.user, a.calling_nickname) for a in alarms} == {(alice, "system"), (bob, "system")}
    assert slack_calls == [
        ([alice.email, bob.email], slack_calls[0][1]),
    ]
    assert "alice" in slack_calls[0][1]


def test_it_names_the_author_of_a_manual_match(alice, bob, charlie, slack_calls):
    match = match_create(
        category=STUDY,
        method=MethodCategory.MANUAL,
        users=[alice, bob, charlie],
        conditions={ConditionKind.TYPE_OF_STUDY: ["INNER_CIRCLE"]},
        author=alice,
    )
    assert match.members.get(is_author=True).user == alice
    assert set(Alarm.objects.values_list("calling_nickname", flat=True)) == {alice.nickname}


def test_it_posts_to_slack_only_after_commit(
    alice, bob, slack_calls, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):
        match_create(category=MEAL, method=MethodCategory.RANDOM, users=[alice, bob], conditions={})
    assert slack_calls == []


def test_it_refuses_a_match_of_one(alice):
    with pytest.raises(InvalidInputError):
        match_create(
            category=MEAL, method=MethodCategory.RANDOM, users=[alice, alice], conditions={}
        )
    assert not Match.objects.exists()


def test_it_blocks_once_and_unblocks(alice, bob):
    block, created = block_create(blocker=alice, blocked=bob)
    again, created_again = block_create(blocker=alice, blocked=bob)
    assert (created, created_again) == (True, False)
    assert again.pk == block.pk
    assert block_delete(blocker=alice, blocked=bob) is True
    assert block_delete(blocker=alice, blocked=bob) is False
    assert not Block.objects.exists()


def test_it_refuses_to_block_oneself(alice):
    with pytest.raises(InvalidInputError):
        block_create(blocker=alice, blocked=alice)
