"""Production deployment (SPEC sections 1 and 11): image, roles, compose stack, nginx, blue/green,
monitoring, CI, and the production settings (check --deploy, CSP and security headers, log files).

No Docker engine runs here: the Dockerfile, compose file, workflow and dashboards are checked as
files, nginx runs for real on the generated configuration, and the scripts run against local
stand-ins (a fake `nginx` command, HTTP servers on 127.0.0.1).
"""

import base64
import hashlib
import http.client
import json
import os
import re
import secrets
import shutil
import socket
import ssl
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest
import redis
import yaml
from django.conf import settings as django_settings
from django.core.management import get_commands
from django.urls import reverse

from partner42 import metrics
from tests.helpers import free_port, serve_in_thread

ROOT = Path(__file__).resolve().parent.parent
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
        timeout=kwargs.pop("timeout", 120),
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


# --- Dockerfile -------------------------------------------------------------------------------


def dockerfile_stages() -> list[list[str]]:
    """The Dockerfile's instructions (continuation lines joined), split into its stages."""
    text = (ROOT / "Dockerfile").read_text()
    text = re.sub(r"\\\n", " ", text)
    lines = [line.strip() for line in text.splitlines()]
    instructions = [line for line in lines if line and not line.startswith("#")]
    stages: list[list[str]] = []
    for instruction in instructions:
        if instruction.upper().startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(instruction)
    return stages


def test_it_builds_the_image_in_two_stages_on_slim_python_311():
    text = (ROOT / "Dockerfile").read_text()
    build, runtime = dockerfile_stages()

    assert re.search(r"^ARG PYTHON_IMAGE=python:3\.11-slim", text, flags=re.MULTILINE)
    assert build[0] == "FROM ${PYTHON_IMAGE} AS build"
    assert runtime[0] == "FROM ${PYTHON_IMAGE} AS runtime"
    build_text, runtime_text = "\n".join(build), "\n".join(runtime)
    # mysqlclient is compiled in the build stage; the runtime has the library, not the compiler.
    assert "libmariadb-dev" in build_text
    assert "requirements-mysql.txt" in build_text
    assert "libmariadb3" in runtime_text
    assert "build-essential" not in runtime_text
    assert "libmariadb-dev" not in runtime_text
    assert "COPY --from=build /opt/venv /opt/venv" in runtime


def test_it_collects_the_static_files_into_the_image():
    build, runtime = dockerfile_stages()

    assert any("manage.py collectstatic --noinput" in line for line in build)
    assert "COPY --from=build /app /app" in runtime
    assert "STATIC_ROOT=/app/staticfiles" in " ".join(runtime)


def test_it_runs_the_image_as_an_unprivileged_user_with_a_healthcheck():
    _, runtime = dockerfile_stages()
    users = [line.split()[1] for line in runtime if line.startswith("USER ")]
    healthcheck = next(line for line in runtime if line.startswith("HEALTHCHECK "))
    entrypoint = next(line for line in runtime if line.startswith("ENTRYPOINT "))

    assert users
    assert users[-1].split(":")[0] not in ("root", "0")
    assert '"/app/deploy/entrypoint.sh", "healthcheck"' in healthcheck
    assert json.loads(entrypoint.removeprefix("ENTRYPOINT ")) == [
        "/usr/bin/tini",
        "--",
        "/app/deploy/entrypoint.sh",
    ]
    assert "PROMETHEUS_MULTIPROC_DIR=/tmp/prometheus" in " ".join(runtime)


def test_it_copies_only_files_that_exist_and_ignores_secrets():
    build, _ = dockerfile_stages()
    sources = [
        source
        for line in build
        if line.startswith("COPY ") and "--from" not in line
        for source in line.split()[1:-1]
    ]
    ignored = (ROOT / ".dockerignore").read_text().split()

    assert sources
    for source in sources:
        assert (ROOT / source).exists(), source
    for secret in (".git", ".venv", ".env", "deploy/env/*.env", "deploy/tls", "db.sqlite3"):
        assert secret in ignored


