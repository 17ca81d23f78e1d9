"""Room journeys: create, find, join, complete, review, scores; comments; restaurants; no JS."""

import re
from datetime import timedelta

from django.db.models import Sum
from playwright.sync_api import expect

from matching.models import Activity
from restaurants.cache import restaurant_cache_invalidate
from restaurants.tests.factories import restaurant_near
from rooms.models import Room
from rooms.services import room_today
from rooms.tests.factories import RoomFactory
from tests.browser import pages
from tests.browser.pages import LIVE_TIMEOUT

GAEPO = "개포 클러스터"
COMPLETE = "마감하고 매칭하기"
COMPLETE_QUESTION = "지금 참여자들로 매칭을 만들고 방을 마감할까요?"
LEAVE_QUESTION = "이 방에서 나갈까요?"
DELETE_QUESTION = "이 방을 삭제할까요?"


def _ledger_total(user) -> int:
    return Activity.objects.filter(user=user).aggregate(total=Sum("score"))["total"] or 0


def _room_to_match(alice_page, bob_page, *, title: str, live: bool) -> None:
    """alice opens a room, bob finds it with the filters and joins, alice completes it, and both
    open the match page."""
    pages.create_room(
        alice_page,
        title=title,
        day=room_today() + timedelta(days=1),
        meeting_time="12:30",
        places=(GAEPO,),
    )
    expect(alice_page.locator(".room__meta")).to_contain_text("12:30")
    members = alice_page.locator("#room-members")
    expect(members).to_contain_text("1/2")
    expect(pages.room_button(alice_page, COMPLETE)).to_have_count(0)
    if live:
        pages.listen_for_alarms(alice_page)
        pages.listen_for_room_changes(alice_page)

    pages.find_room(bob_page, title=title, places=(GAEPO,))
    pages.press(bob_page, "참여하기")
    expect(pages.room_button(bob_page, "참여 취소")).to_be_visible()
    if live:
        # The room is among bob's rooms, one tap from his page.
        pages.click_and_check(bob_page, pages.tab(bob_page, "내 페이지"))
        pages.click_and_check(bob_page, bob_page.get_by_role("link", name="내 방", exact=True))
        mine = bob_page.locator(".room-list li", has_text=title)
        expect(mine).to_contain_text("참여 중")
        pages.click_and_check(bob_page, mine.get_by_role("link", name=title))

    joined = f"bob님이 내 방 「{title}」에 참여했어요."
    if live:
        expect(pages.toast(alice_page)).to_contain_text(joined, timeout=LIVE_TIMEOUT)
        # alice's room page follows by itself: the seats, then the button to complete.
        expect(members).to_contain_text("2/2", timeout=LIVE_TIMEOUT)
        expect(members).to_contain_text("bob")
        expect(pages.room_button(alice_page, COMPLETE)).to_be_visible(timeout=LIVE_TIMEOUT)
        pages.check(alice_page)
        # Irreversible actions ask first; "취소" keeps things as they were.
        pages.cancel_when_asked(bob_page, "참여 취소", question=LEAVE_QUESTION)
        pages.cancel_when_asked(alice_page, "방 삭제", question=DELETE_QUESTION)
        pages.listen_for_alarms(bob_page)
        pages.listen_for_room_changes(bob_page)
    else:
        pages.goto(alice_page, "/alarms/")
        expect(alice_page.get_by_role("link", name=joined)).to_be_visible()
        alice_page.go_back()
        pages.reload(alice_page)
        expect(members).to_contain_text("2/2")
    pages.press_and_confirm(alice_page, COMPLETE, question=COMPLETE_QUESTION)  # lands on the match
    if live:
        expect(pages.toast(bob_page)).to_contain_text("매칭이 확정되었어요!", timeout=LIVE_TIMEOUT)
        # bob's room page swaps its buttons by itself: "leave" gives way to the match.
        expect(bob_page.get_by_role("link", name="매칭 보기")).to_be_visible(timeout=LIVE_TIMEOUT)
        expect(pages.room_button(bob_page, "참여 취소")).to_have_count(0)
        pages.check(bob_page)
    else:
        pages.reload(bob_page)
        expect(bob_page.get_by_text("완료된 방")).to_be_visible()
    pages.open_match_from_room(bob_page)

    for page in (alice_page, bob_page):
        expect(page.get_by_role("heading", level=1)).to_have_text("방 매칭 · 식사")
        members = page.locator(".member-list")
        expect(members).to_contain_text("alice")
        expect(members).to_contain_text("bob")


def _review_and_scores(alice_page, bob_page, alice, bob) -> None:
    # bob sends the review without a score: the form says so; then he picks one.
    pages.review(bob_page, None)
    expect(bob_page.get_by_role("alert")).to_contain_text("점수를 골라 주세요.")
    pages.review(bob_page, {"alice": "★5"})
    expect(bob_page.get_by_text("리뷰 완료")).to_be_visible()
    pages.review(alice_page, {"bob": "★4"})
    expect(alice_page.get_by_text("리뷰 완료")).to_be_visible()

    for page, user in ((alice_page, alice), (bob_page, bob)):
        total = pages.total_score(page)
        assert total == _ledger_total(user) > 0


