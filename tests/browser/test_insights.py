"""The operators' dashboard: from the admin's index to the charts, the tables and the CSV file,
at phone width and on a desktop."""

from datetime import timedelta
from pathlib import Path

from playwright.sync_api import expect

from accounts.tests.factories import UserFactory
from rooms.insights.tests.factories import at, match_at, request_at, review_at, room_at
from rooms.selectors import room_today
from tests.browser import pages


def _a_week_of_data() -> None:
    today = room_today()
    for back in range(7):
        day = today - timedelta(days=back)
        match_at(at(day, 9), method="MANUAL")
        request_at(at(day, 8), waited=timedelta(minutes=back + 1))
        room_at(at(day, 7), completed=at(day, 10))
        review_at(at(day, 11), "MATCH_ABSENT" if back == 0 else "MATCH_REVIEW_5")


def test_it_shows_the_operators_dashboard_from_the_admin(student):
    _a_week_of_data()
    operator = UserFactory(username="operator", is_staff=True, is_superuser=True)
    page = student(operator)

    pages.goto(page, "/admin/")
    pages.click_and_check(page, page.get_by_role("link", name="운영 대시보드"))
    expect(page.get_by_role("heading", level=1)).to_have_text("운영 대시보드")
    for chart in [
        "하루 매칭 수",
        "하루 랜덤 신청 수",
        "하루 열린 방과 마감된 방",
        "리뷰 점수 분포",
    ]:
        expect(page.get_by_role("img", name=chart)).to_be_visible()
    daily = page.get_by_role("region", name="날짜별 숫자")
    expect(daily.get_by_role("row")).to_have_count(1 + 30 + 1)  # header, 30 days, total
    expect(page.locator("[data-figure=matches] dd")).to_have_text("14")  # 7 rooms, 7 reviews
    expect(page.locator("[data-figure=no_show_rate] dd")).to_have_text("14.3%")

    # A range the other way round: the form says so, on the same page.
    page.get_by_label("시작일").fill((room_today() + timedelta(days=3)).isoformat())
    pages.click_and_check(page, page.get_by_role("button", name="기간 보기"))
    expect(page.get_by_role("alert")).to_have_text("종료일은 시작일과 같거나 뒤여야 합니다.")

    page.get_by_label("시작일").fill((room_today() - timedelta(days=2)).isoformat())
    pages.click_and_check(page, page.get_by_role("button", name="기간 보기"))
    expect(daily.get_by_role("row")).to_have_count(1 + 3 + 1)
    with page.expect_download() as download:
        page.get_by_role("link", name="CSV로 내려받기").click()
    lines = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
    assert lines[0].startswith("day,matches_meal_random,")
    assert len(lines[1:4]) == 3

    desktop = student(operator, viewport=pages.DESKTOP)
    pages.goto(desktop, page.url)
    expect(desktop.get_by_role("img", name="하루 매칭 수")).to_be_visible()
