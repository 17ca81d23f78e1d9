"""Accounts API: token endpoints of the original, the operators' password login, users."""

from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import logout
from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.permissions import BasePermission
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts import selectors, services, tokens
from accounts.api import serializers
from partner42.net import ScopedThrottle


def _origin(url: str) -> str:
    parts = urlsplit(url.strip())
    return f"{parts.scheme}://{parts.netloc}".lower()


class TrustedOrigin(BasePermission):
    """CSRF guard of the cookie-only endpoints.

    In production the refresh cookie is SameSite=None (the React client lives on another
    origin), so a foreign page could make the browser post it: that would rotate or revoke the
    victim's tokens (it could not read the answer, CORS forbids that). A custom header would
    break the existing client, so we check Origin instead: browsers send it on every cross-origin
    POST, and it must then be ours, FRONTEND_URL, or a CORS / CSRF trusted origin. No Origin
    means no browser cross-site request (or a same-origin navigation), which is allowed.
    """

    def has_permission(self, request, view) -> bool:
        origin = request.headers.get("Origin")
        if origin is None:
            return True
        trusted = {
            _origin(settings.FRONTEND_URL),
            _origin(request.build_absolute_uri("/")),
            *(_origin(o) for o in getattr(settings, "CORS_ALLOWED_ORIGINS", [])),
            *(_origin(o) for o in settings.CSRF_TRUSTED_ORIGINS if "*" not in o),
        }
        return _origin(origin) in trusted


class _CookieTokenApi(APIView):
    # No authentication: a stale Bearer header must not block a refresh or a logout, and
    # these endpoints prove who is calling with the cookie itself.
    authentication_classes = []
    permission_classes = [TrustedOrigin]


class TokenRefreshApi(_CookieTokenApi):
    @extend_schema(request=None, responses={200: serializers.TokenRefreshOutputSerializer})
    def post(self, request):
        raw = request.COOKIES.get(settings.REFRESH_COOKIE_NAME)
        if not raw:
            raise tokens.NoRefreshCookieError()
        # The cookie is not cleared on failure: a parallel refresh that lost the race must not
        # delete the cookie the winner has just set.
        pair = tokens.token_refresh(raw_refresh=raw)
        response = Response(serializers.TokenRefreshOutputSerializer(pair).data)
        tokens.set_refresh_cookie(response, pair.refresh)
        return response


def _logout(request) -> Response:
    raw_refresh = request.COOKIES.get(settings.REFRESH_COOKIE_NAME)
    if raw_refresh:
        tokens.token_revoke(raw_refresh=raw_refresh)
    # The cookie's path is /api/token, so /api/security/logout never gets it; the access token
    # names the same family.
    scheme, _, raw_access = request.headers.get("Authorization", "").partition(" ")
    if scheme == "Bearer" and raw_access.strip():
        tokens.token_revoke_for_access(raw_access=raw_access.strip())
    logout(request._request)
    response = Response(status=status.HTTP_200_OK)
    tokens.clear_refresh_cookie(response)
    return response


class TokenLogoutApi(_CookieTokenApi):
    @extend_schema(request=None, responses={200: None})
    def post(self, request):
        return _logout(request)


class SecurityLogoutApi(_CookieTokenApi):
    """The original's logout path, any method: 200 with an empty body."""

    @extend_schema(request=None, responses={200: None})
    def post(self, request):
        return _logout(request)

    get = put = patch = delete = post


class AuthLoginApi(APIView):
    authentication_classes = []
    permission_classes = [TrustedOrigin]
    throttle_classes = [ScopedThrottle]
    throttle_scope = "login"

    @extend_schema(
        request=serializers.AuthLoginInputSerializer,
        responses={200: serializers.AuthLoginOutputSerializer},
    )
    def post(self, request):
        data = serializers.AuthLoginInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_authenticate(request=request._request, **data.validated_data)
        pair = tokens.issue_token_pair(user=user)
        response = Response(
            serializers.AuthLoginOutputSerializer({"user": user, "pair": pair}).data
        )
        tokens.set_refresh_cookie(response, pair.refresh)
        return response


class UserDetailApi(APIView):
    @extend_schema(responses={200: serializers.UserOutputSerializer})
    def get(self, request, user_id: str):
        user = selectors.user_get_visible(api_id=user_id, viewer=request.user)
        return Response(serializers.UserOutputSerializer(user).data)


class UserEmailUpdateApi(APIView):
    @extend_schema(
        request=serializers.UserEmailUpdateInputSerializer,
        responses={200: serializers.UserIdOutputSerializer},
    )
    def patch(self, request, user_id: str):
        user = selectors.user_get_own(api_id=user_id, viewer=request.user)
        data = serializers.UserEmailUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # The address waits for the link mailed to it; `email` stays the confirmed one.
        user = services.user_email_change_request(
            user=user,
            email=data.validated_data["email"],
            site_url=request.build_absolute_uri("/"),
        )
        return Response(serializers.UserIdOutputSerializer(user).data)


class UserNicknameUpdateApi(APIView):
    @extend_schema(
        request=serializers.UserNicknameUpdateInputSerializer,
        responses={200: serializers.UserIdOutputSerializer},
    )
    def patch(self, request, user_id: str):
        user = selectors.user_get_own(api_id=user_id, viewer=request.user)
        data = serializers.UserNicknameUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_update_nickname(user=user, **data.validated_data)
        return Response(serializers.UserIdOutputSerializer(user).data)


def _preferences(user) -> dict:
    return {
        "user": user,
        "alarm_types": selectors.user_alarm_switches(user=user),
        "snoozed_until": selectors.user_random_snoozed_until(user=user),
        "language": user.language or None,
    }


class UserProfileApi(APIView):
    """A student's bio and interests: read by themself or an operator, changed by themself."""

    @extend_schema(responses={200: serializers.UserProfileOutputSerializer})
    def get(self, request, user_id: str):
        user = selectors.user_get_visible(api_id=user_id, viewer=request.user)
        return Response(serializers.UserProfileOutputSerializer(user).data)

    @extend_schema(
        request=serializers.UserProfileUpdateInputSerializer,
        responses={200: serializers.UserProfileOutputSerializer},
    )
    def patch(self, request, user_id: str):
        user = selectors.user_get_own(api_id=user_id, viewer=request.user)
        data = serializers.UserProfileUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.user_profile_update(user=user, **data.validated_data)
        return Response(serializers.UserProfileOutputSerializer(user).data)


class UserPreferencesApi(APIView):
    """A student's switches: read by themself or an operator, changed by themself."""

    @extend_schema(responses={200: serializers.UserPreferencesOutputSerializer})
    def get(self, request, user_id: str):
        user = selectors.user_get_visible(api_id=user_id, viewer=request.user)
        return Response(serializers.UserPreferencesOutputSerializer(_preferences(user)).data)

    @extend_schema(
        request=serializers.UserPreferencesUpdateInputSerializer,
        responses={200: serializers.UserPreferencesOutputSerializer},
    )
    def patch(self, request, user_id: str):
        user = selectors.user_get_own(api_id=user_id, viewer=request.user)
        data = serializers.UserPreferencesUpdateInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        names = {
            "slackNotices": "slack_notices",
            "alarmTypes": "alarm_types",
            "randomSnoozeUntil": "random_snooze_until",
            "language": "language",
        }
        user = services.user_preferences_update(
            user=user, **{names[key]: value for key, value in data.validated_data.items()}
        )
        return Response(serializers.UserPreferencesOutputSerializer(_preferences(user)).data)
