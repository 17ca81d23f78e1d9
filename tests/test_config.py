"""Configuration comes from the environment, is documented, and fails loudly when missing."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# What production needs, all of it (the settings need no database or Redis to load).
PRODUCTION = {
    "SECRET_KEY": "x" * 50,
    "ALLOWED_HOSTS": "example.org",
    "DATABASE_URL": "mysql://u:p@127.0.0.1:3306/partner42",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
    "FORTYTWO_CLIENT_ID": "client-id",
    "FORTYTWO_CLIENT_SECRET": "client-secret",
    "EMAIL_URL": "smtp+tls://mailer:secret@smtp.example.org:587",
    "DEFAULT_FROM_EMAIL": "42Partner <noreply@example.org>",
}


def _without(env: dict[str, str], name: str) -> dict[str, str]:
    return {k: v for k, v in env.items() if k != name}


def _settings_env_names() -> set[str]:
    source = (ROOT / "partner42" / "settings.py").read_text()
    return set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', source))


def _documented_names() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def test_it_documents_every_environment_variable_in_env_example():
    missing = _settings_env_names() - _documented_names()
    assert not missing, f"not in .env.example: {sorted(missing)}"


def _start_django(env: dict[str, str], code: str = "") -> subprocess.CompletedProcess:
    """Load the settings in a child process with only `env` of ours, then run `code`."""
    # Every variable of .env.example goes: the test settings put some in this process.
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in _documented_names() and not k.startswith(("DJANGO_", "PYTEST"))
    }
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "partner42.settings"
    return subprocess.run(
        [sys.executable, "-c", f"import django; django.setup()\n{code}"],
        cwd=ROOT,
        env=clean,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.mark.parametrize(
    ("env", "missing"),
    [
        ({}, "SECRET_KEY"),
        ({"SECRET_KEY": "x" * 50}, "ALLOWED_HOSTS"),
        ({"SECRET_KEY": "x" * 50, "ALLOWED_HOSTS": "example.org"}, "DATABASE_URL"),
        (
            {
                "SECRET_KEY": "x" * 50,
                "ALLOWED_HOSTS": "example.org",
                "DATABASE_URL": "mysql://u:p@127.0.0.1:3306/partner42",
            },
            "REDIS_URL",
        ),
        ({**PRODUCTION, "FORTYTWO_CLIENT_ID": ""}, "FORTYTWO_CLIENT_ID"),
        ({**PRODUCTION, "FORTYTWO_CLIENT_SECRET": ""}, "FORTYTWO_CLIENT_SECRET"),
        (_without(PRODUCTION, "FORTYTWO_CLIENT_ID"), "FORTYTWO_CLIENT_ID"),
        (_without(PRODUCTION, "FORTYTWO_CLIENT_SECRET"), "FORTYTWO_CLIENT_SECRET"),
        (_without(PRODUCTION, "EMAIL_URL"), "EMAIL_URL"),
        (_without(PRODUCTION, "DEFAULT_FROM_EMAIL"), "DEFAULT_FROM_EMAIL"),
    ],
)
def test_it_refuses_to_start_in_production_without_a_required_variable(env, missing):
    result = _start_django(env)
    assert result.returncode != 0
    assert f"Set the {missing} environment variable" in result.stderr


def test_it_starts_in_production_with_every_required_variable():
    result = _start_django(
        PRODUCTION, "from django.conf import settings; print(settings.EMAIL_HOST)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "smtp.example.org"


def test_it_names_email_url_when_its_scheme_is_unknown():
    result = _start_django({**PRODUCTION, "EMAIL_URL": "mail://smtp.example.org"})
    assert result.returncode != 0
    assert "EMAIL_URL: Invalid email schema mail" in result.stderr


def test_it_prints_mails_on_the_console_with_debug():
    result = _start_django(
        {"DEBUG": "true"}, "from django.conf import settings; print(settings.EMAIL_BACKEND)"
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "django.core.mail.backends.console.EmailBackend"


def test_it_refuses_the_debug_key_on_a_real_database():
    # DEBUG's built-in SECRET_KEY is public: fine for the embedded SQLite, not for MariaDB.
    result = _start_django({"DEBUG": "true", "DATABASE_URL": "mysql://u:p@127.0.0.1:3306/p42"})
    assert result.returncode != 0
    assert "Set the SECRET_KEY environment variable" in result.stderr


def test_it_refuses_the_demo_login_outside_debug():
    result = _start_django(
        {
            "SECRET_KEY": "x" * 50,
            "ALLOWED_HOSTS": "example.org",
            "DATABASE_URL": "mysql://u:p@127.0.0.1:3306/partner42",
            "REDIS_URL": "redis://127.0.0.1:6379/0",
            "DEMO_LOGIN": "true",
        }
    )
    assert result.returncode != 0
    assert "DEMO_LOGIN" in result.stderr


def test_it_starts_on_the_embedded_default_in_debug():
    result = _start_django({"DEBUG": "true"})
    assert result.returncode == 0, result.stderr


# --- FRONTEND_URL and CORS ---------------------------------------------------------------------

_FRONTEND_REPORT = """
import json
from django.conf import settings
from django.core.management import call_command
from accounts.providers.fortytwo import handoff
call_command("check")
print(json.dumps({
    "cors": settings.CORS_ALLOWED_ORIGINS,
    "form_action": settings.CONTENT_SECURITY_POLICY["DIRECTIVES"]["form-action"],
    "redirect": handoff.failure_response().url,
}))
"""


@pytest.mark.parametrize(
    ("url", "origin"),
    [
        ("https://42partner.example/", "https://42partner.example"),
        ("http://host/front", "http://host"),
        ("https://Client.Example.org:8443/app/?from=42", "https://client.example.org:8443"),
    ],
)
def test_it_takes_the_origin_of_a_frontend_url_with_a_path(url, origin):
    result = _start_django({"DEBUG": "true", "FRONTEND_URL": url}, _FRONTEND_REPORT)

    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report["cors"] == [origin]
    assert origin in report["form_action"]
    # The hand-off goes to the URL as given.
    separator = "&" if "?" in url else "?"
    assert report["redirect"] == f"{url}{separator}login_success=false"


@pytest.mark.parametrize("url", ["42partner.example", "ftp://42partner.example", "https://", ""])
def test_it_refuses_a_frontend_url_that_is_not_an_http_url(url):
    result = _start_django({"DEBUG": "true", "FRONTEND_URL": url})

    assert result.returncode != 0
    assert "FRONTEND_URL must be an http(s) URL" in result.stderr


def test_it_allows_the_cache_control_header_cross_origin(client, settings):
    response = client.options(
        "/api/articles",
        HTTP_ORIGIN=settings.CORS_ALLOWED_ORIGINS[0],
        HTTP_ACCESS_CONTROL_REQUEST_METHOD="GET",
        HTTP_ACCESS_CONTROL_REQUEST_HEADERS="authorization, cache-control",
    )

    assert response.status_code == 200
    allowed = {h.strip() for h in response["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "cache-control"} <= allowed
