"""Block pages: the caller's private block list, block and unblock (from any page, `next`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.selectors import user_get
from matching.forms import BlockForm
from matching.selectors.blocks import block_list
from matching.services.blocks import block_create, block_delete
from partner42.errors import ApplicationError
from partner42.navigation import safe_next


def _next_url(request, default: str) -> str:
    return safe_next(request, request.POST.get("next") or request.GET.get("next"), default)


@login_required
def block_list_page(request):
    """GET: the caller's private block list. POST `user_id`: block that user."""
    if request.method == "POST":
        form = BlockForm(request.POST)
        if not form.is_valid():
            return HttpResponseBadRequest()
        try:
            blocked = user_get(api_id=form.cleaned_data["user_id"])
            block_create(blocker=request.user, blocked=blocked)
        except ApplicationError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("%(nickname)s 님과는 더 이상 매칭되지 않아요.") % {"nickname": blocked.nickname},
            )
        return redirect(_next_url(request, reverse("matching:blocks")))
    return render(request, "matching/blocks.html", {"blocks": block_list(blocker=request.user)})


@login_required
@require_POST
def block_remove(request, user_id):
    try:
        blocked = user_get(api_id=user_id)
    except ApplicationError as exc:
        messages.error(request, exc.message)
    else:
        if block_delete(blocker=request.user, blocked=blocked):
            messages.success(
                request, _("%(nickname)s 님의 차단을 풀었어요.") % {"nickname": blocked.nickname}
            )
    return redirect(_next_url(request, reverse("matching:blocks")))


def mypage_blocks(request) -> dict:
    """The my page's blocks section (given to accounts.mypage, see matching/apps.py)."""
    return {"blocks": block_list(blocker=request.user)}
