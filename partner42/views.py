"""Operations endpoints (liveness, readiness, metrics) and the error handlers of the URLconf.

The error handlers answer the SPEC section 10 JSON body on `/api/` paths and an HTML page elsewhere;
an error page must never fail itself, so a page that cannot render falls back to plain HTML.
"""

import hmac
import ipaddress
import logging
import sys
import uuid
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.core.cache import caches
from django.core.exceptions import RequestDataTooBig
from django.db import connections
from django.http import HttpRequest, HttpResponse, HttpResponseForbidden, JsonResponse
from django.template import loader
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_safe
from django_prometheus.exports import ExportToDjangoView

from partner42.celery import app as celery_app
from partner42.errors import ErrorCode, error_body

logger = logging.getLogger(__name__)

# Seconds a readiness check may take; the probe answers within about this time in all cases.
READY_CHECK_TIMEOUT = 3.0


@require_safe
@never_cache
def healthz(request: HttpRequest) -> JsonResponse:
    """Liveness: the process answers. No I/O, so a slow database never restarts the web tier."""
    return JsonResponse({"status": "ok"})


@require_safe
@never_cache
def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database, the cache and the Celery broker answer, each within a timeout."""
    checks: dict[str, Callable[[], None]] = {
        "database": _check_database,
        "cache": _check_cache,
        "broker": _check_broker,
    }
    # Each check runs in its own thread so that a dependency that hangs (a dropped packet rather
    # than a refused connection) costs the probe the timeout, not the driver's minutes.
    executor = ThreadPoolExecutor(max_workers=len(checks), thread_name_prefix="readyz")
    futures = {name: executor.submit(check) for name, check in checks.items()}
    results: dict[str, str] = {}
    for name, future in futures.items():
        try:
            future.result(timeout=READY_CHECK_TIMEOUT)
        except FutureTimeout:
            logger.warning("readiness check %s timed out", name)
            results[name] = "timeout"
        except Exception as exc:
            logger.warning("readiness check %s failed", name, exc_info=True)
            results[name] = f"error: {type(exc).__name__}"
        else:
            results[name] = "ok"
    executor.shutdown(wait=False, cancel_futures=True)

    failing = [name for name, result in results.items() if result != "ok"]
    body = {"status": "unavailable" if failing else "ok", "checks": results}
    if failing:
        body["failing"] = failing
    return JsonResponse(body, status=503 if failing else 200)


def _check_database() -> None:
    connection = connections["default"]
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    finally:
        # A thread of its own has a connection of its own: close it, nobody will reuse it.
        connection.close()


def _check_cache() -> None:
    cache = caches["default"]
    ping = getattr(cache, "ping", None)
    if ping is not None:  # the fail-open cache would hide its error: ask Redis itself
        ping()
    key = f"readyz:{uuid.uuid4().hex}"
    cache.set(key, "ok", timeout=10)
    try:
        if cache.get(key) != "ok":
            raise RuntimeError("the cache did not return the value just stored")
    finally:
        cache.delete(key)


def _check_broker() -> None:
    with celery_app.connection_for_write() as connection:
        connection.ensure_connection(max_retries=0, timeout=READY_CHECK_TIMEOUT)


@never_cache
def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus metrics, for the allowed addresses or the bearer of METRICS_TOKEN."""
    if not (_metrics_token_ok(request) or _metrics_address_ok(request)):
        return HttpResponseForbidden("Forbidden\n", content_type="text/plain")
    return ExportToDjangoView(request)


def _metrics_token_ok(request: HttpRequest) -> bool:
    token = settings.METRICS_TOKEN
    if not token:
        return False
    header = request.headers.get("Authorization", "")
    scheme, _, value = header.partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(value.strip(), token)


def _metrics_address_ok(request: HttpRequest) -> bool:
    try:
        address = ipaddress.ip_address(request.META.get("REMOTE_ADDR", ""))
    except ValueError:
        return False
    for allowed in settings.METRICS_ALLOWED_IPS:
        try:
            if address in ipaddress.ip_network(allowed, strict=False):
                return True
        except ValueError:
            logger.warning("METRICS_ALLOWED_IPS: %r is not an address or network", allowed)
    return False


# --- Error handlers (handler400/403/404/500 in the URLconf) ----------------------------------


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith("/api/")


def _api_error(code: ErrorCode) -> JsonResponse:
    return JsonResponse(
        error_body(code), status=code.status, json_dumps_params={"ensure_ascii": False}
    )


def _page(request: HttpRequest | None, template_name: str, status: int, title: str):
    try:
        content = loader.render_to_string(template_name, request=request)
    except Exception:
        # The page itself failed (a missing base template, a database down for the context
        # processors): the visitor still gets an answer with the right status.
        logger.exception("error page %s could not be rendered", template_name)
        content = f"<!doctype html><title>{title}</title><h1>{title}</h1>"
    return HttpResponse(content, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        too_big = isinstance(exception, RequestDataTooBig)
        return _api_error(ErrorCode.PAYLOAD_TOO_LARGE if too_big else ErrorCode.INVALID_INPUT)
    return _page(request, "400.html", 400, "400 Bad Request")


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error(ErrorCode.FORBIDDEN)
    return _page(request, "403.html", 403, "403 Forbidden")


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error(ErrorCode.NOT_FOUND)
    return _page(request, "404.html", 404, "404 Not Found")


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    # Django calls this inside its `except`: an error outside any view (a session read in a
    # middleware) that is the database out of reach is a 503, like one inside a view.
    from partner42.exception_handler import database_unavailable, discard_broken_connections

    error = sys.exc_info()[1]
    if error is not None and database_unavailable(error):
        discard_broken_connections(error)
        return service_unavailable(request)
    if _is_api(request):
        return _api_error(ErrorCode.INTERNAL)
    # No request context: its processors may be what failed.
    return _page(None, "500.html", 500, "500 Server Error")


def service_unavailable(request: HttpRequest) -> HttpResponse:
    """503: the database dropped the connection or is out of reach; the client may retry."""
    from partner42.exception_handler import RETRY_AFTER_SECONDS

    if _is_api(request):
        response = _api_error(ErrorCode.SERVICE_UNAVAILABLE)
    else:
        # No request context: its processors query the database that just failed.
        response = _page(None, "503.html", 503, "503 Service Unavailable")
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
