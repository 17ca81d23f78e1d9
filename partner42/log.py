"""One JSON object per log line, for stdout and the log files (SPEC section 11)."""

import json
import logging
from datetime import UTC, datetime

from django.http import HttpRequest

from partner42.net import client_ip

# Attributes every LogRecord has; anything else came from `extra=` and is worth keeping.
_RECORD_ATTRIBUTES = set(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {
    "message",
    "asctime",
    "taskName",
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        entry = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(
                timespec="milliseconds"
            ),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        if record.exc_info:
            entry["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            entry["stack_info"] = self.formatStack(record.stack_info)
        for key, value in vars(record).items():
            if key not in _RECORD_ATTRIBUTES and key not in entry:
                if isinstance(value, HttpRequest):
                    # django.request passes the request: log what it was and who sent it, with
                    # the same client address the throttles and the lockout use.
                    entry.update(_request_fields(value))
                else:
                    entry[key] = value
        # default=str: `extra` may hold a request or a model; a log line must never raise.
        return json.dumps(entry, ensure_ascii=False, default=str)


def _request_fields(request: HttpRequest) -> dict:
    try:
        address = client_ip(request)
    except Exception:  # a log line must never raise
        address = request.META.get("REMOTE_ADDR", "")
    return {"method": request.method, "path": request.path, "client_ip": address}
