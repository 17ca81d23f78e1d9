from datetime import timedelta

import factory
from django.utils import timezone

from accounts.tests.factories import UserFactory
from matching.models import Block, RandomMatchRequest
from partner42.choices import ContentCategory


class RandomMatchRequestFactory(factory.django.DjangoModelFactory):
    """A WAITING request; pass status=... for a closed one (the waiting key follows)."""

    class Meta:
        model = RandomMatchRequest

    user = factory.SubFactory(UserFactory)
    category = ContentCategory.MEAL
    places = factory.LazyFunction(list)
    options = factory.LazyFunction(list)
    status = RandomMatchRequest.Status.WAITING
    created_at = factory.LazyFunction(timezone.now)
    expires_at = factory.LazyAttribute(lambda o: o.created_at + timedelta(minutes=30))
    waiting_key = factory.LazyAttribute(
        lambda o: (
            RandomMatchRequest.make_waiting_key(o.user.pk, o.category)
            if o.status == RandomMatchRequest.Status.WAITING
            else None
        )
    )


class BlockFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Block

    blocker = factory.SubFactory(UserFactory)
    blocked = factory.SubFactory(UserFactory)
