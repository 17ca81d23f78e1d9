"""Bearer access tokens for the API (SimpleJWT, HS256, claim `user_id` = User.api_id), and the
lockout of operators' password logins (django-axes)."""

from axes.backends import AxesStandaloneBackend
from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework import exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication as BaseJWTAuthentication

from partner42.errors import ErrorCode, error_body

INVALID_TOKEN_CHALLENGE = 'Bearer error="invalid_token"'


class InvalidAccessTokenError(exceptions.AuthenticationFailed):
    """An expired, forged, malformed or wrong-type access token, or one whose user is gone or
    disabled: 401 AU001 (403 with LEGACY_EXPIRED_TOKEN_STATUS=403).

    The exception handler renders `error_code` with `status_code` and sends `www_authenticate`
    as the WWW-Authenticate header. DRF itself also copies the challenge into `auth_header`
    (see JWTAuthentication.authenticate_header), so the header survives DRF's own handler too.
    """

    error_code = ErrorCode.INVALID_ACCESS_TOKEN
    www_authenticate = INVALID_TOKEN_CHALLENGE
    default_detail = ErrorCode.INVALID_ACCESS_TOKEN.value[2]
    default_code = ErrorCode.INVALID_ACCESS_TOKEN.code

    def __init__(self, detail=None, code=None) -> None:
        super().__init__(detail, code)
        # Read at raise time, so a deployment (or a test) can switch it.
        self.status_code = settings.LEGACY_EXPIRED_TOKEN_STATUS
        self.auth_header = INVALID_TOKEN_CHALLENGE


class JWTAuthentication(BaseJWTAuthentication):
    """SimpleJWT's authentication with every failure turned into InvalidAccessTokenError.

    No header (or another scheme) stays anonymous; any Bearer token that does not authenticate
    an active user stops the request, public endpoints included (as in the original). The token
    endpoints disable authentication so that a stale header cannot block a refresh.
    """

    def authenticate(self, request):
        try:
            return super().authenticate(request)
        except exceptions.AuthenticationFailed as exc:
            request._invalid_access_token = True
            if isinstance(exc, InvalidAccessTokenError):
                raise
            raise InvalidAccessTokenError() from exc

    def authenticate_header(self, request) -> str:
        # DRF puts this in WWW-Authenticate of every 401 while we are the first authenticator.
        if getattr(request, "_invalid_access_token", False):
            return INVALID_TOKEN_CHALLENGE
        return super().authenticate_header(request)

    def get_user(self, validated_token):
        user = super().get_user(validated_token)
        if not user.is_active:
            raise InvalidAccessTokenError()
        return user


class JWTAuthenticationScheme(SimpleJWTScheme):
    """Documents our JWTAuthentication as SimpleJWT's bearer scheme in the OpenAPI schema."""

    target_class = "accounts.authentication.JWTAuthentication"


# --- Password login lockout (django-axes) ---------------------------------------------------


class LockoutBackend(AxesStandaloneBackend):
    """django-axes' check first in AUTHENTICATION_BACKENDS: a locked-out account or address is
    refused before any password is checked (the admin login and `POST /api/auth/login`).

    A call without a request (Django's test client `login()`, a shell) has no address to count
    and reaches no page: it is left to the other backends instead of failing.
    """

    def authenticate(self, request, username=None, password=None, **kwargs):
        if request is None:
            return None
        return super().authenticate(request, username=username, password=password, **kwargs)


def _cool_off_minutes() -> int:
    return max(1, int(settings.AXES_COOLOFF_TIME.total_seconds() // 60))


def lockout_response(request: HttpRequest, original_response=None, credentials=None):
    """What a locked-out login gets (AXES_LOCKOUT_CALLABLE): 429 with Retry-After; under /api/
    the SPEC error body (C008), elsewhere (the admin login) a page saying so."""
    minutes = _cool_off_minutes()
    message = gettext(
        "로그인 실패가 너무 많습니다. %(minutes)d분 후에 다시 시도하거나 운영자에게 잠금 해제를 "
        "요청하세요."
    ) % {"minutes": minutes}
    code = ErrorCode.THROTTLED
    if request.path.startswith("/api/"):
        response = JsonResponse(error_body(code, message), status=code.status)
    else:
        response = render(request, "429.html", {"message": message}, status=code.status)
    response["Retry-After"] = str(int(settings.AXES_COOLOFF_TIME.total_seconds()))
    return response
