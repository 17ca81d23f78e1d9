"""Real processes the alarm tests talk to: daphne on `partner42.asgi`, a private redis-server.

`daphne(env)` serves the ASGI app on a free port with the test settings; `redis_server(port)` runs
a Redis of our own that a test may stop and start again (the shared one must never go down).
"""

import http.client
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.helpers import NotReadyError, free_port, port_open, running, wait_until_ready

ASGI_APP = "partner42.asgi:application"


class Served:
    """A running server: its address and the log it wrote so far."""

    def __init__(self, port: int, log: Path, process: subprocess.Popen):
        self.port = port
        self.log_path = log
        self.process = process

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")


@contextmanager
def daphne(env: Mapping[str, str], *, args: tuple[str, ...] = ()) -> Iterator[Served]:
    """`daphne partner42.asgi:application` with `env` on top of ours and the test settings."""
    port = free_port()
    full_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings", **env}
    command = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), *args, ASGI_APP]
    with tempfile.TemporaryDirectory() as tmp:
        log = Path(tmp) / "daphne.log"
        with (
            log.open("w") as out,
            running(command, env=full_env, stdout=out, stderr=subprocess.STDOUT) as process,
        ):
            served = Served(port, log, process)
            try:
                wait_until_ready(process, lambda: port_open(port), what="daphne")
            except NotReadyError as exc:
                pytest.fail(f"{exc}:\n{served.log()}")
            yield served


class RedisServer:
    """A throw-away redis-server on a free port, no persistence, that a test may stop and start."""

    def __init__(self):
        self.binary = shutil.which("redis-server")
        if self.binary is None:
            pytest.skip("redis-server is not installed")
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", ""]
        command += ["--appendonly", "no"]
        self.process = subprocess.Popen(command, stdout=subprocess.DEVNULL)
        wait_until_ready(self.process, lambda: port_open(self.port), what="redis-server")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait()
            self.process = None


@contextmanager
def redis_server() -> Iterator[RedisServer]:
    server = RedisServer()
    server.start()
    try:
        yield server
    finally:
        server.stop()


def sse_open(address: str, token, *, timeout: float = 15) -> http.client.HTTPResponse:
    """`GET /api/alarm/subscribe?accessToken=…` over real HTTP; the response, headers read."""
    host, port = address.split(":")
    conn = http.client.HTTPConnection(host, int(port), timeout=timeout)
    conn.request("GET", f"/api/alarm/subscribe?accessToken={token}")
    return conn.getresponse()


def sse_event(response: http.client.HTTPResponse) -> str:
    """The next event of a stream (comment lines skipped); "" when the stream has ended."""
    while True:
        lines = []
        while (line := response.readline().decode()) not in ("\n", ""):
            lines.append(line)
        event = "".join(line for line in lines if not line.startswith(":"))
        if event or line == "":
            return event
