"""Articles (rooms) and opinions (comments): the original's paths, thin views over services.

One class per path, since DRF dispatches by path; each method is one operation of API.md 4.2/4.3.
"""

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from partner42.errors import NotFoundError
from partner42.pagination import slice_body, slice_parameters, slice_params
from partner42.parsers import JSON_PARSERS
from partner42.renderers import RenderedJSON, render_json
from rooms import selectors, services
from rooms.api.schema import (
    ArticleIdSchema,
    ArticleReadOneSchema,
    ArticleSliceSchema,
    MatchIdSchema,
    OpinionIdSchema,
    OpinionListSchema,
    OpinionSchema,
)
from rooms.api.serializers import (
    ArticleInput,
    OpinionCreateInput,
    OpinionUpdateInput,
    article_read_one_response,
    article_read_response,
    board_filters,
    opinion_response,
)

SEAT_ATTEMPTS_HEADER = "X-Seat-Attempts"


class RoomApiView(APIView):
    parser_classes = JSON_PARSERS
    permission_classes = [IsAuthenticatedOrReadOnly]


_BOARD_PARAMETERS = [
    OpenApiParameter("isComplete", bool),
    OpenApiParameter("contentCategory", str, enum=["MEAL", "STUDY"]),
    OpenApiParameter("anonymity", bool),
    *slice_parameters(selectors.BOARD_SORT_FIELDS),
]


def _viewer(request: Request):
    return request.user if request.user.is_authenticated else None


class ArticleCollectionApi(RoomApiView):
    @extend_schema(
        operation_id="articles_list", parameters=_BOARD_PARAMETERS, responses=ArticleSliceSchema
    )
    def get(self, request: Request) -> Response:
        """GET /api/articles: the board (Spring Slice of ArticleReadResponse)."""
        filters = board_filters(request.query_params)
        params = slice_params(
            request,
            sort_fields=selectors.BOARD_SORT_FIELDS,
            default_order=selectors.board_default_order(is_complete=filters.is_complete),
        )
        viewer = _viewer(request)
        today = services.room_today()

        def render(page: selectors.BoardPage) -> bytes:
            items, has_next = page
            content = [
                article_read_response(selectors.board_item_for(item, viewer, today))
                for item in items
            ]
            return render_json(slice_body(content, params, has_next))

        # The first page's body comes rendered from the process's cache when it can.
        body = selectors.room_board_rendered(
            filters=filters, params=params, viewer=viewer, render=render
        )
        return Response(RenderedJSON(body))

    @extend_schema(request=ArticleInput, responses=ArticleIdSchema)
    def post(self, request: Request) -> Response:
        """POST /api/articles: create; the caller is the author and first participant."""
        body = ArticleInput(data=request.data)
        body.is_valid(raise_exception=True)
        room = services.room_create(
            author=request.user,
            category=body.validated_data["contentCategory"],
            **body.service_kwargs(),
        )
        return Response({"articleId": str(room.api_id)})


class ArticleApi(RoomApiView):
    @extend_schema(operation_id="articles_retrieve", responses=ArticleReadOneSchema)
    def get(self, request: Request, article_id: str) -> Response:
        body = selectors.room_detail_rendered(
            api_id=article_id,
            viewer=_viewer(request),
            render=lambda detail: render_json(article_read_one_response(detail)),
        )
        return Response(RenderedJSON(body))

    @extend_schema(request=ArticleInput, responses=ArticleIdSchema)
    def put(self, request: Request, article_id: str) -> Response:
        room = selectors.room_get(api_id=article_id, viewer=request.user)
        body = ArticleInput(data=request.data)
        body.is_valid(raise_exception=True)
        # contentCategory is required and ignored: a room keeps its category (API.md Q8).
        room = services.room_update(room=room, user=request.user, **body.service_kwargs())
        return Response({"articleId": str(room.api_id)})

    @extend_schema(responses=ArticleIdSchema)
    def delete(self, request: Request, article_id: str) -> Response:
        # The original deleted the row; SPEC section 3 keeps it (soft), like recoverable-delete.
        room = selectors.room_get(api_id=article_id, viewer=request.user)
        services.room_delete(room=room, user=request.user)
        return Response({"articleId": str(room.api_id)})


class ArticleRecoverableDeleteApi(RoomApiView):
    @extend_schema(request=None, responses=ArticleIdSchema)
    def post(self, request: Request, article_id: str) -> Response:
        room = selectors.room_get(api_id=article_id, viewer=request.user)
        services.room_delete(room=room, user=request.user)
        return Response({"articleId": str(room.api_id)})


