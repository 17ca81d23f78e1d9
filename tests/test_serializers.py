"""The pieces every API shares: LocalDateTime, case-insensitive enum names, MatchConditionDto."""

from datetime import UTC, datetime

import pytest
from rest_framework import serializers

from partner42.choices import ConditionKind, ContentCategory, conditions_by_kind
from partner42.serializers import (
    EnumNameField,
    LocalDateTimeField,
    local_datetime,
    match_condition_dto,
)


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (datetime(2023, 3, 22, 14, 43, 58, 189251, tzinfo=UTC), "2023-03-22T23:43:58.189251"),
        (datetime(2023, 3, 22, 14, 43, 58, 189000, tzinfo=UTC), "2023-03-22T23:43:58.189"),
        (datetime(2023, 3, 22, 14, 43, 0, tzinfo=UTC), "2023-03-22T23:43:00"),
        (datetime(2023, 3, 22, 15, 0, 0, tzinfo=UTC), "2023-03-23T00:00:00"),
        (None, None),
    ],
)
def test_it_writes_the_originals_local_date_time_in_seoul(value, text):
    assert local_datetime(value) == text


def test_it_writes_the_same_string_from_the_field():
    value = datetime(2023, 3, 22, 14, 43, 0, 500000, tzinfo=UTC)
    assert LocalDateTimeField().to_representation(value) == "2023-03-22T23:43:00.5"


class CategoryInput(serializers.Serializer):
    trimmed = EnumNameField(choices=ContentCategory.choices, required=False)
    exact = EnumNameField(choices=ContentCategory.choices, strip=False, required=False)


@pytest.mark.parametrize("name", ["MEAL", "meal", "Meal"])
def test_it_reads_enum_names_in_any_case(name):
    body = CategoryInput(data={"trimmed": name, "exact": name})
    assert body.is_valid(), body.errors
    assert body.validated_data == {"trimmed": "MEAL", "exact": "MEAL"}


def test_it_drops_surrounding_blanks_unless_told_not_to():
    body = CategoryInput(data={"trimmed": " study ", "exact": " study "})
    assert not body.is_valid()
    assert list(body.errors) == ["exact"]


def test_it_refuses_an_unknown_name():
    body = CategoryInput(data={"trimmed": "DRINK"})
    assert not body.is_valid()
    assert list(body.errors) == ["trimmed"]


def test_it_groups_stored_conditions_in_enum_order():
    pairs = [("PLACE", "OUT_OF_CLUSTER"), ("PLACE", "SEOCHO"), ("PLACE", "SEOCHO"), ("MOOD", "x")]
    assert conditions_by_kind(pairs) == {
        ConditionKind.PLACE: ["SEOCHO", "OUT_OF_CLUSTER"],
        ConditionKind.TIME_OF_EATING: [],
        ConditionKind.WAY_OF_EATING: [],
        ConditionKind.TYPE_OF_STUDY: [],
    }


def test_it_writes_all_four_condition_lists_in_the_originals_order():
    dto = match_condition_dto({ConditionKind.WAY_OF_EATING: ["DELIVERY"]})
    assert list(dto.items()) == [
        ("placeList", []),
        ("timeOfEatingList", []),
        ("wayOfEatingList", ["DELIVERY"]),
        ("typeOfStudyList", []),
    ]
