"""The my page and match pages, at the site's root (`/me/`, `/matches/<id>/`)."""

from django.urls import path

from matching import views_mypage

app_name = "mypage"
urlpatterns = [
    path("me/", views_mypage.mypage, name="index"),
    path("me/scores/", views_mypage.mypage, {"section": "scores"}, name="scores"),
    path("me/history/", views_mypage.mypage, {"section": "history"}, name="history"),
    path("me/blocks/", views_mypage.mypage, {"section": "blocks"}, name="blocks"),
    path("me/nickname/", views_mypage.mypage_nickname, name="nickname"),
    path("me/email/", views_mypage.mypage_email, name="email"),
    path("me/email/resend/", views_mypage.mypage_email_resend, name="email_resend"),
    path("me/activities/", views_mypage.activity_history_page, name="activities"),
    path("matches/<uuid:match_id>/", views_mypage.match_detail, name="match_detail"),
    path("matches/<uuid:match_id>/review/", views_mypage.match_review, name="match_review"),
]
