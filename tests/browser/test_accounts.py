"""Journeys of logging in and out, and of the two languages."""

import re

from playwright.sync_api import expect

from accounts.tests.fake_intra import intra_profile
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
