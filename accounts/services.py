"""Writes on accounts: users from the 42 intra profile, profile changes."""

import itertools

from allauth.socialaccount.models import SocialAccount
from django.contrib.auth import authenticate
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.http import HttpRequest
from django.utils.crypto import get_random_string
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from partner42.errors import ApplicationError, ErrorCode, InvalidInputError
from partner42.text import (
    RESERVED_NICKNAME_MESSAGE,
    VISIBLE_TEXT_MESSAGE,
    is_blank,
    is_reserved_name,
    nickname_normalize,
)

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
    variant of it); every login refreshes email, image and campus but never the nickname,
    which the user may have changed.
    """
    uid, login, email = _intra_identity(profile)
    fields = {
        "email": email,
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


def _field_error(field: str, value: str, reason) -> dict[str, str]:
    return {"field": field, "value": value, "reason": str(reason)}


def user_authenticate(*, request: HttpRequest, username: str, password: str) -> User:
    """The operators' password login (students have no password): the user or AU005."""
    user = authenticate(request, username=username, password=password)
    if user is None or not user.is_active:
        raise ApplicationError(ErrorCode.BAD_CREDENTIALS)
    return user


@transaction.atomic
def user_update_email(*, user: User, email: str) -> User:
    """Change the email Slack looks the user up by: a valid address nobody else uses."""
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
    # Not a database constraint (operators may have none), so two users could still race to the
    # same address; Slack lookups then pick one of them, which is all a duplicate can cost.
    if User.objects.filter(email__iexact=email).exclude(pk=user.pk).exists():
        raise InvalidInputError(
            errors=[_field_error("email", email, _("이미 사용 중인 이메일입니다."))]
        )
    user.email = email
    user.save(update_fields=["email"])
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
