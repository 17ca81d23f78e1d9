"""nginx on the generated configuration, and the blue/green switch in front of it."""

import http.client
import json
import os
import re
import shutil
import socket
import ssl
import subprocess
import threading
from pathlib import Path

import pytest

from tests.deploy.common import (
    DEPLOY,
    base_env,
    run,
    stub_server,
)
from tests.helpers import free_port


def nginx_binary() -> str | None:
    found = shutil.which("nginx")
    if found:
        return found
    return "/usr/sbin/nginx" if os.access("/usr/sbin/nginx", os.X_OK) else None


@pytest.fixture(scope="module")
def nginx() -> str:
    binary = nginx_binary()
    if binary is None:
        pytest.skip(
            "nginx is not installed: scripts/ensure-build-deps.sh (run by `make test`) installs it"
        )
    return binary


def envsubst(text: str, values: dict[str, str]) -> str:
    """What the nginx image does to templates/: only the given variables are replaced."""
    for name, value in values.items():
        text = re.sub(rf"\$\{{{name}\}}|\${name}\b", value, text)
    return text


def render_nginx(
    tmp: Path,
    *,
    colour: str = "blue",
    server_name: str = "partner42.test",
    listen: tuple[int, int] | None = None,
    backends: dict[str, int] | None = None,
) -> Path:
    """deploy/nginx as the nginx container assembles it, with tmp standing in for /etc/nginx."""
    shutil.copytree(DEPLOY / "nginx", tmp / "partner42")
    for directory in ("conf.d", "state", "tls", "srv/static", "acme"):
        (tmp / directory).mkdir(parents=True)
    mime = Path("/etc/nginx/mime.types")
    (tmp / "mime.types").write_text(mime.read_text() if mime.exists() else "types {}\n")
    subprocess.run(
        [
            "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1",
            "-subj", f"/CN={server_name}",
            "-keyout", tmp / "tls" / "privkey.pem", "-out", tmp / "tls" / "fullchain.pem",
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip

    site = envsubst(
        (DEPLOY / "nginx" / "templates" / "partner42.conf.template").read_text(),
        {"NGINX_SERVER_NAME": server_name},
    )
    # Compose's service names do not resolve here: the upstreams become local servers.
    upstream = re.sub(
        r"server ([a-z]+)-(blue|green):(\d+)",
        lambda m: f"server 127.0.0.1:{(backends or {}).get(m[1], m[3])}",
        (DEPLOY / "nginx" / "upstreams" / f"{colour}.conf").read_text(),
    )
    main = (DEPLOY / "nginx" / "nginx.conf").read_text()
    # Temporary files in tmp too, so that nginx also runs without root.
    temp_paths = "".join(
        f"    {kind}_temp_path {tmp}/{kind};\n"
        for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
    )
    main = main.replace("http {\n", "http {\n" + temp_paths, 1)
    if listen:
        http_port, https_port = listen
        site = re.sub(r"listen 80\b", f"listen 127.0.0.1:{http_port}", site)
        site = re.sub(r"listen 443\b", f"listen 127.0.0.1:{https_port}", site)

    def relocate(text: str) -> str:
        return (
            text.replace("/etc/nginx/", f"{tmp}/")
            .replace("/tmp/nginx.pid", f"{tmp}/nginx.pid")
            .replace("root /srv;", f"root {tmp}/srv;")
            .replace("/var/www/acme", f"{tmp}/acme")
        )

    (tmp / "nginx.conf").write_text(relocate(main))
    (tmp / "conf.d" / "partner42.conf").write_text(relocate(site))
    (tmp / "state" / "active.conf").write_text(upstream)
    proxy_headers = tmp / "partner42" / "proxy_headers.conf"
    proxy_headers.write_text(relocate(proxy_headers.read_text()))
    return tmp / "nginx.conf"


def nginx_args(binary: str, conf: Path) -> list[str]:
    return [binary, "-e", "stderr", "-p", f"{conf.parent}/", "-c", str(conf)]


@pytest.mark.parametrize("colour", ["blue", "green"])
def test_it_gives_nginx_a_configuration_it_accepts(nginx, tmp_path, colour):
    conf = render_nginx(tmp_path, colour=colour)

    result = run([*nginx_args(nginx, conf), "-t"], env=base_env())

    assert result.returncode == 0, result.stderr
    assert "test is successful" in result.stderr


def test_it_includes_the_live_colour_and_the_rendered_site():
    main = (DEPLOY / "nginx" / "nginx.conf").read_text()
    entry = (DEPLOY / "nginx" / "05-partner42-upstream.sh").read_text()

    assert "include /etc/nginx/state/active.conf;" in main
    assert "include /etc/nginx/conf.d/partner42.conf;" in main
    assert "/etc/nginx/partner42/upstreams/blue.conf" in entry
    assert os.access(DEPLOY / "nginx" / "05-partner42-upstream.sh", os.X_OK)
    for colour in ("blue", "green"):
        text = (DEPLOY / "nginx" / "upstreams" / f"{colour}.conf").read_text()
        assert text.startswith(f"# colour: {colour}\n")
        assert f"server web-{colour}:8000" in text
        assert f"server realtime-{colour}:8000" in text


class SNIConnection(http.client.HTTPSConnection):
    """HTTPS to 127.0.0.1 that names the site in the TLS handshake, as a browser would."""

    def __init__(self, port: int, server_name: str):
        context = ssl.create_default_context()
        context.check_hostname = False
        context.verify_mode = ssl.CERT_NONE
        super().__init__("127.0.0.1", port, context=context, timeout=10)
        self.server_name = server_name

    def connect(self):
        sock = socket.create_connection(("127.0.0.1", self.port), self.timeout)
        self.sock = self._context.wrap_socket(sock, server_hostname=self.server_name)


@pytest.fixture
def running_nginx(nginx, tmp_path):
    """nginx on the generated configuration, in front of a stand-in web and realtime server."""
    with stub_server("web") as (web_port, web_seen), stub_server("realtime") as (rt_port, rt_seen):
        http_port, https_port = free_port(), free_port()
        conf = render_nginx(
            tmp_path,
            listen=(http_port, https_port),
            backends={"web": web_port, "realtime": rt_port},
        )
        static = tmp_path / "srv" / "static" / "css"
        static.mkdir(parents=True)
        (static / "app.0123456789ab.css").write_text("body{color:teal}")
        directives = "daemon off;" + (" user root;" if os.geteuid() == 0 else "")
        process = subprocess.Popen(
            [*nginx_args(nginx, conf), "-g", directives],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            for _ in range(200):
                if process.poll() is not None:
                    pytest.fail(f"nginx did not start: {process.stderr.read()}")
                with socket.socket() as sock:
                    if sock.connect_ex(("127.0.0.1", https_port)) == 0:
                        break
                threading.Event().wait(0.05)
            yield {
                "https": https_port,
                "http": http_port,
                "web": web_seen,
                "realtime": rt_seen,
            }
        finally:
            process.terminate()
            process.wait(timeout=30)


def fetch(port: int, path: str, headers: dict | None = None, server_name: str = "partner42.test"):
    connection = SNIConnection(port, server_name)
    connection.request("GET", path, headers={"Host": server_name, **(headers or {})})
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response, body


def test_it_routes_pages_and_the_api_to_the_web_servers(running_nginx):
    response, body = fetch(running_nginx["https"], "/rooms/?page=1")

    assert response.status == 200
    seen = json.loads(body)
    assert seen["server"] == "web"
    assert seen["path"] == "/rooms/?page=1"
    assert seen["headers"]["Host"] == "partner42.test"
    assert seen["headers"]["X-Forwarded-Proto"] == "https"
    assert seen["headers"]["X-Forwarded-For"] == "127.0.0.1"
    assert "Connection" not in seen["headers"]  # kept alive to the upstream
    assert response.getheader("Permissions-Policy").startswith("camera=()")


def test_it_routes_the_websocket_upgraded_to_the_realtime_servers(running_nginx):
    _response, body = fetch(
        running_nginx["https"],
        "/ws/alarms/",
        {"Upgrade": "websocket", "Connection": "Upgrade", "Sec-WebSocket-Version": "13"},
    )

    seen = json.loads(body)
    assert seen["server"] == "realtime"
    assert seen["headers"]["Upgrade"] == "websocket"
    assert seen["headers"]["Connection"] == "upgrade"


def test_it_routes_the_sse_stream_to_the_realtime_servers(running_nginx):
    _response, body = fetch(running_nginx["https"], "/api/alarm/subscribe?accessToken=x")

    seen = json.loads(body)
    assert seen["server"] == "realtime"
    assert seen["path"] == "/api/alarm/subscribe?accessToken=x"
    assert not running_nginx["web"]
    sse = (DEPLOY / "nginx" / "templates" / "partner42.conf.template").read_text()
    block = sse.split("location = /api/alarm/subscribe {")[1].split("}")[0]
    assert "proxy_buffering off;" in block
    assert "proxy_read_timeout 1h;" in block


def test_it_serves_static_files_itself_and_asks_the_web_tier_for_the_rest(running_nginx):
    response, body = fetch(running_nginx["https"], "/static/css/app.0123456789ab.css")
    _missing, missing_body = fetch(running_nginx["https"], "/static/css/new.abcdef.css")

    assert response.status == 200
    assert body == b"body{color:teal}"
    assert "immutable" in response.getheader("Cache-Control")
    assert response.getheader("Strict-Transport-Security").startswith("max-age=31536000")
    assert json.loads(missing_body)["server"] == "web"


def test_it_keeps_metrics_off_the_public_edge(running_nginx):
    response, _ = fetch(running_nginx["https"], "/metrics")

    assert response.status == 404
    assert not running_nginx["web"]


def test_it_redirects_plain_http_to_https(running_nginx):
    connection = http.client.HTTPConnection("127.0.0.1", running_nginx["http"], timeout=10)
    connection.request("GET", "/rooms/?page=2", headers={"Host": "partner42.test"})
    response = connection.getresponse()

    assert response.status == 301
    assert response.getheader("Location") == "https://partner42.test/rooms/?page=2"


def test_it_refuses_the_tls_handshake_for_a_name_that_is_not_ours(running_nginx):
    with pytest.raises(ssl.SSLError):
        fetch(running_nginx["https"], "/", server_name="someone-else.test")


def test_it_switches_to_a_healthy_colour(bluegreen):
    switch, nginx_calls, live, state = bluegreen

    with stub_server("green") as (web, web_seen), stub_server("green-rt") as (rt, rt_seen):
        result = switch(
            "switch",
            "green",
            green=f"http://127.0.0.1:{web}/readyz http://127.0.0.1:{rt}/readyz",
        )

    assert result.returncode == 0, result.stderr
    assert live() == "green"
    assert (state / "active.conf").read_text() == (
        DEPLOY / "nginx" / "upstreams" / "green.conf"
    ).read_text()
    assert nginx_calls() == ["-t", "-s reload"]
    assert web_seen[0]["path"] == "/readyz"
    assert web_seen[0]["headers"]["Host"] == "localhost"
    assert rt_seen
    assert (state / "previous-colour").read_text().strip() == "blue"
    assert switch("status").stdout.strip() == "green"


def test_it_leaves_nginx_alone_when_the_new_colour_is_not_ready(bluegreen):
    switch, nginx_calls, live, _ = bluegreen

    with stub_server("green", status=503) as (port, seen):
        result = switch("switch", "green", green=f"http://127.0.0.1:{port}/readyz")

    assert result.returncode == 1
    assert "not ready" in result.stderr
    assert len(seen) == 2  # BG_HEALTH_RETRIES
    assert live() == "blue"
    assert nginx_calls() == []


def test_it_leaves_nginx_alone_when_the_new_colour_does_not_answer(bluegreen):
    switch, nginx_calls, live, _ = bluegreen

    result = switch("switch", "green", green=f"http://127.0.0.1:{free_port()}/readyz")

    assert result.returncode == 1
    assert live() == "blue"
    assert nginx_calls() == []


def test_it_rolls_back_when_nginx_refuses_the_new_upstreams(bluegreen):
    switch, nginx_calls, live, _ = bluegreen

    with stub_server("green") as (port, _):
        result = switch(
            "switch", "green", green=f"http://127.0.0.1:{port}/readyz", FAKE_NGINX_REFUSE="green"
        )

    assert result.returncode == 1
    assert "rolled back to blue" in result.stderr
    assert live() == "blue"
    assert nginx_calls() == ["-t", "-t", "-s reload"]


def test_it_rolls_back_when_the_site_fails_through_nginx_after_the_switch(bluegreen):
    switch, nginx_calls, live, state = bluegreen

    with stub_server("green") as (green, _), stub_server("edge", status=502) as (edge, _):
        result = switch(
            "switch",
            "green",
            green=f"http://127.0.0.1:{green}/readyz",
            BG_VERIFY_URL=f"http://127.0.0.1:{edge}/readyz",
        )

    assert result.returncode == 1
    assert live() == "blue"
    assert nginx_calls() == ["-t", "-s reload", "-t", "-s reload"]
    assert not (state / "previous-colour").exists()


def test_it_rolls_back_to_the_previous_colour_on_request(bluegreen):
    switch, nginx_calls, live, _ = bluegreen

    with stub_server("colour") as (port, _):
        url = f"http://127.0.0.1:{port}/readyz"
        assert switch("switch", "green", green=url).returncode == 0
        result = switch("rollback", blue=url)

    assert result.returncode == 0, result.stderr
    assert live() == "blue"
    assert nginx_calls() == ["-t", "-s reload", "-t", "-s reload"]


def test_it_does_nothing_when_the_colour_is_already_live(bluegreen):
    switch, nginx_calls, live, _ = bluegreen

    result = switch("switch", "blue")

    assert result.returncode == 0
    assert live() == "blue"
    assert nginx_calls() == []


@pytest.mark.parametrize("args", [[], ["switch"], ["switch", "purple"], ["deploy", "green"]])
def test_it_refuses_bad_usage(bluegreen, args):
    switch, nginx_calls, _live, _ = bluegreen

    assert switch(*args).returncode == 2
    assert nginx_calls() == []
