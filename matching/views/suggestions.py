"""Where a meal match eats, on its page: the suggestions section's context, and the pin form
(`POST /random/matches/<id>/restaurant/`, without JavaScript back to the match page; with htmx
the section is swapped in place)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from matching.selectors.matches import MatchView, match_get_visible
from matching.selectors.suggestions import match_suggestions
from matching.services.suggestions import match_restaurant_pin
from partner42.errors import ApplicationError
from partner42.navigation import safe_next

PARTIAL = "matching/partials/_suggestions.html"


def match_suggestions_context(view: MatchView) -> dict:
    """The match page's "where to eat" section (matching/partials/_suggestions.html)."""
    return {"eat": match_suggestions(view)}


@login_required
@require_POST
def match_restaurant_pin_page(request, match_id):
    """POST `restaurant_id` pins it; `unpin` (or an empty id) takes the pin away."""
    # An outsider gets the 403 page here (a match they may not see), as on the match page.
    view = match_get_visible(api_id=match_id, viewer=request.user)
    restaurant_id = None if request.POST.get("unpin") else request.POST.get("restaurant_id") or None
    back = safe_next(
        request,
        request.POST.get("next"),
        reverse("mypage:match_detail", args=[view.match.api_id]),
    )
    error = None
    try:
        match_restaurant_pin(match=view.match, user=request.user, restaurant_id=restaurant_id)
    except ApplicationError as exc:
        error = exc.errors[0]["reason"] if exc.errors else exc.message
    if request.htmx:
        view = match_get_visible(api_id=match_id, viewer=request.user)
        context = {"view": view, "match": view.match, "pin_error": error, "page_url": back}
        context.update(match_suggestions_context(view))
        # 200 even when refused: htmx swaps only successful answers, and the section shows why.
        return render(request, PARTIAL, context)
    if error:
        messages.error(request, error)
    elif restaurant_id is None:
        messages.success(request, _("정한 식당을 취소했어요."))
    else:
        messages.success(request, _("식당을 정했어요. 동료도 매칭 페이지에서 볼 수 있어요."))
    return redirect(back)
