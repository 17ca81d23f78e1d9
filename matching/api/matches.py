"""Matches over the API: the caller's matches and one match."""

from typing import Any

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from matching.api.eat_dto import PinnedRestaurantSchema, where_to_eat_dto
from matching.selectors.matches import (
    MATCH_DEFAULT_ORDER,
    MATCH_SORT_FIELDS,
    MatchView,
    MemberView,
    match_get_visible,
    match_list,
)
from partner42.choices import ContentCategory, MethodCategory
from partner42.pagination import slice_body, slice_parameters, slice_params, slice_schema
from partner42.serializers import (
    EnumNameField,
    MatchConditionDtoSchema,
    MemberDtoSchema,
    local_datetime,
    match_condition_dto,
    member_dto,
)
from restaurants.api.serializers import RestaurantCardOutput


class MatchListQuery(serializers.Serializer):
    contentCategory = EnumNameField(choices=ContentCategory.choices, required=False)
    methodCategory = serializers.ChoiceField(choices=MethodCategory.choices, required=False)


def match_member_dto(member: MemberView) -> dict[str, Any]:
    """MemberDto plus the member's introduction (their profile), empty for a hidden author."""
    return {**member_dto(member), "bio": member.bio, "interests": member.interests}


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
        "participantsOrAuthor": [match_member_dto(member) for member in view.members],
    }


class MatchMemberDtoSchema(MemberDtoSchema):
    bio = serializers.CharField(help_text="The member's short introduction; empty when hidden")
    interests = serializers.ListField(
        child=serializers.CharField(), help_text="Free tags; empty when the member is hidden"
    )


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
    participantsOrAuthor = MatchMemberDtoSchema(many=True)


MatchSliceSchema = slice_schema("MatchSliceSchema", MatchDtoSchema)


def match_detail_dto(view: MatchView) -> dict[str, Any]:
    """One match: MatchDto and, ours, where to eat."""
    return {**match_dto(view), **where_to_eat_dto(view)}


class MatchDetailDtoSchema(MatchDtoSchema):
    restaurantSuggestions = RestaurantCardOutput(many=True)
    pinnedRestaurant = PinnedRestaurantSchema(allow_null=True)


class MatchListApi(APIView):
    @extend_schema(
        operation_id="matches_list",
        parameters=[MatchListQuery, *slice_parameters(MATCH_SORT_FIELDS)],
        responses=MatchSliceSchema,
    )
    def get(self, request: Request) -> Response:
        """GET /api/matches: a Slice of the caller's matches, newest first."""
        query = MatchListQuery(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = slice_params(
            request, sort_fields=MATCH_SORT_FIELDS, default_order=MATCH_DEFAULT_ORDER
        )
        views, has_next = match_list(
            user=request.user,
            params=params,
            category=query.validated_data.get("contentCategory"),
            method=query.validated_data.get("methodCategory"),
        )
        return Response(slice_body([match_dto(view) for view in views], params, has_next))


class MatchDetailApi(APIView):
    @extend_schema(responses=MatchDetailDtoSchema)
    def get(self, request: Request, match_id: str) -> Response:
        """GET /api/matches/{id}: MatchDto, and where to eat (matching/api/eat_dto.py)."""
        return Response(match_detail_dto(match_get_visible(api_id=match_id, viewer=request.user)))
