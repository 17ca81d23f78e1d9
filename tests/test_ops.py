"""Operations: liveness, readiness, metrics, OpenAPI, JSON logs and Sentry (SPEC section 11)."""

import json
import logging
import os
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest
import yaml
from django.conf import settings as django_settings

from partner42 import views as ops_views
from partner42.celery import app as celery_app
from partner42.log import JsonFormatter
from tests.helpers import free_port

ROOT = Path(__file__).resolve().parent.parent


# --- Liveness and readiness -------------------------------------------------------------------


def test_it_answers_healthz_without_touching_the_database(
    api_client, db, django_assert_num_queries
):
    with django_assert_num_queries(0):
        response = api_client.get("/healthz")

    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_it_answers_readyz_when_every_dependency_answers(api_client, db):
    response = api_client.get("/readyz")

    assert response.status_code == 200
    assert response.json() == {
        "status": "ok",
        "checks": {"database": "ok", "cache": "ok", "broker": "ok"},
    }


def test_it_answers_503_naming_the_cache_when_redis_is_down(api_client, db, settings):
    settings.CACHES = {
        "default": {
            **django_settings.CACHES["default"],
            "LOCATION": f"redis://127.0.0.1:{free_port()}/3",
        }
    }

    response = api_client.get("/readyz")

    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "unavailable"
    assert body["failing"] == ["cache"]
    assert body["checks"]["database"] == "ok"
    assert body["checks"]["cache"].startswith("error")


def test_it_answers_503_naming_the_broker_when_it_is_down(api_client, db, monkeypatch):
    monkeypatch.setattr(celery_app.conf, "broker_url", f"redis://127.0.0.1:{free_port()}/3")

    response = api_client.get("/readyz")

    assert response.status_code == 503
    assert response.json()["failing"] == ["broker"]


def test_it_gives_up_on_a_check_that_hangs(api_client, db, monkeypatch):
    release = threading.Event()
    monkeypatch.setattr(ops_views, "READY_CHECK_TIMEOUT", 0.2)
    monkeypatch.setattr(ops_views, "_check_broker", lambda: release.wait())
    try:
        response = api_client.get("/readyz")
    finally:
        release.set()

    assert response.status_code == 503
    assert response.json()["checks"]["broker"] == "timeout"


# --- Metrics ----------------------------------------------------------------------------------


def test_it_serves_metrics_to_an_allowed_address(api_client, db):
    response = api_client.get("/metrics")  # the test client comes from 127.0.0.1

    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/plain")
    assert b"django_http_requests" in response.content


def test_it_refuses_metrics_to_other_addresses(api_client, settings):
    settings.METRICS_ALLOWED_IPS = ["10.0.0.0/8"]

    assert api_client.get("/metrics").status_code == 403
    assert api_client.get("/metrics", REMOTE_ADDR="10.1.2.3").status_code == 200


def test_it_serves_metrics_to_the_bearer_of_the_token(api_client, settings):
    settings.METRICS_ALLOWED_IPS = []
    settings.METRICS_TOKEN = "s3cret-metrics"

    assert api_client.get("/metrics", HTTP_AUTHORIZATION="Bearer s3cret-metrics").status_code == 200
    assert api_client.get("/metrics", HTTP_AUTHORIZATION="Bearer wrong").status_code == 403
    assert api_client.get("/metrics").status_code == 403


def test_it_ignores_an_empty_token_setting(api_client, settings):
    settings.METRICS_ALLOWED_IPS = []
    settings.METRICS_TOKEN = ""

    assert api_client.get("/metrics", HTTP_AUTHORIZATION="Bearer ").status_code == 403


# --- OpenAPI ----------------------------------------------------------------------------------


def test_it_serves_a_valid_openapi_schema(api_client, db):
    as_json = api_client.get("/api/schema/", {"format": "json"})
    as_yaml = api_client.get("/api/schema/")

    assert as_json.status_code == 200
    schema = json.loads(as_json.content)
    assert schema["openapi"].startswith("3.")
    assert schema["info"]["title"] == "42Partner API"
    assert "ErrorResponse" in schema["components"]["schemas"]
    assert as_yaml.status_code == 200
    assert yaml.safe_load(as_yaml.content) == schema


def test_it_serves_swagger_ui_from_local_assets_only(api_client, db):
    response = api_client.get("/api/docs/")

    assert response.status_code == 200
    html = response.content.decode()
    assets = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)["']""", html)
    assert any("swagger-ui" in asset for asset in assets)
    assert not [asset for asset in assets if re.match(r"(https?:)?//", asset)]
    assert not re.search(r"https?://[^\s\"']*(cdn|unpkg|jsdelivr)", html)


# --- Logs and Sentry --------------------------------------------------------------------------


def test_it_formats_a_log_record_as_one_json_line():
    try:
        raise ValueError("boom")
    except ValueError:
        record = logging.getLogger("partner42.test").makeRecord(
            "partner42.test",
            logging.ERROR,
            __file__,
            1,
            "failed for %s",
            ("알파",),
            sys.exc_info(),
            extra={"room_id": 7},
        )

    line = JsonFormatter().format(record)

    assert "\n" not in line
    entry = json.loads(line)
    assert entry["level"] == "ERROR"
    assert entry["logger"] == "partner42.test"
    assert entry["message"] == "failed for 알파"
    assert entry["room_id"] == 7
    assert "ValueError: boom" in entry["exc_info"]


def run_django(code: str, **env: str) -> subprocess.CompletedProcess:
    ours = ("SENTRY_", "PYTEST", "LOG_", "DEBUG", "DJANGO_")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(ours)}
    clean.update(env, DJANGO_SETTINGS_MODULE="tests.settings")
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup(); {code}"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_it_logs_json_lines_to_stdout():
    result = run_django("import logging; logging.getLogger('partner42').warning('hello %s', 1)")

    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stdout.strip().splitlines()[-1])
    assert (entry["level"], entry["logger"], entry["message"]) == (
        "WARNING",
        "partner42",
        "hello 1",
    )


SENTRY_ACTIVE = "import sentry_sdk; print(sentry_sdk.get_client().is_active())"


def test_it_starts_sentry_only_with_a_dsn():
    without = run_django(SENTRY_ACTIVE)
    with_dsn = run_django(SENTRY_ACTIVE, SENTRY_DSN="https://key@127.0.0.1:9/1")

    assert without.returncode == 0, without.stderr
    assert without.stdout.strip().splitlines()[-1] == "False"
    assert with_dsn.returncode == 0, with_dsn.stderr
    assert with_dsn.stdout.strip().splitlines()[-1] == "True"


def test_it_gives_sentry_the_django_and_celery_integrations():
    result = run_django(
        "import sentry_sdk; print(sorted(sentry_sdk.get_client().integrations))",
        SENTRY_DSN="https://key@127.0.0.1:9/1",
    )

    assert result.returncode == 0, result.stderr
    names = result.stdout.strip().splitlines()[-1]
    assert "'django'" in names
    assert "'celery'" in names


@pytest.mark.parametrize("log_format", ["xml"])
def test_it_refuses_an_unknown_log_format(log_format):
    result = run_django("pass", LOG_FORMAT=log_format)

    assert result.returncode != 0
    assert "LOG_FORMAT" in result.stderr
