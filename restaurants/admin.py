from django.contrib import admin, messages
from django.db import models, transaction
from django.db.models import Prefetch
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from restaurants.cache import restaurant_cache_invalidate
from restaurants.geo import campus_list, max_metres_for_minutes
from restaurants.models import CampusDistance, Restaurant
from restaurants.services import restaurant_distances_refresh, restaurant_set_open


class NearCampusFilter(admin.SimpleListFilter):
    title = _("near campus")
    parameter_name = "near"
    MINUTES = (5, 10, 20)

    def lookups(self, request, model_admin):
        return [
            (
                f"{campus.key}:{minutes}",
                _("%(campus)s, %(minutes)d min walk") % {"campus": campus.name, "minutes": minutes},
            )
            for campus in campus_list()
            for minutes in self.MINUTES
        ]

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        campus, _sep, minutes = self.value().partition(":")
        try:
            metres = max_metres_for_minutes(int(minutes))
        except ValueError:
            return queryset.none()
        return queryset.filter(distances__campus=campus, distances__metres__lte=metres)


class CampusDistanceInline(admin.TabularInline):
    model = CampusDistance
    fields = ("campus", "metres", "walk_minutes")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description=_("walk (min)"))
    def walk_minutes(self, obj: CampusDistance) -> int:
        return obj.walk_minutes


@admin.register(Restaurant)
class RestaurantAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "category",
        "display_address",
        "distances_label",
        "price_level",
        "is_open",
    )
    list_filter = ("is_open", NearCampusFilter, "price_level", "category")
    search_fields = ("name", "road_address", "address", "licence_id", "phone", "category")
    readonly_fields = ("api_id", "licence_id", "created_at", "updated_at")
    fieldsets = (
        (None, {"fields": ("name", "category", "is_open", "price_level", "link")}),
        (_("Where"), {"fields": ("road_address", "address", "phone", "latitude", "longitude")}),
        (_("Record"), {"fields": ("api_id", "licence_id", "created_at", "updated_at")}),
    )
    inlines = [CampusDistanceInline]
    actions = ["mark_closed", "mark_open"]
    list_per_page = 50
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}

    def get_queryset(self, request):
        distances = Prefetch("distances", queryset=CampusDistance.objects.order_by("campus"))
        return super().get_queryset(request).prefetch_related(distances)

    @admin.display(description=_("address"))
    def display_address(self, obj: Restaurant) -> str:
        return obj.display_address

    @admin.display(description=_("distance"))
    def distances_label(self, obj: Restaurant) -> str:
        return " · ".join(f"{d.campus} {d.metres} m" for d in obj.distances.all())

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        # Measured on every save: an operator may have moved it or added it by hand.
        restaurant_distances_refresh(restaurant=obj)

    def delete_model(self, request, obj) -> None:
        super().delete_model(request, obj)
        transaction.on_commit(restaurant_cache_invalidate)

    def delete_queryset(self, request, queryset) -> None:
        super().delete_queryset(request, queryset)
        transaction.on_commit(restaurant_cache_invalidate)

    @admin.action(description=_("Mark selected restaurants closed"))
    def mark_closed(self, request, queryset) -> None:
        self._set_open(request, queryset, is_open=False)

    @admin.action(description=_("Mark selected restaurants open"))
    def mark_open(self, request, queryset) -> None:
        self._set_open(request, queryset, is_open=True)

    def _set_open(self, request, queryset, *, is_open: bool) -> None:
        changed = restaurant_set_open(
            restaurant_ids=list(queryset.values_list("pk", flat=True)), is_open=is_open
        )
        self.message_user(
            request,
            ngettext("%d restaurant changed.", "%d restaurants changed.", changed) % changed,
            messages.SUCCESS,
        )
