from django.urls import path

from accounts.api import views

app_name = "accounts-api"
urlpatterns = [
    path("token/refresh", views.TokenRefreshApi.as_view(), name="token-refresh"),
    path("token/logout", views.TokenLogoutApi.as_view(), name="token-logout"),
    path("security/logout", views.SecurityLogoutApi.as_view(), name="security-logout"),
    path("auth/login", views.AuthLoginApi.as_view(), name="auth-login"),
    path("users/<str:user_id>", views.UserDetailApi.as_view(), name="user-detail"),
    path("users/<str:user_id>/email", views.UserEmailUpdateApi.as_view(), name="user-email"),
    path(
        "users/<str:user_id>/nickname",
        views.UserNicknameUpdateApi.as_view(),
        name="user-nickname",
    ),
    path("users/<str:user_id>/profile", views.UserProfileApi.as_view(), name="user-profile"),
    path(
        "users/<str:user_id>/preferences",
        views.UserPreferencesApi.as_view(),
        name="user-preferences",
    ),
]
