"""The introduction and the settings of the my page, at phone width, and what others see of them."""

from datetime import timedelta

from playwright.sync_api import expect

from accounts.selectors import seoul_today
from matching.models import Match
from rooms.services import room_complete, room_join
from rooms.tests.factories import RoomFactory
from tests.browser import pages


def test_it_edits_the_introduction_at_phone_width_and_a_match_partner_reads_it(student, alice, bob):
    page = student(alice)  # a phone: 390 px wide
    pages.goto(page, "/me/")
    intro = page.get_by_role("region", name="소개")
    bio = intro.get_by_label("소개", exact=True)
    interests = intro.get_by_label("관심사")

    # Two mistakes at once: both shown, each on its field and named by it.
    bio.fill("\u200b")
    interests.fill("요리, 요리, " + ", ".join(f"t{n}" for n in range(10)))
    pages.click_and_check(page, intro.get_by_role("button", name="소개 저장"))
    intro = page.get_by_role("region", name="소개")
    expect(intro.get_by_role("alert")).to_have_count(2)
    expect(intro.get_by_label("소개", exact=True)).to_have_attribute("aria-invalid", "true")
    expect(intro.get_by_label("관심사")).to_have_accessible_description(
        "쉼표로 나눠 10개까지, 하나에 20자까지. 예: 요리, 보드게임, Python "
        "관심사 「요리」을(를) 두 번 썼어요. 관심사는 10개까지 쓸 수 있어요 (지금 12개).",
    )

    intro.get_by_label("소개", exact=True).fill("점심 같이 먹을 사람!")
    intro.get_by_label("관심사").fill("Ｐｙｔｈｏｎ, #요리")
    pages.click_and_check(page, intro.get_by_role("button", name="소개 저장"))
    expect(page.get_by_role("status").filter(has_text="소개를 저장했어요.")).to_be_visible()
    expect(page.get_by_role("region", name="소개").get_by_label("관심사")).to_have_value(
        "Python, 요리"
    )

    # bob, matched with alice, reads it on the match page.
    def match_them() -> Match:
        room = RoomFactory(author=alice, participant_num_max=2)
        room_join(room=room, user=bob)
        return room_complete(room=room, user=alice)

    match = pages.outside_the_browser_loop(match_them)
    bob_page = student(bob)
    pages.goto(bob_page, f"/matches/{match.api_id}/")
    members = bob_page.locator(".member-list")
    expect(members).to_contain_text("점심 같이 먹을 사람!")
    expect(members.get_by_role("list", name="alice의 관심사")).to_have_text("Python요리")


def test_it_pauses_random_matching_switches_to_english_and_ends_the_pause(student, alice):
    page = student(alice)
    pages.goto(page, "/me/")
    pages.click_and_check(page, page.get_by_role("link", name="설정", exact=True))
    form = page.get_by_role("region", name="설정")
    until = seoul_today() + timedelta(days=3)

    # A date that is not after today and a fine language: only the date is refused.
    form.get_by_label("랜덤 매칭 쉬기: 이 날부터 다시 받기").fill(seoul_today().isoformat())
    pages.click_and_check(page, form.get_by_role("button", name="설정 저장"))
    form = page.get_by_role("region", name="설정")
    expect(form.get_by_role("alert")).to_contain_text("내일 이후의 날짜를 골라 주세요.")

    form.get_by_label("랜덤 매칭 쉬기: 이 날부터 다시 받기").fill(until.isoformat())
    form.get_by_label("내 방에 댓글이 달렸을 때").uncheck()
    form.get_by_label("언어").select_option("en")
    pages.click_and_check(page, form.get_by_role("button", name="설정 저장"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("status").filter(has_text="Settings saved.")).to_be_visible()
    expect(page.get_by_label("Someone comments on my room")).not_to_be_checked()

    # The random-match page says it is paused and ends it in one click.
    pages.goto(page, "/random/?category=MEAL")
    paused = page.locator("[data-snooze=on]")
    expect(paused).to_contain_text(until.isoformat())
    expect(page.get_by_role("button", name="Request a match")).to_have_count(0)
    pages.click_and_check(page, paused.get_by_role("button", name="End the pause"))
    expect(page.locator("[data-snooze=on]")).to_have_count(0)
    expect(page.get_by_role("button", name="Request a match")).to_be_visible()
