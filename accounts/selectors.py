"""Reads on accounts."""

import uuid

from accounts.models import User
from partner42.errors import ErrorCode, ForbiddenError, NotFoundError


def user_get(*, api_id: str) -> User:
    """The user with this public id; a malformed id is just as unknown (404 C003)."""
    try:
        parsed = uuid.UUID(str(api_id))
    except ValueError as exc:
        raise NotFoundError() from exc
    user = User.objects.filter(api_id=parsed).first()
    if user is None:
        raise NotFoundError()
    return user


def user_get_visible(*, api_id: str, viewer: User) -> User:
    """A profile the viewer may read: their own, or anyone's for an operator."""
    user = user_get(api_id=api_id)
    if user.pk != viewer.pk and not viewer.is_staff:
        raise ForbiddenError(ErrorCode.NOT_YOURS)
    return user


def user_get_own(*, api_id: str, viewer: User) -> User:
    """A profile the viewer may change: only their own (operators use the admin)."""
    user = user_get(api_id=api_id)
    if user.pk != viewer.pk:
        raise ForbiddenError(ErrorCode.NOT_YOURS)
    return user
