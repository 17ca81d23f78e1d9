"""The my page (SPEC section 9): profile, scores per category, match history with review forms,
the activity history, and a match's page with its members."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.services import (
    user_email_change_request,
    user_email_confirmation_resend,
    user_update_nickname,
)
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


# The my page's sections, each at its own URL (tabs that are plain links: no JavaScript needed).
SECTIONS = ("profile", "scores", "history", "blocks")


def _mypage_context(
    request, *, section: str = "profile", nickname_form=None, email_form=None
) -> dict:
    """What one section shows, and only that (each section reads only its own data)."""
    user = request.user
    context: dict = {"section": section}
    if section == "profile":
        context["nickname_form"] = nickname_form or NicknameForm(
            initial={"nickname": user.nickname}
        )
        context["email_form"] = email_form or EmailForm(initial={"email": user.email or ""})
    elif section == "scores":
        scores = activity_category_scores(user=user)
        context.update(score_rows=_score_rows(scores), total_score=sum(scores.values()))
    elif section == "history":
        page = _page(request)
        params = SliceParams(
            page=page, size=MATCHES_PER_PAGE, order_by=[*MATCH_DEFAULT_ORDER, "-pk"]
        )
        views, has_next = match_list(user=user, params=params)
        now = timezone.now()
        context.update(
            items=[_review_item(request, view, now) for view in views],
            page=page,
            next_page=page + 1 if has_next else None,
            previous_page=page - 1 if page > 0 else None,
        )
    elif section == "blocks":
        context["blocks"] = block_list(blocker=user)
    return context


@login_required
@require_GET
def mypage(request, section: str = "profile"):
    if section not in SECTIONS:
        raise Http404
    forms = {}
    if section == "profile":
        for name, form_class in (("nickname", NicknameForm), ("email", EmailForm)):
            draft = draft_load(request, form=name)
            if draft is not None:  # a refused change, shown again (after a language switch …)
                forms[f"{name}_form"] = draft.bind(form_class)
    return render(
        request, "matching/mypage.html", _mypage_context(request, section=section, **forms)
    )


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
            draft_discard(request, form="nickname")
            return redirect("mypage:index")
    context = _mypage_context(request, nickname_form=form)
    # Rendered at the POST-only /me/nickname/: links and switches must lead back to /me/.
    context.update(
        draft_page_context(request, form="nickname", bound_form=form, page=reverse("mypage:index"))
    )
    return render(request, "matching/mypage.html", context, status=400)


@login_required
@require_POST
def mypage_email(request):
    form = EmailForm(request.POST)
    if form.is_valid():
        try:
            user = user_email_change_request(
                user=request.user,
                email=form.cleaned_data["email"],
                site_url=request.build_absolute_uri("/"),
            )
        except ApplicationError as exc:
            _add_service_errors(request, form, "email", exc)
        else:
            if user.pending_email:
                messages.success(
                    request,
                    _("%(email)s(으)로 확인 메일을 보냈어요. 메일의 링크를 열어야 바뀌어요.")
                    % {"email": user.pending_email},
                )
            else:
                messages.success(request, _("이메일 변경 요청을 취소했어요."))
            draft_discard(request, form="email")
            return redirect("mypage:index")
    context = _mypage_context(request, email_form=form)
    context.update(
        draft_page_context(request, form="email", bound_form=form, page=reverse("mypage:index"))
    )
    return render(request, "matching/mypage.html", context, status=400)


@login_required
@require_POST
def mypage_email_resend(request):
    try:
        user = user_email_confirmation_resend(
            user=request.user, site_url=request.build_absolute_uri("/")
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("%(email)s(으)로 확인 메일을 다시 보냈어요.") % {"email": user.pending_email}
        )
    return redirect("mypage:index")


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
        **(page or {}),
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
