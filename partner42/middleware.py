import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.core.handlers.asgi import ASGIHandler
from django.core.handlers.exception import response_for_exception
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme

from partner42 import views
from partner42.errors import (
    ApplicationError,
    ErrorCode,
    ForbiddenError,
    NotFoundError,
    error_body,
)
from partner42.exception_handler import database_unavailable, discard_broken_connections

API_PREFIX = "/api/"

# The SPEC code of an error status Django or the server produced on its own (no exception of ours).
_STATUS_CODES = {
    400: ErrorCode.INVALID_INPUT,
    403: ErrorCode.FORBIDDEN,
    404: ErrorCode.NOT_FOUND,
    405: ErrorCode.METHOD_NOT_ALLOWED,
    413: ErrorCode.PAYLOAD_TOO_LARGE,
    415: ErrorCode.UNSUPPORTED_MEDIA_TYPE,
}


def api_error_for_status(status: int) -> JsonResponse:
    """The SPEC error body for a bare HTTP error status (500 and unknown ones: C004)."""
    code = _STATUS_CODES.get(status, ErrorCode.INTERNAL)
    body = error_body(code)
    body["status"] = status
    return JsonResponse(body, status=status)


def _is_json(response: HttpResponse) -> bool:
    return response.get("Content-Type", "").startswith("application/json")


logger = logging.getLogger("django.request")


class ApplicationErrorMiddleware:
    """Turn a domain error raised by a non-DRF view into its 4xx answer, never a 500.

    DRF views get this from the exception handler; plain views (pages, the SSE stream) get it here:
    the SPEC JSON body under /api/; on a page, the 404 or 403 page for `NotFoundError` and
    `ForbiddenError` (pages let them rise: they never convert them by hand), elsewhere a message
    banner on the page the user came from.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            (response.status_code in _STATUS_CODES or response.status_code == 500)
            and request.path.startswith(API_PREFIX)
            and not _is_json(response)
            and not response.streaming
        ):
            # Django's own answers that bypass the error handlers: with DEBUG the technical 404
            # page of an unknown path (raised by the URL resolver, before any view) and the
            # technical 400/500 pages; a bare 405 of a plain view. The API speaks JSON whatever
            # DEBUG is.
            replaced = api_error_for_status(response.status_code)
            if "Allow" in response:
                replaced["Allow"] = response["Allow"]
            return replaced
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if database_unavailable(exception):
            # Not a bug: the database dropped the connection. 503 (C012 under /api/), and the
            # dead connection goes, so the next request works on a new one.
            discard_broken_connections(exception)
            return views.service_unavailable(request)
        if not isinstance(exception, ApplicationError):
            return None
        if request.path.startswith(API_PREFIX):
            body = error_body(exception.error_code, exception.message, exception.errors)
            return JsonResponse(body, status=exception.status)
        if isinstance(exception, NotFoundError):
            return _page_for(request, Http404(exception.message))
        if isinstance(exception, ForbiddenError):
            return _page_for(request, PermissionDenied(exception.message))
        messages.error(request, exception.message)
        referer = request.headers.get("referer", "")
        safe = url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return HttpResponseRedirect(referer if safe and referer else "/")


def _page_for(request: HttpRequest, exception: Exception) -> HttpResponse:
    """What Django answers for `exception` raised by a view, the friendly pages included."""
    friendly = FriendlyErrorPagesMiddleware(None).process_exception(request, exception)
    return friendly if friendly is not None else response_for_exception(request, exception)


class FriendlyErrorPagesMiddleware:
    """With DEBUG on (`make run`), still answer the site's own 404/403/400/500 pages.

    Django shows its technical pages whenever DEBUG is on; a student trying the embedded default
    should see what production shows. `DEBUG_TECHNICAL_PAGES=true` brings the technical pages back
    for a developer. With DEBUG off this does nothing (Django already uses the handlers).
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    @staticmethod
    def _active() -> bool:
        return settings.DEBUG and not settings.DEBUG_TECHNICAL_PAGES

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._active():
            urlconf = getattr(request, "urlconf", None)
            try:
                resolve(request.path_info, urlconf)
            except Resolver404 as exc:
                if not settings.APPEND_SLASH or request.path_info.endswith("/"):
                    return views.page_not_found(request, exc)
                try:  # CommonMiddleware redirects to the slashed path when that exists
                    resolve(request.path_info + "/", urlconf)
                except Resolver404:
                    return views.page_not_found(request, exc)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not self._active():
            return None
        if isinstance(exception, Http404):
            return views.page_not_found(request, exception)
        if isinstance(exception, PermissionDenied):
            return views.permission_denied(request, exception)
        if isinstance(exception, BadRequest | SuspiciousOperation):
            return views.bad_request(request, exception)
        if isinstance(exception, ApplicationError):
            return None  # ApplicationErrorMiddleware's
        logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exception,
            extra={"request": request},
        )
        return views.server_error(request)


class ApiASGIHandler(ASGIHandler):
    """Django's ASGI handler, with the SPEC JSON body for the requests it refuses itself.

    An undecodable query string (400) or an oversized body (413) is answered before any
    middleware runs, with an empty or plain-text body; under `/api/` it is the JSON error.
    """

    def create_request(self, scope, body_file):
        request, error = super().create_request(scope, body_file)
        if error is not None and str(scope.get("path", "")).startswith(API_PREFIX):
            error = api_error_for_status(error.status_code)
        return request, error


def daphne_leave_bodies_to_django() -> None:
    """Stop daphne's Twisted layer from parsing POST bodies itself.

    Twisted's `Request` parses multipart and form bodies into `request.args` (which daphne never
    reads) and answers a multipart body it cannot parse with its own empty 400, before the ASGI
    application sees the request. Django parses bodies; with this, a malformed one reaches the API
    and gets its JSON error (C009 where multipart is not taken, C001 where it is).
    """
    from daphne.http_protocol import WebRequest

    if getattr(WebRequest.__init__, "_p42_leaves_bodies", False):
        return
    original = WebRequest.__init__

    def __init__(self, *args, **kwargs):
        kwargs["parsePOSTFormSubmission"] = False
        original(self, *args, **kwargs)

    __init__._p42_leaves_bodies = True
    WebRequest.__init__ = __init__
