from axes import admin as axes_admin
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from accounts.models import User


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
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
    readonly_fields = ("api_id", "last_login", "date_joined")
    ordering = ("-date_joined",)
    fieldsets = (
        (None, {"fields": ("username", "password", "api_id")}),
        (_("Profile"), {"fields": ("nickname", "email", "image_url", "campus")}),
        (
            _("Permissions"),
            {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")},
        ),
        (_("Important dates"), {"fields": ("last_login", "date_joined")}),
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
