"""Matches, reviews and activity scores: the original's paths (API.md 4.4), thin views."""

from drf_spectacular.utils import extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from matching.api.review_serializers import (
    ActivityCategoryScoresSchema,
    ActivityQuery,
    ActivityScoreSchema,
    ActivitySliceSchema,
    MatchDtoSchema,
    MatchListQuery,
    MatchReviewInput,
    MatchSliceSchema,
    activity_dto,
    match_dto,
)
from matching.review_selectors import (
    ACTIVITY_DEFAULT_ORDER,
    ACTIVITY_SORT_FIELDS,
    MATCH_DEFAULT_ORDER,
    MATCH_SORT_FIELDS,
    activity_category_scores,
    activity_history,
    activity_score,
    match_get_visible,
    match_list,
    match_review_target,
)
from matching.review_services import match_review_create
from partner42.pagination import slice_body, slice_parameters, slice_params
from partner42.parsers import JSON_PARSERS


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
    @extend_schema(responses=MatchDtoSchema)
    def get(self, request: Request, match_id: str) -> Response:
        return Response(match_dto(match_get_visible(api_id=match_id, viewer=request.user)))


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
