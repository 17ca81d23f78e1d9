from django.utils import timezone
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import user_get
from matching.api.serializers import (
    BlockInput,
    BlockOutput,
    CategoryInput,
    CategoryQuery,
    ConditionMineSchema,
    RandomMatchCreateInput,
    RequiredCategoryQuery,
    condition_mine_body,
)
from matching.selectors import (
    block_list,
    random_match_is_waiting,
    random_match_request_waiting,
    random_match_waiting_count,
)
from matching.services import (
    block_create,
    block_delete,
    random_match_request_cancel,
    random_match_request_create,
    random_match_request_renew,
)
from partner42.errors import NotFoundError
from partner42.parsers import API_PARSERS

# The newer React client posts JSON.stringify(...) bodies as text/plain (API.md Q5).
PARSERS = API_PARSERS


BLOCK_ID = inline_serializer("BlockUserId", {"userId": serializers.UUIDField()})


def _query_category(request, *, required: bool = False) -> str | None:
    serializer_class = RequiredCategoryQuery if required else CategoryQuery
    query = serializer_class(data=request.query_params)
    query.is_valid(raise_exception=True)
    return query.validated_data.get("contentCategory")


class RandomMatchCreateApi(APIView):
    """POST /api/random-matches: queue a request; 201 with no body, matchmaking runs async."""

    parser_classes = PARSERS

    @extend_schema(request=RandomMatchCreateInput, responses={201: None})
    def post(self, request):
        body = RandomMatchCreateInput(data=request.data)
        body.is_valid(raise_exception=True)
        random_match_request_create(user=request.user, **body.validated_data)
        return Response(status=status.HTTP_201_CREATED)


class RandomMatchMineApi(APIView):
    """GET: `{"isExist"}` for the caller (both categories without `contentCategory`).
    POST: cancel the caller's waiting request in the body's `contentCategory`."""

    parser_classes = PARSERS

    @extend_schema(
        parameters=[CategoryQuery],
        responses=inline_serializer("RandomMatchExist", {"isExist": serializers.BooleanField()}),
    )
    def get(self, request):
        category = _query_category(request)
        now = timezone.now()
        exists = random_match_is_waiting(user=request.user, category=category, now=now)
        return Response({"isExist": exists})

    @extend_schema(request=CategoryInput, responses={200: None})
    def post(self, request):
        body = CategoryInput(data=request.data)
        body.is_valid(raise_exception=True)
        random_match_request_cancel(
            user=request.user, category=body.validated_data["contentCategory"]
        )
        return Response(status=status.HTTP_200_OK)


class RandomMatchConditionMineApi(APIView):
    """GET: the caller's active conditions in `contentCategory` (required here)."""

    @extend_schema(parameters=[RequiredCategoryQuery], responses=ConditionMineSchema)
    def get(self, request):
        category = _query_category(request, required=True)
        now = timezone.now()
        waiting = random_match_request_waiting(user=request.user, category=category, now=now)
        return Response(condition_mine_body(category, waiting))


class RandomMatchMembersCountApi(APIView):
    """GET (public): distinct users waiting in `contentCategory` (or in either)."""

    permission_classes = [AllowAny]

    @extend_schema(
        parameters=[CategoryQuery],
        responses=inline_serializer(
            "RandomMatchCount", {"randomMatchCount": serializers.IntegerField()}
        ),
    )
    def get(self, request):
        category = _query_category(request)
        return Response({"randomMatchCount": random_match_waiting_count(category=category)})


class RandomMatchRenewApi(APIView):
    """POST: queue again the caller's request that expired unmatched, with its conditions.
    Not in the original (it had no expiry notice); 404 C003 when there is nothing to renew."""

    parser_classes = PARSERS

    @extend_schema(request=CategoryInput, responses={201: None})
    def post(self, request):
        body = CategoryInput(data=request.data)
        body.is_valid(raise_exception=True)
        random_match_request_renew(
            user=request.user, category=body.validated_data["contentCategory"]
        )
        return Response(status=status.HTTP_201_CREATED)


class BlockListCreateApi(APIView):
    """GET: the caller's own block list. POST `{"userId"}`: block that user (idempotent)."""

    parser_classes = PARSERS

    @extend_schema(operation_id="blocks_list", responses=BlockOutput(many=True))
    def get(self, request):
        return Response(BlockOutput(block_list(blocker=request.user), many=True).data)

    @extend_schema(
        request=BlockInput,
        responses={201: BLOCK_ID, 200: BLOCK_ID},
    )
    def post(self, request):
        body = BlockInput(data=request.data)
        body.is_valid(raise_exception=True)
        blocked = user_get(api_id=body.validated_data["userId"])
        _, created = block_create(blocker=request.user, blocked=blocked)
        return Response(
            {"userId": str(blocked.api_id)},
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )


class BlockDeleteApi(APIView):
    """DELETE /api/blocks/{userId}: unblock; 404 C003 when that user is not blocked."""

    @extend_schema(responses=BLOCK_ID)
    def delete(self, request, user_id: str):
        blocked = user_get(api_id=user_id)
        if not block_delete(blocker=request.user, blocked=blocked):
            raise NotFoundError()
        return Response({"userId": str(blocked.api_id)})
