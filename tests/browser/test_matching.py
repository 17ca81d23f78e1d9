"""Random matching and blocks, live between students."""

from playwright.sync_api import expect

from matching.models import Match
from rooms.services import room_complete, room_join
from rooms.tests.factories import RoomFactory
from tests.browser import pages
from tests.browser.pages import LIVE_TIMEOUT

GAEPO = "개포 클러스터"


def test_it_matches_two_random_requests_live_and_cancels_a_third(student, alice, bob, charlie):
    alice_page, bob_page, charlie_page = student(alice), student(bob), student(charlie)

    pages.request_random(alice_page, places=(GAEPO,))
    expect(alice_page.get_by_role("heading", name="상대를 찾는 중이에요")).to_be_visible()
    pages.listen_for_alarms(alice_page)

    pages.request_random(bob_page, places=(GAEPO,))
    # bob is paired at once: the page itself is the news.
    bob_matched = bob_page.get_by_role("article", name="매칭됐어요!")
    expect(bob_matched).to_be_visible()
    expect(bob_matched.locator(".member-list")).to_contain_text("alice")

    # alice's waiting page learns it by itself: the alarm toast, then the matched view in place of
    # the waiting card.
    expect(pages.toast(alice_page)).to_contain_text("매칭이 확정되었어요!", timeout=LIVE_TIMEOUT)
    matched = alice_page.get_by_role("article", name="매칭됐어요!")
    expect(matched).to_be_visible(timeout=LIVE_TIMEOUT)
    expect(alice_page.get_by_role("heading", name="상대를 찾는 중이에요")).to_have_count(0)
    expect(matched.locator(".member-list")).to_contain_text("bob")
    expect(matched).to_contain_text(GAEPO)
    pages.check(alice_page)
    pages.click_and_check(alice_page, matched.get_by_role("link", name="매칭 보기"))
    expect(alice_page.get_by_role("heading", level=1)).to_have_text("랜덤 매칭 · 식사")
    expect(alice_page.locator(".member-list")).to_contain_text("bob")

    pages.request_random(charlie_page, places=(GAEPO,))
    expect(charlie_page.get_by_role("heading", name="상대를 찾는 중이에요")).to_be_visible()
    pages.press(charlie_page, "매칭 취소")
    expect(charlie_page.get_by_role("status")).to_contain_text("매칭 신청을 취소했어요.")
    expect(charlie_page.get_by_role("button", name="매칭 신청")).to_be_visible()
    assert Match.objects.count() == 1


def test_it_blocks_a_match_member_and_unblocks_them(student, alice, bob):
    room = RoomFactory(author=alice, participant_num_max=2)

    def matched():
        room_join(room=room, user=bob)
        return room_complete(room=room, user=alice)

    match = pages.outside_the_browser_loop(matched)
    alice_page, bob_page = student(alice), student(bob)

    pages.goto(alice_page, f"/matches/{match.api_id}/")
    bob_row = alice_page.locator(".member-list__item", has_text="bob")
    pages.click_and_check(alice_page, bob_row.get_by_role("button", name="차단"))
    expect(alice_page.get_by_role("status")).to_contain_text("bob 님과는 더 이상 매칭되지 않아요.")
    pages.goto(alice_page, "/random/blocks/")
    expect(alice_page.locator(".block-list")).to_contain_text("bob")

    # Both ask for the same random match: the block keeps them apart.
    pages.request_random(alice_page, places=(GAEPO,))
    pages.request_random(bob_page, places=(GAEPO,))
    expect(bob_page.get_by_role("heading", name="상대를 찾는 중이에요")).to_be_visible()
    expect(bob_page.locator("#random-status")).to_contain_text("나 말고 1명이 기다리고 있어요.")

    # Unblocking from the blocks section of alice's page.
    pages.click_and_check(alice_page, pages.tab(alice_page, "내 페이지"))
    my_page_menu = alice_page.get_by_role("navigation", name="내 페이지 메뉴")
    pages.click_and_check(alice_page, my_page_menu.get_by_role("link", name="차단"))
    pages.press(alice_page, "차단 해제")
    expect(alice_page.get_by_text("차단한 사람이 없어요.")).to_be_visible()
    # alice asks again: now they are paired.
    pages.goto(alice_page, "/random/?category=MEAL")
    pages.press(alice_page, "매칭 취소")
    pages.request_random(alice_page, places=(GAEPO,))
    expect(alice_page.get_by_role("article", name="매칭됐어요!")).to_contain_text("bob")
    bob_matched = bob_page.get_by_role("article", name="매칭됐어요!")
    expect(bob_matched).to_contain_text("alice", timeout=LIVE_TIMEOUT)
