"""Reads of "did you meet?" (docs/matching.md): when a match's meeting is, whether its members
may answer now, what a member answered, which matches are due to be asked, and the pause of
random matching that absences in a row lead to."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import timezone

from matching.models import (
    Match,
    MatchMember,
    MeetingAbsence,
    MeetingCheck,
    MeetingReport,
    RandomMatchPause,
)
from matching.selectors.matches import MatchView, review_available_time
from partner42.calendar import SEOUL
from partner42.choices import MatchStatus

# A room without a meeting time meets some time that day: its members are asked as if at noon.
ALL_DAY_MEETING_TIME = time(12, 0)


def match_meeting_at(match: Match) -> datetime:
    """When the members meet: a room's date at its meeting time (noon without one), Seoul; a
    random match (made for now) when its review opens. Needs `match.room` loaded."""
    room = match.room
    if room is None:
        return review_available_time(match)
    return datetime.combine(room.date, room.meeting_time or ALL_DAY_MEETING_TIME, tzinfo=SEOUL)


def meeting_report_opens_at(match: Match) -> datetime:
    return match_meeting_at(match)


def meeting_report_closes_at(match: Match) -> datetime:
    return match_meeting_at(match) + timedelta(days=settings.MEETING_REPORT_DAYS)


def meeting_report_open(match: Match, *, now: datetime | None = None) -> bool:
    """Members may answer from the meeting on, for MEETING_REPORT_DAYS; a cancelled match never."""
    now = now or timezone.now()
    if match.status != MatchStatus.MATCHED:
        return False
    return meeting_report_opens_at(match) <= now < meeting_report_closes_at(match)


def meeting_report_mine(*, match: Match, user) -> MeetingReport | None:
    """The member's answer with the members they named absent; one query (two with names)."""
    return (
        MeetingReport.objects.filter(match=match, reporter=user)
        .prefetch_related("absent_users")
        .first()
    )


@dataclass(frozen=True)
class MeetingState:
    """What the match page shows a member about "did you meet?"."""

    opens_at: datetime
    is_open: bool
    report: MeetingReport | None

    @property
    def can_report(self) -> bool:
        return self.is_open and self.report is None


def meeting_state(*, view: MatchView, now: datetime | None = None) -> MeetingState | None:
    """None for a viewer who is not a member. One query, only while answers are open."""
    if not view.is_member:
        return None
    now = now or timezone.now()
    is_open = meeting_report_open(view.match, now=now)
    me = next(member for member in view.members if member.is_me)
    report = None
    if is_open:
        report = (
            MeetingReport.objects.filter(match=view.match, reporter_id=me.member.user_id)
            .only("pk", "met", "created_at")
            .first()
        )
    opens_at = meeting_report_opens_at(view.match)
    return MeetingState(opens_at=opens_at, is_open=is_open, report=report)


def meeting_absent_labels(*, view: MatchView, report: MeetingReport) -> list[str]:
    """The members a report named absent, as the viewer sees them (a hidden author masked)."""
    absent = {user.pk for user in report.absent_users.all()}
    return [member.label for member in view.members if member.member.user_id in absent]


def meeting_absent_nicknames(*, view: MatchView, report: MeetingReport) -> list[str]:
    """The same for the API: the API's names (`익명` for a hidden author)."""
    absent = {user.pk for user in report.absent_users.all()}
    return [member.nickname for member in view.members if member.member.user_id in absent]


def meeting_check_due(*, now: datetime | None = None, limit: int = 200) -> list[Match]:
    """Matches whose meeting was MEETING_CHECK_DELAY_HOURS ago or more (and less than
    MEETING_REPORT_DAYS: older ones are never asked), not asked yet, with their members.

    The database narrows by day (a room's date, a random match's creation); the exact moment,
    which needs the room's meeting time, is checked here."""
    now = now or timezone.now()
    delay = timedelta(hours=settings.MEETING_CHECK_DELAY_HOURS)
    window = timedelta(days=settings.MEETING_REPORT_DAYS)
    today = now.astimezone(SEOUL).date()
    candidates = (
        Match.objects.filter(status=MatchStatus.MATCHED)
        .filter(
            Q(room__isnull=True, created_at__gt=now - window - delay, created_at__lte=now - delay)
            | Q(
                room__isnull=False,
                room__date__gte=today - window - timedelta(days=1),
                room__date__lte=today,
            )
        )
        .filter(~Exists(MeetingCheck.objects.filter(match=OuterRef("pk"))))
        .select_related("room")
        .order_by("created_at", "pk")
    )
    due = []
    # The candidates are a few days of matches; those not due yet (a room meeting tonight) are
    # passed over, never allowed to crowd out the due ones behind them.
    for match in candidates.iterator(chunk_size=200):
        meeting_at = match_meeting_at(match)
        if meeting_at + delay <= now < meeting_at + window:
            due.append(match)
            if len(due) >= limit:
                break
    return due


def meeting_recent_finished(
    *, user, now: datetime | None = None, count: int, scan: int = 20
) -> list[Match]:
    """The user's last `count` matches whose meeting is over (newest meeting first)."""
    now = now or timezone.now()
    matches = [
        membership.match
        for membership in MatchMember.objects.filter(user=user, match__status=MatchStatus.MATCHED)
        .select_related("match", "match__room")
        .order_by("-match__created_at", "-match__pk")[:scan]
    ]
    finished = [match for match in matches if match_meeting_at(match) <= now]
    finished.sort(key=match_meeting_at, reverse=True)
    return finished[:count]


def meeting_absences(*, user, matches: list[Match]) -> QuerySet[MeetingAbsence]:
    return MeetingAbsence.objects.filter(user=user, match__in=matches)


def random_match_pause_active(*, user, now: datetime | None = None) -> RandomMatchPause | None:
    """The pause of random matching that holds now (the latest ending one), or None."""
    now = now or timezone.now()
    return (
        RandomMatchPause.objects.filter(user=user, lifted_at__isnull=True, until__gt=now)
        .order_by("-until")
        .first()
    )


def random_match_paused_users(*, now: datetime) -> QuerySet[RandomMatchPause]:
    """For `Exists(...)` in the matchmaker: the pauses that hold now."""
    return RandomMatchPause.objects.filter(lifted_at__isnull=True, until__gt=now)
