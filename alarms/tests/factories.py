import factory

from accounts.tests.factories import UserFactory
from alarms.models import Alarm, AlarmType


class AlarmFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Alarm

    user = factory.SubFactory(UserFactory)
    alarm_type = AlarmType.PARTICIPATION_ON_MY_POST
    calling_nickname = "bob"
