""" "Did you meet?" on the match page: what the page shows a member (`meeting_context`, called
by matching.views.matches) and the answer's form (`match_meeting`, POST), which always returns
to the match page."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from matching.forms import MeetingForm
from matching.selectors.matches import MatchView, match_get_visible
from matching.selectors.meetings import meeting_state
from matching.services.meetings import meeting_report_submit
from partner42.errors import ApplicationError
from partner42.throttling import REVIEW, throttle_page


def meeting_context(view: MatchView, *, now=None) -> dict:
    """The page's "did you meet?" part: nothing for a viewer who is not a member, else the
    state and, while the member may answer, the form (one query, only while answers are open)."""
    now = now or timezone.now()
    state = meeting_state(view=view, now=now)
    if state is None:
        return {"meeting": None}
    form = MeetingForm(targets=view.review_targets) if state.can_report else None
    return {"meeting": state, "meeting_form": form, "now": now}


@login_required
@require_POST
@throttle_page(REVIEW)
def match_meeting(request, match_id):
    # NotFoundError and ForbiddenError rise to ApplicationErrorMiddleware: the 404 or 403 page.
    view = match_get_visible(api_id=match_id, viewer=request.user)
    back = reverse("mypage:match_detail", args=[view.match.api_id]) + "#meeting"
    form = MeetingForm(request.POST, targets=view.review_targets)
    if not form.is_valid():
        messages.error(request, _("만났는지 골라 주세요."))
        return redirect(back)
    try:
        meeting_report_submit(
            match=view.match,
            reporter=request.user,
            met=form.cleaned_data["met"],
            absent=form.absent_users(),
        )
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("알려 주셔서 고마워요!"))
    return redirect(back)
