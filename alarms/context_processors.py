from django.utils.functional import cached_property

from alarms.selectors import alarm_unread_count


class AlarmBell:
    """The header bell's count, queried once and only if a template reads it."""

    def __init__(self, user) -> None:
        self._user = user

    @cached_property
    def unread(self) -> int:
        return alarm_unread_count(user_id=self._user.pk)


def alarm_bell(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"alarm_bell": AlarmBell(user)}
