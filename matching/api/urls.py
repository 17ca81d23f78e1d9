from django.urls import path

from matching.api import blocks, matches, meetings, random, reviews, suggestions

app_name = "matching-api"
urlpatterns = [
    path("random-matches", random.RandomMatchCreateApi.as_view(), name="random-match-create"),
    path("random-matches/mine", random.RandomMatchMineApi.as_view(), name="random-match-mine"),
    path(
        "random-matches/condition/mine",
        random.RandomMatchConditionMineApi.as_view(),
        name="random-match-condition-mine",
    ),
    path(
        "random-matches/members/count",
        random.RandomMatchMembersCountApi.as_view(),
        name="random-match-count",
    ),
    path("random-matches/renew", random.RandomMatchRenewApi.as_view(), name="random-match-renew"),
    path("blocks", blocks.BlockListCreateApi.as_view(), name="block-list"),
    # Matches, reviews and activity scores (API.md 4.4, plus the score per category and history).
    path("matches", matches.MatchListApi.as_view(), name="match-list"),
    path("matches/<str:match_id>", matches.MatchDetailApi.as_view(), name="match-detail"),
    path("matches/<str:match_id>/review", reviews.MatchReviewApi.as_view(), name="match-review"),
    path(
        "matches/<str:match_id>/restaurant",
        suggestions.MatchRestaurantPinApi.as_view(),
        name="match-restaurant",
    ),
    path(
        "matches/<str:match_id>/meeting", meetings.MatchMeetingApi.as_view(), name="match-meeting"
    ),
    path("activities", reviews.ActivityHistoryApi.as_view(), name="activity-history"),
    path("activities/score", reviews.ActivityScoreApi.as_view(), name="activity-score"),
    path(
        "activities/score/categories",
        reviews.ActivityCategoryScoresApi.as_view(),
        name="activity-score-categories",
    ),
    path("blocks/<str:user_id>", blocks.BlockDeleteApi.as_view(), name="block-delete"),
]
