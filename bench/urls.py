"""The site's urls plus the trivial views that HTTP benchmarks measure themselves against.

`/bench/trivial` is the baseline of every ratio: a plain Django view through the whole middleware
stack. Two more views show what the API's own floor is, for the rooms benchmark's decomposition:
the same answer through DRF (authentication, permissions, content negotiation, the renderer),
and through DRF plus one read of the shared cache (what a cached board or detail page must do to
know it is current).
"""

from django.core.cache import cache
from django.http import JsonResponse
from django.urls import include, path
from rest_framework.permissions import IsAuthenticatedOrReadOnly
from rest_framework.response import Response
from rest_framework.views import APIView

from partner42.urls import handler400, handler403, handler404, handler500  # noqa: F401
from rooms.cache import GENERATION_KEY


def trivial(request):
    return JsonResponse({"ok": True})


class TrivialApi(APIView):
    permission_classes = [IsAuthenticatedOrReadOnly]  # as the rooms' views

    def get(self, request):
        return Response({"ok": True})


class TrivialCachedApi(TrivialApi):
    def get(self, request):
        cache.get(GENERATION_KEY, 0)  # the one Redis GET of a cached board page
        return Response({"ok": True})


urlpatterns = [
    path("bench/trivial", trivial),
    # Under api/ like the API, and before it: resolved as cheaply as the board's first pattern.
    path("api/bench/drf", TrivialApi.as_view()),
    path("api/bench/drf-cache", TrivialCachedApi.as_view()),
    path("", include("partner42.urls")),
]
