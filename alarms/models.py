from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partner42.choices import AlarmType
from partner42.models import PublicModel

__all__ = ["Alarm", "AlarmType", "alarm_message"]


# The sentence naming who did what on which room, per kind; `text` (the kind's label) is the
# original's fixed text and stays in the API. Kinds without a sentence show their text.
_MESSAGES = {
    AlarmType.PARTICIPATION_ON_MY_POST: _("%(actor)s님이 내 방 「%(room)s」에 참여했어요."),
    AlarmType.PARTICIPATION_CANCEL_ON_MY_POST: _(
        "%(actor)s님이 내 방 「%(room)s」 참여를 취소했어요."
    ),
    AlarmType.COMMENT_ON_MY_POST: _("%(actor)s님이 내 방 「%(room)s」에 댓글을 남겼어요."),
    AlarmType.COMMENT_ON_MY_COMMENT: _("%(actor)s님이 「%(room)s」의 내 댓글에 답글을 남겼어요."),
}


def alarm_message(alarm_type: str, calling_nickname: str | None, room_title: str | None) -> str:
    """What the list, the toast and the API's `message` say, in the active language: who (the
    nickname as the alarm stored it, so `익명` for a hidden author) and which room."""
    kind = AlarmType(alarm_type)
    template = _MESSAGES.get(kind)
    if template is None or not calling_nickname or not room_title:
        return str(kind.label)
    return str(template) % {"actor": calling_nickname, "room": room_title}


class Alarm(PublicModel):
    """One notice for one user. A row first (never lost); the live push follows the commit.

    Related rooms, comments and matches are kept by their public ids, not foreign keys: alarms
    sits below rooms and matching in the import order, and an alarm outlives what it points to.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="alarms",
        verbose_name=_("recipient"),
    )
    alarm_type = models.CharField(_("type"), max_length=40, choices=AlarmType.choices)
    calling_nickname = models.CharField(_("calling nickname"), max_length=50, blank=True)
    article_id = models.UUIDField(_("room id"), null=True, blank=True)
    # The room's title when the alarm was made (a later edit or a deletion does not change it).
    room_title = models.CharField(_("room title"), max_length=255, blank=True)
    opinion_id = models.UUIDField(_("comment id"), null=True, blank=True)
    match_id = models.UUIDField(_("match id"), null=True, blank=True)
    is_read = models.BooleanField(_("read"), default=False)

    class Meta:
        verbose_name = _("alarm")
        verbose_name_plural = _("alarms")
        indexes = [
            # The unread count of the bell and the newest-first list, both per user.
            models.Index(fields=["user", "is_read"], name="alarm_user_unread_idx"),
            models.Index(fields=["user", "-created_at"], name="alarm_user_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.alarm_type} → {self.user_id}"

    @property
    def text(self) -> str:
        return str(AlarmType(self.alarm_type).label)

    @property
    def message(self) -> str:
        return alarm_message(self.alarm_type, self.calling_nickname, self.room_title)
