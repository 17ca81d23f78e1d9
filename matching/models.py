"""Matches (RANDOM from the matchmaker, MANUAL from a completed room), random-match requests and
the private block list.

The rooms app adds the room link, reviews and activity scores to `Match` later; nothing here knows
about rooms (import order rooms -> matching -> alarms -> accounts).
"""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from partner42.choices import (
    CONDITION_ENUMS,
    ConditionKind,
    ContentCategory,
    MatchStatus,
    MethodCategory,
    Place,
    TypeOfStudy,
    WayOfEating,
)
from partner42.models import PublicModel


class Match(PublicModel):
    category = models.CharField(_("category"), max_length=10, choices=ContentCategory.choices)
    method = models.CharField(_("method"), max_length=10, choices=MethodCategory.choices)
    status = models.CharField(
        _("status"), max_length=10, choices=MatchStatus.choices, default=MatchStatus.MATCHED
    )
    participant_num = models.PositiveSmallIntegerField(_("participants"), default=0)
    # MANUAL matches: the room completed into this match (by name: rooms imports matching).
    room = models.ForeignKey(
        "rooms.Room",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="matches",
        verbose_name=_("room"),
    )
    # MEAL matches: the restaurant a member pinned among the suggestions (restaurants app, by name;
    # SET_NULL: deleting a restaurant never deletes a match). Who pinned it and when.
    pinned_restaurant = models.ForeignKey(
        "restaurants.Restaurant",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="pinned_matches",
        verbose_name=_("pinned restaurant"),
    )
    pinned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("pinned by"),
    )
    pinned_at = models.DateTimeField(_("pinned at"), null=True, blank=True)

    class Meta:
        verbose_name = _("match")
        verbose_name_plural = _("matches")
        ordering = ["-created_at", "-id"]
        constraints = [
            # One room, one match: the last line of defence behind room_complete's compare-and-set.
            models.UniqueConstraint(fields=["room"], name="match_one_per_room"),
        ]

    def __str__(self) -> str:
        return f"{self.get_method_display()} {self.get_category_display()} #{self.pk}"


class MatchMember(models.Model):
    match = models.ForeignKey(
        Match, on_delete=models.CASCADE, related_name="members", verbose_name=_("match")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="match_memberships",
        verbose_name=_("user"),
    )
    is_author = models.BooleanField(_("author"), default=False)
    is_reviewed = models.BooleanField(_("reviewed"), default=False)

    class Meta:
        verbose_name = _("match member")
        verbose_name_plural = _("match members")
        constraints = [
            models.UniqueConstraint(fields=["match", "user"], name="match_member_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} in {self.match_id}"


class MatchCondition(models.Model):
    """One condition value of a match: portable rows instead of one column per enum."""

    match = models.ForeignKey(
        Match, on_delete=models.CASCADE, related_name="conditions", verbose_name=_("match")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=ConditionKind.choices)
    value = models.CharField(_("value"), max_length=20)

    class Meta:
        verbose_name = _("match condition")
        verbose_name_plural = _("match conditions")
        constraints = [
            models.UniqueConstraint(fields=["match", "kind", "value"], name="match_condition_once"),
        ]

    def __str__(self) -> str:
        return f"{self.kind}={self.value}"

    @property
    def label(self) -> str:
        return str(CONDITION_ENUMS[self.kind](self.value).label)


# The condition kinds a random request may carry: places plus way of eating (MEAL) or type of
# study (STUDY). Time of eating is a room condition only (SPEC section 6).
RANDOM_CONDITION_KINDS: dict[str, tuple[str, str]] = {
    ContentCategory.MEAL: (ConditionKind.PLACE, ConditionKind.WAY_OF_EATING),
    ContentCategory.STUDY: (ConditionKind.PLACE, ConditionKind.TYPE_OF_STUDY),
}


class RandomMatchRequest(PublicModel):
    """One request of one user for one category, with its condition lists (empty list = any)."""

    class Status(models.TextChoices):
        WAITING = "WAITING", _("대기 중")
        MATCHED = "MATCHED", _("매칭 완료")
        CANCELLED = "CANCELLED", _("취소")
        EXPIRED = "EXPIRED", _("만료")

    # Set by the service from its `now` (not auto_now_add): queue order and expiry use one clock.
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="random_match_requests",
        verbose_name=_("user"),
    )
    category = models.CharField(_("category"), max_length=10, choices=ContentCategory.choices)
    places = models.JSONField(_("places"), default=list, blank=True)
    # Way of eating (MEAL) or type of study (STUDY): the category says which enum.
    options = models.JSONField(_("way of eating / type of study"), default=list, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.WAITING
    )
    version = models.PositiveIntegerField(_("version"), default=0)
    # "user:category" while WAITING, NULL otherwise: a plain unique column enforces "one waiting
    # request per user and category" on every database (MariaDB has no partial indexes).
    waiting_key = models.CharField(
        _("waiting key"), max_length=40, null=True, blank=True, unique=True
    )
    expires_at = models.DateTimeField(_("expires at"))
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    match = models.ForeignKey(
        Match,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="random_requests",
        verbose_name=_("match"),
    )

    class Meta:
        verbose_name = _("random match request")
        verbose_name_plural = _("random match requests")
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["status", "category", "created_at"], name="rmr_queue"),
            models.Index(fields=["status", "expires_at"], name="rmr_expiry"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="WAITING", waiting_key__isnull=False)
                | (~Q(status="WAITING") & Q(waiting_key__isnull=True)),
                name="rmr_waiting_key_iff_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.category} {self.status}"

    @staticmethod
    def make_waiting_key(user_id: int, category: str) -> str:
        return f"{user_id}:{category}"

    @property
    def option_kind(self) -> str:
        return RANDOM_CONDITION_KINDS[self.category][1]

    @property
    def way_of_eating_list(self) -> list[str]:
        return list(self.options) if self.category == ContentCategory.MEAL else []

    @property
    def type_of_study_list(self) -> list[str]:
        return list(self.options) if self.category == ContentCategory.STUDY else []

    def place_labels(self) -> list[str]:
        return [str(Place(v).label) for v in self.places]

    def option_labels(self) -> list[str]:
        enum = WayOfEating if self.category == ContentCategory.MEAL else TypeOfStudy
        return [str(enum(v).label) for v in self.options]


