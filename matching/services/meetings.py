"""Writes of "did you meet?" (docs/matching.md): the question to a match's members some hours
after their meeting, their answers, the absences the answers report (MATCH_ABSENT once per
member and match, however many name them) and the pause of random matching that a run of
absences leads to, which an operator may lift.

Once-only rules rest on unique rows, not on reads: one `MeetingCheck` per match (asked once),
one `MeetingReport` per member and match (answered once), one `MeetingAbsence` per member and
match (MATCH_ABSENT once). The losing insert of a race meets the constraint and steps aside.
"""

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext

from alarms.models import AlarmType
from alarms.services import alarm_create
from alarms.slack import meeting_question_text
from alarms.slackapp.blocks import button, confirmation
from matching.models import (
    ActivityMatchScore,
    Match,
    MatchMember,
    MeetingAbsence,
    MeetingCheck,
    MeetingReport,
    RandomMatchPause,
)
from matching.selectors.matches import NotMatchMemberError
from matching.selectors.meetings import (
    meeting_absences,
    meeting_check_due,
    meeting_recent_finished,
    meeting_report_closes_at,
    meeting_report_open,
    meeting_report_opens_at,
    random_match_pause_active,
)
from matching.services.reviews import activity_row
from partner42.errors import ApplicationError, ErrorCode, InvalidInputError

logger = logging.getLogger(__name__)


class MeetingAlreadyReportedError(ApplicationError):
    error_code = ErrorCode.MEETING_ALREADY_REPORTED


class MeetingReportNotOpenError(ApplicationError):
    error_code = ErrorCode.MEETING_REPORT_NOT_OPEN


class MeetingAbsentNotMemberError(ApplicationError):
    error_code = ErrorCode.MEETING_ABSENT_NOT_MEMBER


class MeetingAbsentSelfError(ApplicationError):
    error_code = ErrorCode.MEETING_ABSENT_SELF


class RandomMatchPausedError(ApplicationError):
    error_code = ErrorCode.RANDOM_MATCH_PAUSED


# --- The answer -------------------------------------------------------------------------------


@transaction.atomic
def meeting_report_submit(
    *,
    match: Match,
    reporter,
    met: bool,
    absent: Sequence = (),
    now: datetime | None = None,
) -> MeetingReport:
    """The reporter's answer to "did you meet?": `met`, and `absent`, the members who did not
    come (users; None for a name that addresses no member, as `match_review_target` gives).

    Checks in this order: 403 MCH002 the reporter is not a member; 400 MCH008 an absent entry
    is not a member of this match (one answer for every wrong name); 400 MCH009 the reporter
    names themself; 400 C001 a member named twice, or "met" with every other member absent;
    409 MCH007 before the meeting or MEETING_REPORT_DAYS after it; 409 MCH010 already answered
    (an answer is final: it may have given a member MATCH_ABSENT).

    A member named absent for the first time in this match gets one MATCH_ABSENT ledger row and
    one MATCH_ABSENT alarm; the next reporters naming them add nothing. Absences in a row may
    pause the member's random matching (`_pause_if_absent_in_a_row`).
    """
    now = now or timezone.now()
    members = {
        member.user_id: member.user
        for member in MatchMember.objects.filter(match=match).select_related("user")
    }
    if reporter.pk not in members:
        raise NotMatchMemberError()
    absent = list(absent)
    for user in absent:
        if user is None or getattr(user, "pk", None) not in members:
            raise MeetingAbsentNotMemberError()
    if any(user.pk == reporter.pk for user in absent):
        raise MeetingAbsentSelfError()
    absent_pks = [user.pk for user in absent]
    if len(set(absent_pks)) != len(absent_pks):
        raise InvalidInputError(
            errors=[_field_error("absentNicknames", gettext("A member is named twice."))]
        )
    if met and set(members) - {reporter.pk} <= set(absent_pks):
        raise InvalidInputError(
            errors=[
                _field_error(
                    "met", gettext("Met, but every other member is named absent: with whom?")
                )
            ]
        )
    if not meeting_report_open(match, now=now):
        raise _not_open(match, now)

    _lock_users([reporter.pk, *absent_pks])
    try:
        with transaction.atomic():
            report = MeetingReport.objects.create(
                match=match, reporter=reporter, met=met, created_at=now
            )
    except IntegrityError:
        raise MeetingAlreadyReportedError() from None
    absent_users = sorted((members[pk] for pk in absent_pks), key=lambda user: user.pk)
    if absent_users:
        report.absent_users.add(*absent_users)
    # In user order, so two reports naming the same members lock them in the same order.
    for user in absent_users:
        _absence_record(match=match, user=user, report=report, now=now)
    return report


