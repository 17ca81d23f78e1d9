import logging

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import BadRequest, PermissionDenied, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.http import url_has_allowed_host_and_scheme

from partner42 import views
from partner42.errors import ApplicationError, error_body

logger = logging.getLogger("django.request")


class ApplicationErrorMiddleware:
    """Turn a domain error raised by a non-DRF view into its 4xx answer, never a 500.

    DRF views get this from the exception handler; plain views (pages, the SSE stream) get it here:
    the SPEC JSON body under /api/, elsewhere a message banner on the page the user came from.
    """

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, ApplicationError):
            return None
        if request.path.startswith("/api/"):
            body = error_body(exception.error_code, exception.message, exception.errors)
            return JsonResponse(body, status=exception.status)
        messages.error(request, exception.message)
        referer = request.headers.get("referer", "")
        safe = url_has_allowed_host_and_scheme(
            referer, allowed_hosts={request.get_host()}, require_https=request.is_secure()
        )
        return HttpResponseRedirect(referer if safe and referer else "/")


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
