"""Writes on accounts: users from the 42 intra profile, profile changes."""

import itertools
import logging
from collections.abc import Mapping, Sequence
from datetime import date, timedelta
from functools import partial
from typing import Any

from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _

from accounts import email_tokens
from accounts.models import Language, User
from accounts.profile_rules import ProfileRuleError, bio_clean, interests_clean, snooze_clean
from accounts.selectors import NotYoursError, seoul_today
from partner42.choices import AlarmType
from partner42.errors import ApplicationError, ErrorCode, InvalidInputError
from partner42.text import (
    RESERVED_NICKNAME_MESSAGE,
    VISIBLE_TEXT_MESSAGE,
    is_blank,
    is_reserved_name,
    nickname_normalize,
)

logger = logging.getLogger(__name__)

NICKNAME_MIN_LENGTH = 2
NICKNAME_MAX_LENGTH = 20

# --- 42 intra login ---------------------------------------------------------------------------

INTRA_PROVIDER_ID = "fortytwo"
_UPSERT_ATTEMPTS = 3


def _intra_image_url(profile: dict) -> str:
    image = profile.get("image")
    url = (image.get("link") if isinstance(image, dict) else None) or profile.get("image_url")
    max_length = User._meta.get_field("image_url").max_length
    return url if isinstance(url, str) and len(url) <= max_length else ""


def _intra_campus(profile: dict) -> str:
    """The primary campus (`campus_users[].is_primary`), else the first one listed."""
    campuses = [c for c in profile.get("campus") or [] if isinstance(c, dict)]
    primary_ids = {
        cu.get("campus_id")
        for cu in profile.get("campus_users") or []
        if isinstance(cu, dict) and cu.get("is_primary")
    }
    chosen = next((c for c in campuses if c.get("id") in primary_ids), None)
    if chosen is None and campuses:
        chosen = campuses[0]
    name = chosen.get("name") if chosen else None
    return name[: User._meta.get_field("campus").max_length] if isinstance(name, str) else ""


def _unique_user_value(field: str, base: str) -> str:
    """`base`, or `base` with a number (cut to fit the column) when another user holds it."""
    max_length = User._meta.get_field(field).max_length
    base = base[:max_length]
    if not User.objects.filter(**{field: base}).exists():
        return base
    for n in range(2, 100):
        candidate = f"{base[: max_length - len(str(n))]}{n}"
        if not User.objects.filter(**{field: candidate}).exists():
            return candidate
    suffix = get_random_string(6, allowed_chars="abcdefghijklmnopqrstuvwxyz0123456789")
    return f"{base[: max_length - len(suffix)]}{suffix}"


def _intra_identity(profile: dict) -> tuple[str, str, str]:
    uid, login, email = profile.get("id"), profile.get("login"), profile.get("email")
    if not uid or not isinstance(login, str) or not login or not isinstance(email, str):
        raise InvalidInputError(message=_("42 프로필에 id, login 또는 email이 없습니다."))
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInputError(message=_("42 프로필의 이메일이 올바르지 않습니다.")) from exc
    return str(uid), login, email


@transaction.atomic
def user_upsert_from_intra(*, profile: dict) -> tuple[User, bool]:
    """The user of this 42 account (matched by the intra id), created or refreshed.

    Returns (user, created). A new user gets username = login and nickname = login (or a free
    variant of it); every login refreshes image and campus but never the nickname, which the
    user may have changed. The intra email counts as confirmed (42 verified it): a new user
    starts with it, and a later login sets it only on an account with no confirmed address;
    it never overwrites one, nor takes an address another account has confirmed.
    """
    uid, login, email = _intra_identity(profile)
    fields = {
        "image_url": _intra_image_url(profile),
        "campus": _intra_campus(profile),
    }
    for attempt in itertools.count(1):
        account = (
            SocialAccount.objects.select_related("user")
            .filter(provider=INTRA_PROVIDER_ID, uid=uid)
            .first()
        )
        if account is not None:
            user = account.user
            if not user.email and not _email_taken(email, user=user):
                fields["email"] = email
            changed = [name for name, value in fields.items() if getattr(user, name) != value]
            for name in changed:
                setattr(user, name, fields[name])
            if changed:
                user.save(update_fields=changed)
            account.extra_data = profile
            account.save(update_fields=["extra_data", "last_login"])
            return user, False
        # A login that reads as the mask or the system gets a suffix like a too short one.
        nickname_base = login if len(login) >= 2 and not is_reserved_name(login) else f"{login}42"
        try:
            # A savepoint: a concurrent first login of the same account, or another student
            # taking the same nickname meanwhile, breaks a unique constraint; then look again.
            with transaction.atomic():
                user = User(
                    username=_unique_user_value("username", login),
                    nickname=_unique_user_value("nickname", nickname_base),
                    email=None if User.objects.filter(email__iexact=email).exists() else email,
                    **fields,
                )
                user.set_unusable_password()
                user.save()
                SocialAccount.objects.create(
                    user=user, provider=INTRA_PROVIDER_ID, uid=uid, extra_data=profile
                )
            return user, True
        except IntegrityError:
            if attempt == _UPSERT_ATTEMPTS:
                raise