class Block(models.Model):
    """`blocker` never wants to be paired with `blocked`. Private: `blocked` never sees it."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="blocks_made",
        verbose_name=_("blocker"),
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("blocked user"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("block")
        verbose_name_plural = _("blocks")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_once"),
            models.CheckConstraint(condition=~Q(blocker=F("blocked")), name="block_not_self"),
        ]

    def __str__(self) -> str:
        return f"{self.blocker} blocks {self.blocked}"


# --- Reviews and the activity ledger (SPEC section 5) ----------------------------------------


class ActivityType(models.TextChoices):
    MATCH = "MATCH", _("매치")
    ARTICLE = "ARTICLE", _("게시글")
    OPINION = "OPINION", _("댓글")


class ActivityMatchScore(models.TextChoices):
    """A kind of activity row; its points are in `ACTIVITY_POINTS` (the original's values)."""

    MATCH_REVIEW_1 = "MATCH_REVIEW_1", _("매치 리뷰 1점")
    MATCH_REVIEW_2 = "MATCH_REVIEW_2", _("매치 리뷰 2점")
    MATCH_REVIEW_3 = "MATCH_REVIEW_3", _("매치 리뷰 3점")
    MATCH_REVIEW_4 = "MATCH_REVIEW_4", _("매치 리뷰 4점")
    MATCH_REVIEW_5 = "MATCH_REVIEW_5", _("매치 리뷰 5점")
    MATCH_ABSENT = "MATCH_ABSENT", _("매치 불참")
    MATCH_PARTICIPANT = "MATCH_PARTICIPANT", _("매치 참여자")
    MAKE_MATCH_REVIEW = "MAKE_MATCH_REVIEW", _("매치 리뷰")
    ARTICLE_MATCH_AUTHOR = "ARTICLE_MATCH_AUTHOR", _("방 매치 작성자")


ACTIVITY_POINTS: dict[str, int] = {
    ActivityMatchScore.MATCH_REVIEW_1: -10,
    ActivityMatchScore.MATCH_REVIEW_2: 0,
    ActivityMatchScore.MATCH_REVIEW_3: 10,
    ActivityMatchScore.MATCH_REVIEW_4: 20,
    ActivityMatchScore.MATCH_REVIEW_5: 42,
    ActivityMatchScore.MATCH_ABSENT: -200,
    ActivityMatchScore.MATCH_PARTICIPANT: 10,
    ActivityMatchScore.MAKE_MATCH_REVIEW: 20,
    ActivityMatchScore.ARTICLE_MATCH_AUTHOR: 42,
}

# What one member may give another in a review: 0 stars (no-show) to 5.
REVIEW_SCORES: tuple[str, ...] = (
    ActivityMatchScore.MATCH_ABSENT,
    ActivityMatchScore.MATCH_REVIEW_1,
    ActivityMatchScore.MATCH_REVIEW_2,
    ActivityMatchScore.MATCH_REVIEW_3,
    ActivityMatchScore.MATCH_REVIEW_4,
    ActivityMatchScore.MATCH_REVIEW_5,
)


class MemberReview(models.Model):
    """What one member of a match gave another. Written once per reviewer and match, with the
    reviewer's `MatchMember.is_reviewed` flag (the compare-and-set that keeps it once)."""

    match = models.ForeignKey(
        Match, on_delete=models.CASCADE, related_name="reviews", verbose_name=_("match")
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reviews_given",
        verbose_name=_("reviewer"),
    )
    target = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="reviews_received",
        verbose_name=_("reviewed member"),
    )
    score_kind = models.CharField(
        _("score"), max_length=30, choices=[(v, ActivityMatchScore(v).label) for v in REVIEW_SCORES]
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("member review")
        verbose_name_plural = _("member reviews")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["match", "reviewer", "target"], name="member_review_once"
            ),
            models.CheckConstraint(
                condition=~Q(reviewer=F("target")), name="member_review_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} → {self.target}: {self.score_kind}"


class Activity(models.Model):
    """One row of the activity ledger: scores are only ever added, and every total is a SUM of
    rows, so no total can drift from its history."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=_("user"),
    )
    category = models.CharField(_("category"), max_length=10, choices=ContentCategory.choices)
    activity_type = models.CharField(
        _("activity type"), max_length=10, choices=ActivityType.choices
    )
    score_kind = models.CharField(
        _("score kind"), max_length=30, choices=ActivityMatchScore.choices
    )
    # The points at the time of writing (ACTIVITY_POINTS may change; history must not).
    score = models.IntegerField(_("score"))
    match = models.ForeignKey(
        Match,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("match"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "category", "created_at"], name="activity_user_cat_idx"),
            models.Index(fields=["user", "-created_at"], name="activity_user_created_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.score_kind} {self.score:+d}"


# --- "Did you meet?": meeting reports, absences and the pause they lead to ----------------------


class MeetingCheck(models.Model):
    """The match's members were asked whether they met: one row per match, written by the beat
    task that asks (its unique match is what keeps the question to once)."""

    match = models.OneToOneField(
        Match, on_delete=models.CASCADE, related_name="meeting_check", verbose_name=_("match")
    )
    asked_at = models.DateTimeField(_("asked at"), default=timezone.now)

    class Meta:
        verbose_name = _("meeting check")
        verbose_name_plural = _("meeting checks")

    def __str__(self) -> str:
        return f"{self.match_id} asked {self.asked_at:%Y-%m-%d %H:%M}"


class MeetingReport(models.Model):
    """One member's answer to "did you meet?": once per member and match."""

    match = models.ForeignKey(
        Match, on_delete=models.CASCADE, related_name="meeting_reports", verbose_name=_("match")
    )
    reporter = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="meeting_reports",
        verbose_name=_("reporter"),
    )
    met = models.BooleanField(_("met"))
    # The members the reporter says did not come (never the reporter).
    absent_users = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="+",
        verbose_name=_("reported absent"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("meeting report")
        verbose_name_plural = _("meeting reports")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["match", "reporter"], name="meeting_report_once"),
        ]

    def __str__(self) -> str:
        return f"{self.reporter} on {self.match_id}: {'met' if self.met else 'not met'}"


