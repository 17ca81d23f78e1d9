"""Where a meal match eats: the match page suggests three restaurants and a member pins one, in
place with htmx or through a plain form without JavaScript; on a phone and on a desktop."""

import re

import pytest
from playwright.sync_api import expect

from matching.models import Match
from matching.services.matches import match_create
from partner42.choices import ConditionKind, ContentCategory, MethodCategory, Place, WayOfEating
from restaurants.cache import restaurant_cache_invalidate
from restaurants.tests.factories import restaurant_near
from tests.browser import pages

SECTION = "어디서 먹을까요?"
PIN = re.compile("^여기로 정하기")


def _meal_match(alice, bob) -> Match:
    def make():
        for i in range(6):
            restaurant_near(
                Place.GAEPO,
                80 + 60 * i,
                name=f"아주 긴 이름의 동네 맛집 {i}번지 본점",
                category=("한식", "분식", "일식")[i % 3],
            )
        # The server process keeps its own copy of the restaurants: tell it to read again.
        restaurant_cache_invalidate()
        return match_create(
            category=ContentCategory.MEAL,
            method=MethodCategory.RANDOM,
            users=[alice, bob],
            conditions={
                ConditionKind.PLACE: [Place.GAEPO],
                ConditionKind.WAY_OF_EATING: [WayOfEating.EATOUT],
            },
        )

    return pages.outside_the_browser_loop(make)


def _section(page):
    return page.get_by_role("region", name=SECTION)


def _pinned(match) -> str | None:
    def read():
        restaurant = Match.objects.select_related("pinned_restaurant").get(pk=match.pk)
        return restaurant.pinned_restaurant.name if restaurant.pinned_restaurant else None

    return pages.outside_the_browser_loop(read)


@pytest.mark.parametrize("viewport", [pages.PHONE, pages.DESKTOP], ids=["phone", "desktop"])
def test_a_member_pins_a_suggestion_in_place_and_the_other_sees_it(student, alice, bob, viewport):
    match = _meal_match(alice, bob)
    alice_page = student(alice, viewport=viewport)
    pages.goto(alice_page, f"/matches/{match.api_id}/")

    section = _section(alice_page)
    expect(section).to_be_visible()
    expect(section.get_by_role("listitem")).to_have_count(3)
    expect(section).to_contain_text("걸어서 약")
    first = section.get_by_role("listitem").first
    name = first.get_by_role("heading").inner_text()

    first.get_by_role("button", name=PIN).click()  # htmx: the section is swapped in place
    expect(_section(alice_page)).to_contain_text("alice 님이 정했어요.")
    expect(_section(alice_page).get_by_role("button", name=PIN)).to_have_count(2)
    assert alice_page.url.endswith(f"/matches/{match.api_id}/")
    assert _pinned(match) == name
    pages.check(alice_page)

    bob_page = student(bob, viewport=viewport)
    pages.goto(bob_page, f"/random/matches/{match.api_id}/")
    expect(_section(bob_page)).to_contain_text(f"정한 식당: {name}")
    _section(bob_page).get_by_role("button", name="정한 식당 취소").click()
    expect(_section(bob_page).get_by_role("button", name=PIN)).to_have_count(3)
    assert _pinned(match) is None
    pages.check(bob_page)


def test_a_member_pins_without_javascript(student, alice, bob):
    match = _meal_match(alice, bob)
    page = student(bob, java_script_enabled=False)
    pages.goto(page, f"/matches/{match.api_id}/")

    last = _section(page).get_by_role("listitem").last
    name = last.get_by_role("heading").inner_text()
    pages.click_and_check(page, last.get_by_role("button", name=PIN))

    assert page.url.endswith(f"/matches/{match.api_id}/")
    expect(page.get_by_role("status")).to_contain_text("식당을 정했어요.")
    expect(_section(page)).to_contain_text(f"정한 식당: {name}")
    expect(_section(page)).to_contain_text("bob 님이 정했어요.")
    assert _pinned(match) == name

    pages.click_and_check(page, _section(page).get_by_role("button", name="정한 식당 취소"))
    expect(page.get_by_role("status")).to_contain_text("정한 식당을 취소했어요.")
    assert _pinned(match) is None
