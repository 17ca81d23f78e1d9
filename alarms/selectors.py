from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet

from alarms.models import Alarm


def alarm_list(*, user) -> QuerySet[Alarm]:
    """The user's alarms; the caller orders and slices (partner42.pagination)."""
    return Alarm.objects.filter(user=user)


def alarm_unread_count(*, user_id: int) -> int:
    return Alarm.objects.filter(user_id=user_id, is_read=False).count()


def alarm_unread_counts(*, user_ids: Iterable[int]) -> dict[int, int]:
    """The unread count of each of these users in one query (0 for those without any)."""
    user_ids = set(user_ids)
    counts = dict.fromkeys(user_ids, 0)
    rows = (
        Alarm.objects.filter(user_id__in=user_ids, is_read=False)
        .values_list("user_id")
        .annotate(unread=Count("pk"))
        .order_by()
    )
    counts.update(rows)
    return counts


def slack_opted_out_emails(*, emails: Iterable[str]) -> set[str]:
    """Of these confirmed addresses, those (case-folded) whose students switched Slack off."""
    emails = [email for email in emails if email]
    if not emails:
        return set()
    return {
        email.casefold()
        for email in get_user_model()
        .objects.filter(email__in=emails, slack_notices=False)
        .values_list("email", flat=True)
    }
