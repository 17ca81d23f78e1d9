from django.urls import path

from accounts import oauth_views, views
from accounts.providers.fortytwo.views import oauth2_callback

app_name = "accounts"
urlpatterns = [
    path("", views.login_page, name="login"),
    path("choose/", views.choose, name="choose"),
    path("logout/", views.logout_view, name="logout"),
    path("demo-login/", views.demo_login, name="demo_login"),
    path("email/confirm/<str:token>/", views.email_confirm, name="email_confirm"),
    # The original's OAuth paths: the React hand-off and the redirect URI registered at 42.
    path(
        "oauth2/authorization/authclient",
        oauth_views.oauth_handoff_start,
        name="oauth_handoff_start",
    ),
    path(
        "oauth2/authorization/authclient/done",
        oauth_views.oauth_handoff_done,
        name="oauth_handoff_done",
    ),
    path("login/oauth2/code/authclient", oauth2_callback, name="oauth_callback_legacy"),
]
