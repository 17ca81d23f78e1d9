from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from accounts import tokens
from accounts.models import IssuedRefreshToken, User
from accounts.profile_rules import ProfileRuleError, bio_clean, interests_clean
from partner42.text import nickname_normalize, validate_nickname


def _rule_validation_error(exc: ProfileRuleError) -> ValidationError:
    return ValidationError([problem.reason for problem in exc.problems])


class UserAdminChangeForm(UserChangeForm):
    def clean_nickname(self) -> str:
        # Operators are held to the nickname rules of the profile pages (partner42.text).
        nickname = nickname_normalize(self.cleaned_data["nickname"])
        validate_nickname(nickname)
        return nickname

    # An operator may clear or trim a student's profile (moderation), by the same rules.
    def clean_bio(self) -> str:
        try:
            return bio_clean(self.cleaned_data.get("bio") or "")
        except ProfileRuleError as exc:
            raise _rule_validation_error(exc) from exc

    def clean_interests(self) -> list[str]:
        interests = self.cleaned_data.get("interests") or []
        if not isinstance(interests, list):
            raise ValidationError(_("A JSON list of strings."))
        try:
            return interests_clean(interests)
        except ProfileRuleError as exc:
            raise _rule_validation_error(exc) from exc


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserAdminChangeForm
    # Image links come from the intra over https; also Django 6's default.
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = (
        "username",
        "nickname",
        "email",
        "campus",
        "is_staff",
        "is_active",
        "date_joined",
    )
    list_filter = ("is_staff", "is_superuser", "is_active", "campus")
    search_fields = ("username", "nickname", "email", "api_id")
    readonly_fields = (
        "api_id",
        "last_login",
        "date_joined",
        "slack_notices",
        "muted_alarm_types",
        "random_snooze_until",
        "language",
    )
    ordering = ("-date_joined",)
    fieldsets = (
        (None, {"fields": ("username", "password", "api_id")}),
        (_("Profile"), {"fields": ("nickname", "email", "image_url", "campus")}),
        (_("Introduction"), {"fields": ("bio", "interests")}),
        # The student's own choices: shown, changed only by them (my page, API).
        (
            _("Preferences"),
            {
                "fields": (
                    "slack_notices",
                    "muted_alarm_types",
                    "random_snooze_until",
                    "language",
                )
            },
        ),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
    )


class TokenStateFilter(admin.SimpleListFilter):
    title = _("state")
    parameter_name = "state"

    def lookups(self, request, model_admin):
        return [("live", _("Live")), ("used", _("Used")), ("revoked", _("Revoked"))]

    def queryset(self, request, queryset):
        if self.value() == "live":
            return queryset.filter(used_at=None, revoked_at=None, expires_at__gt=timezone.now())
        if self.value() == "used":
            return queryset.filter(used_at__isnull=False, revoked_at=None)
        if self.value() == "revoked":
            return queryset.filter(revoked_at__isnull=False)
        return queryset


@admin.register(IssuedRefreshToken)
class IssuedRefreshTokenAdmin(admin.ModelAdmin):
    """Issued refresh tokens: read-only, with the operator's "revoke this family" (a lost device,
    a suspected theft). A row holds no token, only its jti, family and lifecycle."""

    list_display = (
        "jti",
        "user",
        "family",
        "parent_jti",
        "created_at",
        "expires_at",
        "used_at",
        "revoked_at",
    )
    list_filter = (TokenStateFilter, "created_at")
    list_select_related = ("user",)
    search_fields = ("=jti", "=family", "user__username", "user__nickname")
    ordering = ("-created_at", "-pk")
    actions = ["revoke_families"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # the prune task deletes expired rows; revoking is what an operator does

    def has_revoke_permission(self, request: HttpRequest) -> bool:
        # Viewing is not enough to log people out: the model's change permission is.
        return request.user.has_perm("accounts.change_issuedrefreshtoken")

    @admin.action(
        description=_("Revoke the whole family of the selected tokens (log those sessions out)"),
        permissions=["revoke"],
    )
    def revoke_families(self, request: HttpRequest, queryset: QuerySet[IssuedRefreshToken]):
        families = list(queryset.values_list("family", flat=True).distinct())
        revoked = tokens.token_families_revoke(families=families)
        self.message_user(
            request,
            _("%(families)d family(ies) revoked (%(tokens)d live token(s)).")
            % {"families": len(families), "tokens": revoked},
        )


# --- Login lockout (django-axes): who is locked out, the failures, and the unlock -------------


@admin.register(AccessAttempt)
class AccessAttemptAdmin(axes_admin.AccessAttemptAdmin):
    # axes' date drill-down needs MariaDB's time zone tables; the attempt_time filter does not.
    date_hierarchy = None
    actions = ["unlock", "cleanup_expired_attempts"]

    @admin.action(description=_("Unlock: forget the selected failed attempts"))
    def unlock(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        count, _rows = queryset.delete()
        self.message_user(request, _("%(n)d lockout record(s) removed.") % {"n": count})


@admin.register(AccessFailureLog)
class AccessFailureLogAdmin(axes_admin.AccessFailureLogAdmin):
    date_hierarchy = None


@admin.register(AccessLog)
class AccessLogAdmin(axes_admin.AccessLogAdmin):
    date_hierarchy = None
