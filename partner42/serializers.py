"""Serializer pieces shared by every app's API."""

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Protocol

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.exceptions import ErrorDetail

from partner42.choices import CONDITION_LIST_NAMES


def local_datetime(value: datetime | None) -> str | None:
    """The original's LocalDateTime (API.md section 1): server-local wall time (TIME_ZONE, Seoul)
    without offset, seconds always, a fraction only when non-zero, trailing zeros trimmed."""
    if value is None:
        return None
    text = timezone.localtime(value).replace(tzinfo=None).isoformat(timespec="microseconds")
    return text.rstrip("0").rstrip(".")


@extend_schema_field(OpenApiTypes.STR)
class LocalDateTimeField(serializers.Field):
    """An output field written by `local_datetime`."""

    def to_representation(self, value: datetime) -> str | None:
        return local_datetime(value)


def match_condition_dto(conditions: Mapping[str, Iterable[str]]) -> dict[str, list[str]]:
    """MatchConditionDto from conditions by kind: always all four lists, in the original's order."""
    return {name: list(conditions.get(kind, ())) for kind, name in CONDITION_LIST_NAMES.items()}


class MemberLike(Protocol):
    nickname: str
    is_author: bool
    is_me: bool


def member_dto(member: MemberLike) -> dict[str, Any]:
    """MemberDto, an entry of `participantsOrAuthor` in rooms and matches (API.md)."""
    return {"nickname": member.nickname, "isAuthor": member.is_author, "isMe": member.is_me}


class EnumNameField(serializers.ChoiceField):
    """An enum name, case-insensitive as in the original's bodies and queries (API.md section 1).

    Surrounding blanks are dropped too, unless `strip=False`: the random-match API has always
    refused padded names where the articles and reviews APIs accept them, and keeps doing so.
    """

    def __init__(self, *, strip: bool = True, **kwargs: Any) -> None:
        self.strip = strip
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Any:
        if isinstance(data, str):
            data = (data.strip() if self.strip else data).upper()
        return super().to_internal_value(data)


class RejectUnknownFieldsMixin:
    """Refuse body keys the serializer does not declare, as the original's Jackson mapper did.

    Each unknown key is one more validation error (400 C001), reported with the other field
    errors. Put it first: `class RoomCreateInput(RejectUnknownFieldsMixin, serializers.Serializer)`.
    Nested serializers that use it report `parent.child` keys.
    """

    unknown_field_message = _("Unknown field.")

    def to_internal_value(self, data):
        unknown = []
        if isinstance(data, Mapping):
            unknown = [key for key in data if key not in self.fields]
        try:
            value = super().to_internal_value(data)
        except serializers.ValidationError as exc:
            if not unknown or not isinstance(exc.detail, dict):
                raise
            errors = dict(exc.detail)
        else:
            if not unknown:
                return value
            errors = {}
        for key in unknown:
            errors[key] = [ErrorDetail(str(self.unknown_field_message), code="unknown_field")]
        raise serializers.ValidationError(errors)


# OpenAPI shapes shared by the rooms and matching APIs (documentation only).
class MemberDtoSchema(serializers.Serializer):
    nickname = serializers.CharField()
    isAuthor = serializers.BooleanField()
    isMe = serializers.BooleanField()


class MatchConditionDtoSchema(serializers.Serializer):
    placeList = serializers.ListField(child=serializers.CharField())
    timeOfEatingList = serializers.ListField(child=serializers.CharField())
    wayOfEatingList = serializers.ListField(child=serializers.CharField())
    typeOfStudyList = serializers.ListField(child=serializers.CharField())
