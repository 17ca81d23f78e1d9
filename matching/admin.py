from celery.result import EagerResult
from django.contrib import admin, messages
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST

from matching.models import (
    Activity,
    Block,
    Match,
    MatchCondition,
    MatchMember,
    MeetingAbsence,
    MeetingReport,
    MemberReview,
    RandomMatchPause,
    RandomMatchRequest,
)
from matching.services.meetings import random_match_pause_lift
from matching.services.random import random_match_request_cancel_by_id
from matching.tasks import matchmaking_run_task


class _ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class MatchMemberInline(_ReadOnlyInline):
    model = MatchMember
    fields = ("user", "is_author", "is_reviewed")
    readonly_fields = fields


class MatchConditionInline(_ReadOnlyInline):
    model = MatchCondition


@admin.register(Match)
class MatchAdmin(admin.ModelAdmin):
    """Read-only: matches, their members, status and count come from the matchmaker and from
    completed rooms, together with their activity ledger rows; an edit here could only make them
    disagree (a member without a ledger row, a count that is not the members'). Changes go
    through the services (rooms: complete; random-match requests: cancel, run matchmaking)."""

    list_display = ("id", "api_id", "category", "method", "status", "participant_num", "created_at")
    list_filter = ("category", "method", "status", "created_at")
    search_fields = ("api_id", "members__user__nickname", "members__user__username")
    list_select_related = ("room",)
    inlines = [MatchMemberInline, MatchConditionInline]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


def _run_matchmaking(request) -> None:
    # Through the matchmaking queue like every run; in-process (eager) runs report at once.
    async_result = matchmaking_run_task.delay()
    if not isinstance(async_result, EagerResult):
        messages.success(request, _("Matchmaking run queued."))
        return
    result = async_result.result
    if result["skipped"]:
        messages.warning(request, _("A matchmaking run is already in progress; try again soon."))
    else:
        messages.success(
            request,
            _("Matchmaking run: %(matched)d matches, %(expired)d expired, %(conflicts)d conflicts.")
            % result,
        )


@admin.register(RandomMatchRequest)
class RandomMatchRequestAdmin(admin.ModelAdmin):
    change_list_template = "admin/matching/randommatchrequest/change_list.html"
    list_display = (
        "id",
        "user",
        "category",
        "status",
        "place_list",
        "option_list",
        "created_at",
        "expires_at",
        "match",
    )
    list_filter = ("status", "category", "created_at")
    search_fields = ("user__username", "user__nickname", "api_id")
    list_select_related = ("user", "match")
    raw_id_fields = ("user", "match")
    actions = ["cancel_requests", "run_matchmaking_now"]

    def get_readonly_fields(self, request, obj=None):
        # Status, conditions and the match change only through the services (the cancel action,
        # the matchmaker): a hand-edited status would leave waiting_key and the match disagreeing.
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("places"))
    def place_list(self, obj: RandomMatchRequest) -> str:
        # Labels, not the stored list (["SEOCHO"]); an empty list means any place.
        return ", ".join(obj.place_labels()) or str(_("any"))

    @admin.display(description=_("way of eating / type of study"))
    def option_list(self, obj: RandomMatchRequest) -> str:
        return ", ".join(obj.option_labels()) or str(_("any"))

    @admin.action(description=_("Cancel the selected waiting requests"))
    def cancel_requests(self, request, queryset):
        cancelled = sum(
            random_match_request_cancel_by_id(request_id=pk)
            for pk in queryset.filter(status=RandomMatchRequest.Status.WAITING).values_list(
                "pk", flat=True
            )
        )
        self.message_user(request, _("%(n)d requests cancelled.") % {"n": cancelled})

    @admin.action(description=_("Run matchmaking now"))
    def run_matchmaking_now(self, request, queryset):
        _run_matchmaking(request)

    def get_urls(self):
        urls = [
            path(
                "run-matchmaking/",
                self.admin_site.admin_view(require_POST(self.run_matchmaking_view)),
                name="matching_randommatchrequest_run",
            ),
        ]
        return urls + super().get_urls()

    def run_matchmaking_view(self, request):
        if not self.has_change_permission(request):
            messages.error(request, _("You may not run matchmaking."))
        else:
            _run_matchmaking(request)
        return redirect(reverse("admin:matching_randommatchrequest_changelist"))


