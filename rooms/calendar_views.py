"""Calendar files: a room's or a match's `.ics`, the personal feed, and its secret's rotation.

The feed URL needs no login (calendar apps fetch it on their own): its token is the credential,
so a wrong or rotated token is a plain 404, and the answer is never stored by a shared cache.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.calendar import calendar_feed_get_or_create, calendar_feed_owner, calendar_feed_rotate
from accounts.models import CalendarFeed
from partner42.calendar import calendar_build, calendar_response, calendar_uid
from partner42.errors import NotFoundError
from partner42.navigation import safe_next
from rooms.calendar import (
    calendar_feed_events,
    calendar_feed_items,
    calendar_match_get,
    match_calendar_event,
    room_calendar_event,
)
from rooms.selectors import room_get

NO_STORE = "private, no-store"


def _room_url(request: HttpRequest, room) -> str:
    return request.build_absolute_uri(reverse("rooms:detail", args=[room.api_id]))


def _match_url(request: HttpRequest, match) -> str:
    return request.build_absolute_uri(reverse("mypage:match_detail", args=[match.api_id]))


def feed_url(request: HttpRequest, feed: CalendarFeed) -> str:
    return request.build_absolute_uri(reverse("calendar:feed", args=[feed.token]))


def _ics(content: bytes, *, filename: str | None = None) -> HttpResponse:
    response = calendar_response(content, filename=filename)
    response["Cache-Control"] = NO_STORE
    return response


@login_required
@require_safe
def room_ics(request: HttpRequest, room_id) -> HttpResponse:
    """Anyone who may open the room's page may take it into their calendar."""
    room = room_get(api_id=room_id, viewer=request.user)
    event = room_calendar_event(room, url=_room_url(request, room))
    content = calendar_build(name=room.title, uid=event.uid, events=[event], now=timezone.now())
    return _ics(content, filename=f"room-{room.api_id}.ics")


@login_required
@require_safe
def match_ics(request: HttpRequest, match_id) -> HttpResponse:
    """A match's members and operators only (403 MCH002 for others, as on the match page)."""
    match = calendar_match_get(api_id=match_id, viewer=request.user)
    event = match_calendar_event(match, url=_match_url(request, match))
    content = calendar_build(name=event.summary, uid=event.uid, events=[event], now=timezone.now())
    return _ics(content, filename=f"match-{match.api_id}.ics")


@require_safe
def feed(request: HttpRequest, token: str) -> HttpResponse:
    """The student's coming rooms and matches. No session: the token says whose."""
    user = calendar_feed_owner(token=token)
    if user is None:
        raise NotFoundError()
    items = calendar_feed_items(user=user)
    events = calendar_feed_events(
        items=items,
        room_url=lambda room: _room_url(request, room),
        match_url=lambda match: _match_url(request, match),
    )
    content = calendar_build(
        name=_("42Partner 내 일정"),
        uid=calendar_uid("feed", user.api_id),
        events=events,
        now=timezone.now(),
    )
    return _ics(content)


@login_required
@require_POST
def feed_rotate(request: HttpRequest) -> HttpResponse:
    """A new feed URL; the old one stops working. Asked first, like the site's other
    irreversible actions: the page's dialog sends `confirm=1`, else this answers a question page."""
    back = safe_next(request, request.POST.get("next"), reverse("mypage:index"))
    if request.POST.get("confirm") != "1":
        return render(request, "accounts/calendar_rotate_confirm.html", {"next": back})
    calendar_feed_rotate(user=request.user)
    messages.success(request, _("새 캘린더 주소를 만들었어요. 예전 주소는 더 이상 열리지 않아요."))
    return redirect(back)


# --- API ----------------------------------------------------------------------------------------


class CalendarFeedOutputSerializer(serializers.Serializer):
    url = serializers.URLField(help_text="The personal feed URL (its token is the credential).")
    createdAt = serializers.DateTimeField(source="created_at")  # the API's camelCase names
    rotatedAt = serializers.DateTimeField(source="rotated_at", allow_null=True)


def _feed_body(request, feed: CalendarFeed) -> dict:
    return CalendarFeedOutputSerializer(
        {
            "url": feed_url(request, feed),
            "created_at": feed.created_at,
            "rotated_at": feed.rotated_at,
        }
    ).data


class CalendarFeedApi(APIView):
    @extend_schema(
        operation_id="calendar_feed_get",
        summary="The caller's calendar feed URL (made on first use)",
        responses={200: CalendarFeedOutputSerializer},
        tags=["calendar"],
    )
    def get(self, request):
        feed = calendar_feed_get_or_create(user=request.user)
        return Response(_feed_body(request, feed))


class CalendarFeedRotateApi(APIView):
    @extend_schema(
        operation_id="calendar_feed_rotate",
        summary="A new calendar feed URL; the previous one answers 404 from now on",
        request=None,
        responses={200: CalendarFeedOutputSerializer},
        tags=["calendar"],
    )
    def post(self, request):
        feed = calendar_feed_rotate(user=request.user)
        return Response(_feed_body(request, feed))