@pytest.mark.slow
def test_it_collects_the_static_files_with_the_production_storage(tmp_path):
    """The Dockerfile's collectstatic step: hashed names and compressed copies, nothing missing."""
    (build_step,) = [line for line in dockerfile_stages()[0] if "collectstatic" in line]
    build_vars = dict(re.findall(r"([A-Z_]+)=(\S+)", build_step.split("python manage.py")[0]))

    result = run(
        [sys.executable, "manage.py", "collectstatic", "--noinput"],
        env=base_env(**build_vars, STATIC_ROOT=str(tmp_path)),
    )

    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "staticfiles.json").read_text())["paths"]
    hashed = manifest["css/app.css"]
    assert hashed != "css/app.css"
    assert (tmp_path / hashed).is_file()
    assert (tmp_path / f"{hashed}.gz").is_file()
    assert "django_htmx/htmx-2.min.js" in manifest


# --- Entrypoint roles -------------------------------------------------------------------------


def dry_run(*args: str, **extra: str) -> subprocess.CompletedProcess:
    return run([ENTRYPOINT, *args], env=base_env(ENTRYPOINT_DRY_RUN="1", **extra))


def exec_line(result: subprocess.CompletedProcess) -> list[str]:
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("exec ")]
    return line.split()[1:]


@pytest.mark.parametrize(
    ("role", "expected"),
    [
        ("web", ["gunicorn", "partner42.wsgi:application", "--config"]),
        ("realtime", ["daphne", "--bind", "0.0.0.0", "--port", "8000", "--proxy-headers"]),
        ("matchmaker", ["celery", "-A", "partner42", "worker", "-Q", "matchmaking", "-c", "1"]),
        ("worker", ["celery", "-A", "partner42", "worker", "-Q", "default"]),
        ("beat", ["celery", "-A", "partner42", "beat"]),
        ("migrate", ["python", "manage.py", "migrate", "--noinput"]),
        ("shell", ["python", "manage.py", "shell"]),
    ],
)
def test_it_runs_each_role_by_its_command(role, expected):
    result = dry_run(role)

    assert result.returncode == 0, result.stderr
    command = exec_line(result)
    assert command[: len(expected)] == expected
    if role == "realtime":
        assert command[-1] == "partner42.asgi:application"


def test_it_passes_arguments_to_manage_py():
    result = dry_run("manage", "createsuperuser", "--username", "admin")

    assert exec_line(result) == ["python", "manage.py", "createsuperuser", "--username", "admin"]


@pytest.mark.parametrize("role", ["", "celery", "web-blue"])
def test_it_refuses_an_unknown_role(role):
    result = dry_run(*([role] if role else []))

    assert result.returncode == 2
    assert "usage:" in result.stderr
    assert not result.stdout


def test_it_starts_the_metrics_exporter_beside_every_long_running_role():
    for role, queue_lengths in [
        ("web", False),
        ("realtime", False),
        ("matchmaker", True),
        ("worker", True),
    ]:
        lines = dry_run(role).stdout.splitlines()
        assert lines[0].startswith("background python manage.py serve_metrics --port 9100"), role
        assert ("--queue-lengths" in lines[0]) is queue_lengths
        assert lines[1].startswith("exec ")
    assert not [line for line in dry_run("beat").stdout.splitlines() if "background" in line]


def test_it_resolves_every_program_and_module_the_roles_name():
    commands = {role: exec_line(dry_run(role)) for role in ROLES}
    django_commands = get_commands()

    for role, command in commands.items():
        assert shutil.which(command[0], path=str(VENV_BIN)) or command[0] == "python", role
        if command[0] == "python":
            assert command[1] == "manage.py"
            assert command[2] in django_commands, role
    assert "serve_metrics" in django_commands
    for target in (commands["web"][1], commands["realtime"][-1]):
        module, attribute = target.split(":")
        assert callable(getattr(__import__(module, fromlist=[attribute]), attribute))
    from partner42.celery import app

    assert app.main == "partner42"
    for role in ("matchmaker", "worker"):
        queue = commands[role][commands[role].index("-Q") + 1]
        assert queue in metrics.celery_queue_names()


def test_it_loads_the_gunicorn_configuration_and_the_wsgi_application():
    (config,) = [arg for arg in exec_line(dry_run("web")) if arg.endswith("gunicorn.conf.py")]

    result = run(
        [VENV_BIN / "gunicorn", "--check-config", "--config", config, "partner42.wsgi:application"],
        env=django_env(),
    )

    assert result.returncode == 0, result.stderr


