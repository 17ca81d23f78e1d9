from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from accounts.demo import demo_login_choices
from accounts.forms import DemoLoginForm
from accounts.services import email_confirmation_claim, user_email_confirm, user_language_set
from partner42.demo import demo_login_enabled
from partner42.errors import ApplicationError


def _login_context(demo_form: DemoLoginForm | None = None) -> dict:
    if not demo_login_enabled():
        return {}
    return {"demo_students": demo_login_choices(), "demo_form": demo_form}


def login_page(request):
    if request.user.is_authenticated:
        return redirect("accounts:choose")
    return render(request, "accounts/login.html", _login_context())


def demo_login(request):
    # Checked before the method so that outside the embedded default the view does not exist.
    if not demo_login_enabled():
        raise Http404
    if request.method != "POST":
        return HttpResponseNotAllowed(["POST"])
    form = DemoLoginForm(request.POST)
    if not form.is_valid():
        return render(request, "accounts/login.html", _login_context(form), status=400)
    user = form.cleaned_data["user"]
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    messages.success(request, _("%(nickname)s 님으로 로그인했어요.") % {"nickname": user.nickname})
    # The demo operator is there to show the admin.
    return redirect("admin:index" if user.is_staff else "accounts:choose")


@login_required
def choose(request):
    return render(request, "accounts/choose.html")


@require_POST
def logout_view(request):
    logout(request)
    messages.info(request, _("로그아웃했어요. 또 만나요!"))
    return redirect("accounts:login")


@login_required
def email_confirm(request, token: str):
    """The link of a confirmation mail: GET shows what it confirms, POST confirms it.

    A GET changes nothing, so a mail scanner that opens links cannot confirm for the student.
    """
    if request.method not in ("GET", "POST"):
        return HttpResponseNotAllowed(["GET", "POST"])
    try:
        if request.method == "POST":
            user_email_confirm(user=request.user, token=token)
        else:
            email = email_confirmation_claim(user=request.user, token=token)
    except ApplicationError as exc:
        return render(
            request, "accounts/email_confirm.html", {"error": exc.message}, status=exc.status
        )
    if request.method == "POST":
        messages.success(
            request, _("이메일을 %(email)s(으)로 바꿨어요.") % {"email": request.user.email}
        )
        return redirect("mypage:index")
    return render(request, "accounts/email_confirm.html", {"email": email})


def language_set(request):
    """The footer's language switch: Django's `set_language` (cookie, then `next`), and for a
    logged-in student their language preference too, so the choice follows them to every
    browser (accounts.middleware.UserLanguageMiddleware)."""
    language = request.POST.get("language", "") if request.method == "POST" else ""
    if request.user.is_authenticated and language in dict(settings.LANGUAGES):
        user_language_set(user=request.user, language=language)
    return set_language(request)
