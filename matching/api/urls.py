from django.urls import path

from matching.api import review_views, views

app_name = "matching-api"
urlpatterns = [
    path("random-matches", views.RandomMatchCreateApi.as_view(), name="random-match-create"),
    path("random-matches/mine", views.RandomMatchMineApi.as_view(), name="random-match-mine"),
    path(
        "random-matches/condition/mine",
        views.RandomMatchConditionMineApi.as_view(),
        name="random-match-condition-mine",
    ),
    path(
        "random-matches/members/count",
        views.RandomMatchMembersCountApi.as_view(),
        name="random-match-count",
    ),
    path("random-matches/renew", views.RandomMatchRenewApi.as_view(), name="random-match-renew"),
    path("blocks", views.BlockListCreateApi.as_view(), name="block-list"),
    # Matches, reviews and activity scores (API.md 4.4, plus the score per category and history).
    path("matches", review_views.MatchListApi.as_view(), name="match-list"),
    path("matches/<str:match_id>", review_views.MatchDetailApi.as_view(), name="match-detail"),
    path(
        "matches/<str:match_id>/review", review_views.MatchReviewApi.as_view(), name="match-review"
    ),
    path("activities", review_views.ActivityHistoryApi.as_view(), name="activity-history"),
    path("activities/score", review_views.ActivityScoreApi.as_view(), name="activity-score"),
    path(
        "activities/score/categories",
        review_views.ActivityCategoryScoresApi.as_view(),
        name="activity-score-categories",
    ),
    path("blocks/<str:user_id>", views.BlockDeleteApi.as_view(), name="block-delete"),
]
