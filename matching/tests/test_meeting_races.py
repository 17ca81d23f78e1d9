""" "Did you meet?" under concurrent answers, on MariaDB with real threads (each its own
connection, so these tests commit): MATCH_ABSENT once per member and match however many name
them at once, one answer per member, one pause for absences recorded at the same time."""

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.tests.factories import UserFactory
from alarms.models import Alarm, AlarmType
from matching.models import Activity, MeetingAbsence, MeetingReport, RandomMatchPause
from matching.services.meetings import MeetingAlreadyReportedError, meeting_report_submit
from matching.tests.match_helpers import random_match
from tests.helpers import run_together

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "mysql", reason="row locks of MariaDB"),
]

ROUNDS = 5


@pytest.fixture(autouse=True)
def _no_slack(monkeypatch):
    from alarms import tasks

    monkeypatch.setattr(tasks.slack_match_notice_task, "delay", lambda *args: None)


@pytest.fixture
def later():
    return timezone.now() + timedelta(hours=2)


def test_it_gives_match_absent_once_when_the_others_report_at_once(later):
    for round_ in range(ROUNDS):
        members = [UserFactory(username=f"m{round_}_{i}") for i in range(4)]
        absent = members[0]
        match = random_match(*members)

        results = run_together(
            [
                lambda reporter=reporter, match=match, absent=absent: meeting_report_submit(
                    match=match, reporter=reporter, met=True, absent=[absent], now=later
                )
                for reporter in members[1:]
            ]
        )

        assert all(isinstance(result, MeetingReport) for result in results), results
        assert MeetingReport.objects.filter(match=match).count() == 3
        assert MeetingAbsence.objects.filter(match=match, user=absent).count() == 1
        assert (
            Activity.objects.filter(user=absent, match=match, score_kind="MATCH_ABSENT").count()
            == 1
        )
        assert Alarm.objects.filter(user=absent, alarm_type=AlarmType.MATCH_ABSENT).count() == 1


def test_one_member_answering_twice_at_once_is_recorded_once(later):
    alice, bob = UserFactory(username="alice"), UserFactory(username="bob")
    match = random_match(alice, bob)

    results = run_together(
        [
            lambda: meeting_report_submit(
                match=match, reporter=alice, met=False, absent=[bob], now=later
            ),
            lambda: meeting_report_submit(
                match=match, reporter=alice, met=False, absent=[bob], now=later
            ),
        ]
    )

    assert sorted(type(result).__name__ for result in results) == [
        "MeetingAlreadyReportedError",
        "MeetingReport",
    ]
    assert any(isinstance(result, MeetingAlreadyReportedError) for result in results)
    assert MeetingReport.objects.filter(match=match).count() == 1
    assert Activity.objects.filter(user=bob, score_kind="MATCH_ABSENT").count() == 1


def test_absences_recorded_at_once_pause_once(later):
    charlie = UserFactory(username="charlie")
    partners = [UserFactory(username=f"p{i}") for i in range(3)]
    first = random_match(partners[0], charlie)
    meeting_report_submit(match=first, reporter=partners[0], met=False, absent=[charlie], now=later)
    second = random_match(partners[1], charlie)
    third = random_match(partners[2], charlie)

    results = run_together(
        [
            lambda: meeting_report_submit(
                match=second, reporter=partners[1], met=False, absent=[charlie], now=later
            ),
            lambda: meeting_report_submit(
                match=third, reporter=partners[2], met=False, absent=[charlie], now=later
            ),
        ]
    )

    assert all(isinstance(result, MeetingReport) for result in results), results
    # Whichever committed second saw the other's absence: the run is complete, one pause.
    assert RandomMatchPause.objects.filter(user=charlie).count() == 1
    assert Alarm.objects.filter(user=charlie, alarm_type=AlarmType.RANDOM_MATCH_PAUSED).count() == 1


def test_two_members_naming_each_other_at_once_do_not_deadlock(later):
    for round_ in range(ROUNDS):
        alice, bob = UserFactory(username=f"a{round_}"), UserFactory(username=f"b{round_}")
        match = random_match(alice, bob)

        results = run_together(
            [
                lambda match=match, reporter=reporter, other=other: meeting_report_submit(
                    match=match, reporter=reporter, met=False, absent=[other], now=later
                )
                for reporter, other in ((alice, bob), (bob, alice))
            ]
        )

        assert all(isinstance(result, MeetingReport) for result in results), results
        assert MeetingAbsence.objects.filter(match=match).count() == 2
