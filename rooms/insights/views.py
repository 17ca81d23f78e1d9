"""The operators' dashboard and its CSV file. Staff only: urls.py wraps both in the admin's
`admin_view` (anonymous visitors and students go to the admin login)."""

import csv

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from rooms.insights import present
from rooms.insights.forms import InsightsRangeForm
from rooms.insights.selectors import insights_for
from rooms.selectors import room_today


@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    form = InsightsRangeForm.from_query(request.GET, today=room_today())
    context = {**admin.site.each_context(request), "title": _("운영 대시보드"), "form": form}
    if not form.is_valid():
        return render(request, "rooms/insights/dashboard.html", context, status=400)
    found = insights_for(span=form.span())
    rows = present.daily_rows(found)
    context.update(
        span=found.span,
        summary=present.summary(found),
        columns=present.daily_columns(),
        rows=rows,
        total=present.total_row(rows),
        scores=present.review_rows(found),
        charts=present.charts(found),
        csv_query=request.GET.urlencode(),
    )
    return render(request, "rooms/insights/dashboard.html", context)


@require_GET
def export_csv(request: HttpRequest) -> HttpResponse:
    """The page's numbers: the daily table, a blank line, the summary (`metric,value`), a blank
    line, the review scores (`score,count`). Headers are stable names, never translated."""
    form = InsightsRangeForm.from_query(request.GET, today=room_today())
    if not form.is_valid():
        errors = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return HttpResponse(errors, status=400, content_type="text/plain; charset=utf-8")
    found = insights_for(span=form.span())
    span = found.span
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="insights-{span.start.isoformat()}-{span.end.isoformat()}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow([c.key for c in present.daily_columns()])
    for row in present.daily_rows(found):
        writer.writerow([row[0].isoformat(), *row[1:]])
    writer.writerow([])
    writer.writerow(["metric", "value"])
    for figure in present.summary(found):
        writer.writerow([figure.key, figure.raw])
    writer.writerow([])
    writer.writerow(["score", "count"])
    for score in present.review_rows(found):
        writer.writerow([score.key, score.count])
    return response