# --- Password login and profile changes ----------------------------------------------------


class BadCredentialsError(ApplicationError):
    error_code = ErrorCode.BAD_CREDENTIALS


class EmailResendTooSoonError(ApplicationError):
    error_code = ErrorCode.THROTTLED


def _field_error(field: str, value: str, reason) -> dict[str, str]:
    return {"field": field, "value": value, "reason": str(reason)}


def user_authenticate(*, request: HttpRequest, username: str, password: str) -> User:
    """The operators' password login (students have no password): the user or AU005."""
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        raise BadCredentialsError()
    return user


# --- Email change and confirmation ------------------------------------------------------------
# `User.email` is the confirmed address (Slack looks members up by it); a change waits in
# `pending_email` until the link mailed to it is followed by the same account.

EMAIL_RESEND_INTERVAL = timedelta(minutes=1)


def _clean_email(email: str) -> str:
    email = (email or "").strip()
    try:
        validate_email(email)
    except ValidationError as exc:
        raise InvalidInputError(
            errors=[_field_error("email", email, _("올바른 이메일 주소를 입력하세요."))]
        ) from exc
    if len(email) > User._meta.get_field("email").max_length:
        raise InvalidInputError(
            errors=[_field_error("email", email, _("이메일 주소가 너무 깁니다."))]
        )
    return email


def _email_taken(email: str, *, user: User) -> bool:
    return User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists()


def _email_taken_error(email: str) -> InvalidInputError:
    return InvalidInputError(
        errors=[_field_error("email", email, _("이미 사용 중인 이메일입니다."))]
    )


def _email_mail_claim(*, user: User, email: str, now, site_url: str) -> None:
    """Store `email` as pending and stamp the mail, unless one went out within the minute.

    One conditional UPDATE, so two requests at once cannot both send (nor flood an inbox).
    """
    claimed = (
        User.objects.filter(pk=user.pk)
        .filter(
            Q(pending_email_sent_at__isnull=True)
            | Q(pending_email_sent_at__lte=now - EMAIL_RESEND_INTERVAL)
        )
        .update(pending_email=email, pending_email_sent_at=now)
    )
    if claimed != 1:
        raise EmailResendTooSoonError(
            message=_("확인 메일을 방금 보냈어요. 1분 뒤에 다시 시도해 주세요."),
        )
    user.pending_email, user.pending_email_sent_at = email, now
    transaction.on_commit(partial(_email_confirmation_enqueue, user_id=user.pk, site_url=site_url))


@transaction.atomic
def user_email_change_request(*, user: User, email: str, site_url: str, now=None) -> User:
    """Ask to change the email: the address waits, and a confirmation link is mailed to it.

    The confirmed address is the user's own again: that cancels a pending change. An address
    another account has confirmed is refused. `site_url` (scheme and host) starts the link.
    """
    email = _clean_email(email)
    if user.email and email.lower() == user.email.lower():
        User.objects.filter(pk=user.pk).update(pending_email="")
        user.pending_email = ""
        return user
    if _email_taken(email, user=user):
        raise _email_taken_error(email)
    _email_mail_claim(user=user, email=email, now=now or timezone.now(), site_url=site_url)
    return user


@transaction.atomic
def user_email_confirmation_resend(*, user: User, site_url: str, now=None) -> User:
    """Mail the link for the pending address again (at most once a minute)."""
    user.refresh_from_db(fields=["pending_email", "pending_email_sent_at"])
    if not user.pending_email:
        raise InvalidInputError(message=_("확인을 기다리는 이메일이 없어요."))
    _email_mail_claim(
        user=user, email=user.pending_email, now=now or timezone.now(), site_url=site_url
    )
    return user


