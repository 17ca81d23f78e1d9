"""Calendar reads: which rooms and matches a student's feed lists, and what each event says.

Events never name people: an anonymous room's author stays hidden whoever downloads the file or
subscribes to the feed, and a feed URL that leaks shows no nicknames either.

Match visibility is read here from matching's models (members, status); only the error a
non-member gets comes from matching (`NotMatchMemberError`, the code the match page answers).
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, time

from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from accounts.selectors import user_is_operator
from matching.models import Match, MatchCondition, MatchMember
from matching.selectors.matches import NotMatchMemberError
from partner42.calendar import SEOUL, CalendarEvent, calendar_uid
from partner42.choices import ConditionKind, MatchStatus, Place
from partner42.errors import NotFoundError
from partner42.models import parse_api_id
from rooms.models import Participation, Room, RoomCondition
from rooms.selectors import room_today

# A feed lists what is coming; nobody has this many, the bound only keeps one answer small.
FEED_LIMIT = 200
DESCRIPTION_MAX = 1_000

_PLACES = Prefetch(
    "conditions",
    queryset=RoomCondition.objects.filter(kind=ConditionKind.PLACE).order_by("pk"),
    to_attr="place_conditions",
)


@dataclass(frozen=True)
class CalendarFeedItems:
    rooms: list[Room]
    matches: list[Match]


def _place_labels(values: list[str]) -> list[str]:
    return [str(Place(v).label) for v in values if v in Place.values]


def _room_location(room: Room) -> str:
    if room.restaurant is not None:
        return f"{room.restaurant.name}, {room.restaurant.display_address}"
    conditions = getattr(room, "place_conditions", None)
    if conditions is None:
        conditions = list(room.conditions.filter(kind=ConditionKind.PLACE).order_by("pk"))
    return ", ".join(_place_labels([c.value for c in conditions]))


def _shorten(text: str) -> str:
    return text if len(text) <= DESCRIPTION_MAX else text[: DESCRIPTION_MAX - 1] + "…"


def _description(text: str, url: str) -> str:
    return "\n\n".join(part for part in (_shorten(text.strip()), url) if part)


def room_calendar_event(room: Room, *, url: str) -> CalendarEvent:
    """The room's meeting: its day, at its meeting time or all day. No author, even named."""
    return CalendarEvent(
        uid=calendar_uid("room", room.api_id),
        summary=f"[{room.get_category_display()}] {room.title}",
        day=room.date,
        start_time=room.meeting_time,
        description=_description(room.content, url),
        location=_room_location(room),
        url=url,
        modified=room.updated_at,
    )


def _match_day(match: Match) -> tuple:
    if match.room is not None:
        return match.room.date, match.room.meeting_time
    # A random match has no meeting time: the day it was made, in Seoul, all day.
    return timezone.localtime(match.created_at, SEOUL).date(), None


def match_calendar_event(match: Match, *, url: str) -> CalendarEvent:
    day, start_time = _match_day(match)
    category = match.get_category_display()
    if match.room is not None:
        summary = _("[%(category)s 매칭] %(title)s") % {
            "category": category,
            "title": match.room.title,
        }
        location = _room_location(match.room)
        text = match.room.content
    else:
        summary = _("[%(category)s] 랜덤 매칭") % {"category": category}
        location = ", ".join(
            _place_labels(
                [c.value for c in match.conditions.all() if c.kind == ConditionKind.PLACE]
            )
        )
        text = ""
    return CalendarEvent(
        uid=calendar_uid("match", match.api_id),
        summary=summary,
        day=day,
        start_time=start_time,
        description=_description(text, url),
        location=location,
        url=url,
        modified=match.updated_at,
        cancelled=match.status == MatchStatus.CANCELED,
    )


def calendar_match_get(*, api_id: object, viewer: User) -> Match:
    """A match for its members and operators: 404 C003 when absent, 403 MCH002 otherwise,
    as on the match page."""
    match = (
        Match.objects.select_related("room", "room__restaurant")
        .prefetch_related("conditions")
        .filter(api_id=parse_api_id(api_id))
        .first()
    )
    if match is None:
        raise NotFoundError()
    is_member = MatchMember.objects.filter(match=match, user_id=viewer.pk).exists()
    if not is_member and not user_is_operator(viewer):
        raise NotMatchMemberError()
    return match


def calendar_feed_items(*, user: User, now: datetime | None = None) -> CalendarFeedItems:
    """The student's coming rooms and matches, soonest first. Five queries whatever their number.

    Rooms: written or joined (the author is a participant too), not deleted, not completed (a
    completed room is its match now), meeting today or later in Seoul. Matches: theirs, not
    cancelled, whose room meets today or later; a random match (no room) on the day it was made.
    """
    now = now or timezone.now()
    today = room_today(now)
    start_of_today = datetime.combine(today, time.min, tzinfo=SEOUL)
    rooms = list(
        Room.objects.filter(
            deleted_at__isnull=True,
            is_complete=False,
            date__gte=today,
            pk__in=Participation.objects.filter(user=user).values("room_id"),
        )
        .select_related("restaurant")
        .prefetch_related(_PLACES)
        .order_by("date", "meeting_time", "created_at", "pk")[:FEED_LIMIT]
    )
    matches = list(
        Match.objects.filter(
            status=MatchStatus.MATCHED,
            pk__in=MatchMember.objects.filter(user=user).values("match_id"),
        )
        .filter(
            Q(room__isnull=False, room__date__gte=today)
            | Q(room__isnull=True, created_at__gte=start_of_today)
        )
        .select_related("room", "room__restaurant")
        .prefetch_related(
            Prefetch(
                "conditions",
                queryset=MatchCondition.objects.filter(kind=ConditionKind.PLACE).order_by("pk"),
            ),
            Prefetch(
                "room__conditions",
                queryset=RoomCondition.objects.filter(kind=ConditionKind.PLACE).order_by("pk"),
                to_attr="place_conditions",
            ),
        )
        .order_by("created_at", "pk")[:FEED_LIMIT]
    )
    matches.sort(key=lambda m: (_match_day(m)[0], _match_day(m)[1] or time.min))
    return CalendarFeedItems(rooms=rooms, matches=matches)


def calendar_feed_events(
    *, items: CalendarFeedItems, room_url: Callable[[Room], str], match_url: Callable[[Match], str]
) -> list[CalendarEvent]:
    return [room_calendar_event(r, url=room_url(r)) for r in items.rooms] + [
        match_calendar_event(m, url=match_url(m)) for m in items.matches
    ]
