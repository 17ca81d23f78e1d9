from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET

from alarms.api.views import ALARM_DEFAULT_ORDER, ALARM_SORT_FIELDS
from alarms.models import Alarm, AlarmType
from alarms.services import alarm_list_read
from partner42.errors import ApplicationError
from partner42.pagination import SliceParams, slice_params


class _QueryParams:
    """slice_params reads `request.query_params` (DRF); a page request has `GET`."""

    def __init__(self, request) -> None:
        self.query_params = request.GET


@login_required
@require_GET
def alarm_list_page(request):
    """The alarm list; showing a slice marks it read, as the API does."""
    try:
        params = slice_params(
            _QueryParams(request), sort_fields=ALARM_SORT_FIELDS, default_order=ALARM_DEFAULT_ORDER
        )
    except ApplicationError:
        params = SliceParams(page=0, size=20, order_by=[*ALARM_DEFAULT_ORDER, "-pk"])
    alarms, has_next = alarm_list_read(user=request.user, params=params)
    items = [{"alarm": alarm, "link": _link(alarm)} for alarm in alarms]
    return render(
        request,
        "alarms/alarm_list.html",
        {
            "items": items,
            "page": params.page,
            "next_page": params.page + 1 if has_next else None,
            "previous_page": params.page - 1 if params.page > 0 else None,
        },
    )


# Where an alarm leads, by the other apps' URL names; alarms import no other app, so a name
# that does not exist (yet) just means no link.
def _link(alarm: Alarm) -> str | None:
    if alarm.alarm_type in (AlarmType.RANDOM_MATCH_EXPIRED, AlarmType.RANDOM_MATCH_PAUSED):
        return _reverse("matching:random")
    if alarm.match_id:
        return _reverse("matching:match_detail", alarm.match_id) or _reverse("matching:matches")
    if alarm.article_id:
        return _reverse("rooms:detail", alarm.article_id)
    return None


def _reverse(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None