def _email_confirmation_enqueue(*, user_id: int, site_url: str) -> None:
    # After commit: the task reads the pending address the transaction has just stored.
    try:
        from accounts.tasks import email_confirmation_send_task

        email_confirmation_send_task.delay(user_id, site_url)
    except Exception:
        logger.exception("Could not enqueue the email confirmation mail of user %s", user_id)


def email_confirmation_send(*, user_id: int, site_url: str) -> bool:
    """Mail the confirmation link of the user's pending address; False if none waits any more."""
    user = User.objects.filter(pk=user_id).first()
    if user is None or not user.pending_email:
        return False
    token = email_tokens.make(user=user, email=user.pending_email)
    context = {
        "user": user,
        "email": user.pending_email,
        "link": site_url.rstrip("/") + reverse("accounts:email_confirm", args=[token]),
        "hours": int(email_tokens.MAX_AGE.total_seconds() // 3600),
    }
    send_mail(
        subject=render_to_string("accounts/email/confirm_subject.txt", context).strip(),
        message=render_to_string("accounts/email/confirm_body.txt", context),
        from_email=None,
        recipient_list=[user.pending_email],
    )
    return True


class EmailLinkError(InvalidInputError):
    """A confirmation link that is forged, expired, used or replaced (400 C001)."""


def email_confirmation_claim(*, user: User, token: str) -> str:
    """The address a link would confirm for `user`, or the error that refuses it. Writes nothing."""
    try:
        claim = email_tokens.read(token)
    except email_tokens.ExpiredLink as exc:
        raise EmailLinkError(
            message=_("링크가 만료되었어요. 내 페이지에서 확인 메일을 다시 보내 주세요.")
        ) from exc
    except email_tokens.ForgedLink as exc:
        raise EmailLinkError(
            message=_("올바르지 않은 링크예요. 메일의 링크를 그대로 열어 주세요.")
        ) from exc
    if claim.user_api_id != str(user.api_id):
        raise NotYoursError(
            message=_(
                "이 링크는 다른 계정에서 요청한 거예요. 이메일을 바꾸려는 계정으로 로그인해 주세요."
            ),
        )
    if claim.email != user.pending_email:
        raise EmailLinkError(
            message=_("이미 사용했거나 더 이상 쓸 수 없는 링크예요. 내 페이지에서 확인해 주세요.")
        )
    return claim.email


@transaction.atomic
def user_email_confirm(*, user: User, token: str) -> User:
    """Follow a confirmation link: the pending address becomes the confirmed one, once.

    Only the account that asked may confirm (the link alone is not enough: someone who types a
    classmate's address must not get it by the classmate clicking), and an address is confirmed
    by one account at most (the unique index settles a race).
    """
    locked = User.objects.select_for_update().get(pk=user.pk)
    email = email_confirmation_claim(user=locked, token=token)
    taken = EmailLinkError(
        message=_("다른 계정이 이미 확인한 주소예요. 다른 이메일을 입력해 주세요.")
    )
    if _email_taken(email, user=locked):
        raise taken
    locked.email, locked.pending_email, locked.pending_email_sent_at = email, "", None
    try:
        with transaction.atomic():
            locked.save(update_fields=["email", "pending_email", "pending_email_sent_at"])
    except IntegrityError as exc:
        raise taken from exc
    user.email, user.pending_email, user.pending_email_sent_at = email, "", None
    return user


@transaction.atomic
def user_update_nickname(*, user: User, nickname: str) -> User:
    """Change the nickname: 2 to 20 characters once normalised (partner42.text), visible, never
    the anonymity mask or the system's name, unique regardless of case and width."""
    raw = nickname if isinstance(nickname, str) else ""
    if is_blank(raw):
        raise InvalidInputError(errors=[_field_error("nickname", "", VISIBLE_TEXT_MESSAGE)])
    nickname = nickname_normalize(raw)
    if not NICKNAME_MIN_LENGTH <= len(nickname) <= NICKNAME_MAX_LENGTH:
        raise InvalidInputError(
            errors=[
                _field_error(
                    "nickname",
                    nickname,
                    _("닉네임은 %(min)d자 이상 %(max)d자 이하여야 합니다.")
                    % {"min": NICKNAME_MIN_LENGTH, "max": NICKNAME_MAX_LENGTH},
                )
            ]
        )
    if is_reserved_name(nickname):
        raise InvalidInputError(
            errors=[_field_error("nickname", nickname, RESERVED_NICKNAME_MESSAGE)]
        )
    taken = InvalidInputError(
        errors=[_field_error("nickname", nickname, _("이미 사용 중인 닉네임입니다."))]
    )
    # Stored nicknames are normalised the same way, so the comparison is between NFKC forms.
    if User.objects.filter(nickname__iexact=nickname).exclude(pk=user.pk).exists():
        raise taken
    user.nickname = nickname
    try:
        # The unique index settles a race between the check above and this write.
        with transaction.atomic():
            user.save(update_fields=["nickname"])
    except IntegrityError as exc:
        raise taken from exc
    return user


# --- Profile and preferences --------------------------------------------------------------------
# Both are columns of the user row, read there by the services that send (alarms, Slack, the
# random-match request) and by the pages; the rules are accounts.profile_rules, shared with the
# forms so that every error shows at once, and checked here again whoever calls.


class _Keep:
    """An argument left out: the stored value stays (None means "none" for the pause)."""

    def __repr__(self) -> str:
        return "KEEP"


KEEP: Any = _Keep()


def _rule_errors(exc: ProfileRuleError) -> list[dict[str, str]]:
    return [_field_error(p.field, p.value, p.reason) for p in exc.problems]


@transaction.atomic
def user_profile_update(
    *, user: User, bio: str | None = None, interests: Sequence[str] | None = None
) -> User:
    """Change the bio and/or the interests (None leaves one as it is). Every problem of both is
    reported in one 400 C001 and nothing is written then."""
    changes: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    if bio is not None:
        try:
            changes["bio"] = bio_clean(bio)
        except ProfileRuleError as exc:
            errors += _rule_errors(exc)
    if interests is not None:
        try:
            changes["interests"] = interests_clean(interests)
        except ProfileRuleError as exc:
            errors += _rule_errors(exc)
    if errors:
        raise InvalidInputError(errors=errors)
    for name, value in changes.items():
        setattr(user, name, value)
    if changes:
        user.save(update_fields=list(changes))
    return user


@transaction.atomic
def user_preferences_update(
    *,
    user: User,
    slack_notices: bool | None = None,
    alarm_types: Mapping[str, bool] | None = None,
    random_snooze_until: date | None = KEEP,
    language: str | None = KEEP,
    today: date | None = None,
) -> User:
    """Change some preferences; what is left out stays.

    `alarm_types` switches kinds on (True) or off (False) by their names, the others keep their
    state. `random_snooze_until` is the day random matching comes back (after today in Seoul,
    within a year) or None to lift the pause. `language` is `ko`, `en`, or ""/None to follow
    the browser. Every problem is reported in one 400 C001 and nothing is written then.
    """
    changes: dict[str, Any] = {}
    errors: list[dict[str, str]] = []
    if slack_notices is not None:
        changes["slack_notices"] = bool(slack_notices)
    if alarm_types is not None:
        unknown = [kind for kind in alarm_types if kind not in AlarmType.values]
        errors += [
            _field_error(f"alarmTypes.{kind}", str(kind), _("알 수 없는 알림 종류입니다."))
            for kind in unknown
        ]
        # Read again under a row lock: two requests switching different kinds at once must
        # both count (each was handed the row as it was before the other wrote).
        current = (
            User.objects.select_for_update()
            .values_list("muted_alarm_types", flat=True)
            .get(pk=user.pk)
        )
        muted = set(current or ()) & set(AlarmType.values)
        muted |= {kind for kind, on in alarm_types.items() if not on}
        muted -= {kind for kind, on in alarm_types.items() if on}
        changes["muted_alarm_types"] = [kind for kind in AlarmType.values if kind in muted]
    if random_snooze_until is not KEEP:
        try:
            changes["random_snooze_until"] = snooze_clean(
                random_snooze_until, today=today or seoul_today()
            )
        except ProfileRuleError as exc:
            errors += _rule_errors(exc)
    if language is not KEEP:
        language = language or ""
        if language and language not in Language.values:
            errors.append(
                _field_error("language", str(language), _("ko 또는 en만 고를 수 있어요."))
            )
        changes["language"] = language
    if errors:
        raise InvalidInputError(errors=errors)
    for name, value in changes.items():
        setattr(user, name, value)
    if changes:
        user.save(update_fields=list(changes))
    return user


def user_language_set(*, user: User, language: str) -> User:
    """What the language switch of the pages saves for a logged-in student."""
    return user_preferences_update(user=user, language=language)
