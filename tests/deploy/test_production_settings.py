"""The production settings: check --deploy, CSP and security headers, log files."""

import base64
import hashlib
import json
import re
import sys
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.urls import reverse

from tests.deploy.common import (
    django_env,
    production_env,
    run,
)


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
