"""Bodies of the random-match and block API (field names of the original, API.md 4.5)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from matching.models import RANDOM_CONDITION_KINDS, RandomMatchRequest
from partner42.choices import (
    CONDITION_LIST_NAMES,
    ContentCategory,
    Place,
    TimeOfEating,
    TypeOfStudy,
    WayOfEating,
)
from partner42.serializers import EnumNameField, LocalDateTimeField, RejectUnknownFieldsMixin


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


class BlockInput(RejectUnknownFieldsMixin, serializers.Serializer):
    userId = serializers.CharField()


class BlockOutput(serializers.Serializer):
    userId = serializers.UUIDField(source="blocked.api_id")
    nickname = serializers.CharField(source="blocked.nickname")
    createdAt = LocalDateTimeField(source="created_at")
