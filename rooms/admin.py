"""Operators' admin for rooms, participations and comments.

Counts, versions and states change only through the services (the same compare-and-set as the
site), so the admin never writes a stale `participant_num` back: edits go through `room_update`,
completion through `room_complete`, deletion is the soft one, and participations are read-only.
A service's refusal is shown as an error, per room for actions, and a refused save is neither
logged nor announced as "changed successfully".
"""

from django import forms
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseRedirect
from django.utils.translation import gettext_lazy as _

from partner42.choices import CONDITION_ENUMS
from partner42.errors import ApplicationError, ErrorCode
from rooms import services
from rooms.models import Comment, Participation, Room, RoomCondition
from rooms.selectors import room_conditions


class ServiceSaveAdmin(admin.ModelAdmin):
    """An admin whose save goes through a service (`service_save`).

    On an ApplicationError the error is shown (messages.error), nothing is written to the admin
    log, and the operator is sent back to the unchanged object instead of Django's "was changed
    successfully".
    """

    def service_save(self, request: HttpRequest, obj, form) -> None:
        raise NotImplementedError

    def save_model(self, request: HttpRequest, obj, form, change: bool) -> None:
        try:
            self.service_save(request, obj, form)
        except ApplicationError as error:
            request._service_error = error
            messages.error(request, error.message)

    def log_change(self, request: HttpRequest, obj, message):
        if getattr(request, "_service_error", None) is not None:
            return None
        return super().log_change(request, obj, message)

    def response_change(self, request: HttpRequest, obj):
        if getattr(request, "_service_error", None) is not None:
            return HttpResponseRedirect(request.get_full_path())
        return super().response_change(request, obj)


def _report(admin_: admin.ModelAdmin, request: HttpRequest, obj, error: ApplicationError) -> None:
    """One object's refusal by its service, named, as an error."""
    admin_.message_user(request, f"{obj}: {error.message}", messages.ERROR)


