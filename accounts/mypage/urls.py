"""The my page and the pages other apps give it, at the site's root (`/me/`, `/matches/<id>/`)."""

from django.urls import path

from accounts.mypage import views

app_name = "mypage"
urlpatterns = [
    path("me/", views.mypage, name="index"),
    *(
        path(f"me/{section}/", views.mypage, {"section": section}, name=section)
        for section in views.mypage_sections()
    ),
    path("me/settings/", views.mypage, {"section": views.SETTINGS}, name="settings"),
    path("me/nickname/", views.mypage_nickname, name="nickname"),
    path("me/profile/", views.mypage_profile, name="profile"),
    path("me/preferences/", views.mypage_preferences, name="preferences"),
    path("me/preferences/snooze/end/", views.mypage_snooze_end, name="snooze_end"),
    path("me/email/", views.mypage_email, name="email"),
    path("me/email/resend/", views.mypage_email_resend, name="email_resend"),
    *(path(route, view, name=name) for route, view, name in views.mypage_pages()),
]
