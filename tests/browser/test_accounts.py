"""Journeys of logging in and out, and of the two languages."""

import re

import pytest
from playwright.sync_api import expect

from accounts.tests.fake_intra import intra_profile
from alarms.models import AlarmType
from alarms.services import alarm_create
from tests.browser import pages


def test_it_logs_in_through_42_and_logs_out(anonymous, intra):
    alice_page, bob_page = anonymous(), anonymous()

    intra.profile = intra_profile("alice")
    pages.login_through_intra(alice_page)
    intra.profile = intra_profile("bob")
    pages.login_through_intra(bob_page)

    expect(pages.nickname_in_header(alice_page)).to_have_text("alice")
    expect(pages.nickname_in_header(bob_page)).to_have_text("bob")
    expect(alice_page.get_by_role("heading", level=1)).to_have_text("오늘은 무엇을 함께할까요?")

    pages.logout(alice_page)
    expect(alice_page.get_by_role("button", name="42로 로그인")).to_be_visible()
    pages.goto(alice_page, "/me/")
    expect(alice_page).to_have_url(re.compile(r"/\?next=/me/$"))
    pages.goto(bob_page, "/me/")
    expect(bob_page.get_by_role("heading", level=1)).to_have_text("내 페이지")


def test_it_speaks_korean_then_english(student, anonymous, alice):
    korean = student(alice)
    pages.goto(korean, "/choose/")
    expect(korean.locator("html")).to_have_attribute("lang", "ko")
    expect(korean.get_by_role("heading", level=1)).to_have_text("오늘은 무엇을 함께할까요?")

    pages.click_and_check(korean, korean.get_by_role("button", name="English"))
    expect(korean.locator("html")).to_have_attribute("lang", "en")
    expect(korean.get_by_role("heading", level=1)).to_have_text("What shall we do together today?")
    pages.goto(korean, "/rooms/?category=MEAL")
    expect(korean.get_by_role("heading", level=1)).to_have_text("Meal rooms")
    expect(korean.get_by_role("button", name="Log out")).to_be_visible()

    # A browser that asks for English gets it before logging in; Korean is one click away.
    english = anonymous(locale="en-US")
    pages.goto(english, "/")
    expect(english.locator("html")).to_have_attribute("lang", "en")
    expect(english.get_by_role("button", name="Log in with 42")).to_be_visible()
    pages.click_and_check(english, english.get_by_role("button", name="한국어"))
    expect(english.get_by_role("button", name="42로 로그인")).to_be_visible()


def test_it_reaches_every_tab_at_phone_width_and_the_header_links_on_a_desktop(student, alice):
    page = student(alice)
    pages.goto(page, "/choose/")
    for name, url, heading in (
        ("게시판", r"/rooms/$", "식사 방"),
        ("랜덤 매칭", r"/random/$", "랜덤 매칭"),
        ("식당", r"/restaurants/$", "클러스터 근처 식당 추천"),
        ("알림", r"/alarms/$", "알림"),
        ("내 페이지", r"/me/$", "내 페이지"),
    ):
        link = pages.tab(page, name)
        expect(link).to_be_in_viewport()
        pages.click_and_check(page, link)
        expect(page).to_have_url(re.compile(url))
        expect(pages.tab(page, name)).to_have_attribute("aria-current", "page")
        expect(page.get_by_role("heading", level=1)).to_contain_text(heading)
    # The bar stays at the bottom of the screen, above nothing it hides: the last element of the
    # page can still be scrolled clear of it.
    page.mouse.wheel(0, 10_000)
    bar = page.locator(".tabbar").bounding_box()
    footer = page.get_by_role("contentinfo").bounding_box()
    assert bar["y"] + bar["height"] == pytest.approx(pages.PHONE["height"], abs=1)
    assert footer["y"] + footer["height"] <= bar["y"] + 1

    desktop = student(alice, viewport=pages.DESKTOP)
    pages.goto(desktop, "/choose/")
    expect(desktop.locator(".tabbar")).to_be_hidden()
    pages.click_and_check(desktop, pages.tab(desktop, "내 방"))
    expect(desktop.get_by_role("heading", level=1)).to_have_text("내 방")
    expect(pages.tab(desktop, "내 방")).to_have_attribute("aria-current", "page")


def test_it_names_the_alarm_bell_by_what_it_shows(student, alice):
    page = student(alice)
    pages.goto(page, "/choose/")
    expect(pages.bell(page)).to_have_accessible_name("알림")
    pages.outside_the_browser_loop(
        lambda: alarm_create(
            user=alice, alarm_type=AlarmType.MATCH_CONFIRMED, calling_nickname="system"
        )
    )
    pages.reload(page)  # axe's label-content-name-mismatch included
    expect(pages.bell(page)).to_have_accessible_name("1 읽지 않은 알림")
    pages.click_and_check(page, page.get_by_role("button", name="English"))
    expect(pages.bell(page)).to_have_accessible_name("1 unread notifications")
