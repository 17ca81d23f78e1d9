"""gunicorn for the web role (deploy/entrypoint.sh web). Environment: PORT, WEB_CONCURRENCY,
GUNICORN_TIMEOUT, GUNICORN_MAX_REQUESTS."""

import multiprocessing
import os
import re

from gunicorn.glogging import Logger
from prometheus_client import multiprocess

bind = f"0.0.0.0:{os.environ.get('PORT', '8000')}"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count() * 2 + 1))
# The heartbeat file on a memory filesystem: a slow disk must not make workers look stuck.
SHM = "/dev/shm"  # noqa: S108 (gunicorn's own advice for containers)
worker_tmp_dir = SHM if os.path.isdir(SHM) else None
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5  # above nginx's upstream keepalive reuse, below its keepalive_timeout
# Recycle workers now and then so that a slow leak never grows for weeks.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS", "2000"))
max_requests_jitter = max_requests // 10
# Only nginx reaches this port (compose network); it sets X-Forwarded-For and -Proto.
forwarded_allow_ips = "*"
accesslog = "-"
errorlog = "-"
# No gunicornc control socket: the image's files and $HOME are read-only for its user.
control_socket_disable = True


def child_exit(server, worker):
    # A dead worker's live gauges must stop counting (PROMETHEUS_MULTIPROC_DIR, set by the image).
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        multiprocess.mark_process_dead(worker.pid)


# The SSE alarm stream carries the access token in its query (`?accessToken=<jwt>`): no access
# log line may show it (partner42.asgi redacts daphne's the same way, nginx its own).
_ACCESS_TOKEN = re.compile(r"((?:^|[?&])accessToken=)[^&\s\"]*", re.IGNORECASE)


class RedactingLogger(Logger):
    """gunicorn's logger, with every access-log field stripped of `accessToken` values."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        for key, value in atoms.items():
            if isinstance(value, str) and "=" in value:
                atoms[key] = _ACCESS_TOKEN.sub(r"\1[REDACTED]", value)
        return atoms


logger_class = RedactingLogger
