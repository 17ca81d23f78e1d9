"""Configuration comes from the environment, is documented, and fails loudly when missing."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def _settings_env_names() -> set[str]:
    source = (ROOT / "partner42" / "settings.py").read_text()
    return set(re.findall(r'env(?:\.\w+)?\(\s*"([A-Z][A-Z0-9_]+)"', source))


def _documented_names() -> set[str]:
    text = (ROOT / ".env.example").read_text()
    return set(re.findall(r"^([A-Z][A-Z0-9_]+)=", text, flags=re.MULTILINE))


def test_it_documents_every_environment_variable_in_env_example():
    missing = _settings_env_names() - _documented_names()
    assert not missing, f"not in .env.example: {sorted(missing)}"


def _start_django(env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PYTEST"))}
    for name in ("SECRET_KEY", "DEBUG", "DATABASE_URL", "REDIS_URL", "ALLOWED_HOSTS", "DEMO_LOGIN"):
        clean.pop(name, None)
    clean.update(env)
    clean["DJANGO_SETTINGS_MODULE"] = "partner42.settings"
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup()"],
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
    ],
)
def test_it_refuses_to_start_in_production_without_a_required_variable(env, missing):
    result = _start_django(env)
    assert result.returncode != 0
    assert missing in result.stderr


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
