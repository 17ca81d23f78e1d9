from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from partner42.choices import ConditionKind, ContentCategory
from partner42.models import PublicModel

TITLE_MAX = 255
CONTENT_MAX = 100_000
COMMENT_MAX = 1_000
CAPACITY_MIN = 2
CAPACITY_MAX = 20


class Room(PublicModel):
    """A meal or study room (the original's "article").

    `participant_num` and `version` change only through the conditional updates in
    `rooms.services`; never save them from a model instance that may be stale.
    """

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="rooms_authored",
        verbose_name=_("author"),
    )
    category = models.CharField(_("category"), max_length=5, choices=ContentCategory.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    content = models.TextField(_("content"), validators=[MaxLengthValidator(CONTENT_MAX)])
    date = models.DateField(_("date"))
    # Optional: the day is what closes a room (rooms.services); the time only informs.
    meeting_time = models.TimeField(_("meeting time"), null=True, blank=True)
    anonymity = models.BooleanField(_("anonymous"), default=False)
    participant_num_max = models.PositiveSmallIntegerField(
        _("capacity"),
        validators=[MinValueValidator(CAPACITY_MIN), MaxValueValidator(CAPACITY_MAX)],
    )
    participant_num = models.PositiveSmallIntegerField(_("participants"), default=1)
    version = models.PositiveIntegerField(_("version"), default=0)
    is_complete = models.BooleanField(_("completed"), default=False)
    completed_at = models.DateTimeField(_("completed at"), null=True, blank=True)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)
    # MEAL only (rooms.services checks it); a restaurant that closes stays named.
    restaurant = models.ForeignKey(
        "restaurants.Restaurant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="rooms",
        verbose_name=_("restaurant"),
    )

    class Meta:
        verbose_name = _("room")
        verbose_name_plural = _("rooms")
        constraints = [
            # The last line of defence: the conditional updates never get here.
            models.CheckConstraint(
                condition=models.Q(participant_num__lte=models.F("participant_num_max")),
                name="room_not_overbooked",
            ),
            models.CheckConstraint(
                condition=models.Q(
                    participant_num_max__gte=CAPACITY_MIN, participant_num_max__lte=CAPACITY_MAX
                ),
                name="room_capacity_range",
            ),
        ]
        # Ascending on purpose: read backwards they give the board's order, primary key last
        # (InnoDB appends it ascending), so a page is an index walk that stops after one page.
        indexes = [
            models.Index(fields=["category", "date", "created_at"], name="room_board_date_idx"),
            models.Index(fields=["category", "created_at"], name="room_board_created_idx"),
            models.Index(
                fields=["category", "is_complete", "date", "created_at"],
                name="room_board_open_date_idx",
            ),
            # Every board without a category (the React client's ?isComplete=false).
            models.Index(fields=["date", "created_at"], name="room_date_idx"),
            # No index may start with is_complete or deleted_at: on a small table MariaDB then
            # runs the compare-and-set UPDATE (WHERE id = ? AND is_complete = 0 ...) as a range
            # scan of that index, locking every open room, and concurrent joins deadlock.
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None

    @property
    def is_full(self) -> bool:
        return self.participant_num >= self.participant_num_max


class RoomCondition(models.Model):
    """One chosen condition value of a room: a row per (kind, value), so the board can filter."""

    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, related_name="conditions", verbose_name=_("room")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=ConditionKind.choices)
    value = models.CharField(_("value"), max_length=20)

    class Meta:
        verbose_name = _("room condition")
        verbose_name_plural = _("room conditions")
        constraints = [
            models.UniqueConstraint(fields=["room", "kind", "value"], name="room_condition_unique")
        ]
        indexes = [models.Index(fields=["kind", "value"], name="room_condition_kv_idx")]

    def __str__(self) -> str:
        return f"{self.kind}={self.value}"


class Participation(models.Model):
    """A member of a room; the author is the first one. One row per (room, user)."""

    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, related_name="participations", verbose_name=_("room")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="participations",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        constraints = [
            models.UniqueConstraint(fields=["room", "user"], name="participation_unique_member")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.room}"


class Comment(PublicModel):
    """A comment (the original's "opinion"); `level` is 1 at the top, parent's level + 1 below."""

    room = models.ForeignKey(
        Room, on_delete=models.CASCADE, related_name="comments", verbose_name=_("room")
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="room_comments",
        verbose_name=_("author"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="replies",
        verbose_name=_("parent comment"),
    )
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    content = models.CharField(_("content"), max_length=COMMENT_MAX)
    deleted_at = models.DateTimeField(_("deleted at"), null=True, blank=True)

    class Meta:
        verbose_name = _("comment")
        verbose_name_plural = _("comments")
        indexes = [models.Index(fields=["room", "created_at"], name="comment_room_idx")]

    def __str__(self) -> str:
        return self.content[:50]

    @property
    def is_deleted(self) -> bool:
        return self.deleted_at is not None
