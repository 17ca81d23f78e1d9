""" "Did you meet?" (docs/matching.md): the answer and its refusals, MATCH_ABSENT once per member
and match, three absences in a row pausing random matching (RM005) until an operator lifts it,
the beat task that asks once, the API and the match page."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.tests.factories import UserFactory
from alarms.models import Alarm, AlarmType
from alarms.tests.fake_slack import TOKEN, serve_fake_slack
from matching.models import (
    Activity,
    ActivityMatchScore,
    Match,
    MeetingAbsence,
    MeetingCheck,
    MeetingReport,
    RandomMatchPause,
)
from matching.selectors.matches import NotMatchMemberError
from matching.selectors.meetings import match_meeting_at
from matching.services import random as random_services
from matching.services.meetings import (
    MeetingAbsentNotMemberError,
    MeetingAbsentSelfError,
    MeetingAlreadyReportedError,
    MeetingReportNotOpenError,
    RandomMatchPausedError,
    meeting_check_ask_due,
    meeting_report_submit,
    random_match_pause_lift,
)
from matching.services.random import random_match_request_create
from matching.tasks import meeting_check_due_task
from matching.tests.match_helpers import client_for, completed_room, random_match
from partner42.errors import InvalidInputError

pytestmark = pytest.mark.django_db

SECRET = "SecretAuthor"


@pytest.fixture(autouse=True)
def _no_side_effects(monkeypatch):
    from alarms import tasks

    monkeypatch.setattr(random_services, "matchmaking_trigger", lambda: None)
    monkeypatch.setattr(tasks.slack_match_notice_task, "delay", lambda *args: None)


def _after(match: Match, hours: float = 1):
    return match_meeting_at(match) + timedelta(hours=hours)


def _past(match: Match, hours: float = 2) -> Match:
    """The match as if made `hours` ago (a random match meets when it is made)."""
    Match.objects.filter(pk=match.pk).update(created_at=timezone.now() - timedelta(hours=hours))
    match.refresh_from_db()
    return match


def _absent_rows(user, match=None) -> int:
    rows = Activity.objects.filter(user=user, score_kind=ActivityMatchScore.MATCH_ABSENT)
    return rows.filter(match=match).count() if match is not None else rows.count()


def _alarms(user, kind) -> int:
    return Alarm.objects.filter(user=user, alarm_type=kind).count()


# --- The answer -----------------------------------------------------------------------------------


def test_it_records_an_answer_with_the_members_who_did_not_come(alice, bob, charlie):
    _room, match = completed_room(alice, bob, charlie, participant_num_max=3)

    report = meeting_report_submit(
        match=match, reporter=alice, met=True, absent=[charlie], now=_after(match)
    )

    assert report.met is True
    assert list(report.absent_users.all()) == [charlie]
    assert MeetingAbsence.objects.get(match=match).user == charlie
    assert _absent_rows(charlie, match) == 1
    assert Activity.objects.get(user=charlie, score_kind="MATCH_ABSENT").score == -200
    assert _alarms(charlie, AlarmType.MATCH_ABSENT) == 1
    assert _alarms(bob, AlarmType.MATCH_ABSENT) == 0


def test_it_gives_match_absent_once_however_many_report_it(alice, bob, charlie):
    _room, match = completed_room(alice, bob, charlie, participant_num_max=3)
    now = _after(match)

    meeting_report_submit(match=match, reporter=alice, met=True, absent=[charlie], now=now)
    meeting_report_submit(match=match, reporter=bob, met=True, absent=[charlie], now=now)

    assert MeetingReport.objects.filter(match=match).count() == 2
    assert _absent_rows(charlie, match) == 1
    assert _alarms(charlie, AlarmType.MATCH_ABSENT) == 1


def test_it_takes_a_no_without_anybody_named(alice, bob):
    match = random_match(alice, bob)
    report = meeting_report_submit(match=match, reporter=alice, met=False, now=_after(match))
    assert report.met is False
    assert not MeetingAbsence.objects.exists()


def test_it_refuses_a_second_answer(alice, bob):
    match = random_match(alice, bob)
    meeting_report_submit(match=match, reporter=alice, met=True, now=_after(match))
    with pytest.raises(MeetingAlreadyReportedError):
        meeting_report_submit(
            match=match, reporter=alice, met=False, absent=[bob], now=_after(match)
        )
    assert MeetingReport.objects.get().met is True
    assert not MeetingAbsence.objects.exists()


def test_it_refuses_an_answer_before_the_meeting(alice, bob):
    _room, match = completed_room(alice, bob, participant_num_max=2)
    early = match_meeting_at(match) - timedelta(minutes=1)
    with pytest.raises(MeetingReportNotOpenError) as caught:
        meeting_report_submit(match=match, reporter=alice, met=True, now=early)
    assert caught.value.code == "MCH007"
    assert not MeetingReport.objects.exists()


def test_it_refuses_an_answer_long_after_the_meeting(alice, bob, settings):
    match = random_match(alice, bob)
    late = match_meeting_at(match) + timedelta(days=settings.MEETING_REPORT_DAYS)
    with pytest.raises(MeetingReportNotOpenError):
        meeting_report_submit(match=match, reporter=alice, met=True, now=late)


def test_it_refuses_an_answer_on_a_cancelled_match(alice, bob):
    match = random_match(alice, bob)
    Match.objects.filter(pk=match.pk).update(status="CANCELED")
    match.refresh_from_db()
    with pytest.raises(MeetingReportNotOpenError):
        meeting_report_submit(match=match, reporter=alice, met=True, now=_after(match))


def test_it_refuses_an_outsider(alice, bob, charlie):
    match = random_match(alice, bob)
    with pytest.raises(NotMatchMemberError):
        meeting_report_submit(match=match, reporter=charlie, met=False, absent=[bob])
    assert not MeetingReport.objects.exists()


def test_it_refuses_naming_somebody_of_another_match(alice, bob, charlie):
    match = random_match(alice, bob)
    random_match(alice, charlie)
    for absent in ([charlie], [None], [bob, charlie]):
        with pytest.raises(MeetingAbsentNotMemberError):
            meeting_report_submit(
                match=match, reporter=alice, met=False, absent=absent, now=_after(match)
            )
    assert not MeetingReport.objects.exists()
    assert _absent_rows(bob) == 0


def test_it_refuses_naming_oneself_absent(alice, bob):
    match = random_match(alice, bob)
    with pytest.raises(MeetingAbsentSelfError):
        meeting_report_submit(
            match=match, reporter=alice, met=False, absent=[alice], now=_after(match)
        )


def test_it_refuses_a_member_named_twice_and_a_meeting_with_nobody(alice, bob, charlie):
    _room, match = completed_room(alice, bob, charlie, participant_num_max=3)
    now = _after(match)
    with pytest.raises(InvalidInputError):
        meeting_report_submit(match=match, reporter=alice, met=False, absent=[bob, bob], now=now)
    with pytest.raises(InvalidInputError):
        meeting_report_submit(match=match, reporter=alice, met=True, absent=[bob, charlie], now=now)
    # Not met, nobody came: that is a possible answer.
    meeting_report_submit(match=match, reporter=alice, met=False, absent=[bob, charlie], now=now)
    assert _absent_rows(bob) == _absent_rows(charlie) == 1


def test_it_writes_no_absent_alarm_when_the_kind_is_muted(alice, bob):
    bob.muted_alarm_types = [AlarmType.MATCH_ABSENT]
    bob.save()
    match = random_match(alice, bob)
    meeting_report_submit(match=match, reporter=alice, met=False, absent=[bob], now=_after(match))
    assert _alarms(bob, AlarmType.MATCH_ABSENT) == 0
    assert _absent_rows(bob, match) == 1  # the ledger does not depend on alarm switches


# --- Three absences in a row ----------------------------------------------------------------------


def _absent_from(charlie, partners, *, now):
    """A match of charlie with each partner in turn, each partner naming charlie absent."""
    matches = []
    for partner in partners:
        match = random_match(partner, charlie)
        meeting_report_submit(match=match, reporter=partner, met=False, absent=[charlie], now=now)
        matches.append(match)
    return matches


@pytest.fixture
def later():
    return timezone.now() + timedelta(hours=2)


def test_it_pauses_random_matching_after_three_absences_in_a_row(alice, bob, charlie, later):
    dave = UserFactory(username="dave")
    _absent_from(charlie, [alice, bob], now=later)
    assert not RandomMatchPause.objects.exists()

    _absent_from(charlie, [dave], now=later)

    pause = RandomMatchPause.objects.get(user=charlie)
    assert pause.until == later + timedelta(days=7)
    assert _alarms(charlie, AlarmType.RANDOM_MATCH_PAUSED) == 1
    with pytest.raises(RandomMatchPausedError) as caught:
        random_match_request_create(user=charlie, category="MEAL", now=later)
    assert caught.value.code == "RM005"
    assert caught.value.status == 409
    assert caught.value.errors[0]["field"] == "randomMatchPausedUntil"
    # Over after a week, with nothing to run.
    random_match_request_create(user=charlie, category="MEAL", now=later + timedelta(days=7))


def test_it_does_not_pause_when_a_match_between_was_attended(alice, bob, charlie, later):
    dave = UserFactory(username="dave")
    _absent_from(charlie, [alice], now=later)
    attended = random_match(bob, charlie)
    meeting_report_submit(match=attended, reporter=bob, met=True, now=later)
    _absent_from(charlie, [dave], now=later)
    assert not RandomMatchPause.objects.exists()


def test_it_counts_again_after_a_pause(alice, bob, charlie, later):
    dave, erin = UserFactory(username="dave"), UserFactory(username="erin")
    _absent_from(charlie, [alice, bob, dave], now=later)
    assert RandomMatchPause.objects.count() == 1

    _absent_from(charlie, [erin], now=later + timedelta(minutes=1))

    assert RandomMatchPause.objects.count() == 1  # three new absences are needed
    assert _alarms(charlie, AlarmType.RANDOM_MATCH_PAUSED) == 1


def test_an_operator_lifts_a_pause_once(alice, bob, charlie, operator, later):
    dave = UserFactory(username="dave")
    _absent_from(charlie, [alice, bob, dave], now=later)
    pause = RandomMatchPause.objects.get()

    assert random_match_pause_lift(pause=pause, by=operator, now=later) is True
    assert random_match_pause_lift(pause=pause, by=alice, now=later) is False

    pause.refresh_from_db()
    assert (pause.lifted_by, pause.lifted_at) == (operator, later)
    random_match_request_create(user=charlie, category="MEAL", now=later)


def test_the_matchmaker_leaves_a_paused_students_request_waiting(alice, bob, charlie, later):
    from matching.models import RandomMatchRequest
    from matching.services.random import matchmaking_run

    random_match_request_create(user=charlie, category="MEAL")
    random_match_request_create(user=alice, category="MEAL")
    RandomMatchPause.objects.create(user=charlie, until=timezone.now() + timedelta(days=1))

    result = matchmaking_run()

    assert result.matches == []
    assert RandomMatchRequest.objects.get(user=charlie).status == "WAITING"


# --- The question (beat) --------------------------------------------------------------------------


@pytest.fixture
def slack(settings):
    fake, stop = serve_fake_slack()
    settings.SLACK_BOT_TOKEN = TOKEN
    settings.SLACK_API_URL = fake.url
    settings.SITE_URL = "https://partner42.example.org"
    yield fake
    stop()


def test_the_beat_task_asks_every_member_once(
    alice, bob, slack, monkeypatch, django_capture_on_commit_callbacks
):

    monkeypatch.undo()  # the real Slack task (eager), against the fake Slack
    monkeypatch.setattr(random_services, "matchmaking_trigger", lambda: None)
    slack.users.update({alice.email: "UA", bob.email: "UB"})
    match = _past(random_match(alice, bob), hours=4)
    slack.calls.clear()

    with django_capture_on_commit_callbacks(execute=True):
        meeting_check_due_task.delay()
    with django_capture_on_commit_callbacks(execute=True):
        meeting_check_due_task.delay()

    assert MeetingCheck.objects.filter(match=match).count() == 1
    assert _alarms(alice, AlarmType.MEETING_CHECK) == 1
    assert _alarms(bob, AlarmType.MEETING_CHECK) == 1
    [posted] = slack.calls_to("chat.postMessage")
    assert f"https://partner42.example.org/matches/{match.api_id}/" in posted["text"]
    assert "만남은 어땠나요?" in posted["text"]


def test_it_does_not_ask_before_the_delay_nor_who_already_answered(alice, bob, charlie):
    soon = random_match(alice, bob)  # met 30 minutes from now
    _room, room_match = completed_room(alice, bob, charlie, participant_num_max=3)
    now = _after(room_match, hours=3)
    meeting_report_submit(match=room_match, reporter=alice, met=True, now=now)

    assert meeting_check_ask_due(now=timezone.now()) == 0
    assert not MeetingCheck.objects.exists()
    assert meeting_check_ask_due(now=now) == 2  # both are due by then

    assert MeetingCheck.objects.filter(match=soon).exists()
    asked = set(
        Alarm.objects.filter(
            alarm_type=AlarmType.MEETING_CHECK, match_id=room_match.api_id
        ).values_list("user__username", flat=True)
    )
    assert asked == {"bob", "charlie"}  # alice answered before the question


def test_it_never_asks_about_a_meeting_older_than_the_answers_window(alice, bob, settings):
    match = random_match(alice, bob)
    late = match_meeting_at(match) + timedelta(days=settings.MEETING_REPORT_DAYS, hours=1)
    assert meeting_check_ask_due(now=late) == 0


def test_it_respects_a_muted_question(alice, bob):
    alice.muted_alarm_types = [AlarmType.MEETING_CHECK]
    alice.save()
    match = _past(random_match(alice, bob), hours=4)
    assert meeting_check_ask_due() == 1
    assert _alarms(alice, AlarmType.MEETING_CHECK) == 0
    assert _alarms(bob, AlarmType.MEETING_CHECK) == 1
    assert MeetingCheck.objects.filter(match=match).exists()


# --- The API --------------------------------------------------------------------------------------


def _url(match) -> str:
    return f"/api/matches/{match.api_id}/meeting"


def test_the_api_takes_an_answer_and_shows_it(alice, bob):
    match = _past(random_match(alice, bob))
    response = client_for(alice).post(
        _url(match), {"met": False, "absentNicknames": [bob.nickname]}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["isReported"] is True
    assert body["met"] is False
    assert body["absentNicknames"] == [bob.nickname]
    assert _absent_rows(bob, match) == 1

    mine = client_for(alice).get(_url(match)).json()
    assert mine["absentNicknames"] == [bob.nickname]
    assert client_for(bob).get(_url(match)).json()["isReported"] is False


@pytest.mark.parametrize(
    ("body", "status", "code"),
    [
        ({}, 400, "C001"),
        ({"met": "yes"}, 400, "C005"),
        ({"met": 1}, 400, "C005"),
        ({"met": True, "absentNicknames": "bob"}, 400, "C005"),
        ({"met": True, "absentNicknames": [None]}, 400, "C001"),
        ({"met": True, "absentNicknames": ["x", "x"]}, 400, "C001"),
        ({"met": True, "extra": 1}, 400, "C001"),
        ({"met": False, "absentNicknames": ["nobody"]}, 400, "MCH008"),
        ({"met": False, "absentNicknames": ["alice"]}, 400, "MCH009"),
    ],
)
def test_the_api_refuses_bad_answers_with_an_error_body(alice, bob, body, status, code):
    match = _past(random_match(alice, bob))
    response = client_for(alice).post(_url(match), body, format="json")
    assert response.status_code == status, response.content
    error = response.json()
    assert error["code"] == code
    assert error["message"]
    assert not MeetingReport.objects.exists()


def test_the_api_answers_409_to_a_second_answer_and_before_the_meeting(alice, bob):
    _room, room_match = completed_room(alice, bob, participant_num_max=2)  # meets tomorrow
    early = client_for(alice).post(_url(room_match), {"met": True}, format="json")
    assert (early.status_code, early.json()["code"]) == (409, "MCH007")

    match = _past(random_match(alice, bob))
    assert client_for(alice).post(_url(match), {"met": True}, format="json").status_code == 200
    again = client_for(alice).post(_url(match), {"met": False}, format="json")
    assert (again.status_code, again.json()["code"]) == (409, "MCH010")


def test_the_api_refuses_outsiders_and_unknown_matches(alice, bob, charlie, operator):
    match = _past(random_match(alice, bob))
    for user in (charlie, operator):
        response = client_for(user).post(_url(match), {"met": False}, format="json")
        assert (response.status_code, response.json()["code"]) == (403, "MCH002")
        assert client_for(user).get(_url(match)).status_code == 403
    missing = client_for(alice).get("/api/matches/00000000-0000-4000-8000-000000000000/meeting")
    assert missing.status_code == 404
    assert client_for(alice).get("/api/matches/not-an-id/meeting").status_code == 404
    assert not MeetingReport.objects.exists()


def test_the_random_match_api_answers_rm005_while_paused(alice):
    RandomMatchPause.objects.create(user=alice, until=timezone.now() + timedelta(days=7))
    response = client_for(alice).post(
        "/api/random-matches", {"contentCategory": "MEAL"}, format="json"
    )
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "RM005"


# --- Anonymity ------------------------------------------------------------------------------------


@pytest.fixture
def hidden_room(bob, charlie):
    author = UserFactory(username="secret", nickname=SECRET)
    _room, match = completed_room(author, bob, charlie, participant_num_max=3, anonymity=True)
    Match.objects.filter(pk=match.pk).update(created_at=timezone.now() - timedelta(days=2))
    from rooms.models import Room

    Room.objects.filter(pk=_room.pk).update(date=timezone.localdate() - timedelta(days=1))
    match = Match.objects.select_related("room").get(pk=match.pk)
    return author, match


def test_the_mask_names_the_hidden_author_and_the_real_name_names_nobody(bob, hidden_room):
    author, match = hidden_room
    guess = client_for(bob).post(
        _url(match), {"met": True, "absentNicknames": [SECRET]}, format="json"
    )
    assert (guess.status_code, guess.json()["code"]) == (400, "MCH008")  # like any wrong name

    response = client_for(bob).post(
        _url(match), {"met": True, "absentNicknames": ["익명"]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["absentNicknames"] == ["익명"]
    assert SECRET not in response.content.decode()
    assert _absent_rows(author, match) == 1
    # The author's alarm names nobody either.
    assert Alarm.objects.get(user=author, alarm_type=AlarmType.MATCH_ABSENT).calling_nickname == ""


def test_the_page_form_never_carries_the_hidden_authors_name(client, bob, hidden_room):
    _author, match = hidden_room
    client.force_login(bob)
    html = client.get(reverse("mypage:match_detail", args=[match.api_id])).content.decode()
    assert 'data-meeting="form"' in html
    assert SECRET not in html
    assert "secret" not in html.lower()


# --- The page -------------------------------------------------------------------------------------


def _page(client, user, match):
    client.force_login(user)
    return client.get(reverse("mypage:match_detail", args=[match.api_id]))


def test_the_page_asks_a_member_and_takes_the_answer(client, alice, bob):
    match = _past(random_match(alice, bob))
    assert 'data-meeting="form"' in _page(client, alice, match).content.decode()

    response = client.post(
        reverse("mypage:match_meeting", args=[match.api_id]), {"met": "no", "absent": ["0"]}
    )

    assert response.status_code == 302
    assert response.url.startswith(reverse("mypage:match_detail", args=[match.api_id]))
    assert _absent_rows(bob, match) == 1
    html = client.get(response.url).content.decode()
    assert 'data-meeting="answered"' in html
    assert "알려 주셔서 고마워요!" in html


def test_the_page_does_not_ask_before_the_meeting(client, alice, bob):
    match = random_match(alice, bob)
    html = _page(client, alice, match).content.decode()
    assert 'data-meeting="form"' not in html
    assert "만났는지 물어볼게요" in html


def test_the_page_form_refuses_nonsense_with_a_message(client, alice, bob):
    match = _past(random_match(alice, bob))
    client.force_login(alice)
    url = reverse("mypage:match_meeting", args=[match.api_id])
    for data in ({}, {"met": "maybe"}, {"met": "yes", "absent": ["7"]}):
        response = client.post(url, data, follow=True)
        assert response.status_code == 200
        assert "만났는지 골라 주세요." in response.content.decode()
    assert not MeetingReport.objects.exists()


def test_the_page_form_shows_a_second_answer_refused(client, alice, bob):
    match = _past(random_match(alice, bob))
    client.force_login(alice)
    url = reverse("mypage:match_meeting", args=[match.api_id])
    client.post(url, {"met": "yes"})
    response = client.post(url, {"met": "no", "absent": ["0"]}, follow=True)
    assert "이미 만남 여부를 알려 준 매칭입니다." in response.content.decode()
    assert _absent_rows(bob) == 0


def test_an_outsider_cannot_answer_from_the_page(client, alice, bob, charlie):
    match = _past(random_match(alice, bob))
    client.force_login(charlie)
    response = client.post(reverse("mypage:match_meeting", args=[match.api_id]), {"met": "no"})
    assert response.status_code == 403
    assert not MeetingReport.objects.exists()


def test_the_page_reads_the_question_in_one_query_whatever_the_members(
    client, alice, bob, charlie, django_assert_num_queries, settings
):
    settings.RESTAURANT_CACHE_SECONDS = 0  # a cold or warm copy must not change the count
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    small = _past(random_match(alice, bob))
    big = _past(random_match(alice, bob, charlie, UserFactory(username="dave")))
    client.force_login(alice)
    with CaptureQueriesContext(connection) as before:
        client.get(reverse("mypage:match_detail", args=[small.api_id]))
    with django_assert_num_queries(len(before)):
        client.get(reverse("mypage:match_detail", args=[big.api_id]))


def test_the_random_page_shows_the_pause_and_its_end(client, alice):
    until = timezone.now() + timedelta(days=7)
    RandomMatchPause.objects.create(user=alice, until=until)
    client.force_login(alice)
    html = client.get(reverse("matching:random")).content.decode()
    assert 'data-pause="on"' in html
    assert timezone.localtime(until).strftime("%Y-%m-%d %H:%M") in html
    assert 'action="/random/"' not in html  # no request form while paused


# --- The admin ------------------------------------------------------------------------------------


def test_the_admin_lists_pauses_and_lifts_one_with_the_operators_name(staff_client, operator, bob):
    pause = RandomMatchPause.objects.create(user=bob, until=timezone.now() + timedelta(days=7))
    changelist = reverse("admin:matching_randommatchpause_changelist")
    assert bob.nickname in staff_client.get(changelist).content.decode()

    response = staff_client.post(
        changelist, {"action": "lift_pauses", "_selected_action": [pause.pk]}, follow=True
    )

    assert response.status_code == 200
    pause.refresh_from_db()
    assert pause.lifted_by == operator
    assert pause.lifted_at is not None
    from django.contrib.admin.models import LogEntry

    assert LogEntry.objects.filter(object_id=str(pause.pk), user=operator).exists()
    random_match_request_create(user=bob, category="MEAL")


# --- More of the question and its time ------------------------------------------------------------


def test_the_question_leaves_out_of_slack_who_turned_it_off(
    alice, bob, charlie, slack, monkeypatch, django_capture_on_commit_callbacks
):
    monkeypatch.undo()
    monkeypatch.setattr(random_services, "matchmaking_trigger", lambda: None)
    charlie.slack_notices = False
    charlie.save()
    slack.users.update({alice.email: "UA", bob.email: "UB", charlie.email: "UC"})
    match = _past(random_match(alice, bob, charlie), hours=4)
    slack.calls.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert meeting_check_ask_due() == 1

    [opened] = slack.calls_to("conversations.open")
    assert set(opened["users"].split(",")) == {"UA", "UB"}
    assert _alarms(charlie, AlarmType.MEETING_CHECK) == 1  # the alarm is its own switch
    assert MeetingCheck.objects.filter(match=match).exists()


def test_a_rooms_meeting_time_opens_the_answers_to_the_minute(alice, bob):
    from datetime import time

    from partner42.calendar import SEOUL
    from rooms.models import Room

    room, match = completed_room(alice, bob, participant_num_max=2)
    Room.objects.filter(pk=room.pk).update(meeting_time=time(18, 30))
    match = Match.objects.select_related("room").get(pk=match.pk)
    at = match_meeting_at(match)
    assert (at.astimezone(SEOUL).date(), at.astimezone(SEOUL).time()) == (room.date, time(18, 30))

    with pytest.raises(MeetingReportNotOpenError):
        meeting_report_submit(match=match, reporter=alice, met=True, now=at - timedelta(seconds=1))
    meeting_report_submit(match=match, reporter=alice, met=True, now=at)
    # Asked three hours later, not before.
    assert meeting_check_ask_due(now=at + timedelta(hours=3) - timedelta(seconds=1)) == 0
    assert meeting_check_ask_due(now=at + timedelta(hours=3)) == 1


def test_beat_asks_every_ten_minutes(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["meeting-check"]
    assert entry["task"] == "matching.tasks.meeting_check_due_task"
    assert entry["schedule"] == 600.0


def test_the_rm005_message_is_english_on_request(alice):
    RandomMatchPause.objects.create(user=alice, until=timezone.now() + timedelta(days=7))
    response = client_for(alice).post(
        "/api/random-matches",
        {"contentCategory": "MEAL"},
        format="json",
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert response.status_code == 409
    assert "paused until" in response.json()["message"]
