from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme

from partner42.errors import ApplicationError, error_body


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
