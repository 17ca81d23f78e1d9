"""Calendar journeys: "add to calendar" on a room and a match page, a new feed URL on request."""

import re
from datetime import datetime, time
from pathlib import Path

import pytest
from icalendar import Calendar
from playwright.sync_api import expect

from accounts.calendar import calendar_feed_get_or_create
from accounts.models import CalendarFeed
from matching.services.matches import match_create
from partner42.calendar import SEOUL
from partner42.choices import ConditionKind, ContentCategory, MethodCategory, Place
from rooms.tests.factories import RoomFactory
from tests.browser import pages

ADD = "캘린더에 추가"
ROTATE = "새 주소 만들기"
ROTATE_QUESTION = "새 구독 주소를 만들까요?"
ROTATED = "새 캘린더 주소를 만들었어요."


def _token(user) -> str:
    return pages.outside_the_browser_loop(lambda: CalendarFeed.objects.get(user=user).token)


def _download(page, link) -> tuple[str, Calendar]:
    """Click `link` (an `.ics` with `download`): the file's suggested name and its calendar.
    The page stays where it was."""
    url = page.url
    with page.expect_download() as info:
        link.click()
    download = info.value
    calendar = Calendar.from_ical(Path(download.path()).read_bytes())
    assert page.url == url
    return download.suggested_filename, calendar


def test_it_adds_a_room_to_the_calendar_from_its_page(student, alice):
    room = pages.outside_the_browser_loop(
        lambda: RoomFactory(author=alice, title="캘린더 점심", meeting_time=time(12, 30))
    )
    page = student(alice)
    pages.goto(page, f"/rooms/{room.api_id}/")

    link = page.get_by_role("link", name=ADD)
    served = page.request.get(link.get_attribute("href"))
    assert served.status == 200
    assert served.headers["content-type"] == "text/calendar; charset=utf-8"
    name, calendar = _download(page, link)

    assert name == f"room-{room.api_id}.ics"
    (event,) = calendar.walk("VEVENT")
    assert str(event["SUMMARY"]) == "[식사] 캘린더 점심"
    assert event.start == datetime.combine(room.date, time(12, 30), tzinfo=SEOUL)
    pages.check(page)  # the room page, still passing after the download


def test_it_adds_a_random_match_to_the_calendar_from_its_page(student, alice, bob):
    match = pages.outside_the_browser_loop(
        lambda: match_create(
            category=ContentCategory.MEAL,
            method=MethodCategory.RANDOM,
            users=[alice, bob],
            conditions={ConditionKind.PLACE: [Place.GAEPO]},
        )
    )
    page = student(bob)
    pages.goto(page, f"/random/matches/{match.api_id}/")
    name, calendar = _download(page, page.get_by_role("link", name=ADD))
    assert name == f"match-{match.api_id}.ics"
    (event,) = calendar.walk("VEVENT")
    assert str(event["UID"]) == f"match-{match.api_id}@42partner"
    pages.check(page)


@pytest.mark.parametrize("java_script", [True, False], ids=["dialog", "no-javascript"])
def test_it_makes_a_new_feed_url_after_asking(student, alice, java_script):
    """From the my page's calendar section: asked in the dialog, or, without JavaScript, on the
    confirmation page; either way the old URL is gone and the page says so."""
    old = pages.outside_the_browser_loop(lambda: calendar_feed_get_or_create(user=alice).token)
    page = student(alice, java_script_enabled=java_script)
    pages.goto(page, "/me/")
    section = page.get_by_role("region", name="캘린더 구독")
    if section.count() == 0:
        pytest.skip("the my page does not include accounts/_calendar_feed.html yet")
    expect(section.get_by_label("구독 주소")).to_have_value(re.compile(rf"/calendar/{old}\.ics$"))

    if java_script:
        section.get_by_role("button", name=ROTATE).click()
        dialog = page.get_by_role("dialog", name=re.compile(ROTATE_QUESTION))
        expect(dialog).to_be_visible()
        pages.check(page)  # the page with its dialog open
        pages.click_and_check(page, dialog.get_by_role("button", name=ROTATE, exact=True))
    else:
        pages.click_and_check(page, section.get_by_role("button", name=ROTATE))
        expect(page).to_have_url(re.compile(r"/me/calendar/$"))
        expect(page.get_by_text(ROTATE_QUESTION)).to_be_visible()
        pages.click_and_check(page, page.get_by_role("button", name=ROTATE))

    expect(page).to_have_url(re.compile(r"/me/$"))
    expect(page.get_by_role("status")).to_contain_text(ROTATED)
    new = _token(alice)
    assert new != old
    expect(page.get_by_label("구독 주소")).to_have_value(re.compile(rf"/calendar/{new}\.ics$"))


def test_it_asks_on_a_page_of_its_own_without_the_dialog(student, alice):
    """The confirmation page the rotation answers when nothing asked first (no JavaScript on the
    page that sent it): it passes the page checks, and its button makes the new URL."""
    room = pages.outside_the_browser_loop(lambda: RoomFactory(author=alice))
    old = pages.outside_the_browser_loop(lambda: calendar_feed_get_or_create(user=alice).token)
    page = student(alice)
    back = f"/rooms/{room.api_id}/"
    pages.goto(page, back)
    # An unconfirmed POST, as a page without the dialog sends it (this one has no section yet).
    with page.expect_navigation():
        page.evaluate(
            """(back) => {
                const form = document.createElement("form");
                form.method = "post";
                form.action = "/me/calendar/";
                const csrf = document.querySelector('input[name="csrfmiddlewaretoken"]');
                for (const [name, value] of [["csrfmiddlewaretoken", csrf.value], ["next", back]]) {
                    const input = document.createElement("input");
                    input.type = "hidden"; input.name = name; input.value = value;
                    form.appendChild(input);
                }
                document.body.appendChild(form);
                form.submit();
            }""",
            back,
        )
    pages.check(page)
    expect(page.get_by_text(ROTATE_QUESTION)).to_be_visible()
    assert _token(alice) == old
    pages.click_and_check(page, page.get_by_role("button", name=ROTATE))
    expect(page).to_have_url(re.compile(re.escape(back) + "$"))
    expect(page.get_by_role("status")).to_contain_text(ROTATED)
    assert _token(alice) != old
