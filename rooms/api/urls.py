"""The original's paths, without trailing slashes (API.md 4.2, 4.3)."""

from django.urls import path

from rooms.api import views

app_name = "rooms-api"
urlpatterns = [
    path("articles", views.ArticleCollectionApi.as_view(), name="articles"),
    path("articles/<str:article_id>", views.ArticleApi.as_view(), name="article"),
    path(
        "articles/<str:article_id>/recoverable-delete",
        views.ArticleRecoverableDeleteApi.as_view(),
        name="article-recoverable-delete",
    ),
    path(
        "articles/<str:article_id>/participate",
        views.ArticleParticipateApi.as_view(),
        name="article-participate",
    ),
    path(
        "articles/<str:article_id>/participate-cancel",
        views.ArticleParticipateCancelApi.as_view(),
        name="article-participate-cancel",
    ),
    path(
        "articles/<str:article_id>/complete",
        views.ArticleCompleteApi.as_view(),
        name="article-complete",
    ),
    path(
        "articles/<str:article_id>/opinions",
        views.ArticleOpinionsApi.as_view(),
        name="article-opinions",
    ),
    path("opinions", views.OpinionCollectionApi.as_view(), name="opinions"),
    path("opinions/<str:opinion_id>", views.OpinionApi.as_view(), name="opinion"),
    path(
        "opinions/<str:opinion_id>/recoverable-delete",
        views.OpinionRecoverableDeleteApi.as_view(),
        name="opinion-recoverable-delete",
    ),
]
