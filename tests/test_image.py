"""The built image, run: each role's entrypoint from the image, behind the shipped nginx.

Slow and needs root, buildah and the image (`make image`), so `make test` skips it; run it with

    IMAGE_TESTS=1 .venv/bin/pytest -q -p no:cacheprovider tests/test_image.py

(CI's `image-roles` job does). It uses the load stack (bench/load/stack.py): database `p42_load`
(LOAD_DATABASE), Redis database 4 (LOAD_REDIS_DB), ports from 18600 (LOAD_PORT_BASE + 200).
"""

import http.client
import json
import os
import re
import time
from pathlib import Path

import pytest

from bench.load.stack import SERVER_NAME, Stack, image_exists, insecure_tls

pytestmark = pytest.mark.skipif(
    not os.environ.get("IMAGE_TESTS"),
    reason="IMAGE_TESTS=1 runs the built image (make image); not part of make test",
)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if os.geteuid() != 0 or not image_exists():
        pytest.fail("IMAGE_TESTS=1 needs root, buildah and the image: run `make image` first")
    port_base = int(os.environ.get("LOAD_PORT_BASE", "18400")) + 200
    with Stack(tmp_path_factory.mktemp("image"), port_base=port_base) as running:
        yield running


def https(stack: Stack, method: str, path: str, headers: dict | None = None):
    conn = http.client.HTTPSConnection(
        SERVER_NAME, stack.ports["https"], context=insecure_tls(), timeout=15
    )
    try:
        conn.request(method, path, headers=headers or {})
        response = conn.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        conn.close()


def test_it_migrates_the_database_with_the_migrate_role(stack):
    # The stack ran `migrate` before the servers; nothing is left to apply.
    result = stack.oneshot("manage", "migrate", "--check")

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("role", ["web", "realtime", "matchmaker", "worker"])
def test_it_passes_the_images_healthcheck_in_each_role(stack, role):
    result = stack.healthcheck(role)

    assert result.returncode == 0, result.stdout + result.stderr


def test_it_keeps_beat_running(stack):
    # Under chroot isolation there is no PID namespace, so beat's health check (`kill -0 1`)
    # cannot apply: the process staying up is the check.
    time.sleep(2)
    assert stack.processes["beat"].poll() is None
    log = (stack.workdir / "logs" / "beat.log").read_text()
    assert "Traceback" not in log, log[-2000:]


def test_it_answers_readyz_through_nginx(stack):
    status, _, body = https(stack, "GET", "/readyz")

    assert status == 200, body
    assert json.loads(body)["status"] == "ok"


def test_it_serves_hashed_static_files_from_nginx(stack):
    manifest = stack.static_manifest()
    hashed = manifest["css/app.css"]
    assert hashed != "css/app.css"
    assert (stack.static_dir() / hashed).is_file()  # exported by the web role

    status, headers, body = https(stack, "GET", f"/static/{hashed}")
    assert status == 200
    assert body
    assert "immutable" in headers["Cache-Control"]

    status, headers, _ = https(stack, "GET", f"/static/{hashed}", {"Accept-Encoding": "gzip"})
    assert status == 200
    assert headers.get("Content-Encoding") == "gzip"


def test_it_renders_pages_with_hashed_static_names(stack):
    status, _, body = https(stack, "GET", "/", {"Accept-Language": "ko"})

    assert status == 200
    names = re.findall(r"/static/(css/app\.[0-9a-f]{12}\.css)", body.decode())
    assert names
    assert Path(stack.static_dir() / names[0]).is_file()


def test_it_streams_alarms_from_the_realtime_role_through_nginx(stack):
    code = (
        "from accounts.models import User; from accounts.tokens import issue_token_pair; "
        "u, _ = User.objects.get_or_create(username='imagetest', nickname='imagetest'); "
        "print('TOKEN', issue_token_pair(user=u).access)"
    )
    made = stack.oneshot("manage", "shell", "-c", code)
    assert made.returncode == 0, made.stderr
    (token,) = [line.split()[1] for line in made.stdout.splitlines() if line.startswith("TOKEN ")]

    conn = http.client.HTTPSConnection(
        SERVER_NAME, stack.ports["https"], context=insecure_tls(), timeout=15
    )
    try:
        conn.request("GET", f"/api/alarm/subscribe?accessToken={token}")
        response = conn.getresponse()
        first = response.fp.readline() + response.fp.readline() + response.fp.readline()
    finally:
        conn.close()

    # Only the ASGI process sends an event before the stream ends (WSGI would send nothing).
    assert response.status == 200
    assert response.getheader("Content-Type", "").startswith("text/event-stream")
    assert b"event:CONNECTED" in first


def test_it_refuses_an_unknown_role(stack):
    result = stack.oneshot("no-such-role")

    assert result.returncode == 2
    assert "usage:" in result.stderr
