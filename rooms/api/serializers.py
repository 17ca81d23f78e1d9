"""Request parsing and response shapes of the articles and opinions API (API.md 4.1-4.3).

Inputs are DRF serializers that refuse unknown keys (the original's Jackson did; see
partner42.serializers.RejectUnknownFieldsMixin). Outputs are plain functions building dicts in the
original's key order: the board builds twenty of them per request, and a function costs a fraction
of a serializer.
"""

import re
from collections.abc import Mapping
from datetime import date, time
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from accounts.models import User
from partner42.choices import (
    ANONYMOUS_NICKNAME,
    CONDITION_ENUMS,
    CONDITION_LIST_NAMES,
    ContentCategory,
    Place,
    TimeOfEating,
    TypeOfStudy,
    WayOfEating,
)
from partner42.errors import InvalidInputError
from partner42.serializers import (
    EnumNameField,
    RejectUnknownFieldsMixin,
    local_datetime,
    match_condition_dto,
    member_dto,
)
from partner42.text import validate_visible_text
from restaurants.api.serializers import restaurant_summary_dto
from restaurants.selectors import restaurant_get
from rooms.models import COMMENT_MAX, CONTENT_MAX, TITLE_MAX, Comment, Room
from rooms.selectors import BoardFilters, RoomDetail, comment_author_visible

# `yyyy-MM-dd`, and the React client's `yyyy-M-d` (API.md Q3).
_DATE = re.compile(r"([0-9]{4})-([0-9]{1,2})-([0-9]{1,2})")


@extend_schema_field({"type": "string", "format": "date", "example": "2023-01-05"})
class RoomDateField(serializers.Field):
    default_error_messages = {"invalid": _("Use the format yyyy-MM-dd.")}

    def to_internal_value(self, data: Any) -> date:
        match = _DATE.fullmatch(data) if isinstance(data, str) else None
        if match is None:
            self.fail("invalid")
        try:
            return date(*(int(part) for part in match.groups()))
        except ValueError:
            self.fail("invalid")

    def to_representation(self, value: date) -> str:
        return value.isoformat()


def _condition_list(enum) -> serializers.ListField:
    return serializers.ListField(
        child=EnumNameField(choices=enum.choices),
        required=False,
        allow_null=True,
        max_length=len(enum.choices) * 2,
    )


class MatchConditionInput(RejectUnknownFieldsMixin, serializers.Serializer):
    placeList = _condition_list(Place)
    timeOfEatingList = _condition_list(TimeOfEating)
    wayOfEatingList = _condition_list(WayOfEating)
    typeOfStudyList = _condition_list(TypeOfStudy)


def conditions_from(dto: Mapping[str, Any]) -> dict[str, list[str]]:
    """Validated MatchConditionDto lists (null or absent = none) by condition kind."""
    return {kind: list(dto.get(name) or []) for kind, name in CONDITION_LIST_NAMES.items()}


class ArticleInput(RejectUnknownFieldsMixin, serializers.Serializer):
    """ArticleDto, for create and update; every field is required."""

    title = serializers.CharField(max_length=TITLE_MAX, validators=[validate_visible_text])
    date = RoomDateField()
    matchConditionDto = MatchConditionInput()
    content = serializers.CharField(max_length=CONTENT_MAX, trim_whitespace=False)
    anonymity = serializers.BooleanField()
    # API.md says 1-20; SPEC section 3 (which wins) says 2-20.
    participantNumMax = serializers.IntegerField(min_value=2, max_value=20)
    contentCategory = EnumNameField(choices=ContentCategory.choices)
    # Beyond the original, MEAL only: absent keeps a room's restaurant on update, null clears it.
    restaurantId = serializers.UUIDField(required=False, allow_null=True)
    # Beyond the original: an optional meeting time, `HH:mm`; absent keeps it, null clears it.
    meetingTime = serializers.TimeField(
        format="%H:%M", input_formats=["%H:%M"], required=False, allow_null=True
    )

    def service_kwargs(self) -> dict[str, Any]:
        data = self.validated_data
        kwargs = {
            "title": data["title"],
            "content": data["content"],
            "meeting_date": data["date"],
            "anonymity": data["anonymity"],
            "participant_num_max": data["participantNumMax"],
            "conditions": conditions_from(data["matchConditionDto"]),
        }
        if "restaurantId" in data:
            kwargs["restaurant"] = data["restaurantId"]
        if "meetingTime" in data:
            kwargs["meeting_time"] = data["meetingTime"]
        return kwargs

    def validate_restaurantId(self, value):
        if value is None:
            return None
        restaurant = restaurant_get(api_id=value)
        if restaurant is None:
            raise serializers.ValidationError(_("Unknown restaurant."))
        return restaurant

    def validate_content(self, value: str) -> str:
        validate_visible_text(value)
        return value


# Spring's boolean conversion of query parameters.
_QUERY_BOOLEANS = {
    "true": True,
    "false": False,
    "on": True,
    "off": False,
    "yes": True,
    "no": False,
    "1": True,
    "0": False,
}


