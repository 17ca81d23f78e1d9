"""JWT pairs for the API: a short access token and a single-use refresh token in a cookie.

SimpleJWT signs and checks the tokens; which refresh tokens are still good is ours to know:
every refresh token is a row of `IssuedRefreshToken` (SimpleJWT's token_blacklist app is not
installed: one table and one conditional UPDATE do what its two tables would).

- A login starts a *family*. `token_refresh` consumes the presented token with one conditional
  UPDATE (`used_at` from NULL to now, only if unused, unrevoked, unexpired); only the caller whose
  UPDATE changed the row issues the next token, in the same family, in the same transaction.
- A used token presented again within REFRESH_REUSE_GRACE_SECONDS (default 10) of its use, while
  its successor is still the family's live token, is a parallel refresh of the same client that
  lost the race (the React client refreshes once per failing request, with no single flight):
  it gets the SAME successor (the same cookie value) and a fresh access token, and nothing new is
  stored. Any other reuse (an older generation, whose successor was itself used already, or any
  reuse after the window) is a replay: the whole family is revoked (the thief and the owner both
  have to log in again).
- The successor can be handed out again although only its jti is stored: a refresh token is
  *derived* from its row (`_encode_refresh`: fixed claims, HS256 is deterministic), so signing the
  row again gives the very same string. Nothing secret is stored, and the grace path needs no
  new column.
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
from rest_framework_simplejwt.settings import api_settings
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

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


def _encode_refresh(row: IssuedRefreshToken, user: User) -> str:
    """The refresh token of `row`, signed: the same row always gives the same string.

    Every claim comes from the row (iat is exp minus the lifetime, which is how it was made), in a
    fixed order, and HS256 signs deterministically; this is what lets a parallel refresh within
    the grace window receive the very cookie the winner received.
    """
    jwt = api_settings
    exp = int(row.expires_at.timestamp())
    payload = {
        jwt.TOKEN_TYPE_CLAIM: RefreshToken.token_type,
        "exp": exp,
        "iat": exp - int(_refresh_lifetime().total_seconds()),
        jwt.JTI_CLAIM: row.jti,
        jwt.USER_ID_CLAIM: str(getattr(user, jwt.USER_ID_FIELD)),
        FAMILY_CLAIM: str(row.family),
    }
    token = RefreshToken()
    token.payload = payload
    return str(token)


def _access_for(*, user: User, family: uuid.UUID) -> str:
    access = AccessToken.for_user(user)
    access[FAMILY_CLAIM] = str(family)
    return str(access)


def _issue(*, user: User, family: uuid.UUID, parent_jti: str = "") -> TokenPair:
    # Whole seconds: the token's exp is, and the row must give back exactly that exp.
    now = timezone.now().replace(microsecond=0)
    row = IssuedRefreshToken.objects.create(
        jti=uuid.uuid4().hex,
        user=user,
        family=family,
        parent_jti=parent_jti,
        expires_at=now + _refresh_lifetime(),
    )
    return TokenPair(
        access=_access_for(user=user, family=family), refresh=_encode_refresh(row, user)
    )


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


def _grace_successor(*, row: IssuedRefreshToken, now: datetime) -> TokenPair | None:
    """The pair a lost parallel refresh gets, or None when this reuse is a replay.

    Only the *immediately preceding* token qualifies (its successor unused, unrevoked, unexpired:
    the family's live token), and only within the window after its use. Handing out a revoked
    successor, or one several generations on, is what the grace of other libraries got wrong.
    """
    grace = timedelta(seconds=settings.REFRESH_REUSE_GRACE_SECONDS)
    # `now` was read before this call waited on the winner's row lock, so it can be earlier than
    # the winner's used_at; that is still within the window.
    if not grace or now >= row.used_at + grace:
        return None
    successor = (
        IssuedRefreshToken.objects.select_related("user")
        .filter(
            family=row.family,
            parent_jti=row.jti,
            used_at=None,
            revoked_at=None,
            expires_at__gt=now,
        )
        .first()
    )
    if successor is None:
        return None
    if not successor.user.is_active:
        raise UserDisabledError()
    return TokenPair(
        access=_access_for(user=successor.user, family=successor.family),
        refresh=_encode_refresh(successor, successor.user),
    )


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
    pair = _grace_successor(row=row, now=now)
    if pair is not None:
        logger.info(
            "Parallel refresh within the grace window; same successor returned",
            extra={"user_id": row.user_id, "family": str(row.family)},
        )
        return pair
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


@transaction.atomic
def token_families_revoke(*, families: list[uuid.UUID], now: datetime | None = None) -> int:
    """An operator's revocation (the admin): every still-live token of these families, at once.
    Their holders must log in again; their access tokens run out within ACCESS_TOKEN_MINUTES."""
    return IssuedRefreshToken.objects.filter(family__in=set(families), revoked_at=None).update(
        revoked_at=now or timezone.now()
    )


def refresh_token_prune(*, now: datetime | None = None) -> int:
    """Delete rows that expired a day ago or more (kept a day for replay detection logs)."""
    cutoff = (now or timezone.now()) - timedelta(days=1)
    deleted, _ = IssuedRefreshToken.objects.filter(expires_at__lt=cutoff).delete()
    return deleted