def test_it_execs_a_role_for_real():
    result = run([ENTRYPOINT, "manage", "check"], env=django_env())

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_it_keeps_one_shot_roles_out_of_the_exporters_metrics_directory(tmp_path):
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    code = "import os; print(os.environ.get('PROMETHEUS_MULTIPROC_DIR'))"

    result = run(
        [ENTRYPOINT, "manage", "shell", "-c", code],
        env=django_env(PROMETHEUS_MULTIPROC_DIR=str(multiproc)),
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "None"
    assert list(multiproc.iterdir()) == []


@pytest.mark.parametrize(("status", "healthy"), [(200, True), (503, False)])
def test_it_probes_a_web_container_on_healthz(tmp_path, status, healthy):
    role_file = tmp_path / "role"
    role_file.write_text("web\n")

    with stub_server("web", status) as (port, seen):
        result = run(
            [ENTRYPOINT, "healthcheck"],
            env=base_env(
                ROLE_FILE=str(role_file), PORT=str(port), ALLOWED_HOSTS="p42.example.org,localhost"
            ),
        )

    assert (result.returncode == 0) is healthy, result.stderr
    assert seen[0]["path"] == "/healthz"
    assert seen[0]["headers"]["Host"] == "p42.example.org"
    assert seen[0]["headers"]["X-Forwarded-Proto"] == "https"


# --- Metrics of the containers --------------------------------------------------------------


@pytest.fixture
def queue_names():
    names = [f"test-deploy-{secrets.token_hex(4)}-{n}" for n in ("a", "b")]
    client = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    yield names
    keys = [key for name in names for key in client.keys(f"{name}*")]
    if keys:
        client.delete(*keys)
    client.close()


def test_it_reads_each_queue_length_from_the_broker(queue_names):
    client = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    first, second = queue_names
    client.rpush(first, "m1", "m2")
    client.rpush(f"{first}\x06\x163", "urgent")
    client.close()

    families = list(
        metrics.CeleryQueueLengthCollector(django_settings.CELERY_BROKER_URL, queue_names).collect()
    )

    samples = {
        (sample.name, tuple(sample.labels.values())): sample.value
        for family in families
        for sample in family.samples
    }
    assert samples[("partner42_celery_queue_length", (first,))] == 3
    assert samples[("partner42_celery_queue_length", (second,))] == 0
    assert samples[("partner42_celery_broker_up", ())] == 1


def test_it_reports_the_broker_down_instead_of_failing_the_scrape():
    url = f"redis://127.0.0.1:{free_port()}/0"

    families = list(metrics.CeleryQueueLengthCollector(url, ["default"], timeout=0.5).collect())

    assert [family.name for family in families] == ["partner42_celery_broker_up"]
    assert families[0].samples[0].value == 0


def test_it_knows_the_queues_the_tasks_are_routed_to():
    assert metrics.celery_queue_names() == ["default", "matchmaking"]


@pytest.mark.slow
def test_it_exports_the_sum_of_the_processes_of_a_container(tmp_path):
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    env = django_env(PROMETHEUS_MULTIPROC_DIR=str(multiproc))
    observe = (
        "from partner42.metrics import ALARM_CONNECTIONS, MATCHMAKING_RUN_SECONDS; "
        "MATCHMAKING_RUN_SECONDS.observe(0.2); "
        "ALARM_CONNECTIONS.labels(transport='websocket').inc()"
    )
    for _ in range(2):  # two processes, as two gunicorn workers or Celery children
        result = run([sys.executable, "-c", observe], env=env)
        assert result.returncode == 0, result.stderr
    port = free_port()

    exporter = subprocess.Popen(
        [sys.executable, "manage.py", "serve_metrics", "--port", str(port), "--queue-lengths"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # The exporter says it listens once the port is open (log lines may come first).
        lines = (exporter.stdout.readline() for _ in range(50))
        assert any("listening" in line for line in lines), exporter.stderr.read()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/metrics")
        body = connection.getresponse().read().decode()
    finally:
        exporter.terminate()
        exporter.wait(timeout=30)

    assert "partner42_matchmaking_run_seconds_count 2.0" in body
    assert 'partner42_alarm_connections{transport="websocket"} 2.0' in body
    assert 'partner42_celery_queue_length{queue="matchmaking"}' in body


def test_it_counts_database_queries_for_the_dashboard(db, api_client):
    from django.db import connection

    assert django_settings.DATABASES["default"]["ENGINE"].startswith("django_prometheus.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")

    body = api_client.get("/metrics").content.decode()

    assert re.search(
        r'^django_db_execute_total\{alias="default",vendor="mysql"\} [1-9]', body, re.M
    )


# --- Compose stack ----------------------------------------------------------------------------


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load((DEPLOY / "compose.yml").read_text())


APP_SERVICES = [
    "web-blue",
    "web-green",
    "realtime-blue",
    "realtime-green",
    "matchmaker",
    "worker",
    "beat",
]


def test_it_defines_every_process_of_the_stack(compose):
    services = compose["services"]

    assert set(services) == {
        "nginx",
        *APP_SERVICES,
        "migrate",
        "manage",
        "mariadb",
        "redis",
        "prometheus",
        "grafana",
    }
    assert {name: services[name]["command"][0] for name in APP_SERVICES} == {
        "web-blue": "web",
        "web-green": "web",
        "realtime-blue": "realtime",
        "realtime-green": "realtime",
        "matchmaker": "matchmaker",
        "worker": "worker",
        "beat": "beat",
    }
    assert services["migrate"]["command"] == ["migrate"]
    assert services["migrate"]["profiles"] == ["tools"]
    assert services["mariadb"]["image"] == "mariadb:10.11"
    assert services["redis"]["image"].startswith("redis:7")


def test_it_runs_every_role_the_entrypoint_knows(compose):
    commands = {
        service["command"][0]
        for service in compose["services"].values()
        if service["image"].startswith("${P42_IMAGE")
    }

    assert commands == {"web", "realtime", "matchmaker", "worker", "beat", "migrate", "manage"}
    for role in commands:
        assert dry_run(role).returncode == 0, role


def test_it_checks_the_health_of_every_long_running_service(compose):
    for name, service in compose["services"].items():
        if "tools" in service.get("profiles", []):
            assert service["restart"] == "no"
            continue
        assert service["restart"] == "unless-stopped", name
        assert service["healthcheck"]["test"], name


def test_it_waits_for_the_database_and_redis_to_be_healthy(compose):
    for name in APP_SERVICES:
        assert compose["services"][name]["depends_on"] == {
            "mariadb": {"condition": "service_healthy"},
            "redis": {"condition": "service_healthy"},
        }


def test_it_declares_every_volume_network_and_env_file_it_uses(compose):
    volumes, networks = set(compose["volumes"]), set(compose["networks"])

    for name, service in compose["services"].items():
        assert set(service.get("networks", [])) <= networks, name
        for env_file in service.get("env_file", []):
            assert (DEPLOY / f"{env_file}.example").is_file(), env_file
        for mount in service.get("volumes", []):
            source = mount.split(":")[0]
            if source.startswith("."):
                # State and secrets of a deployment are made on the server (docs/operations.md).
                if source not in ("./nginx-state", "./tls", "./acme"):
                    assert (DEPLOY / source).exists(), source
            else:
                assert source in volumes, source
    assert compose["networks"]["back"]["internal"] is True
    assert compose["services"]["mariadb"]["networks"] == ["back"]
    assert compose["services"]["redis"]["networks"] == ["back"]


def test_it_keeps_the_application_containers_read_only(compose):
    for name in [*APP_SERVICES, "migrate"]:
        service = compose["services"][name]
        assert service["read_only"] is True, name
        assert "/tmp" in service["tmpfs"], name
        assert "logs:/var/log/partner42" in service["volumes"], name


def test_it_gives_each_colour_its_release_and_its_loopback_port(compose):
    services = compose["services"]
    bluegreen = BLUEGREEN.read_text()

    for colour, web_port, realtime_port in (("blue", 8001, 8011), ("green", 8002, 8012)):
        tag = f"${{{colour.upper()}_TAG:-latest}}"
        assert services[f"web-{colour}"]["image"].endswith(tag)
        assert services[f"realtime-{colour}"]["image"].endswith(tag)
        assert services[f"web-{colour}"]["ports"] == [f"127.0.0.1:{web_port}:8000"]
        assert services[f"realtime-{colour}"]["ports"] == [f"127.0.0.1:{realtime_port}:8000"]
        assert f"http://127.0.0.1:{web_port}/readyz" in bluegreen
        assert f"http://127.0.0.1:{realtime_port}/readyz" in bluegreen
        assert services[f"web-{colour}"]["environment"]["STATIC_EXPORT_DIR"] == "/srv/static"


def test_it_pins_the_third_party_images(compose):
    for name, service in compose["services"].items():
        image = service["image"]
        if not image.startswith("${P42_IMAGE"):
            assert ":" in image, name
            assert not image.endswith(":latest"), name


def test_it_documents_the_application_environment():
    documented = env_example_names(ROOT / ".env.example")
    operations = (ROOT / "docs" / "operations.md").read_text()

    for name in env_example_names(DEPLOY / "env" / "app.env.example"):
        assert name in documented or f"`{name}`" in operations, name


# --- nginx ------------------------------------------------------------------------------------


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


# --- Blue/green switch ------------------------------------------------------------------------


@pytest.fixture
def bluegreen(tmp_path):
    """deploy/bluegreen.sh with blue live, a fake `nginx` command and stand-in colour servers."""
    state = tmp_path / "state"
    state.mkdir()
    shutil.copy(DEPLOY / "nginx" / "upstreams" / "blue.conf", state / "active.conf")
    calls = tmp_path / "nginx-calls"
    fake_nginx = tmp_path / "nginx"
    fake_nginx.write_text(
        "#!/usr/bin/env bash\n"
        'echo "$*" >>"$FAKE_NGINX_CALLS"\n'
        # -t refuses the configuration while the colour named by FAKE_NGINX_REFUSE is live.
        'if [[ $1 == -t ]] && grep -q "^# colour: ${FAKE_NGINX_REFUSE:-none}" '
        '"$BG_STATE_DIR/active.conf"; then exit 1; fi\n'
    )
    fake_nginx.chmod(0o755)

    def switch(*args: str, green: str = "", blue: str = "", **extra: str):
        env = base_env(
            BG_STATE_DIR=str(state),
            BG_NGINX=str(fake_nginx),
            BG_HEALTH_URLS_GREEN=green,
            BG_HEALTH_URLS_BLUE=blue,
            BG_HEALTH_RETRIES="2",
            BG_HEALTH_INTERVAL="0",
            FAKE_NGINX_CALLS=str(calls),
            **extra,
        )
        return run(["bash", BLUEGREEN, *args], env=env)

    def nginx_calls() -> list[str]:
        return calls.read_text().splitlines() if calls.exists() else []

    def live() -> str:
        return re.match(r"# colour: (\w+)", (state / "active.conf").read_text())[1]

    return switch, nginx_calls, live, state


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


# --- Prometheus and Grafana -------------------------------------------------------------------


@pytest.fixture(scope="module")
def dashboard() -> dict:
    return json.loads((DEPLOY / "grafana" / "dashboards" / "partner42.json").read_text())


def dashboard_exprs(dashboard: dict) -> list[str]:
    return [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]


def test_it_scrapes_the_exporter_of_every_application_service(compose):
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    scraped = {
        name: sd["port"]
        for job in config["scrape_configs"]
        for sd in job.get("dns_sd_configs", [])
        for name in sd["names"]
    }

    assert scraped == {name: 9100 for name in APP_SERVICES if name != "beat"}
    mounted = compose["services"]["prometheus"]["volumes"]
    assert "./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in mounted


@pytest.mark.parametrize(
    "metric",
    [
        "django_http_requests_total_by_view_transport_method_total",
        "django_http_requests_latency_seconds_by_view_method_bucket",
        "django_http_responses_total_by_status_total",
        "django_db_execute_total",
        "django_db_query_duration_seconds_bucket",
        "partner42_celery_queue_length",
        "partner42_matchmaking_run_seconds_bucket",
        "partner42_alarm_connections",
    ],
)
def test_it_charts_every_metric_the_operators_watch(dashboard, metric):
    assert any(metric in expr for expr in dashboard_exprs(dashboard))


def test_it_charts_only_metrics_the_code_defines(dashboard):
    defined = {"partner42_celery_queue_length", "partner42_celery_broker_up"} | {
        collector._name
        for collector in (metrics.MATCHMAKING_RUN_SECONDS, metrics.ALARM_CONNECTIONS)
    }
    used = {
        re.sub(r"_(bucket|count|sum)$", "", name)
        for expr in dashboard_exprs(dashboard)
        for name in re.findall(r"\bpartner42_[a-z_]+", expr)
    }

    assert used <= defined


def test_it_provisions_the_datasource_and_the_dashboard(compose, dashboard):
    grafana = DEPLOY / "grafana" / "provisioning"
    (datasource,) = yaml.safe_load((grafana / "datasources" / "prometheus.yml").read_text())[
        "datasources"
    ]
    (provider,) = yaml.safe_load((grafana / "dashboards" / "partner42.yml").read_text())[
        "providers"
    ]
    mounts = compose["services"]["grafana"]["volumes"]

    assert datasource["url"] == "http://prometheus:9090"
    assert f"./grafana/dashboards:{provider['options']['path']}:ro" in mounts
    assert "./grafana/provisioning:/etc/grafana/provisioning:ro" in mounts
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == datasource["uid"], panel["title"]
            assert panel["targets"], panel["title"]


def test_it_lays_the_panels_out_without_overlap(dashboard):
    cells: set[tuple[int, int]] = set()
    for panel in dashboard["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        own = {
            (x, y)
            for x in range(grid["x"], grid["x"] + grid["w"])
            for y in range(grid["y"], grid["y"] + grid["h"])
        }
        assert not own & cells, panel["title"]
        cells |= own


def test_it_gives_prometheus_valid_configuration_and_queries(dashboard, tmp_path):
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (apt-get install prometheus): PromQL unchecked")
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [
                    {"record": f"dashboard:expr:{n}", "expr": e.replace("$__rate_interval", "5m")}
                    for n, e in enumerate(dashboard_exprs(dashboard))
                ],
            }
        ]
    }
    (tmp_path / "rules.yml").write_text(yaml.safe_dump(rules))

    config = run(
        [promtool, "check", "config", DEPLOY / "prometheus" / "prometheus.yml"], base_env()
    )
    queries = run([promtool, "check", "rules", tmp_path / "rules.yml"], base_env())

    assert config.returncode == 0, config.stdout + config.stderr
    assert queries.returncode == 0, queries.stdout + queries.stderr


