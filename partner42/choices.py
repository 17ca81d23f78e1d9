"""Enums shared by rooms, matching, alarms and accounts (names travel in the API as in the
original). `AlarmType` lives here because a student's alarm switches (accounts) name its kinds."""

from collections.abc import Iterable

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContentCategory(models.TextChoices):
    MEAL = "MEAL", _("식사")
    STUDY = "STUDY", _("공부")


class Place(models.TextChoices):
    SEOCHO = "SEOCHO", _("서초 클러스터")
    GAEPO = "GAEPO", _("개포 클러스터")
    OUT_OF_CLUSTER = "OUT_OF_CLUSTER", _("클러스터 외부")


class TimeOfEating(models.TextChoices):
    BREAKFAST = "BREAKFAST", _("아침 식사")
    LUNCH = "LUNCH", _("점심 식사")
    DUNCH = "DUNCH", _("점저")
    DINNER = "DINNER", _("저녁 식사")
    MIDNIGHT = "MIDNIGHT", _("야식")


class WayOfEating(models.TextChoices):
    DELIVERY = "DELIVERY", _("배달")
    EATOUT = "EATOUT", _("외식")
    TAKEOUT = "TAKEOUT", _("포장")


class TypeOfStudy(models.TextChoices):
    INNER_CIRCLE = "INNER_CIRCLE", _("본 과정")
    NOT_INNER_CIRCLE = "NOT_INNER_CIRCLE", _("비본 과정")


class MethodCategory(models.TextChoices):
    RANDOM = "RANDOM", _("랜덤 매칭")
    MANUAL = "MANUAL", _("방 매칭")


class MatchStatus(models.TextChoices):
    MATCHED = "MATCHED", _("매칭 완료")
    CANCELED = "CANCELED", _("취소")


class AlarmType(models.TextChoices):
    """The label is the alarm's text (API.md section 5); the name travels in the API."""

    PARTICIPATION_ON_MY_POST = "PARTICIPATION_ON_MY_POST", _("내가 쓴 글에 참여가 있었어요!")
    PARTICIPATION_CANCEL_ON_MY_POST = (
        "PARTICIPATION_CANCEL_ON_MY_POST",
        _("내가 쓴 글에 참여가 취소되었어요!"),
    )
    MATCH_CONFIRMED = "MATCH_CONFIRMED", _("매칭이 확정되었어요!")
    COMMENT_ON_MY_COMMENT = "COMMENT_ON_MY_COMMENT", _("내가 쓴 댓글에 댓글이 달렸어요!")
    COMMENT_ON_MY_POST = "COMMENT_ON_MY_POST", _("내가 쓴 글에 댓글이 달렸어요!")
    RANDOM_MATCH_EXPIRED = (
        "RANDOM_MATCH_EXPIRED",
        _("랜덤 매칭 상대를 찾지 못했어요. 다시 신청해 보세요!"),
    )
    # Beyond the original: "did you meet?" (docs/matching.md).
    MEETING_CHECK = "MEETING_CHECK", _("만남은 어땠나요? 만났는지 알려 주세요!")
    MATCH_ABSENT = "MATCH_ABSENT", _("매칭에 나오지 않았다고 알려졌어요.")
    RANDOM_MATCH_PAUSED = (
        "RANDOM_MATCH_PAUSED",
        _("불참이 세 번 이어져 랜덤 매칭이 일주일 동안 멈췄어요."),
    )


class ConditionKind(models.TextChoices):
    """Which enum a stored condition value belongs to; the API's list names follow each."""

    PLACE = "PLACE", _("장소")
    TIME_OF_EATING = "TIME_OF_EATING", _("식사 시간")
    WAY_OF_EATING = "WAY_OF_EATING", _("식사 방식")
    TYPE_OF_STUDY = "TYPE_OF_STUDY", _("공부 종류")


CONDITION_ENUMS: dict[str, type[models.TextChoices]] = {
    ConditionKind.PLACE: Place,
    ConditionKind.TIME_OF_EATING: TimeOfEating,
    ConditionKind.WAY_OF_EATING: WayOfEating,
    ConditionKind.TYPE_OF_STUDY: TypeOfStudy,
}

# What the API shows instead of a hidden (anonymous) author, in every language; pages translate it.
ANONYMOUS_NICKNAME = "익명"

_VALUE_ORDER = {kind: tuple(enum.values) for kind, enum in CONDITION_ENUMS.items()}


def conditions_by_kind(pairs: Iterable[tuple[str, str]]) -> dict[str, list[str]]:
    """Stored (kind, value) conditions grouped: every kind present, each value once and in its
    enum's order, unknown kinds left out."""
    found: dict[str, set[str]] = {kind: set() for kind in _VALUE_ORDER}
    for kind, value in pairs:
        if kind in found:
            found[kind].add(value)
    return {
        kind: [value for value in order if value in found[kind]]
        for kind, order in _VALUE_ORDER.items()
    }


# The API's MatchConditionDto list names.
CONDITION_LIST_NAMES: dict[str, str] = {
    ConditionKind.PLACE: "placeList",
    ConditionKind.TIME_OF_EATING: "timeOfEatingList",
    ConditionKind.WAY_OF_EATING: "wayOfEatingList",
    ConditionKind.TYPE_OF_STUDY: "typeOfStudyList",
}

# Which condition kinds a category may carry (SPEC section 3).
CATEGORY_CONDITION_KINDS: dict[str, tuple[str, ...]] = {
    ContentCategory.MEAL: (
        ConditionKind.PLACE,
        ConditionKind.TIME_OF_EATING,
        ConditionKind.WAY_OF_EATING,
    ),
    ContentCategory.STUDY: (ConditionKind.PLACE, ConditionKind.TYPE_OF_STUDY),
}
