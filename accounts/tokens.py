"""JWT pairs for the API: a short access token and a single-use refresh token in a cookie.

SimpleJWT signs and checks the tokens; which refresh tokens are still good is ours to know:
every refresh token is a row of `IssuedRefreshToken` (SimpleJWT's token_blacklist app is not
installed: one table and one conditional UPDATE do what its two tables would).

- A login starts a *family*. `token_refresh` consumes the presented token with one conditional
  UPDATE (`used_at` from NULL to now, only if unused, unrevoked, unexpired); only the caller whose
  UPDATE changed the row issues the next token, in the same family, in the same transaction.
- A used token presented again is a replay: the whole family is revoked (the thief and the owner
  both have to log in again), unless it comes within REFRESH_REUSE_GRACE_SECONDS of its use:
  then it is a parallel refresh of the same client that lost the race, refused without revoking.
- Logout revokes the family.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.http import HttpResponse
from django.utils import timezone
from rest_framework_simplejwt.exceptions import TokenError
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken
from rest_framework_simplejwt.utils import datetime_from_epoch

from accounts.models import IssuedRefreshToken, User
from partner42.errors import ApplicationError, ErrorCode

logger = logging.getLogger(__name__)

# Both tokens carry their family, so a logout that only has the access token can revoke it too.
FAMILY_CLAIM = "fam"


class NoRefreshCookieError(ApplicationError):
    error_code = ErrorCode.NO_REFRESH_COOKIE


class InvalidRefreshTokenError(ApplicationError):
    error_code = ErrorCode.INVALID_REFRESH_TOKEN


class UserDisabledError(ApplicationError):
    error_code = ErrorCode.USER_DISABLED


@dataclass(frozen=True)
class TokenPair:
    access: str
    refresh: str


def _refresh_lifetime() -> timedelta:
    return settings.SIMPLE_JWT["REFRESH_TOKEN_LIFETIME"]


def _issue(*, user: User, family: uuid.UUID, parent_jti: str = "") -> TokenPair:
    refresh = RefreshToken.for_user(user)
    refresh[FAMILY_CLAIM] = str(family)
    access = AccessToken.for_user(user)
    access[FAMILY_CLAIM] = str(family)
    IssuedRefreshToken.objects.create(
        jti=refresh["jti"],
        user=user,
        family=family,
        parent_jti=parent_jti,
        expires_at=datetime_from_epoch(refresh["exp"]),
    )
    return TokenPair(access=str(access), refresh=str(refresh))


@transaction.atomic
def issue_token_pair(*, user: User) -> TokenPair:
    """A new pair starting a new family (a login)."""
    return _issue(user=user, family=uuid.uuid4())


def set_refresh_cookie(response: HttpResponse, refresh: str) -> None:
    response.set_cookie(
        settings.REFRESH_COOKIE_NAME,
        refresh,
        max_age=int(_refresh_lifetime().total_seconds()),
        path=settings.REFRESH_COOKIE_PATH,
        secure=settings.REFRESH_COOKIE_SECURE,
        httponly=True,
        samesite=settings.REFRESH_COOKIE_SAMESITE,
    )


def clear_refresh_cookie(response: HttpResponse) -> None:
    response.delete_cookie(
        settings.REFRESH_COOKIE_NAME,
        path=settings.REFRESH_COOKIE_PATH,
        samesite=settings.REFRESH_COOKIE_SAMESITE,
    )


def _refresh_jti(raw_refresh: str) -> str:
    """The jti of a well-signed, unexpired refresh-type token (an access token is refused)."""
    try:
        return RefreshToken(raw_refresh)["jti"]
    except (TokenError, KeyError) as exc:
        raise InvalidRefreshTokenError() from exc


def _family_revoke(*, family: uuid.UUID, now: datetime) -> int:
    return IssuedRefreshToken.objects.filter(family=family, revoked_at=None).update(revoked_at=now)


def _refresh_consume(*, jti: str, now: datetime) -> TokenPair | None:
    with transaction.atomic():
        # The compare-and-set: under READ COMMITTED a concurrent UPDATE of the same row waits for
        # the winner's commit, re-reads used_at and matches nothing, so exactly one caller gets 1.
        won = IssuedRefreshToken.objects.filter(
            jti=jti, used_at=None, revoked_at=None, expires_at__gt=now
        ).update(used_at=now)
        if won != 1:
            return None
        row = IssuedRefreshToken.objects.select_related("user").get(jti=jti)
        if not row.user.is_active:
            # Rolls the consumption back with the transaction; nothing is issued.
            raise UserDisabledError()
        return _issue(user=row.user, family=row.family, parent_jti=jti)


def token_refresh(*, raw_refresh: str, now: datetime | None = None) -> TokenPair:
    """Rotate a refresh token: the next pair of its family, or InvalidRefreshTokenError.

    Not to be called inside an outer transaction: a replay's revocation must commit although
    the call raises.
    """
    now = now or timezone.now()
    jti = _refresh_jti(raw_refresh)
    pair = _refresh_consume(jti=jti, now=now)
    if pair is not None:
        return pair

    row = IssuedRefreshToken.objects.filter(jti=jti).first()
    # Unknown (never ours, or its user was deleted with its rows), revoked or expired.
    if row is None or row.revoked_at is not None or row.used_at is None:
        raise InvalidRefreshTokenError()
    grace = timedelta(seconds=settings.REFRESH_REUSE_GRACE_SECONDS)
    # `now` was read before this call waited on the winner's row lock, so it can be earlier than
    # the winner's used_at: without a grace window every reuse is a replay, whatever the clocks.
    if grace and row.used_at + grace > now:
        # A parallel refresh of the same client lost the race: refuse it, keep the family.
        raise InvalidRefreshTokenError()
    revoked = _family_revoke(family=row.family, now=now)
    logger.warning(
        "Refresh token replayed; family revoked",
        extra={"user_id": row.user_id, "family": str(row.family), "revoked": revoked},
    )
    raise InvalidRefreshTokenError()


def token_revoke(*, raw_refresh: str, now: datetime | None = None) -> int:
    """Logout: revoke the presented token's family. An invalid or expired token revokes nothing."""
    try:
        jti = RefreshToken(raw_refresh)["jti"]
    except (TokenError, KeyError):
        return 0
    row = IssuedRefreshToken.objects.filter(jti=jti).first()
    if row is None:
        return 0
    return _family_revoke(family=row.family, now=now or timezone.now())


def token_revoke_for_access(*, raw_access: str, now: datetime | None = None) -> int:
    """Logout with only the access token (`/api/security/logout` never sees the cookie)."""
    try:
        token = AccessToken(raw_access)
        family = uuid.UUID(token[FAMILY_CLAIM])
        user_id = token[settings.SIMPLE_JWT["USER_ID_CLAIM"]]
    except (TokenError, KeyError, ValueError, TypeError):
        return 0
    return IssuedRefreshToken.objects.filter(
        family=family, user__api_id=user_id, revoked_at=None
    ).update(revoked_at=now or timezone.now())


def refresh_token_prune(*, now: datetime | None = None) -> int:
    """Delete rows that expired a day ago or more (kept a day for replay detection logs)."""
    cutoff = (now or timezone.now()) - timedelta(days=1)
    deleted, _ = IssuedRefreshToken.objects.filter(expires_at__lt=cutoff).delete()
    return deleted
