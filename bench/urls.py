"""The site's urls plus the trivial JSON view that HTTP benchmarks measure themselves against."""

from django.http import JsonResponse
from django.urls import include, path

from partner42.urls import handler400, handler403, handler404, handler500  # noqa: F401


def trivial(request):
    return JsonResponse({"ok": True})


urlpatterns = [
    path("bench/trivial", trivial),
    path("", include("partner42.urls")),
]
