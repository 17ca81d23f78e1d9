"""Pin where a meal match eats: `PUT`/`DELETE /api/matches/{id}/restaurant`."""

from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from matching.api.matches import MatchDetailDtoSchema, match_detail_dto
from matching.selectors.matches import match_get_visible
from matching.services.suggestions import match_restaurant_pin
from partner42.parsers import JSON_PARSERS
from partner42.serializers import RejectUnknownFieldsMixin


class MatchRestaurantPinInput(RejectUnknownFieldsMixin, serializers.Serializer):
    restaurantId = serializers.CharField(max_length=100, allow_null=True, trim_whitespace=True)


class MatchRestaurantPinApi(APIView):
    parser_classes = JSON_PARSERS

    @extend_schema(request=MatchRestaurantPinInput, responses=MatchDetailDtoSchema)
    def put(self, request: Request, match_id: str) -> Response:
        """PUT /api/matches/{id}/restaurant `{"restaurantId"}` (null unpins): the match."""
        body = MatchRestaurantPinInput(data=request.data)
        body.is_valid(raise_exception=True)
        return self._pin(request, match_id, body.validated_data["restaurantId"])

    @extend_schema(request=None, responses=MatchDetailDtoSchema)
    def delete(self, request: Request, match_id: str) -> Response:
        """DELETE /api/matches/{id}/restaurant: unpin (also when nothing is pinned): the match."""
        return self._pin(request, match_id, None)

    def _pin(self, request: Request, match_id: str, restaurant_id: str | None) -> Response:
        # An outsider may load the match here: the service answers MCH002, as for reviews.
        view = match_get_visible(api_id=match_id, viewer=request.user, check_member=False)
        match_restaurant_pin(match=view.match, user=request.user, restaurant_id=restaurant_id)
        return Response(match_detail_dto(match_get_visible(api_id=match_id, viewer=request.user)))
