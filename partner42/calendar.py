"""iCalendar (RFC 5545) files: events in Asia/Seoul, built with the icalendar library.

Generic on purpose: the apps say what an event is (`CalendarEvent`), this module says how it is
written. The library escapes text (commas, semicolons, newlines) and folds long lines; the
calendar carries the VTIMEZONE of every zone its events name, so a client without a time zone
database still reads the times right.
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.http import HttpResponse
from icalendar import Calendar, Event
from icalendar.enums import STATUS as EventStatus

SEOUL = ZoneInfo("Asia/Seoul")
PRODID = "-//42Partner//Calendar//KO"
# The right-hand side of every UID. Fixed (not the request's host) so that an event keeps its UID
# whichever address the file was fetched from: a calendar app then updates the event it has
# instead of showing it twice. The left-hand side carries the object's random public id.
UID_DOMAIN = "42partner"
# A meeting time says when people meet, not until when: an hour is a reasonable block.
DEFAULT_DURATION = timedelta(hours=1)
CONTENT_TYPE = "text/calendar; charset=utf-8"


def calendar_uid(kind: str, public_id: object) -> str:
    return f"{kind}-{public_id}@{UID_DOMAIN}"


@dataclass(frozen=True)
class CalendarEvent:
    uid: str
    summary: str
    day: date
    # None: an all-day event on `day`.
    start_time: time | None = None
    description: str = ""
    location: str = ""
    url: str = ""
    # When the object last changed (the event's LAST-MODIFIED).
    modified: datetime | None = None
    # A cancelled match keeps its UID: a calendar that has it marks it cancelled.
    cancelled: bool = False

    @property
    def start(self) -> date | datetime:
        if self.start_time is None:
            return self.day
        return datetime.combine(self.day, self.start_time, tzinfo=SEOUL)

    @property
    def end(self) -> date | datetime:
        if self.start_time is None:
            return self.day + timedelta(days=1)
        return self.start + DEFAULT_DURATION


def _event(event: CalendarEvent, *, stamp: datetime) -> Event:
    return Event.new(
        uid=event.uid,
        summary=event.summary,
        start=event.start,
        end=event.end,
        stamp=stamp,
        description=event.description or None,
        location=event.location or None,
        url=event.url or None,
        last_modified=event.modified,
        status=EventStatus.CANCELLED if event.cancelled else None,
    )


def calendar_build(*, name: str, uid: str, events: Iterable[CalendarEvent], now: datetime) -> bytes:
    """The bytes of a VCALENDAR holding `events`; DTSTAMP is `now` in UTC (RFC 5545 asks UTC)."""
    stamp = now.astimezone(ZoneInfo("UTC"))
    calendar = Calendar.new(prodid=PRODID, name=name, uid=uid)
    calendar.add("X-WR-TIMEZONE", "Asia/Seoul")
    for event in events:
        calendar.add_component(_event(event, stamp=stamp))
    calendar.add_missing_timezones()
    return calendar.to_ical()


def calendar_response(content: bytes, *, filename: str | None = None) -> HttpResponse:
    """`content` as text/calendar: a download named `filename`, or a feed (no filename)."""
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    if filename:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response
