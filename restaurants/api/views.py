from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.permissions import AllowAny
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from partner42.errors import InvalidInputError, NotFoundError
from partner42.pagination import slice_body, slice_parameters, slice_params, slice_schema
from restaurants.api.serializers import RestaurantCardOutput, RestaurantDetailOutput
from restaurants.forms import RecommendationForm
from restaurants.selectors import (
    DEFAULT_ORDER,
    SORT_FIELDS,
    RecommendationQuery,
    restaurant_get,
    restaurant_pick,
    restaurant_recommendation_list,
)

# API parameter -> form field.
_FILTER_PARAMS = {"campus": "campus", "category": "category", "maxWalkMinutes": "max_walk_minutes"}
_FILTER_DOCS = [
    OpenApiParameter("campus", str, enum=["GAEPO", "SEOCHO"], description="default GAEPO"),
    OpenApiParameter("category", str, description="업태구분명, e.g. 한식"),
    OpenApiParameter(
        "maxWalkMinutes",
        int,
        description="0-120 at 67 m a minute; default 15 (near the cluster), 0 = no limit",
    ),
]


def _recommendation_query(request: Request) -> RecommendationQuery:
    query = request.query_params
    data = {field: query.get(param, "") for param, field in _FILTER_PARAMS.items()}
    data["campus"] = data["campus"].upper()
    form = RecommendationForm(data)
    if not form.is_valid():
        fields = {field: param for param, field in _FILTER_PARAMS.items()}
        raise InvalidInputError(
            errors=[
                {"field": fields[name], "value": query.get(fields[name], ""), "reason": reason}
                for name, reasons in form.errors.items()
                for reason in reasons
            ]
        )
    return form.recommendation_query()


class RestaurantListApi(APIView):
    """Open restaurants near a campus, nearest first (a Slice)."""

    permission_classes = [AllowAny]

    @extend_schema(
        operation_id="restaurants_list",
        parameters=[
            *_FILTER_DOCS,
            *slice_parameters(SORT_FIELDS),
        ],
        responses=slice_schema("RestaurantSlice", RestaurantCardOutput),
    )
    def get(self, request: Request) -> Response:
        recommendation = _recommendation_query(request)
        params = slice_params(request, sort_fields=SORT_FIELDS, default_order=DEFAULT_ORDER[:-1])
        cards, has_next = restaurant_recommendation_list(
            query=recommendation, order_by=params.order_by, offset=params.offset, limit=params.size
        )
        content = RestaurantCardOutput(cards, many=True).data
        return Response(slice_body(content, params, has_next))


class RestaurantPickApi(APIView):
    """One open restaurant picked at random among those the filters match."""

    permission_classes = [AllowAny]

    @extend_schema(parameters=_FILTER_DOCS, responses=RestaurantCardOutput)
    def get(self, request: Request) -> Response:
        card = restaurant_pick(query=_recommendation_query(request))
        if card is None:
            raise NotFoundError(message=_("조건에 맞는 식당이 없어요."))
        return Response(RestaurantCardOutput(card).data)


class RestaurantDetailApi(APIView):
    permission_classes = [AllowAny]

    @extend_schema(responses=RestaurantDetailOutput)
    def get(self, request: Request, restaurant_id: str) -> Response:
        restaurant = restaurant_get(api_id=restaurant_id)
        if restaurant is None:
            raise NotFoundError()
        return Response(RestaurantDetailOutput(restaurant).data)