# --- CI workflow ------------------------------------------------------------------------------


def test_it_tests_on_mariadb_and_redis_then_builds_the_image():
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "ci.yml").read_text())
    test, image = workflow["jobs"]["test"], workflow["jobs"]["image"]

    assert workflow[True]["pull_request"] is None  # YAML 1.1 reads the `on` key as True
    assert test["services"]["mariadb"]["image"] == "mariadb:10.11"
    assert test["services"]["redis"]["image"] == "redis:7"
    assert test["env"]["DATABASE_URL"].startswith("mysql://")
    assert any(step.get("run") == "make test" for step in test["steps"])
    assert image["needs"] == "test"
    (build,) = [s for s in image["steps"] if s.get("uses", "").startswith("docker/build-push")]
    assert build["with"]["push"] is False
    assert build["with"]["file"] == "Dockerfile"


# --- Production settings ----------------------------------------------------------------------


@pytest.mark.slow
def test_it_passes_the_deployment_checks_with_production_settings():
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        env=production_env(),
    )

    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.slow
def test_it_passes_the_security_checks_with_production_settings():
    result = run(
        [sys.executable, "manage.py", "check", "--deploy", "--tag", "security"],
        env=production_env(),
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def csp_directives(header: str) -> dict[str, list[str]]:
    return {
        part.split()[0]: part.split()[1:] for part in (p.strip() for p in header.split(";")) if part
    }


@pytest.fixture
def login_page(client, db):
    return client.get(reverse("accounts:login"), secure=True)


def test_it_sends_a_content_security_policy_with_pages(login_page):
    csp = csp_directives(login_page["Content-Security-Policy"])

    assert csp["default-src"] == ["'self'"]
    assert csp["script-src"] == ["'self'"]  # a nonce only when a template asked for one
    assert csp["style-src"][0] == "'self'"
    assert csp["style-src"][1:] == [f"'sha256-{htmx_style_hash()}'"]  # htmx's indicator style
    assert csp["object-src"] == ["'none'"]
    assert csp["frame-ancestors"] == ["'none'"]
    assert csp["base-uri"] == ["'self'"]
    assert "upgrade-insecure-requests" in csp
    # The alarm websocket, on every host the site answers to.
    assert "'self'" in csp["connect-src"]
    for host in django_settings.ALLOWED_HOSTS:
        assert f"wss://{host}" in csp["connect-src"]
    # The 42 login form is redirected to the intra (Chrome checks form-action on redirects).
    intra = re.match(r"https?://[^/]+", django_settings.FORTYTWO_API_URL)[0]
    assert intra in csp["form-action"]


def htmx_style_hash() -> str:
    style = django_settings.HTMX_INDICATOR_STYLE.encode()
    return base64.b64encode(hashlib.sha256(style).digest()).decode()


def test_it_allows_the_exact_style_that_the_shipped_htmx_adds():
    import django_htmx

    htmx = Path(django_htmx.__file__).parent / "static" / "django_htmx" / "htmx-2.min.js"
    # `.${t}{...} ` + `.${n} .${t}, .${n}.${t}{...}` with t the indicator, n the request class.
    found = re.search(
        r"`\.\$\{(\w+)\}(\{opacity:0[^`]*)`\+`\.\$\{(\w+)\} \.\$\{\1\}, "
        r"\.\$\{\3\}\.\$\{\1\}(\{[^`]*)`",
        htmx.read_text(),
    )

    assert found, "htmx no longer adds its indicator style this way: update the CSP hash"
    style = (
        f".htmx-indicator{found[2]}.htmx-request .htmx-indicator, "
        f".htmx-request.htmx-indicator{found[4]}"
    )
    assert style == django_settings.HTMX_INDICATOR_STYLE


def test_it_sends_the_security_headers_with_pages(login_page):
    assert login_page["X-Content-Type-Options"] == "nosniff"
    assert login_page["Referrer-Policy"] == "same-origin"
    assert login_page["X-Frame-Options"] == "DENY"
    assert login_page["Cross-Origin-Opener-Policy"] == "same-origin"
    assert login_page["Strict-Transport-Security"] == (
        "max-age=31536000; includeSubDomains; preload"
    )


def inline_code(html: str) -> list[str]:
    """What the policy blocks: inline scripts and styles, event handler and style attributes."""
    found = re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    found += re.findall(r"<style\b[^>]*>", html)
    found += re.findall(r"\s(on[a-z]+|style)\s*=", html)
    return found


def test_it_keeps_pages_within_their_policy(login_page, client, alice):
    client.force_login(alice)
    choose = client.get(reverse("accounts:choose"), secure=True)

    assert choose.status_code == 200
    for response in (login_page, choose):
        assert inline_code(response.content.decode()) == []


def test_it_loads_the_api_docs_within_their_policy(client, db):
    page = client.get("/api/docs/", secure=True)
    script_url = re.search(r'<script src="([^"]*\bscript=[^"]*)"', page.content.decode())[1]
    script = client.get(script_url.replace("&amp;", "&"), secure=True)

    csp = csp_directives(page["Content-Security-Policy"])
    assert page.status_code == 200
    assert not re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", page.content.decode())
    assert "'unsafe-inline'" not in csp["script-src"]
    assert csp["style-src"] == ["'self'", "'unsafe-inline'"]  # the page's one <style>
    assert script.status_code == 200
    assert script["Content-Type"].startswith("application/javascript")
    assert b"SwaggerUIBundle" in script.content


@pytest.mark.slow
def test_it_can_send_the_policy_as_report_only():
    code = (
        "from django.test import Client; "
        "r = Client().get('/healthz', secure=True); "
        "print('Content-Security-Policy' in r, r['Content-Security-Policy-Report-Only'])"
    )
    result = run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=django_env(CSP_REPORT_ONLY="true", CSP_REPORT_URI="https://sentry.example.org/csp"),
    )

    assert result.returncode == 0, result.stderr
    enforced, policy = result.stdout.strip().splitlines()[-1].split(" ", 1)
    assert enforced == "False"
    assert "report-uri https://sentry.example.org/csp" in policy


@pytest.mark.slow
def test_it_writes_the_log_to_a_rotating_file_as_well_as_stdout(tmp_path):
    log_file = tmp_path / "web.log"
    code = (
        "import logging; "
        "logging.getLogger('partner42').warning('to both'); "
        "handler = [h for h in logging.getLogger().handlers if h.get_name() == 'file'][0]; "
        "print(type(handler).__name__, handler.maxBytes, handler.backupCount)"
    )

    result = run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        env=django_env(LOG_FILE=str(log_file)),
    )

    assert result.returncode == 0, result.stderr
    *logged, handler = result.stdout.strip().splitlines()
    assert handler == "ConcurrentRotatingFileHandler 10485760 5"
    assert json.loads(logged[-1])["message"] == "to both"
    entry = json.loads(log_file.read_text().splitlines()[-1])
    assert (entry["level"], entry["message"]) == ("WARNING", "to both")
