"""The one DRF exception handler: every API error becomes the SPEC section 10 JSON body.

`{"message", "status", "errors": [{"field", "value", "reason"}], "code"}`, keys in this order.
Exceptions it does not know are left to Django (500, Sentry); `partner42.views.server_error`
answers those with the C004 body on `/api/` paths.
"""

import json
import logging
import math
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import InterfaceError, OperationalError, connections
from django.http import Http404, QueryDict
from rest_framework import exceptions, fields, serializers
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import set_rollback

from partner42.errors import ApplicationError, ErrorCode, error_body
from partner42.outage import OutageLog

# DRF exceptions whose code does not depend on their content.
_FIXED_CODES: list[tuple[type[exceptions.APIException], ErrorCode]] = [
    (exceptions.ParseError, ErrorCode.MALFORMED_JSON),
    (exceptions.NotAuthenticated, ErrorCode.NOT_AUTHENTICATED),
    (exceptions.AuthenticationFailed, ErrorCode.INVALID_ACCESS_TOKEN),
    (exceptions.PermissionDenied, ErrorCode.FORBIDDEN),
    (exceptions.NotFound, ErrorCode.NOT_FOUND),
    (exceptions.MethodNotAllowed, ErrorCode.METHOD_NOT_ALLOWED),
    (exceptions.NotAcceptable, ErrorCode.NOT_ACCEPTABLE),
    (exceptions.UnsupportedMediaType, ErrorCode.UNSUPPORTED_MEDIA_TYPE),
    (exceptions.Throttled, ErrorCode.THROTTLED),
]

# Error codes DRF fields use when the JSON value has the wrong type altogether.
_TYPE_ERROR_CODES = {"not_a_list", "not_a_dict"}
_MISSING = object()


# MariaDB/MySQL client and server errors that say "not now" rather than "this is a bug": the
# connection is gone (2002 2003 2006 2013 2055 4031), too many connections (1040), a lock wait
# timed out or a deadlock was broken (1205 1213). Retrying the request is the fix.
_UNAVAILABLE_MYSQL_CODES = {1040, 1205, 1213, 2002, 2003, 2006, 2013, 2055, 4031}
# Seconds a client should wait before retrying after a C012.
RETRY_AFTER_SECONDS = 5

logger = logging.getLogger(__name__)


def database_unavailable(exc: BaseException) -> bool:
    """Whether `exc` is the database being out of reach (a 503), not a bug (a 500)."""
    if isinstance(exc, InterfaceError):  # a connection the driver already knows is closed
        return True
    if not isinstance(exc, OperationalError):
        return False
    code = exc.args[0] if exc.args else None
    if isinstance(code, int):
        return code in _UNAVAILABLE_MYSQL_CODES
    return "database is locked" in str(exc)  # SQLite (the embedded default)


_DB_OUTAGE = OutageLog(logger, "The database")


def discard_broken_connections(exc: BaseException) -> None:
    """Close every database connection that no longer answers, so the next query (this
    process's next request) opens a new one instead of failing on the dead one; log the outage
    (once a minute while it lasts)."""
    _DB_OUTAGE.failed(exc, "requests answer 503 C012; broken connections are discarded")
    for conn in connections.all(initialized_only=True):
        if conn.connection is None:
            continue
        try:
            if conn.is_usable():
                continue
            conn.close()
        except Exception:  # closing a dead connection may fail too; it is dropped either way
            conn.connection = None


def service_unavailable_response() -> Response:
    response = _response(ErrorCode.SERVICE_UNAVAILABLE)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response


def api_exception_handler(exc: Exception, context: dict) -> Response | None:
    request = context.get("request")
    if database_unavailable(exc):
        discard_broken_connections(exc)
        return service_unavailable_response()
    if isinstance(exc, ApplicationError):
        return _response(exc.error_code, message=exc.message, errors=_clean_errors(exc.errors))
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(serializers.as_serializer_error(exc))
    elif isinstance(exc, RequestDataTooBig):
        return _response(ErrorCode.PAYLOAD_TOO_LARGE)
    elif isinstance(exc, SuspiciousOperation):
        # Too many form fields or files, a bad multipart boundary: the client's fault.
        return _response(ErrorCode.INVALID_INPUT)

    if not isinstance(exc, exceptions.APIException):
        return None  # a bug: Django answers 500 and Sentry hears of it

    if isinstance(exc, exceptions.ValidationError):
        errors, wrong_type = _validation_errors(exc.detail, request)
        code = ErrorCode.WRONG_TYPE if wrong_type else ErrorCode.INVALID_INPUT
        return _response(code, errors=errors)

    own_code = getattr(exc, "error_code", None)  # an APIException subclass of ours
    if isinstance(own_code, ErrorCode):
        return _response(own_code)

    for exc_class, code in _FIXED_CODES:
        if isinstance(exc, exc_class):
            response = _response(code)
            if isinstance(exc, exceptions.Throttled) and exc.wait is not None:
                response["Retry-After"] = str(math.ceil(exc.wait))
            return response

    code = ErrorCode.INTERNAL if exc.status_code >= 500 else ErrorCode.INVALID_INPUT
    return _response(code, status=exc.status_code)


