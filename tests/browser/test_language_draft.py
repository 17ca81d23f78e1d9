"""Switching the language keeps what the student typed but has not sent yet."""

from playwright.sync_api import expect

from tests.browser import pages


def test_it_keeps_an_unsent_room_draft_across_a_language_switch(student, alice):
    page = student(alice)
    pages.goto(page, "/rooms/new/?category=MEAL")
    page.get_by_label("제목").fill("점심 같이 드실 분")
    page.get_by_label("내용").fill("개포에서 12시에 만나요")
    page.get_by_role("group", name="장소").get_by_label("개포").check()

    pages.click_and_check(page, page.get_by_role("button", name="English"))

    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_label("Title")).to_have_value("점심 같이 드실 분")
    expect(page.get_by_label("Details")).to_have_value("개포에서 12시에 만나요")
    expect(page.get_by_role("group", name="Place").get_by_label("Gaepo")).to_be_checked()

    # The draft is put back once: a reload shows the empty form again.
    pages.reload(page)
    expect(page.get_by_label("Title")).to_have_value("")
