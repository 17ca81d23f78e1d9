"""Bodies of the random-match and block API (field names of the original, API.md 4.5)."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from matching.models import RandomMatchRequest
from matching.services import RandomMatchWrongConditionError
from partner42.choices import ContentCategory, Place, TimeOfEating, TypeOfStudy, WayOfEating
from partner42.serializers import EnumNameField, LocalDateTimeField, RejectUnknownFieldsMixin


def enum_list(enum, *, allow_null: bool) -> serializers.ListField:
    return serializers.ListField(
        child=EnumNameField(choices=enum.choices, strip=False),
        required=False,
        allow_null=allow_null,
        allow_empty=True,
    )


# The list that carries each category's second condition; the others are refused for it.
OPTION_LIST = {ContentCategory.MEAL: "wayOfEatingList", ContentCategory.STUDY: "typeOfStudyList"}
CONDITION_LISTS = ("placeList", "timeOfEatingList", "wayOfEatingList", "typeOfStudyList")


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
    other category, or the time of eating (a room condition), are 400 RM003 when non-empty.
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
        lists = {key: value or [] for key, value in (nested or flat).items()}
        category = attrs["contentCategory"]
        allowed = {"placeList", OPTION_LIST[category]}
        if any(values for key, values in lists.items() if key not in allowed):
            raise RandomMatchWrongConditionError()
        return {
            "category": category,
            "places": lists.get("placeList", []),
            "options": lists.get(OPTION_LIST[category], []),
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
    body[OPTION_LIST[category]] = ways if category == ContentCategory.MEAL else types
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
