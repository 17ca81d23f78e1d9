"""Page helpers for the browser journeys: where to click on today's pages, in one place.

The journeys say what a student does (`create_room`, `join`, ...); this module says how, with
roles, labels and names first (what a screen reader user finds too). When a page changes, fix the
helper here and every journey follows.

Every helper that lands on a page calls `check(page)`: axe-core (vendored, served from the test
server's own origin so the page's CSP stays as strict as in production) finds no serious or
critical violation, and nothing overflows horizontally (the phone width is 390 px).
"""

import json
import re
import uuid
import weakref
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from pathlib import Path
from urllib.parse import urlsplit

from playwright.sync_api import BrowserContext, Page, expect
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from tests.helpers import ROOT

ARTIFACTS = ROOT / ".artifacts" / "browser"
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
AXE_PATH = "/__browser-tests__/axe.min.js"  # answered by the test browser, never the server
BLOCKING_IMPACTS = ("serious", "critical")
# Violations found by these tests and reported, tolerated until fixed so that every other check
# keeps running: (rule, target) -> why, each with a strict-xfail test that fails once the fix lands
# (then delete both). None today.
KNOWN_VIOLATIONS: dict[tuple[str, str], str] = {}
LIVE_TIMEOUT = 15_000  # ms: a bound on waiting for a live update, never a speed assertion
# A bound on waiting for what a page shows (Playwright's default is 5 s): a loaded 2-core machine
# runs the browser, the server and the other xdist worker at once.
expect.set_options(timeout=10_000)


def outside_the_browser_loop(call):
    """Run `call()` in a thread of its own and return its result. Playwright's event loop runs
    in the test's thread, where `async_to_sync` refuses to run: data set up through services
    that push alarms live (room_join, room_complete, alarm_create) is set up from here."""
    from django.db import connection

    def run():
        try:
            return call()
        finally:
            connection.close()

    with ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(run).result()


def serve_axe(context: BrowserContext, base_url: str) -> None:
    """Let pages of `context` load axe-core from their own origin (CSP script-src 'self')."""
    context.route(
        f"{base_url}{AXE_PATH}",
        lambda route: route.fulfill(path=AXE, content_type="text/javascript"),
    )


def without_javascript(context: BrowserContext) -> None:
    """Note that `context` runs no page script (axe cannot run there)."""
    _NO_JAVASCRIPT.add(context)


_NO_JAVASCRIPT: "weakref.WeakSet[BrowserContext]" = weakref.WeakSet()


