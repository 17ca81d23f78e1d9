"""What the deployment tests share: child-process environments, stand-in HTTP servers."""

import json
import os
import re
import secrets
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path

from django.conf import settings as django_settings

from tests.helpers import serve_in_thread

ROOT = Path(__file__).resolve().parent.parent.parent
DEPLOY = ROOT / "deploy"
ENTRYPOINT = DEPLOY / "entrypoint.sh"
BLUEGREEN = DEPLOY / "bluegreen.sh"
VENV_BIN = Path(sys.executable).parent
ROLES = ["web", "realtime", "matchmaker", "worker", "beat", "migrate", "shell"]


def env_example_names(path: Path) -> set[str]:
    return set(re.findall(r"^([A-Z][A-Z0-9_]+)=", path.read_text(), flags=re.MULTILINE))


def base_env(**extra: str) -> dict[str, str]:
    """The environment of a child process: ours without the test runner's and the settings'."""
    ours = env_example_names(ROOT / ".env.example") | {"LOG_FILE", "PROMETHEUS_MULTIPROC_DIR"}
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in ours and not k.startswith(("DJANGO_", "PYTEST", "SENTRY_"))
    }
    env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
    env.update(extra)
    return env


def django_env(**extra: str) -> dict[str, str]:
    """A child process on the test settings, the same MariaDB and Redis as this run."""
    return base_env(
        DJANGO_SETTINGS_MODULE="tests.settings",
        DATABASE_URL=os.environ.get("DATABASE_URL", "mysql://root@127.0.0.1:3306/partner42"),
        REDIS_URL=django_settings.REDIS_URL,
        **extra,
    )


def production_env(**extra: str) -> dict[str, str]:
    """What a production container has: no DEBUG, real secrets, MariaDB and Redis."""
    return base_env(
        DJANGO_SETTINGS_MODULE="partner42.settings",
        SECRET_KEY=secrets.token_urlsafe(50),
        ALLOWED_HOSTS="partner42.example.org,localhost",
        CSRF_TRUSTED_ORIGINS="https://partner42.example.org",
        DATABASE_URL=os.environ.get("DATABASE_URL", "mysql://root@127.0.0.1:3306/partner42"),
        REDIS_URL=django_settings.REDIS_URL,
        FORTYTWO_CLIENT_ID="deploy-test-client-id",
        FORTYTWO_CLIENT_SECRET="deploy-test-client-secret",
        EMAIL_URL="smtp+tls://mailer:secret@smtp.example.org:587",
        DEFAULT_FROM_EMAIL="42Partner <noreply@partner42.example.org>",
        **extra,
    )


def run(args: list, env: dict[str, str], **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(a) for a in args],
        cwd=kwargs.pop("cwd", ROOT),
        env=env,
        capture_output=True,
        text=True,
        # Generous: a loaded 2-core machine runs collectstatic in minutes (a bound, not a speed check).
        timeout=kwargs.pop("timeout", 600),
        check=False,
        **kwargs,
    )


class Recorder(BaseHTTPRequestHandler):
    """A stand-in server: answers `status` with JSON naming itself and the request it saw."""

    protocol_version = "HTTP/1.1"
    name = "stub"
    status = 200
    seen: list

    def do_GET(self):
        self.seen.append({"path": self.path, "headers": dict(self.headers.items())})
        body = json.dumps(
            {"server": self.name, "path": self.path, "headers": dict(self.headers.items())}
        ).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@contextmanager
def stub_server(name: str = "stub", status: int = 200) -> Iterator[tuple[int, list]]:
    seen: list = []
    handler = type(f"{name}Handler", (Recorder,), {"name": name, "status": status, "seen": seen})
    server, stop = serve_in_thread(handler)
    try:
        yield server.server_address[1], seen
    finally:
        stop()


def dry_run(*args: str, **extra: str) -> subprocess.CompletedProcess:
    return run([ENTRYPOINT, *args], env=base_env(ENTRYPOINT_DRY_RUN="1", **extra))


APP_SERVICES = [
    "web-blue",
    "web-green",
    "realtime-blue",
    "realtime-green",
    "matchmaker",
    "worker",
    "beat",
]