class DeletedFilter(admin.SimpleListFilter):
    title = _("deleted")
    parameter_name = "deleted"

    def lookups(self, request, model_admin):
        return [("yes", _("Deleted")), ("no", _("Not deleted"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(deleted_at__isnull=False)
        if self.value() == "no":
            return queryset.filter(deleted_at__isnull=True)
        return queryset


class RoomConditionInline(admin.TabularInline):
    model = RoomCondition
    extra = 0
    can_delete = False
    fields = ["kind", "value_label"]
    readonly_fields = ["kind", "value_label"]

    def has_add_permission(self, request, obj=None):
        return False

    @admin.display(description=_("value"))
    def value_label(self, condition: RoomCondition) -> str:
        # The label in the page's language (개포 클러스터), not the stored code (GAEPO).
        return str(CONDITION_ENUMS[condition.kind](condition.value).label)


class ParticipationInline(admin.TabularInline):
    model = Participation
    extra = 0
    can_delete = False
    readonly_fields = ["user", "created_at"]

    def has_add_permission(self, request, obj=None):
        return False


class RoomAdminForm(forms.ModelForm):
    class Meta:
        model = Room
        fields = ["title", "content", "date", "meeting_time", "anonymity", "participant_num_max"]

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk and self.instance.is_complete:
            raise forms.ValidationError(ErrorCode.ARTICLE_COMPLETED.message)
        return cleaned

    def clean_participant_num_max(self):
        value = self.cleaned_data["participant_num_max"]
        if self.instance.pk and value < self.instance.participant_num:
            raise forms.ValidationError(
                _("Below the current number of participants (%(n)d).")
                % {"n": self.instance.participant_num}
            )
        return value


@admin.register(Room)
class RoomAdmin(ServiceSaveAdmin):
    form = RoomAdminForm
    list_display = [
        "title",
        "category",
        "author",
        "date",
        "seats",
        "anonymity",
        "is_complete",
        "is_deleted",
        "created_at",
    ]
    list_filter = ["category", "is_complete", "anonymity", DeletedFilter, "date"]
    list_select_related = ["author"]
    search_fields = ["title", "author__username", "author__nickname", "=api_id"]
    date_hierarchy = "date"
    readonly_fields = [
        "api_id",
        "author",
        "category",
        "participant_num",
        "version",
        "is_complete",
        "completed_at",
        "deleted_at",
        "created_at",
        "updated_at",
    ]
    fields = [
        "api_id",
        "author",
        "category",
        "title",
        "content",
        "date",
        "meeting_time",
        "anonymity",
        "participant_num_max",
        "participant_num",
        "version",
        "is_complete",
        "completed_at",
        "deleted_at",
        "created_at",
        "updated_at",
    ]
    inlines = [RoomConditionInline, ParticipationInline]
    actions = ["complete_rooms", "restore_rooms", "delete_rooms"]

    @admin.display(description=_("seats"))
    def seats(self, room: Room) -> str:
        return f"{room.participant_num}/{room.participant_num_max}"

    @admin.display(boolean=True, description=_("deleted"))
    def is_deleted(self, room: Room) -> bool:
        return room.deleted_at is not None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # rooms are opened by students on the site

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # soft deletion only (the action below): matches keep their room

    def service_save(self, request: HttpRequest, obj: Room, form) -> None:
        data = form.cleaned_data
        services.room_update(
            room=obj,
            user=request.user,
            title=data["title"],
            content=data["content"],
            meeting_date=data["date"],
            meeting_time=data.get("meeting_time"),
            anonymity=data["anonymity"],
            participant_num_max=data["participant_num_max"],
            conditions=room_conditions(obj),
            allow_past_date=True,
        )

    @admin.action(description=_("Complete the selected rooms (make their matches)"))
    def complete_rooms(self, request: HttpRequest, queryset: QuerySet[Room]) -> None:
        for room in queryset.order_by("pk"):
            try:
                services.room_complete(room=room, user=request.user)
            except ApplicationError as error:
                _report(self, request, room, error)
            else:
                self.message_user(
                    request,
                    _("%(room)s: completed; its match is made.") % {"room": room},
                    messages.SUCCESS,
                )

    @admin.action(description=_("Restore the selected rooms"))
    def restore_rooms(self, request: HttpRequest, queryset: QuerySet[Room]) -> None:
        restored = 0
        for room in queryset.filter(deleted_at__isnull=False).order_by("pk"):
            try:
                services.room_restore(room=room, user=request.user)
            except ApplicationError as error:
                _report(self, request, room, error)
            else:
                restored += 1
        self.message_user(request, _("%(n)d room(s) restored.") % {"n": restored})

    @admin.action(description=_("Delete the selected rooms (soft)"))
    def delete_rooms(self, request: HttpRequest, queryset: QuerySet[Room]) -> None:
        deleted = 0
        for room in queryset.filter(deleted_at__isnull=True).order_by("pk"):
            try:
                services.room_delete(room=room, user=request.user)
            except ApplicationError as error:
                _report(self, request, room, error)
            else:
                deleted += 1
        self.message_user(request, _("%(n)d room(s) deleted.") % {"n": deleted})


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin):
    list_display = ["room", "user", "created_at"]
    list_select_related = ["room", "user"]
    list_filter = ["room__category", "created_at"]
    search_fields = ["room__title", "user__username", "user__nickname"]
    raw_id_fields = ["room", "user"]

    # Seats change only through join and leave, which keep the count true.
    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False


class CommentAdminForm(forms.ModelForm):
    class Meta:
        model = Comment
        fields = ["content"]


@admin.register(Comment)
class CommentAdmin(ServiceSaveAdmin):
    form = CommentAdminForm
    list_display = ["excerpt", "room", "author", "level", "is_deleted", "created_at"]
    list_select_related = ["room", "author"]
    list_filter = ["level", DeletedFilter, "created_at"]
    search_fields = ["content", "author__username", "author__nickname", "room__title"]
    readonly_fields = [
        "api_id",
        "room",
        "author",
        "parent",
        "level",
        "deleted_at",
        "created_at",
        "updated_at",
    ]
    fields = [
        "api_id",
        "room",
        "author",
        "parent",
        "level",
        "content",
        "deleted_at",
        "created_at",
        "updated_at",
    ]
    actions = ["restore_comments", "delete_comments"]

    @admin.display(description=_("content"))
    def excerpt(self, comment: Comment) -> str:
        return comment.content[:60]

    @admin.display(boolean=True, description=_("deleted"))
    def is_deleted(self, comment: Comment) -> bool:
        return comment.deleted_at is not None

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj=None) -> bool:
        return False  # soft deletion keeps the replies' thread

    def service_save(self, request: HttpRequest, obj: Comment, form) -> None:
        services.comment_update(
            comment=obj, user=request.user, content=form.cleaned_data["content"]
        )

    @admin.action(description=_("Restore the selected comments"))
    def restore_comments(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        for comment in queryset.filter(deleted_at__isnull=False).order_by("pk"):
            try:
                services.comment_restore(comment=comment, user=request.user)
            except ApplicationError as error:
                _report(self, request, comment, error)

    @admin.action(description=_("Delete the selected comments (soft)"))
    def delete_comments(self, request: HttpRequest, queryset: QuerySet[Comment]) -> None:
        for comment in queryset.filter(deleted_at__isnull=True).order_by("pk"):
            try:
                services.comment_delete(comment=comment, user=request.user)
            except ApplicationError as error:
                _report(self, request, comment, error)
