from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from alarms.models import Alarm


@admin.register(Alarm)
class AlarmAdmin(admin.ModelAdmin):
    list_display = ["api_id", "user", "alarm_type", "calling_nickname", "is_read", "created_at"]
    list_filter = ["alarm_type", "is_read", "created_at"]
    search_fields = [
        "api_id",
        "user__username",
        "user__nickname",
        "user__email",
        "calling_nickname",
    ]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = ["api_id", "created_at", "updated_at"]
    # No date_hierarchy: on MariaDB it needs the server's time zone tables loaded.
    ordering = ["-created_at"]
    actions = ["mark_read", "mark_unread"]

    @admin.action(description=_("Mark selected alarms as read"))
    def mark_read(self, request, queryset):
        updated = queryset.update(is_read=True)
        self.message_user(request, _("%(count)d alarms marked as read.") % {"count": updated})

    @admin.action(description=_("Mark selected alarms as unread"))
    def mark_unread(self, request, queryset):
        updated = queryset.update(is_read=False)
        self.message_user(request, _("%(count)d alarms marked as unread.") % {"count": updated})
