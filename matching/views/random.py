"""Random-match pages: choose conditions, wait (live count, cancel), see the match, renew."""

import math
from datetime import timedelta

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.selectors import seoul_today, user_random_snoozed_until
from matching.forms import CategoryForm, RandomMatchForm
from matching.selectors.matches import match_get_for_member
from matching.selectors.meetings import random_match_pause_active
from matching.selectors.random import (
    random_match_last_category,
    random_match_request_get,
    random_match_request_latest,
    random_match_request_waiting,
    random_match_waiting_count,
)
from matching.services.random import (
    random_match_request_cancel,
    random_match_request_create,
    random_match_request_renew,
)
from partner42.choices import ConditionKind, ContentCategory
from partner42.errors import ApplicationError
from partner42.throttling import RANDOM_MATCH, throttle_page

POLL_SECONDS = 3


# A request matched this recently is shown as "the match" in place of a new form (?again=1 skips).
MATCHED_VIEW_HOURS = 3


def _category(value: str | None) -> str:
    value = (value or "").upper()
    return value if value in ContentCategory.values else ContentCategory.MEAL


def _random_url(category: str) -> str:
    return f"{reverse('matching:random')}?category={category}"


@login_required
@throttle_page(RANDOM_MATCH)
def random_match(request):
    """GET: the request form, or the waiting state. POST: queue a request.

    Without `?category=` (the "no partner found" alarm links here) the page opens on the
    category of the user's last request, where its renew button is."""
    category = _category(
        request.POST.get("category")
        or request.GET.get("category")
        or random_match_last_category(user=request.user)
    )
    form = RandomMatchForm(request.POST or None, category=category)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                random_match_request_create(
                    user=request.user,
                    category=category,
                    places=form.cleaned_data["places"],
                    options=form.cleaned_data["options"],
                )
            except ApplicationError as exc:
                # A conflict with what the user already has (RM001): the page shows that state.
                messages.error(request, exc.message)
            else:
                latest = random_match_request_latest(user=request.user, category=category)
                if latest is None or latest.status != latest.Status.MATCHED:
                    messages.success(request, _("매칭을 신청했어요. 상대를 찾는 중이에요!"))
                # Paired at once: the page itself is the news (the matched view), no message.
            return redirect(_random_url(category))
        status = 400
    now = timezone.now()
    waiting = random_match_request_waiting(user=request.user, category=category, now=now)
    latest = random_match_request_latest(user=request.user, category=category, now=now)
    context = {
        "category": category,
        "categories": ContentCategory,
        "form": form,
        "waiting": waiting,
        "latest": latest,
        "count": random_match_waiting_count(category=category, now=now),
        "poll_seconds": POLL_SECONDS,
        # A pause of random matching (the student's settings): shown with how to end it.
        "snoozed_until": user_random_snoozed_until(user=request.user, today=seoul_today(now)),
        # Absences in a row paused random matching: until when, and where to appeal.
        "pause": random_match_pause_active(user=request.user, now=now),
    }
    if waiting is not None:
        context.update(_waiting_context(request.user, waiting, now))
    elif (
        status == 200
        and not request.GET.get("again")
        and latest is not None
        and latest.status == latest.Status.MATCHED
        and latest.match is not None
        and latest.match.created_at >= now - timedelta(hours=MATCHED_VIEW_HOURS)
    ):
        context.update(_matched_context(request.user, latest))
    return render(request, "matching/random.html", context, status=status)


def _waiting_context(user, match_request, now) -> dict:
    """The live count of the others waiting, and the time left before the request expires."""
    seconds_left = max(0, (match_request.expires_at - now).total_seconds())
    return {
        "others_count": random_match_waiting_count(
            category=match_request.category, now=now, exclude_user=user
        ),
        "minutes_left": max(1, math.ceil(seconds_left / 60)),
        "ttl_minutes": settings.RANDOM_MATCH_TTL_MINUTES,
    }


def _matched_context(user, match_request) -> dict:
    """Who, where, when and what next of the request's match (members only)."""
    match = match_get_for_member(user=user, api_id=match_request.match.api_id)
    conditions = list(match.conditions.all())
    return {
        "matched": match,
        "matched_request": match_request,
        "matched_members": [m for m in match.members.all() if m.user_id != user.pk],
        "matched_places": [c.label for c in conditions if c.kind == ConditionKind.PLACE],
        "matched_options": [c.label for c in conditions if c.kind != ConditionKind.PLACE],
        "review_from": match.created_at + timedelta(minutes=settings.REVIEW_DELAY_MINUTES),
    }


@login_required
@require_GET
def random_match_status(request, request_id):
    """The live part of the waiting page (htmx polls it): count, then the result."""
    now = timezone.now()
    match_request = random_match_request_get(user=request.user, api_id=request_id, now=now)
    context = {
        "match_request": match_request,
        "category": match_request.category,
        "poll_seconds": POLL_SECONDS,
        # A pause of random matching (the student's settings): shown with how to end it.
        "snoozed_until": user_random_snoozed_until(user=request.user, today=seoul_today(now)),
    }
    if match_request.status == match_request.Status.WAITING:
        context.update(_waiting_context(request.user, match_request, now))
        return render(request, "matching/partials/status.html", context)
    if match_request.status == match_request.Status.MATCHED and match_request.match is not None:
        context.update(_matched_context(request.user, match_request))
    response = render(request, "matching/partials/status.html", context)
    # The wait is over: the result replaces the whole waiting card, not just its live line.
    response["HX-Retarget"] = "#random-live"
    response["HX-Reswap"] = "outerHTML"
    return response


@login_required
@require_POST
def random_match_cancel(request):
    form = CategoryForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest()
    category = form.cleaned_data["category"]
    try:
        random_match_request_cancel(user=request.user, category=category)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("매칭 신청을 취소했어요."))
    return redirect(_random_url(category))


@login_required
@throttle_page(RANDOM_MATCH)
def random_match_renew(request):
    """GET: requests that expired unmatched, one click each to queue them again. POST: renew."""
    if request.method == "POST":
        form = CategoryForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest()
        category = form.cleaned_data["category"]
        try:
            random_match_request_renew(user=request.user, category=category)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("같은 조건으로 다시 신청했어요."))
        return redirect(_random_url(category))
    expired = []
    for category in ContentCategory:
        latest = random_match_request_latest(user=request.user, category=category)
        if latest is not None and latest.status == latest.Status.EXPIRED:
            expired.append(latest)
    return render(request, "matching/renew.html", {"expired": expired})
