import uuid

from django.contrib.auth.models import AbstractUser
from django.core.validators import MaxLengthValidator, MinLengthValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

BIO_MAX_LENGTH = 300


class Language(models.TextChoices):
    # Each in its own language, as a language switch shows them.
    KO = "ko", "한국어"
    EN = "en", "English"


class User(AbstractUser):
    """A 42 student (or an operator, `is_staff`).

    `username` is the intra login; `api_id` is the only id the API and URLs show.

    `email` is the confirmed address, the only one Slack looks the student up by: the intra
    email of the first login (42 verified it) or an address whose owner followed the link we
    mailed to it. A requested change waits in `pending_email` until then. NULL means none (an
    operator's), so that the unique index holds for every confirmed address.
    """

    api_id = models.UUIDField(_("public id"), default=uuid.uuid4, unique=True, editable=False)
    nickname = models.CharField(
        _("nickname"),
        max_length=20,
        unique=True,
        validators=[MinLengthValidator(2), MaxLengthValidator(20)],
    )
    image_url = models.URLField(_("image URL"), max_length=500, blank=True)
    campus = models.CharField(_("campus"), max_length=50, blank=True)
    email = models.EmailField(_("email address"), blank=True, null=True, unique=True)
    pending_email = models.EmailField(_("email waiting for confirmation"), blank=True)
    # When the last confirmation mail was asked for: at most one a minute (see accounts.services).
    pending_email_sent_at = models.DateTimeField(
        _("confirmation mail sent at"), null=True, blank=True
    )

    # Every column below has a database default too: during a blue/green switch the previous
    # release still creates users without naming them.

    # Profile: what fellow match members read on the match page and in the Slack notice (the
    # hidden author of an anonymous room shows none). Rules in accounts.profile_rules.
    bio = models.CharField(
        _("소개"), max_length=BIO_MAX_LENGTH, blank=True, default="", db_default=""
    )
    # Free tags, each stored in its normalised form, unique regardless of case, in typed order.
    interests = models.JSONField(_("관심사"), default=list, db_default=[], blank=True)

    # Preferences: read from this row by the services that send (no extra query where the user
    # is already loaded). Alarms of a muted kind are not written at all (alarms.services).
    slack_notices = models.BooleanField(_("Slack 알림"), default=True, db_default=True)
    muted_alarm_types = models.JSONField(_("끈 알림 종류"), default=list, db_default=[], blank=True)
    # No random matching before this date (Asia/Seoul); from that day on it is over by itself.
    random_snooze_until = models.DateField(_("랜덤 매칭을 다시 받는 날"), null=True, blank=True)
    # "" follows the browser (the language cookie or Accept-Language).
    language = models.CharField(
        _("언어"),
        max_length=8,
        choices=Language.choices,
        blank=True,
        default="",
        db_default="",
    )

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.nickname or self.username

    def save(self, *args, **kwargs) -> None:
        # Operators made with createsuperuser have no nickname yet: start from the login.
        if not self.nickname:
            self.nickname = self.username[:20]
        # createsuperuser and the admin give "" for no email; the unique index needs NULL.
        if not self.email:
            self.email = None
        super().save(*args, **kwargs)


class IssuedRefreshToken(models.Model):
    """One refresh token we handed out: our own allow/deny list (no simplejwt blacklist app).

    Every login starts a family; each refresh consumes its token (`used_at`) and issues the next
    one in the same family with `parent_jti` pointing back. A token is usable only while unused,
    unrevoked and unexpired; presenting a used one again is a replay (see accounts.tokens).
    """

    jti = models.CharField(_("token id"), max_length=64, unique=True)
    user = models.ForeignKey(
        User,
        on_delete=models.CASCADE,
        related_name="refresh_tokens",
        verbose_name=_("user"),
    )
    family = models.UUIDField(_("family"), db_index=True)
    parent_jti = models.CharField(_("previous token id"), max_length=64, blank=True)
    expires_at = models.DateTimeField(_("expires at"), db_index=True)
    used_at = models.DateTimeField(_("used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("issued refresh token")
        verbose_name_plural = _("issued refresh tokens")

    def __str__(self) -> str:
        return self.jti


class CalendarFeed(models.Model):
    """A student's personal calendar feed: its secret token is the only credential of the feed URL.

    One row per student, made the first time the feed is asked for; rotating replaces the token,
    so the old URL answers 404 from then on (accounts.calendar).
    """

    user = models.OneToOneField(
        User, on_delete=models.CASCADE, related_name="calendar_feed", verbose_name=_("user")
    )
    # secrets.token_urlsafe(32): 43 characters, 256 bits. Looked up through the unique index.
    token = models.CharField(_("token"), max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    rotated_at = models.DateTimeField(_("rotated at"), null=True, blank=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return f"{self.user} calendar"
