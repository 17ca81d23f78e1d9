"""`make screenshots`: refresh docs/screenshots/ (phone and desktop, Korean and English).

Serves the embedded default (SQLite in a temporary folder, demo data, demo login) on a free port,
drives Debian's chromium with Playwright (CHROMIUM, default /usr/bin/chromium; never a browser
downloaded by `playwright install`), logs in as a demo student and photographs a few pages.
Needs no MariaDB or Redis.

    .venv/bin/python scripts/screenshots.py [OUT_DIR]
"""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from playwright.sync_api import Page, sync_playwright  # noqa: E402

from tests.helpers import free_port, port_open, running, wait_until_ready  # noqa: E402

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
]
DEVICES = {
    "phone": {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True},
    "desktop": {"viewport": {"width": 1280, "height": 800}},
}
LANGUAGES = {"ko": "ko-KR", "en": "en-US"}
DEMO_STUDENT = "jisookim"  # has rooms, matches, reviews and scores in the demo data


def _first_room(page: Page) -> str:
    return page.locator(".room-card__title a").first.get_attribute("href")


def _matched(page: Page) -> str:
    """The random page's matched view. The demo leaves a student waiting for a MEAL match at
    Gaepo: the first time, ask for one there (paired at once); later contexts see the same match."""
    page.goto("/random/?category=MEAL")
    if page.locator(".random__matched").count() == 0:
        page.goto("/random/?category=MEAL&again=1")
        page.locator("input[name=places][value=GAEPO]").check()
        with page.expect_navigation():
            page.locator(".random__form button[type=submit]").click()
    return "/random/?category=MEAL"


def _match_page(page: Page) -> str:
    """The page of the match `_matched` made: members' introductions, where to eat, reviews."""
    page.goto("/random/?category=MEAL")
    return page.locator(".random__matched a.btn--primary").first.get_attribute("href")


# name -> how to reach the page from a logged-in one (the login page is taken before login).
PAGES = {
    "rooms": lambda page: "/rooms/?category=MEAL",
    "room": lambda page: (page.goto("/rooms/?category=MEAL"), _first_room(page))[1],
    "mine": lambda page: "/rooms/mine/",
    "random": lambda page: "/random/?category=MEAL&again=1",
    "matched": _matched,
    "match": _match_page,
    "mypage": lambda page: "/me/",
    "scores": lambda page: "/me/scores/",
}


def _shoot(page: Page, path: Path) -> None:
    page.wait_for_load_state("load")
    page.evaluate("document.fonts.ready")
    page.screenshot(path=path, animations="disabled")
    print(f"wrote {path}")


def take(base_url: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        for lang, locale in LANGUAGES.items():
            for device, options in DEVICES.items():
                context = browser.new_context(
                    base_url=base_url, locale=locale, timezone_id="Asia/Seoul", **options
                )
                page = context.new_page()
                page.goto("/")
                _shoot(page, out / f"login-{device}-{lang}.png")
                with page.expect_navigation():
                    page.locator(f"button[name=user][value={DEMO_STUDENT}]").click()
                for name, where in PAGES.items():
                    page.goto(where(page))
                    _shoot(page, out / f"{name}-{device}-{lang}.png")
                context.close()
        browser.close()


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "screenshots"
    if not os.access(CHROMIUM, os.X_OK):
        sys.exit(f"No chromium at {CHROMIUM}: run scripts/ensure-browser.sh")
    port = free_port()
    with tempfile.TemporaryDirectory() as tmp:
        env = {
            key: value
            for key, value in os.environ.items()
            if key not in ("DATABASE_URL", "CELERY_BROKER_URL", "DJANGO_SETTINGS_MODULE")
        }
        # Set, even empty, so that a developer's .env cannot point the demo at real services.
        env.update(
            REDIS_URL="",
            CELERY_TASK_ALWAYS_EAGER="true",
            DEBUG="true",
            DEMO_LOGIN="true",
            DATABASE_URL=f"sqlite:///{tmp}/db.sqlite3",
            REVIEW_DELAY_MINUTES="0",
            LOG_LEVEL="WARNING",
        )
        manage = [sys.executable, "manage.py"]
        for command in (["migrate", "--noinput", "-v", "0"], ["load_demo"]):
            with running([*manage, *command], env=env, stdout=open(os.devnull, "w")) as process:
                if process.wait() != 0:
                    sys.exit(f"manage.py {command[0]} failed")
        server = [*manage, "runserver", "--noreload", f"127.0.0.1:{port}"]
        with (
            open(Path(tmp) / "server.log", "w") as log,
            running(server, env=env, stdout=log, stderr=log) as process,
        ):
            wait_until_ready(process, lambda: port_open(port), what="the demo server")
            take(f"http://127.0.0.1:{port}", out)


if __name__ == "__main__":
    main()
