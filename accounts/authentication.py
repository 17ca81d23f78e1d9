"""Bearer access tokens for the API (SimpleJWT, HS256, claim `user_id` = User.api_id)."""

from django.conf import settings
from drf_spectacular.contrib.rest_framework_simplejwt import SimpleJWTScheme
from rest_framework import exceptions
from rest_framework_simplejwt.authentication import JWTAuthentication as BaseJWTAuthentication

from partner42.errors import ErrorCode

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
