"""Bodies and shapes of the match, review and activity API (API.md 4.1, 4.4).

Outputs are plain functions building dicts in the original's key order.
"""

from typing import Any

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from matching.models import REVIEW_SCORES, Activity, ActivityType
from matching.review_selectors import MatchView
from partner42.choices import ContentCategory, MethodCategory
from partner42.pagination import slice_schema
from partner42.serializers import (
    EnumNameField,
    MatchConditionDtoSchema,
    MemberDtoSchema,
    RejectUnknownFieldsMixin,
    local_datetime,
    match_condition_dto,
    member_dto,
)

# --- Matches ------------------------------------------------------------------------------------


class MatchListQuery(serializers.Serializer):
    contentCategory = EnumNameField(choices=ContentCategory.choices, required=False)
    methodCategory = serializers.ChoiceField(choices=MethodCategory.choices, required=False)


def match_dto(view: MatchView) -> dict[str, Any]:
    match = view.match
    return {
        "matchId": str(match.api_id),
        "createdAt": local_datetime(match.created_at),
        "reviewAvailableTime": local_datetime(view.review_available_time),
        "isReviewed": view.is_reviewed,
        "matchStatus": match.status,
        "contentCategory": match.category,
        "methodCategory": match.method,
        "participantNum": match.participant_num,
        "matchConditionDto": match_condition_dto(view.conditions),
        "participantsOrAuthor": [member_dto(member) for member in view.members],
    }


# --- Reviews ------------------------------------------------------------------------------------


class MemberReviewInput(RejectUnknownFieldsMixin, serializers.Serializer):
    nickname = serializers.CharField(max_length=100, trim_whitespace=False)
    # 0 to 5 stars; the other kinds are the ledger's own, never given by a member.
    activityMatchScore = EnumNameField(choices=list(REVIEW_SCORES))


class MatchReviewInput(RejectUnknownFieldsMixin, serializers.Serializer):
    matchId = serializers.CharField()  # required and non-blank as in the original; the path wins
    memberReviewDtos = MemberReviewInput(many=True, required=False)

    def validate_memberReviewDtos(self, value: list[dict]) -> list[dict]:
        nicknames = [item["nickname"] for item in value]
        if len(set(nicknames)) != len(nicknames):
            raise serializers.ValidationError(_("A member is named twice."))
        return value


# --- Activities ---------------------------------------------------------------------------------


class ActivityQuery(serializers.Serializer):
    """Filters of the score and history: category, type, and `startTime` <= time < `endTime`
    (ISO 8601; a time without offset is Seoul time)."""

    contentCategory = EnumNameField(choices=ContentCategory.choices, required=False)
    activityType = EnumNameField(choices=ActivityType.choices, required=False)
    startTime = serializers.DateTimeField(required=False)
    endTime = serializers.DateTimeField(required=False)

    def validate(self, attrs: dict) -> dict:
        start, end = attrs.get("startTime"), attrs.get("endTime")
        if start is not None and end is not None and end < start:
            raise serializers.ValidationError({"endTime": [_("Before startTime.")]})
        return attrs

    def selector_kwargs(self) -> dict[str, Any]:
        data = self.validated_data
        return {
            "category": data.get("contentCategory"),
            "activity_type": data.get("activityType"),
            "start": data.get("startTime"),
            "end": data.get("endTime"),
        }


def activity_dto(activity: Activity) -> dict[str, Any]:
    return {
        "contentCategory": activity.category,
        "activityType": activity.activity_type,
        "activityMatchScore": activity.score_kind,
        "score": activity.score,
        "matchId": str(activity.match.api_id) if activity.match_id else None,
        "createdAt": local_datetime(activity.created_at),
    }


# --- OpenAPI shapes (documentation only: the views build plain dicts) --------------------------


class MatchDtoSchema(serializers.Serializer):
    matchId = serializers.UUIDField()
    createdAt = serializers.CharField(help_text="LocalDateTime, server time without offset")
    reviewAvailableTime = serializers.CharField(help_text="createdAt + REVIEW_DELAY_MINUTES")
    isReviewed = serializers.BooleanField()
    matchStatus = serializers.CharField()
    contentCategory = serializers.CharField()
    methodCategory = serializers.CharField()
    participantNum = serializers.IntegerField()
    matchConditionDto = MatchConditionDtoSchema()
    participantsOrAuthor = MemberDtoSchema(many=True)


class ActivityDtoSchema(serializers.Serializer):
    contentCategory = serializers.CharField()
    activityType = serializers.CharField()
    activityMatchScore = serializers.CharField()
    score = serializers.IntegerField()
    matchId = serializers.UUIDField(allow_null=True)
    createdAt = serializers.CharField()


MatchSliceSchema = slice_schema("MatchSliceSchema", MatchDtoSchema)
ActivitySliceSchema = slice_schema("ActivitySliceSchema", ActivityDtoSchema)


class ActivityScoreSchema(serializers.Serializer):
    score = serializers.IntegerField()


class CategoryScoreSchema(serializers.Serializer):
    contentCategory = serializers.CharField()
    score = serializers.IntegerField()


class ActivityCategoryScoresSchema(serializers.Serializer):
    score = serializers.IntegerField()
    scores = CategoryScoreSchema(many=True)