def check(page: Page, *, known: dict = KNOWN_VIOLATIONS) -> None:
    """The page passes axe (no serious or critical violation) and fits its width."""
    page.wait_for_load_state("load")
    overflow = page.evaluate("() => [document.scrollingElement.scrollWidth, window.innerWidth]")
    assert overflow[0] <= overflow[1], f"{page.url} overflows: scrollWidth {overflow}"
    if page.context in _NO_JAVASCRIPT:
        return  # no page script runs; the same pages are audited with JavaScript on
    if not page.evaluate("() => typeof window.axe === 'object'"):
        page.add_script_tag(url=AXE_PATH)
    result = page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                targets: v.nodes.slice(0, 5).map(n => n.target.join(" "))}));
        }"""
    )
    for violation in result:
        violation["targets"] = [
            t for t in violation["targets"] if (violation["id"], t) not in known
        ]
    blocking = [v for v in result if v["impact"] in BLOCKING_IMPACTS and v["targets"]]
    assert not blocking, f"axe on {page.url}:\n" + json.dumps(
        blocking, indent=1, ensure_ascii=False
    )


def listen_for_alarms(page: Page) -> None:
    """Reload `page` and wait until its alarm websocket is open (the server sent the count), so a
    later alarm is pushed to it live."""
    frames: list = []

    def on_websocket(websocket) -> None:
        websocket.on("framereceived", lambda payload: frames.append(payload))

    page.on("websocket", on_websocket)
    try:
        page.reload()
        for _ in range(LIVE_TIMEOUT // 50):
            if frames:
                break
            page.wait_for_timeout(50)
        assert frames, f"no alarm websocket on {page.url}"
    finally:
        page.remove_listener("websocket", on_websocket)
    check(page)


def room_id(page: Page) -> uuid.UUID:
    """The id of the room whose page `page` shows."""
    found = re.search(r"/rooms/([0-9a-f-]{36})/", page.url)
    assert found, f"not a room page: {page.url}"
    return uuid.UUID(found.group(1))


def listen_for_room_changes(page: Page) -> None:
    """Wait until the room page `page` hears its room's changes live: its websocket joins the
    room's group only after the handshake (and a query), so nothing in the page says when. Tell the
    group "room changed" (what every change of the room sends) until the page re-fetches its live
    parts, so a later change is pushed to it."""
    from rooms.live import room_changed

    room = room_id(page)

    def refetch(response) -> bool:
        return (
            response.request.headers.get("hx-request") == "true"
            and urlsplit(response.url).path == f"/rooms/{room}/"
        )

    for _ in range(LIVE_TIMEOUT // 1000):
        try:
            with page.expect_response(refetch, timeout=1000):
                outside_the_browser_loop(lambda: room_changed(room))
        except PlaywrightTimeoutError:
            continue
        page.wait_for_load_state("networkidle")
        return
    raise AssertionError(f"the room page {page.url} never heard its room change")


def goto(page: Page, path: str) -> Page:
    page.goto(path)
    check(page)
    return page


def reload(page: Page) -> Page:
    page.reload()
    check(page)
    return page


def click_and_check(page: Page, locator) -> None:
    """Click something that loads a new page; audit that page. The page must load: an error
    status with an empty body (Chrome's own error page) fails the test here."""
    try:
        with page.expect_navigation():
            locator.click()
    except PlaywrightError as exc:
        if isinstance(exc, PlaywrightTimeoutError):
            raise
        raise AssertionError(f"clicking {locator} from {page.url} loaded no page: {exc}") from exc
    check(page)


# --- accounts -------------------------------------------------------------------------------


def login_through_intra(page: Page) -> None:
    """From the login page through the (fake) 42 intra back to the choose page."""
    goto(page, "/")
    click_and_check(page, page.get_by_role("button", name="42로 로그인"))
    expect(page).to_have_url(re.compile(r"/choose/$"))


def logout(page: Page) -> None:
    click_and_check(page, page.get_by_role("button", name="로그아웃"))


def tab(page: Page, name: str):
    """A link of the main menu: the tab bar on a phone, the header on a wide screen (the other
    one is not displayed, so only one matches)."""
    return page.get_by_role("navigation", name="주 메뉴").get_by_role("link", name=name, exact=True)


def nickname_in_header(page: Page):
    return page.get_by_role("navigation", name="내 계정").locator(".user-nav__nickname")


# --- rooms ----------------------------------------------------------------------------------


def create_room(
    page: Page,
    *,
    title: str,
    day: date,
    meeting_time: str | None = None,
    category: str = "MEAL",
    capacity: int = 2,
    places: tuple[str, ...] = (),
    content: str = "같이 해요",
    restaurant: str | None = None,
) -> str:
    """Fill and send the new-room form; the new room's URL."""
    goto(page, f"/rooms/new/?category={category}")
    page.get_by_label("제목").fill(title)
    page.get_by_label("날짜").fill(day.isoformat())
    if meeting_time is not None:
        page.get_by_label("모임 시간").fill(meeting_time)
    page.get_by_label("최대 인원").fill(str(capacity))
    page.get_by_label("내용").fill(content)
    for place in places:
        page.get_by_role("group", name="장소").get_by_label(place).check()
    if restaurant is not None:
        select = page.get_by_label("식당", exact=True)
        option = select.locator("option", has_text=restaurant).first
        select.select_option(option.get_attribute("value"))
    click_and_check(page, page.get_by_role("button", name="방 만들기"))
    expect(page.get_by_role("heading", level=1)).to_have_text(title)
    return page.url


def find_room(page: Page, *, title: str, category: str = "MEAL", places=()) -> None:
    """On the board, filter by places and open the room called `title`."""
    goto(page, f"/rooms/?category={category}")
    page.get_by_text("조건으로 찾기").click()
    for place in places:
        page.get_by_role("group", name="장소").get_by_label(place).check()
    click_and_check(page, page.get_by_role("button", name="찾기"))
    click_and_check(page, page.get_by_role("link", name=title))


def room_button(page: Page, name: str):
    return page.get_by_role("button", name=name, exact=True)


def press(page: Page, name: str) -> None:
    """Press a button that posts and lands on a page (join, cancel a request, unblock, ...)."""
    click_and_check(page, room_button(page, name))


def press_and_confirm(page: Page, name: str, *, question: str, answer: str | None = None) -> None:
    """Press a button of an irreversible action (leave, complete, delete) and say yes when asked
    `question`: in the page's own <dialog> (static/js/confirm.js), or, without JavaScript, on the
    confirmation page the server answers with. `answer` is the yes button (default: `name`)."""
    answer = answer or name
    if page.context in _NO_JAVASCRIPT:
        click_and_check(page, room_button(page, name))
        expect(page).to_have_url(re.compile(r"/rooms/[0-9a-f-]{36}/(leave|complete|delete)/$"))
        expect(page.get_by_text(question)).to_be_visible()
        click_and_check(page, room_button(page, answer))
        return
    room_button(page, name).click()
    dialog = page.get_by_role("dialog", name=question)
    expect(dialog).to_be_visible()
    check(page)  # the page with its dialog open
    click_and_check(page, dialog.get_by_role("button", name=answer, exact=True))


def cancel_when_asked(page: Page, name: str, *, question: str) -> None:
    """Press the button of an irreversible action, and say no in the page's dialog: nothing is
    sent, the page stays (JavaScript on)."""
    url = page.url
    room_button(page, name).click()
    dialog = page.get_by_role("dialog", name=question)
    expect(dialog).to_be_visible()
    dialog.get_by_role("button", name="취소", exact=True).click()
    expect(dialog).to_be_hidden()
    assert page.url == url


def toast(page: Page):
    """The live alarm toast."""
    return page.locator("[data-alarm-toast]")


def bell(page: Page):
    """The header's alarm bell (a link to the alarm list)."""
    return page.locator("[data-alarm-bell]")


def open_match_from_room(page: Page) -> None:
    click_and_check(page, page.get_by_role("link", name="매칭 보기"))


def review(page: Page, stars: dict[str, str] | None) -> None:
    """On a match page, give each named member a score ('★5', '불참'...), then send."""
    for member, score in (stars or {}).items():
        page.get_by_role("group", name=member).get_by_label(score, exact=True).check()
    click_and_check(page, page.get_by_role("button", name="리뷰 남기기"))


def total_score(page: Page) -> int:
    """From the tab bar to my page, then its scores section: the total."""
    click_and_check(page, tab(page, "내 페이지"))
    click_and_check(
        page,
        page.get_by_role("navigation", name="내 페이지 메뉴").get_by_role("link", name="활동 점수"),
    )
    expect(page).to_have_url(re.compile(r"/me/scores/$"))
    return int(page.locator("[data-score=TOTAL]").inner_text())


# --- comments -------------------------------------------------------------------------------


def comment(page: Page, text: str) -> None:
    page.get_by_label("댓글 쓰기", exact=True).fill(text)
    click_and_check(
        page, page.locator("#comments form.room-form").get_by_role("button", name="등록")
    )


def reply(page: Page, to: str, text: str) -> None:
    """Reply to the comment whose text is `to`."""
    article = page.locator("article.comment", has_text=to).first
    article.get_by_text("답글", exact=True).click()
    article.get_by_label("답글 쓰기").fill(text)
    click_and_check(page, article.get_by_role("button", name="등록"))


# --- random matching ------------------------------------------------------------------------


def request_random(page: Page, *, category: str = "MEAL", places=(), options=()) -> None:
    goto(page, f"/random/?category={category}")
    for place in places:
        page.get_by_role("group", name="장소").get_by_label(place).check()
    for option in options:
        page.locator("fieldset.random__group").nth(1).get_by_label(option).check()
    click_and_check(page, page.get_by_role("button", name="매칭 신청"))
