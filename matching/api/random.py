"""Random-match requests over the API: create, mine, conditions, count, renew."""

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from matching.models import RANDOM_CONDITION_KINDS, RandomMatchRequest
from matching.selectors.random import (
    random_match_is_waiting,
    random_match_request_waiting,
    random_match_waiting_count,
)
from matching.services.random import (
    random_match_request_cancel,
    random_match_request_create,
    random_match_request_renew,
)
from partner42.choices import (
    CONDITION_LIST_NAMES,
    ContentCategory,
    Place,
    TimeOfEating,
    TypeOfStudy,
    WayOfEating,
)
from partner42.parsers import API_PARSERS
from partner42.serializers import EnumNameField, RejectUnknownFieldsMixin


def enum_list(enum, *, allow_null: bool) -> serializers.ListField:
    return serializers.ListField(
        child=EnumNameField(choices=enum.choices, strip=False),
        required=False,
        allow_null=allow_null,
        allow_empty=True,
    )


# The body's list names by condition kind, and back.
CONDITION_LISTS = tuple(CONDITION_LIST_NAMES.values())


LIST_KINDS = {name: kind for kind, name in CONDITION_LIST_NAMES.items()}


def option_list(category: str) -> str:
    """The list that carries the category's second condition (the service's table)."""
    return CONDITION_LIST_NAMES[RANDOM_CONDITION_KINDS[category][1]]


class NestedConditionsInput(RejectUnknownFieldsMixin, serializers.Serializer):
    """The React client's `matchConditionRandomMatchDto` (API.md Q4); it sends null for lists
    it leaves unset, so null means empty here."""

    placeList = enum_list(Place, allow_null=True)
    timeOfEatingList = enum_list(TimeOfEating, allow_null=True)
    wayOfEatingList = enum_list(WayOfEating, allow_null=True)
    typeOfStudyList = enum_list(TypeOfStudy, allow_null=True)


class RandomMatchCreateInput(RejectUnknownFieldsMixin, serializers.Serializer):
    """Both body shapes: the final flat one and the older nested one (never both at once).

    `contentCategory` is exact here (it selected the body's type in the original). Lists of the
    other category, or the time of eating (a room condition), are 400 RM003 when non-empty: the
    service's rule (`random_match_conditions_split`), the lists go to it by kind.
    """

    contentCategory = serializers.ChoiceField(choices=ContentCategory.choices)
    placeList = enum_list(Place, allow_null=False)
    timeOfEatingList = enum_list(TimeOfEating, allow_null=False)
    wayOfEatingList = enum_list(WayOfEating, allow_null=False)
    typeOfStudyList = enum_list(TypeOfStudy, allow_null=False)
    matchConditionRandomMatchDto = NestedConditionsInput(required=False)

    def validate(self, attrs):
        nested = attrs.get("matchConditionRandomMatchDto")
        flat = {key: attrs[key] for key in CONDITION_LISTS if key in attrs}
        if nested is not None and flat:
            raise serializers.ValidationError(
                {"matchConditionRandomMatchDto": [_("Send the flat lists or this object.")]}
            )
        lists = nested or flat
        return {
            "category": attrs["contentCategory"],
            "conditions": {LIST_KINDS[key]: values or [] for key, values in lists.items()},
        }


class CategoryInput(RejectUnknownFieldsMixin, serializers.Serializer):
    contentCategory = EnumNameField(choices=ContentCategory.choices, strip=False)


class CategoryQuery(serializers.Serializer):
    contentCategory = EnumNameField(choices=ContentCategory.choices, strip=False, required=False)


class RequiredCategoryQuery(serializers.Serializer):
    contentCategory = EnumNameField(choices=ContentCategory.choices, strip=False)


def condition_mine_body(category: str, request: RandomMatchRequest | None) -> dict:
    """The caller's active conditions: the flat keys of the final original and the same lists
    nested under `matchConditionRandomMatchDto` for the older client. An empty list (any) is
    shown as every value, as the original stored it; no active request gives empty lists."""
    places: list[str] = []
    ways: list[str] = []
    types: list[str] = []
    if request is not None:
        places = list(request.places) or list(Place.values)
        if category == ContentCategory.MEAL:
            ways = list(request.options) or list(WayOfEating.values)
        else:
            types = list(request.options) or list(TypeOfStudy.values)
    body: dict = {"contentCategory": category, "placeList": places}
    body[option_list(category)] = ways if category == ContentCategory.MEAL else types
    body["matchConditionRandomMatchDto"] = {
        "placeList": places,
        "wayOfEatingList": ways,
        "typeOfStudyList": types,
    }
    return body


class ConditionListsSchema(serializers.Serializer):
    placeList = serializers.ListField(child=serializers.CharField())
    wayOfEatingList = serializers.ListField(child=serializers.CharField())
    typeOfStudyList = serializers.ListField(child=serializers.CharField())


class ConditionMineSchema(serializers.Serializer):
    """For the OpenAPI schema: `wayOfEatingList` (MEAL) or `typeOfStudyList` (STUDY) at the top."""

    contentCategory = serializers.CharField()
    placeList = serializers.ListField(child=serializers.CharField())
    wayOfEatingList = serializers.ListField(child=serializers.CharField(), required=False)
    typeOfStudyList = serializers.ListField(child=serializers.CharField(), required=False)
    matchConditionRandomMatchDto = ConditionListsSchema()


# The newer React client posts JSON.stringify(...) bodies as text/plain (API.md Q5).
PARSERS = API_PARSERS


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
