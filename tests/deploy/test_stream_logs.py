"""The alarm stream's access token (`/api/alarm/subscribe?accessToken=<jwt>`) never reaches an
access log: daphne's (realtime), gunicorn's (web) and nginx's, each run for real here."""

import http.client
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.deploy.common import DEPLOY, VENV_BIN, django_env, stub_server
from tests.deploy.test_nginx import (
    SNIConnection,
    nginx,  # noqa: F401 (the fixture)
    nginx_args,
    render_nginx,
)
from tests.helpers import free_port, port_open, running, wait_until_ready

SECRET = "eyJhbGciOiJIUzI1NiJ9.c2VjcmV0LXRva2Vu.c2lnbmF0dXJl"
PATHS = [
    f"/api/alarm/subscribe?accessToken={SECRET}",
    f"/api/alarm/subscribe?lang=ko&accessToken={SECRET}&x=1",
    f"/api/alarm/subscribe?ACCESSTOKEN={SECRET}&accessToken={SECRET}",
]
TIMEOUT = 15


def _get(port: int, path: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
    try:
        conn.request("GET", path)
        conn.getresponse().read(1)  # a stream would never end: the status line is enough
    finally:
        conn.close()


def _wait_for(text: str, log: Path) -> str:
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        content = log.read_text(errors="replace")
        if content.count(text) >= len(PATHS):
            return content
        time.sleep(0.1)
    return log.read_text(errors="replace")


def _assert_redacted(content: str) -> None:
    assert content.count("/api/alarm/subscribe") >= len(PATHS), content
    assert SECRET not in content
    assert "accessToken=[REDACTED]" in content
    assert "lang=ko&accessToken=[REDACTED]&x=1" in content


@pytest.mark.slow
@pytest.mark.django_db
def test_it_keeps_the_token_out_of_daphnes_access_log(tmp_path):
    port = free_port()
    log = tmp_path / "daphne.log"
    command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    command += ["--access-log", str(log), "partner42.asgi:application"]
    with running(
        command, env=django_env(), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    ) as p:
        wait_until_ready(p, lambda: port_open(port), what="daphne")
        for path in PATHS:
            _get(port, path)
        content = _wait_for("/api/alarm/subscribe", log)

    _assert_redacted(content)


@pytest.mark.slow
def test_it_keeps_the_token_out_of_gunicorns_access_log(tmp_path):
    port = free_port()
    log = tmp_path / "gunicorn.log"
    command = [VENV_BIN / "gunicorn", "--config", DEPLOY / "gunicorn.conf.py", "--workers", "1"]
    command += [
        "--bind",
        f"127.0.0.1:{port}",
        "--access-logfile",
        log,
        "partner42.wsgi:application",
    ]
    env = django_env(PORT=str(port))
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    with running([str(c) for c in command], env=env, stdout=subprocess.DEVNULL) as process:
        wait_until_ready(process, lambda: port_open(port), what="gunicorn")
        for path in PATHS:
            # The web tier has no stream (nginx sends it to realtime): any path shows the log.
            _get(port, path.replace("/api/alarm/subscribe", "/healthz") + "&p=/api/alarm/subscribe")
        content = _wait_for("/api/alarm/subscribe", log)

    _assert_redacted(content)


def test_it_keeps_the_token_out_of_nginxs_access_log(nginx, tmp_path):  # noqa: F811
    with stub_server("web") as (web_port, _), stub_server("realtime") as (rt_port, _):
        http_port, https_port = free_port(), free_port()
        conf = render_nginx(
            tmp_path,
            listen=(http_port, https_port),
            backends={"web": web_port, "realtime": rt_port},
        )
        log = tmp_path / "access.log"
        conf.write_text(conf.read_text().replace("/dev/stdout", str(log)))
        directives = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
        with running(
            [*nginx_args(nginx, conf), "-g", directives],
            env=dict(os.environ),
            stdout=subprocess.DEVNULL,
        ) as process:
            wait_until_ready(process, lambda: port_open(https_port), what="nginx")
            for path in PATHS:
                connection = SNIConnection(https_port, "partner42.test")
                connection.request("GET", path, headers={"Host": "partner42.test"})
                connection.getresponse().read()
                connection.close()
            content = _wait_for("/api/alarm/subscribe", log)

    _assert_redacted(content)
