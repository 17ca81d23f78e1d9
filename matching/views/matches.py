"""The pages of a match: its page (members, conditions, the review form) at `/matches/<id>/`
and `/random/matches/<id>/`, the review, and what the my page shows of matches and scores
(given to accounts.mypage through the AppConfig, see matching/apps.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from matching.forms import ReviewForm
from matching.selectors.blocks import blocked_user_ids
from matching.selectors.matches import MATCH_DEFAULT_ORDER, MatchView, match_get_visible, match_list
from matching.selectors.reviews import (
    ACTIVITY_DEFAULT_ORDER,
    activity_category_scores,
    activity_history,
)
from matching.services.reviews import match_review_create
from matching.views.meetings import meeting_context
from matching.views.suggestions import match_suggestions_context
from partner42.choices import ContentCategory
from partner42.errors import ApplicationError
from partner42.navigation import draft_discard, draft_load, draft_page_context, safe_next
from partner42.pagination import SliceParams
from partner42.throttling import REVIEW, throttle_page

MATCHES_PER_PAGE = 10
ACTIVITIES_PER_PAGE = 20
MAX_PAGE = 100_000


def _page(request) -> int:
    """The 0-based page of `?page=`; nonsense is the first page, and far pages are capped (an
    OFFSET beyond the database's range would be an error, not an empty page)."""
    try:
        return min(max(0, int(request.GET.get("page", "0"))), MAX_PAGE)
    except ValueError:
        return 0


def _review_key(match) -> str:
    return f"review:{match.api_id}"


def _review_form(request, view: MatchView) -> ReviewForm:
    """An empty review form, or the draft the student was sent back with (`?draft=`)."""
    draft = draft_load(request, form=_review_key(view.match))
    if draft is not None:
        return draft.bind(ReviewForm, targets=view.review_targets)
    return ReviewForm(targets=view.review_targets)


def _review_item(request, view: MatchView, now) -> dict:
    """A match of the history with, when the caller may review it now, a review form."""
    open_now = view.review_open(now)
    return {
        "view": view,
        "review_open": open_now,
        "review_form": _review_form(request, view) if view.can_review and open_now else None,
    }


def _score_rows(scores: dict[str, int]) -> list[tuple[str, str, int]]:
    return [
        (category, ContentCategory(category).label, total) for category, total in scores.items()
    ]


def mypage_scores(request) -> dict:
    """The my page's scores section: the score per category and the total."""
    scores = activity_category_scores(user=request.user)
    return {"score_rows": _score_rows(scores), "total_score": sum(scores.values())}


def mypage_history(request) -> dict:
    """The my page's history section: the caller's matches, a page at a time, with review forms."""
    page = _page(request)
    params = SliceParams(page=page, size=MATCHES_PER_PAGE, order_by=[*MATCH_DEFAULT_ORDER, "-pk"])
    views, has_next = match_list(user=request.user, params=params)
    now = timezone.now()
    return {
        "items": [_review_item(request, view, now) for view in views],
        "page": page,
        "next_page": page + 1 if has_next else None,
        "previous_page": page - 1 if page > 0 else None,
    }


@login_required
@require_GET
def activity_history_page(request):
    page = _page(request)
    params = SliceParams(
        page=page, size=ACTIVITIES_PER_PAGE, order_by=[*ACTIVITY_DEFAULT_ORDER, "-pk"]
    )
    rows, has_next = activity_history(user=request.user, params=params)
    scores = activity_category_scores(user=request.user)
    return render(
        request,
        "accounts/mypage_activities.html",
        {
            "rows": rows,
            "score_rows": _score_rows(scores),
            "total_score": sum(scores.values()),
            "page": page,
            "next_page": page + 1 if has_next else None,
            "previous_page": page - 1 if page > 0 else None,
        },
    )


def _visible_match(request, match_id) -> MatchView:
    # NotFoundError and ForbiddenError rise to ApplicationErrorMiddleware: the 404 or 403 page.
    return match_get_visible(api_id=match_id, viewer=request.user)


def _match_detail(
    request, view: MatchView, *, form: ReviewForm | None = None, status=200, page=None
):
    now = timezone.now()
    if form is None and view.can_review and view.review_open(now):
        form = _review_form(request, view)
    context = {
        "view": view,
        "match": view.match,
        "review_open": view.review_open(now),
        "review_form": form,
        "blocked_ids": blocked_user_ids(blocker=request.user) if view.is_member else set(),
        **match_suggestions_context(view),
        **meeting_context(view, now=now),
        **(page or {}),
    }
    return render(request, "matching/match_detail.html", context, status=status)


@login_required
@require_GET
def match_detail(request, match_id):
    return _match_detail(request, _visible_match(request, match_id))


@login_required
@require_GET
def random_match_detail(request, match_id):
    """`/random/matches/<id>/`, where the random-match pages and alarms link: the same page. A
    room's match answers at `/matches/<id>/` (its page hides an anonymous author)."""
    view = _visible_match(request, match_id)
    if view.match.room_id is not None:
        return redirect("mypage:match_detail", view.match.api_id)
    return _match_detail(request, view)


@login_required
@require_POST
@throttle_page(REVIEW)
def match_review(request, match_id):
    view = _visible_match(request, match_id)
    # Back to the page the form was on (the my page or the match's page), never to this POST-only
    # URL: a stale `next` naming it is refused like an offsite one.
    back = safe_next(
        request,
        request.POST.get("next"),
        reverse("mypage:match_detail", args=[view.match.api_id]),
    )
    form = ReviewForm(request.POST, targets=view.review_targets)
    if not form.is_valid():
        page = draft_page_context(request, form=_review_key(view.match), bound_form=form, page=back)
        return _match_detail(request, view, form=form, status=400, page=page)
    try:
        match_review_create(match=view.match, reviewer=request.user, scores=form.scores())
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("리뷰를 남겼어요. 고마워요!"))
        draft_discard(request, form=_review_key(view.match))
    return redirect(back)
