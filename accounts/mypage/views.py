"""The my page (SPEC section 9): the student's own page.

The profile (nickname, email, introduction) and the settings (the student's preferences) are
this app's; the other sections (scores, match history with
review forms, blocks) and the pages about matches (`/me/activities/`, `/matches/<id>/`) are given
by the apps that own their data, named by dotted path on their AppConfig (`mypage_sections`,
`mypage_pages`), so accounts never imports them.
"""

from collections.abc import Callable
from functools import cache

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from accounts.mypage.forms import EmailForm, NicknameForm, PreferencesForm, ProfileForm
from accounts.selectors import user_random_snoozed_until
from accounts.services import (
    user_email_change_request,
    user_email_confirmation_resend,
    user_preferences_update,
    user_profile_update,
    user_update_nickname,
)
from partner42.errors import ApplicationError
from partner42.navigation import draft_discard, draft_load, draft_page_context, safe_next

PROFILE = "profile"
SETTINGS = "settings"
# This app's own sections and the forms each shows (the name a draft is kept under → class).
OWN_SECTIONS = {
    PROFILE: {"nickname": NicknameForm, "email": EmailForm, "profile": ProfileForm},
    SETTINGS: {"preferences": PreferencesForm},
}


@cache
def mypage_sections() -> dict[str, Callable[..., dict]]:
    """The sections the installed apps give (name → `(request) -> context`), in INSTALLED_APPS
    order; each is shown at `/me/<name>/`, a tab that is a plain link (no JavaScript needed)."""
    return {
        name: import_string(dotted_path)
        for config in apps.get_app_configs()
        for name, dotted_path in getattr(config, "mypage_sections", {}).items()
    }


def mypage_pages() -> list[tuple[str, Callable, str]]:
    """The pages the installed apps put in the `mypage` namespace: (route, view, URL name)."""
    return [
        (route, import_string(dotted_path), name)
        for config in apps.get_app_configs()
        for route, dotted_path, name in getattr(config, "mypage_pages", ())
    ]


def _mypage_context(
    request,
    *,
    section: str = PROFILE,
    nickname_form=None,
    email_form=None,
    profile_form=None,
    preferences_form=None,
) -> dict:
    """What one section shows, and only that (each section reads only its own data)."""
    user = request.user
    context: dict = {"section": section}
    if section == PROFILE:
        context["nickname_form"] = nickname_form or NicknameForm(
            initial={"nickname": user.nickname}
        )
        context["email_form"] = email_form or EmailForm(initial={"email": user.email or ""})
        context["profile_form"] = profile_form or ProfileForm.for_user(user)
    elif section == SETTINGS:
        context["preferences_form"] = preferences_form or PreferencesForm.for_user(user)
        context["snoozed_until"] = user_random_snoozed_until(user=user)
    else:
        context.update(mypage_sections()[section](request))
    return context


@login_required
@require_GET
def mypage(request, section: str = PROFILE):
    if section not in OWN_SECTIONS and section not in mypage_sections():
        raise Http404
    forms = {}
    for name, form_class in OWN_SECTIONS.get(section, {}).items():
        draft = draft_load(request, form=name)
        if draft is not None:  # a refused change, shown again (after a language switch …)
            forms[f"{name}_form"] = draft.bind(form_class)
    return render(
        request, "accounts/mypage.html", _mypage_context(request, section=section, **forms)
    )


@login_required
@require_POST
def mypage_profile(request):
    """The introduction: bio and interests, every problem of both shown at once."""
    form = ProfileForm(request.POST)
    if form.is_valid():
        try:
            user_profile_update(user=request.user, **form.cleaned_data)
        except ApplicationError as exc:
            _add_field_errors(request, form, exc, fields=["bio", "interests"])
        else:
            messages.success(request, _("소개를 저장했어요."))
            draft_discard(request, form="profile")
            return redirect("mypage:index")
    context = _mypage_context(request, profile_form=form)
    context.update(
        draft_page_context(request, form="profile", bound_form=form, page=reverse("mypage:index"))
    )
    return render(request, "accounts/mypage.html", context, status=400)


@login_required
@require_POST
def mypage_preferences(request):
    form = PreferencesForm(request.POST)
    if form.is_valid():
        try:
            user_preferences_update(user=request.user, **form.changes(), today=form.today)
        except ApplicationError as exc:
            _add_field_errors(
                request,
                form,
                exc,
                fields=["slack_notices", "muted_alarm_types", "random_snooze_until", "language"],
            )
        else:
            # Saved in the language just chosen (the middleware read the old one).
            if request.user.language:
                translation.activate(request.user.language)
            messages.success(request, _("설정을 저장했어요."))
            draft_discard(request, form="preferences")
            return redirect("mypage:settings")
    page = reverse("mypage:settings")
    context = _mypage_context(request, section=SETTINGS, preferences_form=form)
    context.update(draft_page_context(request, form="preferences", bound_form=form, page=page))
    return render(request, "accounts/mypage.html", context, status=400)


@login_required
@require_POST
def mypage_snooze_end(request):
    """End a pause of random matching now (from the settings or the random-match page)."""
    user_preferences_update(user=request.user, random_snooze_until=None)
    messages.success(request, _("랜덤 매칭 쉬기를 끝냈어요. 지금 신청할 수 있어요."))
    return redirect(safe_next(request, request.POST.get("next"), reverse("mypage:settings")))


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
    return render(request, "accounts/mypage.html", context, status=400)


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
    return render(request, "accounts/mypage.html", context, status=400)


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


def _add_field_errors(request, form, exc: ApplicationError, *, fields: list[str]) -> None:
    """A refusal only the service knew, on the form: its reasons, or its message on top."""
    reasons = [error.get("reason") for error in exc.errors if error.get("reason")]
    form.add_error(None, reasons or [exc.message])
    request.user.refresh_from_db(fields=fields)


def _add_service_errors(request, form, field: str, exc: ApplicationError) -> None:
    reasons = [error.get("reason") for error in exc.errors if error.get("reason")]
    form.add_error(field, reasons or [exc.message])
    # A write that lost a race may leave the refused value on the user object: the page must
    # keep showing the stored one.
    request.user.refresh_from_db(fields=[field])
