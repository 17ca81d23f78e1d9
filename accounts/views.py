from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST


def login_page(request):
    if request.user.is_authenticated:
        return redirect("accounts:choose")
    return render(request, "accounts/login.html")


@login_required
def choose(request):
    return render(request, "accounts/choose.html")


@require_POST
def logout_view(request):
    logout(request)
    return redirect("accounts:login")
