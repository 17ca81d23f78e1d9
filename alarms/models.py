from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from partner42.models import PublicModel


class AlarmType(models.TextChoices):
    """The label is the alarm's text (API.md section 5); the name travels in the API."""

    PARTICIPATION_ON_MY_POST = "PARTICIPATION_ON_MY_POST", _("내가 쓴 글에 참여가 있었어요!")
    PARTICIPATION_CANCEL_ON_MY_POST = (
        "PARTICIPATION_CANCEL_ON_MY_POST",
        _("내가 쓴 글에 참여가 취소되었어요!"),
    )
    MATCH_CONFIRMED = "MATCH_CONFIRMED", _("매칭이 확정되었어요!")
    COMMENT_ON_MY_COMMENT = "COMMENT_ON_MY_COMMENT", _("내가 쓴 댓글에 댓글이 달렸어요!")
    RANDOM_MATCH_EXPIRED = (
        "RANDOM_MATCH_EXPIRED",
        _("랜덤 매칭 상대를 찾지 못했어요. 다시 신청해 보세요!"),
    )


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
