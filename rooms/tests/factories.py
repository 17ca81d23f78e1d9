from datetime import timedelta

import factory

from accounts.tests.factories import UserFactory
from partner42.choices import (
    ConditionKind,
    ContentCategory,
    Place,
    TimeOfEating,
    TypeOfStudy,
    WayOfEating,
)
from rooms import services
from rooms.models import Comment, Room


def _default_conditions(category: str) -> dict[str, list[str]]:
    if category == ContentCategory.STUDY:
        return {
            ConditionKind.PLACE: [Place.SEOCHO],
            ConditionKind.TYPE_OF_STUDY: [TypeOfStudy.INNER_CIRCLE],
        }
    return {
        ConditionKind.PLACE: [Place.GAEPO],
        ConditionKind.TIME_OF_EATING: [TimeOfEating.LUNCH],
        ConditionKind.WAY_OF_EATING: [WayOfEating.EATOUT],
    }


class RoomFactory(factory.django.DjangoModelFactory):
    """Rooms made through `room_create`, so the author is a participant as in production."""

    class Meta:
        model = Room

    author = factory.SubFactory(UserFactory)
    category = ContentCategory.MEAL
    title = factory.Sequence(lambda n: f"room {n}")
    content = "같이 먹어요"
    date = factory.LazyFunction(lambda: services.room_today() + timedelta(days=1))
    anonymity = False
    participant_num_max = 4
    conditions = factory.LazyAttribute(lambda o: _default_conditions(o.category))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.room_create(meeting_date=kwargs.pop("date"), **kwargs)


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    room = factory.SubFactory(RoomFactory)
    author = factory.SubFactory(UserFactory)
    content = factory.Sequence(lambda n: f"comment {n}")
    parent = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return services.comment_create(**kwargs)
