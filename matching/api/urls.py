from django.urls import path

from matching.api import views

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
    path("blocks/<str:user_id>", views.BlockDeleteApi.as_view(), name="block-delete"),
]