class ArticleParticipateApi(RoomApiView):
    @extend_schema(request=None, responses=ArticleIdSchema)
    def post(self, request: Request, article_id: str) -> Response:
        room = selectors.room_get(api_id=article_id, viewer=request.user)
        change = services.room_join(room=room, user=request.user)
        return Response(
            {"articleId": str(room.api_id)}, headers={SEAT_ATTEMPTS_HEADER: str(change.attempts)}
        )


class ArticleParticipateCancelApi(RoomApiView):
    @extend_schema(request=None, responses=ArticleIdSchema)
    def post(self, request: Request, article_id: str) -> Response:
        room = selectors.room_get(api_id=article_id, viewer=request.user)
        change = services.room_leave(room=room, user=request.user)
        return Response(
            {"articleId": str(room.api_id)}, headers={SEAT_ATTEMPTS_HEADER: str(change.attempts)}
        )


class ArticleCompleteApi(RoomApiView):
    @extend_schema(request=None, responses=MatchIdSchema)
    def post(self, request: Request, article_id: str) -> Response:
        """POST /api/articles/{id}/complete: close the room into a MANUAL match, `{matchId}`."""
        room = selectors.room_get(api_id=article_id, viewer=request.user)
        match = services.room_complete(room=room, user=request.user)
        return Response({"matchId": str(match.api_id)})


class ArticleOpinionsApi(RoomApiView):
    @extend_schema(responses=OpinionListSchema)
    def get(self, request: Request, article_id: str) -> Response:
        """Live comments in creation order; an unknown or deleted room has none (the original)."""
        viewer = _viewer(request)
        try:
            room = selectors.room_get(api_id=article_id, viewer=viewer)
        except NotFoundError:
            return Response({"valueCount": 0, "values": []})
        values = [
            opinion_response(comment, room, viewer) for comment in selectors.comment_list(room=room)
        ]
        return Response({"valueCount": len(values), "values": values})


class OpinionCollectionApi(RoomApiView):
    @extend_schema(request=OpinionCreateInput, responses=OpinionIdSchema)
    def post(self, request: Request) -> Response:
        body = OpinionCreateInput(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        room = selectors.room_get(api_id=data["articleId"], viewer=request.user)
        parent = None
        if data.get("parentId"):
            parent = selectors.comment_get(api_id=data["parentId"], viewer=request.user)
        comment = services.comment_create(
            room=room, author=request.user, content=data["content"], parent=parent
        )
        return Response({"opinionId": str(comment.api_id)})


def _opinion_update_data(data: Any) -> Any:
    """The client sends either {"content": "..."} or a bare JSON string (API.md Q5)."""
    return {"content": data} if isinstance(data, str) else data


class OpinionApi(RoomApiView):
    @extend_schema(responses=OpinionSchema)
    def get(self, request: Request, opinion_id: str) -> Response:
        viewer = _viewer(request)
        comment = selectors.comment_get(api_id=opinion_id, viewer=viewer)
        return Response(opinion_response(comment, comment.room, viewer))

    @extend_schema(request=OpinionUpdateInput, responses=OpinionIdSchema)
    def put(self, request: Request, opinion_id: str) -> Response:
        comment = selectors.comment_get(api_id=opinion_id, viewer=request.user)
        body = OpinionUpdateInput(data=_opinion_update_data(request.data))
        body.is_valid(raise_exception=True)
        services.comment_update(
            comment=comment, user=request.user, content=body.validated_data["content"]
        )
        return Response({"opinionId": str(comment.api_id)})

    @extend_schema(responses=OpinionIdSchema)
    def delete(self, request: Request, opinion_id: str) -> Response:
        # Soft, like recoverable-delete: replies keep their parent (SPEC section 4).
        comment = selectors.comment_get(api_id=opinion_id, viewer=request.user)
        services.comment_delete(comment=comment, user=request.user)
        return Response({"opinionId": str(comment.api_id)})


class OpinionRecoverableDeleteApi(RoomApiView):
    @extend_schema(request=None, responses=OpinionIdSchema)
    def post(self, request: Request, opinion_id: str) -> Response:
        comment = selectors.comment_get(api_id=opinion_id, viewer=request.user)
        services.comment_delete(comment=comment, user=request.user)
        return Response({"opinionId": str(comment.api_id)})
