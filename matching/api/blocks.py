"""Blocks over the API: list, block, unblock."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.selectors import user_get
from matching.selectors.blocks import block_list
from matching.services.blocks import block_create, block_delete
from partner42.errors import NotFoundError
from partner42.parsers import API_PARSERS
from partner42.serializers import LocalDateTimeField, RejectUnknownFieldsMixin


class BlockInput(RejectUnknownFieldsMixin, serializers.Serializer):
    userId = serializers.CharField()


class BlockOutput(serializers.Serializer):
    userId = serializers.UUIDField(source="blocked.api_id")
    nickname = serializers.CharField(source="blocked.nickname")
    createdAt = LocalDateTimeField(source="created_at")


# The newer React client posts JSON.stringify(...) bodies as text/plain (API.md Q5).
PARSERS = API_PARSERS


BLOCK_ID = inline_serializer("BlockUserId", {"userId": serializers.UUIDField()})


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
