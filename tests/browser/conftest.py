"""Browser tests: Debian's chromium, driven by Playwright, against a real daphne server.

- `site_server`: `daphne partner42.asgi:application` on a free port, one per xdist worker, on the
  worker's test database (MariaDB) and Redis prefix, Celery eager, reviews open at once, 42 intra
  faked by accounts/tests/fake_intra.py. Tests use `transactional_db`, so what a test writes is
  committed and the server sees it (and it is flushed after the test). It logs to
  `.artifacts/daphne-<worker>.log`.
- `browser`: chromium from CHROMIUM (default /usr/bin/chromium), never a downloaded browser build;
  missing chromium or CJK fonts FAILS the tests with how to get them. pytest-playwright's fixtures,
  with Playwright itself living only as long as this package's tests (see `playwright`).
- `student(user, ...)`: a new browser context (phone viewport, Korean) logged in as `user`
  through a session cookie; `anonymous(...)`: one logged out. Both through pytest-playwright's
  `new_context`, so a failing test keeps a screenshot and a trace of every context in
  `.artifacts/browser/` (see `--output`, `--tracing`, `--screenshot` in pyproject.toml).

Page helpers (and the axe / 390 px checks run on every page) are in tests/browser/pages.py.
"""

import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client
from playwright.sync_api import sync_playwright

from tests.browser import pages
from tests.helpers import (
    NotReadyError,
    database_url,
    free_port,
    port_open,
    running,
    wait_until_ready,
)

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
HOW_TO_GET_THEM = (
    "The browser tests need Debian's chromium and the CJK fonts: "
    "'sudo apt-get install chromium fonts-noto-cjk' (make test installs them when run as root), "
    "or point CHROMIUM at a Chromium binary. Never 'playwright install'."
)


def pytest_collection_modifyitems(items):
    here = Path(__file__).parent
    for item in items:
        if here in Path(item.fspath).parents:
            item.add_marker(pytest.mark.browser)
            item.add_marker(pytest.mark.slow)


def _cjk_font_installed() -> bool:
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return Path("/usr/share/fonts/opentype/noto").is_dir()
    found = subprocess.run(
        [fc_list, ":lang=ko", "family"], capture_output=True, text=True, check=False
    )
    return "Noto Sans CJK" in found.stdout


@pytest.fixture(scope="package")
def playwright(_pw_api_request_contexts):
    """pytest-playwright's, but for this package only instead of the whole session.

    While Playwright's sync API runs, an event loop is running in this thread: Django would refuse
    the tests' ORM calls (factories, assertions, flushes) as if made from async code, and
    `async_to_sync` (the channel layer) would refuse to run. So the browser tests lift Django's
    guard, and Playwright stops when the last of them is done, before the worker runs other tests.
    """
    previous = os.environ.get("DJANGO_ALLOW_ASYNC_UNSAFE")
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    pw = sync_playwright().start()
    if _pw_api_request_contexts:
        _pw_api_request_contexts.instrument(pw)
    try:
        yield pw
    finally:
        pw.stop()
        if previous is None:
            os.environ.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
        else:
            os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = previous


@pytest.fixture(scope="package")
def browser_type(playwright, browser_name):
    return getattr(playwright, browser_name)


@pytest.fixture(scope="package")
def browser(browser_type, browser_type_launch_args):
    browser = browser_type.launch(**browser_type_launch_args)
    yield browser
    browser.close()


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not (os.path.isfile(CHROMIUM) and os.access(CHROMIUM, os.X_OK)):
        pytest.fail(f"No chromium at {CHROMIUM}. {HOW_TO_GET_THEM}", pytrace=False)
    if not _cjk_font_installed():
        pytest.fail(f"No Korean font (fonts-noto-cjk). {HOW_TO_GET_THEM}", pytrace=False)
    headless = browser_type_launch_args.get("headless", True)
    args = [a for a in CHROMIUM_ARGS if headless or a != "--headless"]
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": args}


@pytest.fixture(scope="session")
def site_server(django_db_setup, django_db_blocker, fake_intra_server):
    """The site served by daphne on the test database; its base URL."""
    port = free_port()
    with django_db_blocker.unblock():
        db_url = database_url(connection.settings_dict)
    app = settings.SOCIALACCOUNT_PROVIDERS["fortytwo"]["APPS"][0]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.browser.server_settings",
        "DATABASE_URL": db_url,
        "REDIS_URL": settings.REDIS_URL,
        "FORTYTWO_API_URL": fake_intra_server.url,
        "FORTYTWO_CLIENT_ID": app["client_id"],
        "FORTYTWO_CLIENT_SECRET": app["secret"],
        "REVIEW_DELAY_MINUTES": "0",
        "CELERY_TASK_ALWAYS_EAGER": "true",
        "LOG_LEVEL": "WARNING",
    }
    log = pages.ARTIFACTS.parent / f"daphne-{os.environ.get('PYTEST_XDIST_WORKER', 'main')}.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    daphne = [sys.executable, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port)]
    with (
        log.open("w") as out,
        running(
            [*daphne, "partner42.asgi:application"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        ) as process,
    ):
        try:
            wait_until_ready(process, lambda: port_open(port), what="daphne")
        except NotReadyError as exc:
            pytest.fail(f"{exc}:\n{log.read_text()}")
        yield f"http://127.0.0.1:{port}"


@pytest.fixture
def intra(fake_intra_server):
    """The fake 42 intra the server logs in through, reset and expecting our credentials."""
    app = settings.SOCIALACCOUNT_PROVIDERS["fortytwo"]["APPS"][0]
    fake_intra_server.reset(client_id=app["client_id"], client_secret=app["secret"])
    yield fake_intra_server
    fake_intra_server.reset()


@pytest.fixture(scope="package")
def browser_context_args(site_server):
    return {"base_url": site_server}


# What every context starts from; `anonymous(...)` / `student(...)` arguments override it.
CONTEXT_DEFAULTS = {
    "locale": "ko-KR",
    "timezone_id": "Asia/Seoul",
    "viewport": pages.PHONE,
    "device_scale_factor": 1,
}


@pytest.fixture
def anonymous(new_context, site_server) -> Callable:
    """A new logged-out browser context's page (`anonymous(java_script_enabled=False)` ...)."""

    def make(**context_args):
        context = new_context(**{**CONTEXT_DEFAULTS, **context_args})
        pages.serve_axe(context, site_server)
        if context_args.get("java_script_enabled") is False:
            pages.without_javascript(context)
        # Irreversible actions ask in the page's own <dialog> (pages.press_and_confirm); a native
        # window.confirm / alert would be dismissed by Playwright, and the journey fails further on.
        return context.new_page()

    return make


@pytest.fixture
def student(anonymous, site_server) -> Callable:
    """`student(user, **context_args)`: a page of a new context logged in as `user`."""

    def make(user, **context_args):
        page = anonymous(**context_args)
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME]
        page.context.add_cookies(
            [{"name": cookie.key, "value": cookie.value, "url": site_server, "httpOnly": True}]
        )
        return page

    return make


@pytest.fixture(autouse=True)
def _browser_tests_commit(transactional_db):
    """The server is another process: the test's data must be committed to be seen."""