class MeetingAbsence(models.Model):
    """A member of a match reported absent by another member: one row per member and match,
    however many reported them (its unique pair keeps MATCH_ABSENT to once)."""

    match = models.ForeignKey(
        Match, on_delete=models.CASCADE, related_name="meeting_absences", verbose_name=_("match")
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="meeting_absences",
        verbose_name=_("user"),
    )
    # The first report that named them.
    report = models.ForeignKey(
        MeetingReport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("meeting report"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)

    class Meta:
        verbose_name = _("meeting absence")
        verbose_name_plural = _("meeting absences")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["match", "user"], name="meeting_absence_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} absent from {self.match_id}"


class RandomMatchPause(models.Model):
    """Random matching stopped for a student after absences in a row, until `until`, unless an
    operator lifts it earlier (the appeal: `lifted_at`, `lifted_by`)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="random_match_pauses",
        verbose_name=_("user"),
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now, db_index=True)
    until = models.DateTimeField(_("until"))
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    lifted_at = models.DateTimeField(_("lifted at"), null=True, blank=True)
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lifted by"),
    )

    class Meta:
        verbose_name = _("random matching pause")
        verbose_name_plural = _("random matching pauses")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["user", "until"], name="rm_pause_user_until"),
        ]

    def __str__(self) -> str:
        return f"{self.user} paused until {self.until:%Y-%m-%d %H:%M}"

    def is_active(self, now=None) -> bool:
        return self.lifted_at is None and self.until > (now or timezone.now())