def board_filters(query) -> BoardFilters:
    """The filters of GET /api/articles; paging and sort are partner42.pagination's.

    Parsed by hand, not by a serializer: this runs on every board request, cached or not, and a
    DRF serializer costs more than the whole cached read. A bad value is a 400 C001 naming it.
    """
    errors: list[dict[str, str]] = []

    def boolean(name: str) -> bool | None:
        raw = query.get(name, "")
        if raw == "":
            return None
        value = _QUERY_BOOLEANS.get(raw.strip().lower())
        if value is None:
            errors.append({"field": name, "value": raw, "reason": str(_("Must be true or false."))})
        return value

    category = query.get("contentCategory", "").strip().upper() or None
    if category is not None and category not in ContentCategory.values:
        errors.append(
            {
                "field": "contentCategory",
                "value": query.get("contentCategory"),
                "reason": str(_("Unknown category.")),
            }
        )
    is_complete = boolean("isComplete")
    anonymity = boolean("anonymity")
    # Beyond the original: the page's condition filters, repeatable or comma-separated.
    conditions: dict[str, tuple[str, ...]] = {}
    for kind, list_name in CONDITION_LIST_NAMES.items():
        values = [
            value.strip().upper()
            for raw in query.getlist(list_name)
            for value in raw.split(",")
            if value.strip()
        ]
        unknown = [value for value in values if value not in CONDITION_ENUMS[kind].values]
        if unknown:
            errors.append(
                {"field": list_name, "value": ",".join(unknown), "reason": str(_("Unknown value."))}
            )
        elif values:
            conditions[kind] = tuple(dict.fromkeys(values))
    if errors:
        raise InvalidInputError(errors=errors)
    return BoardFilters(
        category=category, is_complete=is_complete, anonymity=anonymity, conditions=conditions
    )


class OpinionCreateInput(RejectUnknownFieldsMixin, serializers.Serializer):
    articleId = serializers.CharField(max_length=64)
    content = serializers.CharField(max_length=COMMENT_MAX, trim_whitespace=False)
    parentId = serializers.CharField(
        max_length=64, required=False, allow_null=True, allow_blank=True
    )
    # Required by the original and ignored: the level follows from the parent.
    level = serializers.IntegerField(required=False, allow_null=True)

    def validate_content(self, value: str) -> str:
        validate_visible_text(value)
        return value


class OpinionUpdateInput(RejectUnknownFieldsMixin, serializers.Serializer):
    content = serializers.CharField(max_length=COMMENT_MAX, trim_whitespace=False)

    def validate_content(self, value: str) -> str:
        validate_visible_text(value)
        return value


# --- Outputs ------------------------------------------------------------------------------------


def article_read_response(item: dict[str, Any]) -> dict[str, Any]:
    """ArticleReadResponse from a masked board item (selectors.board_item_for)."""
    return {
        "nickname": item["author_nickname"],
        "userId": item["author_api_id"],
        "articleId": item["article_id"],
        "title": item["title"],
        "content": item["content"],
        "date": item["date"].isoformat(),
        "createdAt": local_datetime(item["created_at"]),
        "anonymity": item["anonymity"],
        "isComplete": item["is_complete"],
        "isToday": item["is_today"],
        "participantNumMax": item["participant_num_max"],
        "participantNum": item["participant_num"],
        "contentCategory": item["category"],
        "matchConditionDto": match_condition_dto(item["conditions"]),
        # Beyond the original, after its keys.
        "meetingTime": _hh_mm(item["meeting_time"]),
    }


def article_read_one_response(detail: RoomDetail) -> dict[str, Any]:
    room: Room = detail.room
    return {
        "articleId": str(room.api_id),
        "userId": str(room.author.api_id) if detail.author_visible else None,
        "title": room.title,
        "date": room.date.isoformat(),
        "createdAt": local_datetime(room.created_at),
        "content": room.content,
        "anonymity": room.anonymity,
        "isToday": detail.is_today,
        "participantNumMax": room.participant_num_max,
        "participantNum": room.participant_num,
        "contentCategory": room.category,
        "matchConditionDto": match_condition_dto(detail.conditions),
        "participantsOrAuthor": [member_dto(member) for member in detail.members],
        # Beyond the original (SPEC section 8), after its keys: the MEAL room's restaurant.
        "restaurant": restaurant_summary_dto(room.restaurant) if room.restaurant else None,
        "meetingTime": _hh_mm(room.meeting_time),
    }


def _hh_mm(value: time | None) -> str | None:
    return None if value is None else value.strftime("%H:%M")


def opinion_response(comment: Comment, room: Room, viewer: User | None) -> dict[str, Any]:
    visible = comment_author_visible(comment=comment, room=room, viewer=viewer)
    return {
        "opinionId": str(comment.api_id),
        "userId": str(comment.author.api_id) if visible else None,
        "nickname": comment.author.nickname if visible else ANONYMOUS_NICKNAME,
        "createdAt": local_datetime(comment.created_at),
        "updatedAt": local_datetime(comment.updated_at),
        "content": comment.content,
        "parentId": str(comment.parent.api_id) if comment.parent_id else None,
        "level": comment.level,
    }
