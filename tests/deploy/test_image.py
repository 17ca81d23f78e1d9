"""The image: Dockerfile stages, static files, the entrypoint roles and their health."""

import json
import re
import shutil
import subprocess
import sys

import pytest
from django.core.management import get_commands

from partner42 import metrics
from tests.deploy.common import (
    ENTRYPOINT,
    ROLES,
    ROOT,
    VENV_BIN,
    base_env,
    django_env,
    dry_run,
    run,
    stub_server,
)


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