def test_it_runs_a_room_from_creation_to_reviews_and_scores(student, alice, bob):
    alice_page, bob_page = student(alice), student(bob)
    _room_to_match(alice_page, bob_page, title="개포에서 점심 같이 먹어요", live=True)
    _review_and_scores(alice_page, bob_page, alice, bob)


def test_it_runs_the_same_room_journey_without_javascript(student, alice, bob):
    alice_page = student(alice, java_script_enabled=False)
    bob_page = student(bob, java_script_enabled=False)
    _room_to_match(alice_page, bob_page, title="자바스크립트 없이 점심", live=False)
    _review_and_scores(alice_page, bob_page, alice, bob)


def test_it_comments_replies_and_alarms_the_commenter(student, alice, bob):
    room = RoomFactory(author=alice, title="댓글 달아 주세요")
    alice_page, bob_page = student(alice), student(bob)
    room_path = f"/rooms/{room.api_id}/"

    pages.goto(bob_page, room_path)
    pages.comment(bob_page, "몇 시에 만나요?")
    expect(bob_page.locator("#comments")).to_contain_text("몇 시에 만나요?")
    pages.listen_for_alarms(bob_page)
    pages.listen_for_room_changes(bob_page)

    pages.goto(alice_page, room_path)
    pages.reply(alice_page, to="몇 시에 만나요?", text="12시에 만나요")

    replied = "alice님이 「댓글 달아 주세요」의 내 댓글에 답글을 남겼어요."
    expect(pages.toast(bob_page)).to_contain_text(replied, timeout=LIVE_TIMEOUT)
    # bob's room page shows the reply by itself.
    replies = bob_page.locator(".comment-list--replies")
    expect(replies).to_contain_text("12시에 만나요", timeout=LIVE_TIMEOUT)
    expect(replies).to_contain_text("방장")
    pages.check(bob_page)
    pages.click_and_check(bob_page, pages.bell(bob_page))
    expect(bob_page.get_by_role("link", name=replied)).to_be_visible()


def test_it_recommends_a_restaurant_and_names_it_in_a_room(student, alice, bob):
    restaurant_near("GAEPO", 150, name="개포순대국", category="한식")
    restaurant_near("GAEPO", 400, name="개포반점", category="중식")
    restaurant_near("GAEPO", 4000, name="멀리국수", category="한식")  # some 50 minutes away
    restaurant_cache_invalidate()
    alice_page, bob_page = student(alice), student(bob)

    pages.goto(alice_page, "/restaurants/")
    results = alice_page.locator("#results")
    expect(results).to_contain_text("개포순대국")
    expect(results).to_contain_text("개포반점")
    # Near the cluster by default: a 15-minute walk at most; "상관없음" lifts the limit.
    walk = alice_page.get_by_label("걸어서 최대 (분)")
    expect(walk).to_have_value("15")
    expect(results).not_to_contain_text("멀리국수")
    walk.select_option("0")
    expect(results).to_contain_text("멀리국수")
    alice_page.get_by_label("종류").select_option("중식")
    expect(results).not_to_contain_text("개포순대국")
    expect(results).not_to_contain_text("멀리국수")
    expect(results).to_contain_text("개포반점")
    pages.check(alice_page)
    alice_page.get_by_role("button", name="하나 골라 주세요").click()
    expect(alice_page.locator("#pick")).to_contain_text("개포반점")
    pages.check(alice_page)

    pages.create_room(
        alice_page,
        title="짜장면 먹을 사람",
        day=room_today() + timedelta(days=2),
        restaurant="개포반점",
    )
    # The open board starts today, soonest first; a past room is not on it.
    today = room_today()
    past = RoomFactory(author=alice, title="어제 점심")
    Room.objects.filter(pk=past.pk).update(date=today - timedelta(days=1))
    # Made after the update, so that they also refresh any cached board.
    RoomFactory(author=alice, title="내일 점심", date=today + timedelta(days=1))
    RoomFactory(author=alice, title="오늘 점심", date=today)
    pages.goto(bob_page, "/rooms/?category=MEAL")
    titles = bob_page.locator(".room-card__title").all_inner_texts()
    assert titles == ["오늘 점심", "내일 점심", "짜장면 먹을 사람"]

    pages.find_room(bob_page, title="짜장면 먹을 사람")
    expect(bob_page.locator(".room__restaurant")).to_contain_text("개포반점")
    expect(bob_page.get_by_role("link", name="지도")).to_have_attribute(
        "href", re.compile(r"^https://map\.kakao\.com/")
    )
