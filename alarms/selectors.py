from django.db.models import QuerySet

from alarms.models import Alarm


def alarm_list(*, user) -> QuerySet[Alarm]:
    """The user's alarms; the caller orders and slices (partner42.pagination)."""
    return Alarm.objects.filter(user=user)


def alarm_unread_count(*, user_id: int) -> int:
    return Alarm.objects.filter(user_id=user_id, is_read=False).count()