@admin.register(Block)
class BlockAdmin(admin.ModelAdmin):
    list_display = ("blocker", "blocked", "created_at")
    search_fields = ("blocker__nickname", "blocked__nickname")
    raw_id_fields = ("blocker", "blocked")
    list_select_related = ("blocker", "blocked")


# Match members, reviews and the activity ledger: read-only with filters. The ledger is
# append-only (totals are SUMs of its rows), and a review goes with its reviewer's `is_reviewed`
# flag and its ledger rows: an edit here could only make them disagree.


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(MatchMember)
class MatchMemberAdmin(ReadOnlyAdmin):
    list_display = ("id", "match", "user", "is_author", "is_reviewed")
    list_filter = ("is_author", "is_reviewed", "match__category", "match__method")
    search_fields = ("user__username", "user__nickname", "match__api_id")
    list_select_related = ("match", "user")


@admin.register(MemberReview)
class MemberReviewAdmin(ReadOnlyAdmin):
    list_display = ("id", "match", "reviewer", "target", "score_kind", "created_at")
    list_filter = ("score_kind", "match__category", "match__method", "created_at")
    search_fields = (
        "reviewer__username",
        "reviewer__nickname",
        "target__username",
        "target__nickname",
        "match__api_id",
    )
    list_select_related = ("match", "reviewer", "target")


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    list_display = ("id", "user", "category", "activity_type", "score_kind", "score", "match")
    list_filter = ("category", "activity_type", "score_kind", "created_at")
    search_fields = ("user__username", "user__nickname", "match__api_id")
    list_select_related = ("user", "match")


# --- "Did you meet?": answers and absences read-only; pauses lifted through the service --------


@admin.register(MeetingReport)
class MeetingReportAdmin(ReadOnlyAdmin):
    list_display = ("id", "match", "reporter", "met", "created_at")
    list_filter = ("met", "created_at")
    search_fields = ("reporter__username", "reporter__nickname", "match__api_id")
    list_select_related = ("match", "reporter")
    filter_horizontal = ()


@admin.register(MeetingAbsence)
class MeetingAbsenceAdmin(ReadOnlyAdmin):
    list_display = ("id", "match", "user", "created_at")
    list_filter = ("created_at",)
    search_fields = ("user__username", "user__nickname", "match__api_id")
    list_select_related = ("match", "user")


@admin.register(RandomMatchPause)
class RandomMatchPauseAdmin(admin.ModelAdmin):
    """Pauses that absences in a row put on students' random matching. The appeal: an operator
    checks the student's matches (the absences list) and lifts the pause; who lifted it and when
    stay on the row and in the admin's history."""

    list_display = ("id", "user", "created_at", "until", "in_force", "lifted_at", "lifted_by")
    list_filter = ("created_at", "until", ("lifted_at", admin.EmptyFieldListFilter))
    search_fields = ("user__username", "user__nickname")
    list_select_related = ("user", "lifted_by")
    actions = ["lift_pauses"]

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in self.model._meta.fields]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("in force"), boolean=True)
    def in_force(self, obj: RandomMatchPause) -> bool:
        return obj.is_active()

    @admin.action(description=_("Lift the selected pauses"))
    def lift_pauses(self, request, queryset):
        lifted = 0
        for pause in queryset:
            if random_match_pause_lift(pause=pause, by=request.user):
                lifted += 1
                self.log_change(request, pause, [{"changed": {"fields": ["lifted_at"]}}])
            else:
                self.message_user(
                    request,
                    _("%(pause)s was not in force.") % {"pause": pause},
                    level=messages.WARNING,
                )
        self.message_user(request, _("%(n)d pauses lifted.") % {"n": lifted})