def _lock_users(pks: list[int]) -> None:
    """Lock the users' rows, in key order, before any row naming them is written.

    The inserts that follow (the answer, its absent list, absences, ledger rows, alarms) take
    shared locks on these rows through their foreign keys; the pause check needs the absent
    member's row exclusively. Taken in the middle, that upgrade deadlocks two answers naming the
    same member at once (MariaDB error 1213); taken first and in one order, answers that share a
    member simply wait for each other."""
    list(
        get_user_model()
        .objects.select_for_update()
        .filter(pk__in=sorted(set(pks)))
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def _field_error(field: str, reason: str) -> dict[str, str]:
    return {"field": field, "value": "", "reason": reason}


def _not_open(match: Match, now: datetime) -> MeetingReportNotOpenError:
    opens_at = meeting_report_opens_at(match)
    if now < opens_at:
        local = timezone.localtime(opens_at, timezone.get_default_timezone())
        message = gettext("만남 시간(%(time)s)이 지나면 알려 주세요.") % {
            "time": local.strftime("%Y-%m-%d %H:%M")
        }
    elif now >= meeting_report_closes_at(match):
        message = gettext("만남 여부를 알릴 수 있는 기간이 지났어요.")
    else:
        message = None  # a cancelled match
    return MeetingReportNotOpenError(message=message)


def _absence_record(*, match: Match, user, report: MeetingReport, now: datetime) -> None:
    try:
        with transaction.atomic():
            MeetingAbsence.objects.create(match=match, user=user, report=report, created_at=now)
    except IntegrityError:
        # Another member named them first (a concurrent report waits for that insert, then
        # meets the unique pair here): MATCH_ABSENT was given once, by that report.
        return
    activity_row(user=user, match=match, score_kind=ActivityMatchScore.MATCH_ABSENT, now=now).save()
    alarm_create(user=user, alarm_type=AlarmType.MATCH_ABSENT, match_id=match.api_id)
    _pause_if_absent_in_a_row(user=user, now=now)


def _pause_if_absent_in_a_row(*, user, now: datetime) -> RandomMatchPause | None:
    """Pause random matching for MEETING_PAUSE_DAYS when the user's last
    MEETING_ABSENCES_TO_PAUSE finished matches all have them absent. A pause starts the count
    again: absences recorded before the last pause began never count twice."""
    # The caller holds the user's row lock (`_lock_users`): two absences of one student recorded
    # at once (two matches) check one after the other, the second seeing the first's rows, so
    # neither misses the run and they never pause twice.
    count = settings.MEETING_ABSENCES_TO_PAUSE
    recent = meeting_recent_finished(user=user, now=now, count=count)
    if len(recent) < count:
        return None
    absences = list(meeting_absences(user=user, matches=recent))
    if len(absences) < count:
        return None
    last = RandomMatchPause.objects.filter(user=user).order_by("-created_at", "-pk").first()
    if last is not None and any(a.created_at <= last.created_at for a in absences):
        return None
    pause = RandomMatchPause.objects.create(
        user=user,
        created_at=now,
        until=now + timedelta(days=settings.MEETING_PAUSE_DAYS),
        reason=f"{count} absences in a row: matches "
        + ", ".join(str(match.api_id) for match in recent),
    )
    alarm_create(user=user, alarm_type=AlarmType.RANDOM_MATCH_PAUSED)
    logger.info("Random matching paused for user %s until %s", user.pk, pause.until)
    return pause


# --- The pause --------------------------------------------------------------------------------


def random_match_check_not_paused(*, user, now: datetime) -> None:
    """RM005 while absences in a row keep the student out of random matching."""
    pause = random_match_pause_active(user=user, now=now)
    if pause is None:
        return
    until = timezone.localtime(pause.until, timezone.get_default_timezone())
    shown = until.strftime("%Y-%m-%d %H:%M")
    message = gettext(
        "약속에 나오지 않았다는 알림이 세 번 이어져 랜덤 매칭이 %(until)s까지 멈췄어요. "
        "잘못 알려졌다면 운영진에게 문의해 주세요."
    ) % {"until": shown}
    raise RandomMatchPausedError(
        message=message,
        errors=[{"field": "randomMatchPausedUntil", "value": until.isoformat(), "reason": message}],
    )


@transaction.atomic
def random_match_pause_lift(*, pause: RandomMatchPause, by, now: datetime | None = None) -> bool:
    """An operator lifts a pause (the appeal). False when it was not in force any more (lifted
    already, or over): the compare-and-set keeps the first operator's name and time."""
    now = now or timezone.now()
    return bool(
        RandomMatchPause.objects.filter(pk=pause.pk, lifted_at__isnull=True, until__gt=now).update(
            lifted_at=now, lifted_by=by
        )
    )


# --- The question -----------------------------------------------------------------------------


def meeting_check_ask_due(*, now: datetime | None = None) -> int:
    """Ask the members of every due match (`meeting_check_due`); how many matches were asked.
    Each match in its own transaction: one failure does not undo the others' questions."""
    now = now or timezone.now()
    asked = 0
    for match in meeting_check_due(now=now):
        try:
            asked += meeting_check_ask(match=match, now=now)
        except Exception:
            logger.exception("Could not ask the members of match %s whether they met", match.pk)
    return asked


@transaction.atomic
def meeting_check_ask(*, match: Match, now: datetime | None = None) -> bool:
    """Ask the members who have not answered yet, once per match: a MEETING_CHECK alarm each
    (unless muted) and, after commit, one Slack message to their group with a link to the
    match's page (members who turned Slack off are left out there). False when already asked."""
    now = now or timezone.now()
    try:
        with transaction.atomic():
            MeetingCheck.objects.create(match=match, asked_at=now)
    except IntegrityError:
        return False  # another run asked first
    answered = set(MeetingReport.objects.filter(match=match).values_list("reporter_id", flat=True))
    to_ask = [
        member.user
        for member in MatchMember.objects.filter(match=match).select_related("user").order_by("pk")
        if member.user_id not in answered
    ]
    for user in to_ask:
        alarm_create(user=user, alarm_type=AlarmType.MEETING_CHECK, match_id=match.api_id)
    emails = [user.email for user in to_ask if user.email]
    if emails:
        with translation.override(settings.LANGUAGE_CODE):
            text = meeting_question_text(
                category_label=str(match.get_category_display()), url=_match_url(match)
            )
            buttons = meeting_question_buttons(match)
        transaction.on_commit(
            partial(
                _slack_question,
                emails=emails,
                text=text,
                match_id=str(match.api_id),
                buttons=buttons,
            )
        )
    return True


def _match_url(match: Match) -> str:
    return settings.SITE_URL + reverse("mypage:match_detail", args=[match.api_id])


def meeting_question_buttons(match: Match) -> list[dict]:
    """The answers under the Slack question (after "매칭 보기"; its block id names the match):
    "만났어요" and "못 만났어요", which names nobody absent (only the page does: its
    confirmation says so). Answered by matching/views/slack.py."""
    value = str(match.api_id)
    return [
        button(text=gettext("만났어요"), action_id="meeting_met_yes", value=value, style="primary"),
        button(
            text=gettext("못 만났어요"),
            action_id="meeting_met_no",
            value=value,
            confirm=confirmation(
                title=gettext("만나지 못했나요?"),
                text=gettext(
                    "만나지 못했다고 기록해요. 한 번 답하면 바꿀 수 없고, Slack에서는 오지 않은 "
                    "사람을 적을 수 없어요. 오지 않은 사람이 있다면 매칭 페이지에서 답해 주세요."
                ),
                confirm=gettext("못 만났어요"),
                deny=gettext("돌아가기"),
            ),
        ),
    ]


def _slack_question(
    *, emails: list[str], text: str, match_id: str | None = None, buttons: list[dict] = ()
) -> None:
    # After commit, outside any transaction: the broker being down must not undo the question.
    try:
        from alarms.tasks import slack_match_notice_task

        slack_match_notice_task.delay(emails, text, match_id=match_id, buttons=list(buttons))
    except Exception:
        logger.exception("Could not enqueue the Slack question of a match")
