"""The my page (SPEC section 9): profile, scores per category, match history with review forms,
the activity history, and a match's page with its members."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.services import user_update_email, user_update_nickname
from matching.mypage_forms import EmailForm, NicknameForm, ReviewForm
from matching.review_selectors import (
    ACTIVITY_DEFAULT_ORDER,
    MATCH_DEFAULT_ORDER,
    MatchView,
    activity_category_scores,
    activity_history,
    match_get_visible,
    match_list,
)
from matching.review_services import match_review_create
from matching.selectors import block_list, blocked_user_ids
from partner42.choices import ContentCategory
from partner42.errors import ApplicationError, ForbiddenError, NotFoundError
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


def _next_url(request, default: str) -> str:
    target = request.POST.get("next")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _review_item(view: MatchView, now) -> dict:
    """A match of the history with, when the caller may review it now, an empty review form."""
    open_now = view.review_open(now)
    return {
        "view": view,
        "review_open": open_now,
        "review_form": ReviewForm(targets=view.review_targets)
        if view.can_review and open_now
        else None,
    }


def _score_rows(scores: dict[str, int]) -> list[tuple[str, str, int]]:
    return [
        (category, ContentCategory(category).label, total) for category, total in scores.items()
    ]


def _mypage_context(request, *, nickname_form=None, email_form=None) -> dict:
    user = request.user
    page = _page(request)
    params = SliceParams(page=page, size=MATCHES_PER_PAGE, order_by=[*MATCH_DEFAULT_ORDER, "-pk"])
    views, has_next = match_list(user=user, params=params)
    now = timezone.now()
    scores = activity_category_scores(user=user)
    return {
        "blocks": block_list(blocker=user),
        "nickname_form": nickname_form or NicknameForm(initial={"nickname": user.nickname}),
        "email_form": email_form or EmailForm(initial={"email": user.email}),
        "score_rows": _score_rows(scores),
        "total_score": sum(scores.values()),
        "items": [_review_item(view, now) for view in views],
        "page": page,
        "next_page": page + 1 if has_next else None,
        "previous_page": page - 1 if page > 0 else None,
    }


@login_required
@require_GET
def mypage(request):
    return render(request, "matching/mypage.html", _mypage_context(request))


@login_required
@require_POST
def mypage_nickname(request):
    form = NicknameForm(request.POST)
    if form.is_valid():
        try:
            user_update_nickname(user=request.user, nickname=form.cleaned_data["nickname"])
        except ApplicationError as exc:
            _add_service_errors(request, form, "nickname", exc)
        else:
            messages.success(request, _("닉네임을 바꿨어요."))
            return redirect("mypage:index")
    context = _mypage_context(request, nickname_form=form)
    return render(request, "matching/mypage.html", context, status=400)


@login_required
@require_POST
def mypage_email(request):
    form = EmailForm(request.POST)
    if form.is_valid():
        try:
            user_update_email(user=request.user, email=form.cleaned_data["email"])
        except ApplicationError as exc:
            _add_service_errors(request, form, "email", exc)
        else:
            messages.success(request, _("이메일을 바꿨어요."))
            return redirect("mypage:index")
    context = _mypage_context(request, email_form=form)
    return render(request, "matching/mypage.html", context, status=400)


def _add_service_errors(request, form, field: str, exc: ApplicationError) -> None:
    reasons = [error.get("reason") for error in exc.errors if error.get("reason")]
    form.add_error(field, reasons or [exc.message])
    # A write that lost a race may leave the refused value on the user object: the page must
    # keep showing the stored one.
    request.user.refresh_from_db(fields=[field])


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
        "matching/mypage_activities.html",
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
    try:
        return match_get_visible(api_id=match_id, viewer=request.user)
    except NotFoundError as exc:
        raise Http404 from exc
    except ForbiddenError as exc:
        raise PermissionDenied(exc.message) from exc


def _match_detail(request, view: MatchView, *, form: ReviewForm | None = None, status=200):
    now = timezone.now()
    if form is None and view.can_review and view.review_open(now):
        form = ReviewForm(targets=view.review_targets)
    context = {
        "view": view,
        "match": view.match,
        "review_open": view.review_open(now),
        "review_form": form,
        "blocked_ids": blocked_user_ids(blocker=request.user) if view.is_member else set(),
    }
    return render(request, "matching/mypage_match_detail.html", context, status=status)


@login_required
@require_GET
def match_detail(request, match_id):
    return _match_detail(request, _visible_match(request, match_id))


@login_required
@require_POST
@throttle_page(REVIEW)
def match_review(request, match_id):
    view = _visible_match(request, match_id)
    form = ReviewForm(request.POST, targets=view.review_targets)
    if not form.is_valid():
        return _match_detail(request, view, form=form, status=400)
    try:
        match_review_create(match=view.match, reviewer=request.user, scores=form.scores())
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("리뷰를 남겼어요. 고마워요!"))
    return redirect(_next_url(request, reverse("mypage:match_detail", args=[view.match.api_id])))
