from csp.constants import SELF, UNSAFE_INLINE
from csp.decorators import csp_replace
from django.contrib import admin
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts import views as account_views
from alarms.streams import realtime_readyz
from partner42 import views as ops_views

urlpatterns = [
    # JSON API (paths of the original service), first: Django tries the patterns in order, and
    # the API is what is requested most (tests/test_urls.py: no route hides another).
    path("api/", include("rooms.api.urls")),  # the board and the rooms: the most requested
    path("api/", include("accounts.api.urls")),
    path("api/", include("matching.api.urls")),
    path("api/", include("alarms.api.urls")),
    path("api/", include("restaurants.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # The split view serves its init script from a URL (the CSP allows no inline script); its
    # page keeps one inline <style>.
    path(
        "api/docs/",
        csp_replace({"style-src": [SELF, UNSAFE_INLINE]})(
            SpectacularSwaggerSplitView.as_view(url_name="schema")
        ),
        name="swagger-ui",
    ),
    path("", include("accounts.urls")),
    # The operators' dashboard, before admin/ (whose catch-all would answer it).
    path("admin/insights/", include("rooms.insights.urls")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    # Django's set_language, which also saves a logged-in student's language preference.
    path("i18n/setlang/", account_views.language_set, name="set_language"),
    path("rooms/", include("rooms.urls")),
    path("random/", include("matching.urls")),
    path("", include("accounts.mypage.urls")),  # /me/, /matches/<id>/
    # .ics of a room or a match, the personal feed, its rotation (pages and API).
    path("", include("rooms.calendar_urls")),
    path("alarms/", include("alarms.urls")),
    path("restaurants/", include("restaurants.urls")),
    # Slack's slash command and buttons: signed by Slack, no session (alarms/slackapp).
    path("slack/", include("alarms.slackapp.urls")),
    # Operations.
    path("healthz", ops_views.healthz, name="healthz"),
    path("readyz", ops_views.readyz, name="readyz"),
    # The realtime role's health check: its channel layer round-trips (alarms/streams.py).
    path("readyz/realtime", realtime_readyz, name="readyz-realtime"),
    path("metrics", ops_views.metrics, name="metrics"),
]

handler400 = "partner42.views.bad_request"
handler403 = "partner42.views.permission_denied"
handler404 = "partner42.views.page_not_found"
handler500 = "partner42.views.server_error"
