"""Calendar URLs, at the site's root: they sit beside the room, match and my page paths."""

from django.urls import path, re_path

from accounts.calendar import TOKEN_PATTERN
from rooms import calendar_views

app_name = "calendar"
urlpatterns = [
    path("rooms/<uuid:room_id>/calendar.ics", calendar_views.room_ics, name="room"),
    path("matches/<uuid:match_id>/calendar.ics", calendar_views.match_ics, name="match"),
    re_path(rf"^calendar/(?P<token>{TOKEN_PATTERN})\.ics$", calendar_views.feed, name="feed"),
    path("me/calendar/", calendar_views.feed_rotate, name="rotate"),
    path("api/calendar/feed", calendar_views.CalendarFeedApi.as_view(), name="api-feed"),
    path(
        "api/calendar/feed/rotate",
        calendar_views.CalendarFeedRotateApi.as_view(),
        name="api-feed-rotate",
    ),
]
