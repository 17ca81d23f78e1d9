"""Reviews and activity scores over the API: review a match, scores per category, history."""

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from matching.models import REVIEW_SCORES, Activity, ActivityType
from matching.selectors.matches import (
    match_get_visible,
)
from matching.selectors.reviews import (
    ACTIVITY_DEFAULT_ORDER,
    ACTIVITY_SORT_FIELDS,
    activity_category_scores,
    activity_history,
    activity_score,
    match_review_target,
)
from matching.services.reviews import match_review_create
from partner42.choices import ContentCategory
from partner42.pagination import slice_body, slice_parameters, slice_params, slice_schema
from partner42.parsers import JSON_PARSERS
from partner42.serializers import (
    EnumNameField,
    RejectUnknownFieldsMixin,
    local_datetime,
)


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


class ActivityDtoSchema(serializers.Serializer):
    contentCategory = serializers.CharField()
    activityType = serializers.CharField()
    activityMatchScore = serializers.CharField()
    score = serializers.IntegerField()
    matchId = serializers.UUIDField(allow_null=True)
    createdAt = serializers.CharField()


ActivitySliceSchema = slice_schema("ActivitySliceSchema", ActivityDtoSchema)


class ActivityScoreSchema(serializers.Serializer):
    score = serializers.IntegerField()


class CategoryScoreSchema(serializers.Serializer):
    contentCategory = serializers.CharField()
    score = serializers.IntegerField()


class ActivityCategoryScoresSchema(serializers.Serializer):
    score = serializers.IntegerField()
    scores = CategoryScoreSchema(many=True)


class MatchReviewApi(APIView):
    parser_classes = JSON_PARSERS

    @extend_schema(request=MatchReviewInput, responses={200: None})
    def post(self, request: Request, match_id: str) -> Response:
        """POST /api/matches/{id}/review: 200 with no body (the body's matchId is ignored)."""
        body = MatchReviewInput(data=request.data)
        body.is_valid(raise_exception=True)
        # An outsider may load the match here: the service answers MCH002 before any name.
        view = match_get_visible(api_id=match_id, viewer=request.user, check_member=False)
        # A name that addresses no member becomes None, which the service refuses as MCH003 after
        # the membership check: one answer for every wrong name, a hidden author's real one too.
        scores = [
            (match_review_target(view=view, nickname=item["nickname"]), item["activityMatchScore"])
            for item in body.validated_data.get("memberReviewDtos", [])
        ]
        match_review_create(match=view.match, reviewer=request.user, scores=scores)
        return Response()


class ActivityScoreApi(APIView):
    @extend_schema(parameters=[ActivityQuery], responses=ActivityScoreSchema)
    def get(self, request: Request) -> Response:
        """GET /api/activities/score: `{"score"}`, the sum of the caller's ledger rows."""
        query = ActivityQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        return Response({"score": activity_score(user=request.user, **query.selector_kwargs())})


class ActivityCategoryScoresApi(APIView):
    @extend_schema(parameters=[ActivityQuery], responses=ActivityCategoryScoresSchema)
    def get(self, request: Request) -> Response:
        """GET /api/activities/score/categories (ours): the total and one total per category."""
        query = ActivityQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        totals = activity_category_scores(user=request.user, **query.selector_kwargs())
        return Response(
            {
                "score": sum(totals.values()),
                "scores": [
                    {"contentCategory": category, "score": total}
                    for category, total in totals.items()
                ],
            }
        )


class ActivityHistoryApi(APIView):
    @extend_schema(
        operation_id="activities_list",
        parameters=[ActivityQuery, *slice_parameters(ACTIVITY_SORT_FIELDS)],
        responses=ActivitySliceSchema,
    )
    def get(self, request: Request) -> Response:
        """GET /api/activities (ours): a Slice of the caller's ledger rows, newest first."""
        query = ActivityQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = slice_params(
            request, sort_fields=ACTIVITY_SORT_FIELDS, default_order=ACTIVITY_DEFAULT_ORDER
        )
        rows, has_next = activity_history(
            user=request.user, params=params, **query.selector_kwargs()
        )
        return Response(slice_body([activity_dto(row) for row in rows], params, has_next))