def _response(
    code: ErrorCode,
    *,
    message: str | None = None,
    errors: list[dict[str, str]] | None = None,
    status: int | None = None,
) -> Response:
    set_rollback()
    body = error_body(code, message=message, errors=errors)
    if isinstance(body["message"], str):
        body["message"] = _encodable(body["message"])
    body["errors"] = [{key: _encodable(text) for key, text in e.items()} for e in body["errors"]]
    headers = {}
    if code is ErrorCode.INVALID_ACCESS_TOKEN:
        body["status"] = settings.LEGACY_EXPIRED_TOKEN_STATUS
        headers["WWW-Authenticate"] = 'Bearer error="invalid_token"'
    elif code is ErrorCode.NOT_AUTHENTICATED:
        headers["WWW-Authenticate"] = "Bearer"
    if status is not None:
        body["status"] = status
    return Response(body, status=body["status"], headers=headers)


def _encodable(text: str) -> str:
    """The text with lone surrogates as escapes: JSON's `\\ud800` parses to one, which fields
    refuse but the error would echo, and UTF-8 (so the renderer) cannot hold it."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _clean_errors(errors: list[dict[str, Any]]) -> list[dict[str, str]]:
    return [
        {
            "field": str(error.get("field", "")),
            "value": _as_text(error.get("value")),
            "reason": str(error.get("reason", "")),
        }
        for error in errors
    ]


# --- Validation errors ------------------------------------------------------------------------


def _validation_errors(detail: Any, request) -> tuple[list[dict[str, str]], bool]:
    """One entry per failing field, and whether any failure is a wrong JSON type."""
    leaves: list[tuple[list[str | int], exceptions.ErrorDetail | str]] = []
    _collect(detail, [], leaves)
    data = _request_data(request)
    errors = []
    wrong_type = False
    for path, message in leaves:
        value = _lookup(data, path)
        if value is _MISSING and len(path) == 1 and request is not None:
            # Serializers of query parameters: the value is in the query string.
            value = _lookup(request.query_params, path)
        if _is_type_error(message, value):
            wrong_type = True
        # An error of the whole body (validate(), a list instead of an object) has no one value.
        shown = _as_text(value) if path else ""
        errors.append({"field": _field_name(path), "value": shown, "reason": str(message)})
    return errors, wrong_type


def _collect(detail: Any, path: list[str | int], out: list) -> None:
    if isinstance(detail, Mapping):
        for key, sub in detail.items():
            if key == api_settings.NON_FIELD_ERRORS_KEY:
                _collect(sub, path, out)
            else:
                # ListField/DictField children are keyed by index or key.
                _collect(sub, [*path, key], out)
    elif isinstance(detail, list | tuple):
        for index, item in enumerate(detail):
            if isinstance(item, Mapping | list | tuple):
                # A ListSerializer: one (possibly empty) error dict per item.
                _collect(item, [*path, index], out)
            else:
                out.append((path, item))
    else:
        out.append((path, detail))


def _field_name(path: list[str | int]) -> str:
    name = ""
    for part in path:
        if isinstance(part, int):
            name += f"[{part}]"
        else:
            name += f".{part}" if name else str(part)
    return name


def _request_data(request) -> Any:
    if request is None:
        return _MISSING
    try:
        return request.data
    except Exception:  # the body could not be parsed: there is no rejected value to show
        return _MISSING


def _lookup(data: Any, path: list[str | int]) -> Any:
    value = data
    for part in path:
        if isinstance(value, QueryDict) and isinstance(part, str):
            values = value.getlist(part)
            value = values[0] if len(values) == 1 else (values or _MISSING)
        elif isinstance(value, Mapping):
            value = value.get(part if isinstance(part, str) else str(part), _MISSING)
        elif isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
            value = value[part]
        else:
            return _MISSING
    return value


def _as_text(value: Any) -> str:
    if value is None or value is _MISSING:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    if isinstance(value, Mapping | list | tuple):
        try:
            return json.dumps(value, ensure_ascii=False, default=str)
        except (TypeError, ValueError):
            return str(value)
    return str(getattr(value, "name", None) or value)


def _is_type_error(message: Any, value: Any) -> bool:
    code = getattr(message, "code", None)
    if code in _TYPE_ERROR_CODES:
        return True
    if code != "invalid":
        return False
    # "invalid" is also the code of format errors (email, date, UUID): compare the messages of
    # the fields whose only "invalid" failure is the JSON type, in the active language.
    text = str(message)
    type_messages = {
        str(field_class.default_error_messages["invalid"])
        for field_class in (
            fields.BooleanField,
            fields.CharField,
            fields.IntegerField,
            fields.FloatField,
            fields.DecimalField,
        )
    }
    if text in type_messages:
        return True
    not_a_dict = str(serializers.Serializer.default_error_messages["invalid"])
    return value is not _MISSING and text == not_a_dict.format(datatype=type(value).__name__)
