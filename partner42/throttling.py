"""Per-user budgets for the writes people can flood, shared by the API and the pages.

One budget per kind of write (scope) and user, counted in DRF's throttle cache (Redis), at the
rates of `REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"]`: a student posting comments from the page and
from the React client spends one budget. The API finds the scope from the route
(`WriteRateThrottle` is one of DRF's default throttle classes); a page view names it with
`@throttle_page(scope)`. Only writes count: reading a board never spends a budget.
"""

import math
from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from rest_framework.permissions import SAFE_METHODS
from rest_framework.settings import api_settings
from rest_framework.throttling import SimpleRateThrottle

from partner42.errors import ErrorCode
from partner42.net import ClientIpThrottleMixin

ROOM_CREATE = "room_create"
COMMENT = "comment"
PARTICIPATION = "participation"  # join and leave share one budget
RANDOM_MATCH = "random_match"
REVIEW = "review"

# API routes ("namespace:name") whose writes spend a budget.
API_SCOPES = {
    "rooms-api:articles": ROOM_CREATE,
    "rooms-api:opinions": COMMENT,
    "rooms-api:article-participate": PARTICIPATION,
    "rooms-api:article-participate-cancel": PARTICIPATION,
    "matching-api:random-match-create": RANDOM_MATCH,
    "matching-api:match-review": REVIEW,
    "matching-api:match-meeting": REVIEW,
}


class WriteRateThrottle(ClientIpThrottleMixin, SimpleRateThrottle):
    """A user's budget for one kind of write; anonymous callers are counted by address."""

    def __init__(self, scope: str | None = None) -> None:
        # Not SimpleRateThrottle.__init__: the API's scope is only known with the request.
        self.scope = scope

    def get_rate(self) -> str | None:
        # Read at each request, not at import (DRF's THROTTLE_RATES): settings may change.
        return api_settings.DEFAULT_THROTTLE_RATES.get(self.scope)

    def allow_request(self, request, view) -> bool:
        if request.method in SAFE_METHODS:
            return True
        if self.scope is None:
            self.scope = _api_scope(request)
        self.rate = self.get_rate() if self.scope else None
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_cache_key(self, request, view) -> str:
        user = request.user
        ident = user.pk if user.is_authenticated else self.get_ident(request)
        return self.cache_format % {"scope": self.scope, "ident": ident}


def _api_scope(request) -> str | None:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return None
    return API_SCOPES.get(f"{match.namespace}:{match.url_name}")


def throttle_page(scope: str) -> Callable:
    """Give a page view's POSTs the API's budget for `scope`; over it, a 429 page.

    Put it under `@login_required`, so that the budget is the user's.
    """

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            throttle = WriteRateThrottle(scope)
            if not throttle.allow_request(request, None):
                return throttled_page(request, throttle.wait())
            return view(request, *args, **kwargs)

        return wrapped

    return decorator


def throttled_page(request: HttpRequest, wait: float | None) -> HttpResponse:
    seconds = max(1, math.ceil(wait)) if wait is not None else None
    response = render(
        request,
        "429.html",
        {"message": ErrorCode.THROTTLED.message, "seconds": seconds, "back": _back(request)},
        status=429,
    )
    if seconds is not None:
        response["Retry-After"] = str(seconds)
    return response


def _back(request: HttpRequest) -> str:
    referer = request.headers.get("referer", "")
    safe = url_has_allowed_host_and_scheme(
        referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    )
    return referer if referer and safe else "/"
