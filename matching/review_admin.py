"""Admin for match members, reviews and the activity ledger: read-only with filters.

The ledger is append-only (totals are SUMs of its rows), and a review goes with its reviewer's
`is_reviewed` flag and its ledger rows: an edit here could only make them disagree.
"""

from django.contrib import admin

from matching.models import Activity, MatchMember, MemberReview


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
