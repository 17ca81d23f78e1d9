"""Room journeys: create, find, join, complete, review, scores; comments; restaurants; no JS."""

import re
from datetime import timedelta

import pytest
from django.db.models import Sum
from playwright.sync_api import expect

from matching.models import Activity
from restaurants.cache import restaurant_cache_invalidate
from restaurants.tests.factories import restaurant_near
from rooms.services import room_today
from rooms.tests.factories import RoomFactory
from tests.browser import pages
from tests.browser.pages import LIVE_TIMEOUT

GAEPO = "개포 클러스터"
# Found by these journeys (see the report in docs/testing.md): the match page re-rendered after an
# invalid review (400, at /matches/<id>/review/) sends `next` = that POST-only URL, so the fixed
# review redirects to a GET of it: 405 and an empty page instead of "리뷰 완료".
REVIEW_FIX_LANDS_ON_405 = pytest.mark.xfail(
    strict=True,
    raises=AssertionError,
    reason="after an invalid review, the corrected one redirects to GET /matches/<id>/review/",
)


def _ledger_total(user) -> int:
    return Activity.objects.filter(user=user).aggregate(total=Sum("score"))["total"] or 0


def _room_to_match(alice_page, bob_page, *, title: str, live: bool) -> None:
    """alice opens a room, bob finds it with the filters and joins, alice completes it, and both
    open the match page."""
    pages.create_room(
        alice_page, title=title, day=room_today() + timedelta(days=1), places=(GAEPO,)
    )
    if live:
        pages.listen_for_alarms(alice_page)

    pages.find_room(bob_page, title=title, places=(GAEPO,))
    pages.press(bob_page, "참여하기")
    expect(pages.room_button(bob_page, "참여 취소")).to_be_visible()

    if live:
        expect(pages.toast(alice_page)).to_contain_text(
            "내가 쓴 글에 참여가 있었어요!", timeout=LIVE_TIMEOUT
        )
        pages.listen_for_alarms(bob_page)
    else:
        pages.goto(alice_page, "/alarms/")
        expect(alice_page.get_by_text("내가 쓴 글에 참여가 있었어요!")).to_be_visible()
        alice_page.go_back()
    pages.reload(alice_page)
    pages.press(alice_page, "마감하고 매칭하기")  # lands on the match
    if live:
        expect(pages.toast(bob_page)).to_contain_text("매칭이 확정되었어요!", timeout=LIVE_TIMEOUT)
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


@REVIEW_FIX_LANDS_ON_405
def test_it_runs_a_room_from_creation_to_reviews_and_scores(student, alice, bob):
    alice_page, bob_page = student(alice), student(bob)
    _room_to_match(alice_page, bob_page, title="개포에서 점심 같이 먹어요", live=True)
    _review_and_scores(alice_page, bob_page, alice, bob)


@REVIEW_FIX_LANDS_ON_405
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

    pages.goto(alice_page, room_path)
    pages.reply(alice_page, to="몇 시에 만나요?", text="12시에 만나요")

    expect(pages.toast(bob_page)).to_contain_text(
        "내가 쓴 댓글에 댓글이 달렸어요!", timeout=LIVE_TIMEOUT
    )
    pages.reload(bob_page)
    replies = bob_page.locator(".comment-list--replies")
    expect(replies).to_contain_text("12시에 만나요")
    expect(replies).to_contain_text("방장")
    pages.click_and_check(bob_page, pages.bell(bob_page))
    expect(bob_page.get_by_text("내가 쓴 댓글에 댓글이 달렸어요!")).to_be_visible()


def test_it_recommends_a_restaurant_and_names_it_in_a_room(student, alice, bob):
    restaurant_near("GAEPO", 150, name="개포순대국", category="한식")
    restaurant_near("GAEPO", 400, name="개포반점", category="중식")
    restaurant_cache_invalidate()
    alice_page, bob_page = student(alice), student(bob)

    pages.goto(alice_page, "/restaurants/")
    results = alice_page.locator("#results")
    expect(results).to_contain_text("개포순대국")
    expect(results).to_contain_text("개포반점")
    alice_page.get_by_label("종류").select_option("중식")
    expect(results).not_to_contain_text("개포순대국")
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
    pages.find_room(bob_page, title="짜장면 먹을 사람")
    expect(bob_page.locator(".room__restaurant")).to_contain_text("개포반점")
    expect(bob_page.get_by_role("link", name="지도")).to_have_attribute(
        "href", re.compile(r"^https://map\.kakao\.com/")
    )
