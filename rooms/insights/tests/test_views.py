import csv
import io
from datetime import date, timedelta

import pytest
from django.urls import reverse

from accounts.tests.factories import UserFactory
from rooms.insights.tests.factories import at, match_at, request_at, review_at, room_at
from rooms.selectors import room_today

pytestmark = pytest.mark.django_db

DASHBOARD = reverse("insights:dashboard")
EXPORT = reverse("insights:export")
D1, D2 = date(2026, 3, 1), date(2026, 3, 2)
RANGE = {"start": "2026-03-01", "end": "2026-03-02"}


@pytest.fixture
def staff_client(client):
    client.force_login(UserFactory(username="operator", is_staff=True))
    return client


def _some_data(day: date) -> None:
    match_at(at(day, 9), category="MEAL", method="RANDOM")
    match_at(at(day, 10), category="STUDY", method="MANUAL")
    request_at(at(day, 8), waited=timedelta(minutes=4))
    request_at(at(day, 9), status="EXPIRED")
    room_at(at(day, 7), completed=at(day, 10))
    review_at(at(day, 11), "MATCH_REVIEW_4")
    review_at(at(day, 12), "MATCH_ABSENT")


@pytest.mark.parametrize("url", [DASHBOARD, EXPORT])
def test_it_sends_visitors_to_the_admin_login(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("url", [DASHBOARD, EXPORT])
def test_it_keeps_students_out(client, url):
    client.force_login(UserFactory(username="alice"))

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("url", [DASHBOARD, EXPORT])
def test_it_answers_get_only(staff_client, url):
    assert staff_client.post(url, RANGE).status_code == 405


def test_it_shows_the_numbers_of_the_range(staff_client):
    _some_data(D1)
    _some_data(D2)
    _some_data(D2 + timedelta(days=1))  # outside

    response = staff_client.get(DASHBOARD, RANGE)

    assert response.status_code == 200
    page = response.content.decode()
    figures = {f.key: f.shown for f in response.context["summary"]}
    assert figures["matches"] == "8"  # each review's match counts too
    assert figures["requests"] == "4"
    assert figures["expiry_rate"] == "50.0%"
    assert figures["median_wait_seconds_all"] == "4분 0초"
    assert figures["rooms_opened"] == "2"
    assert figures["rooms_completed"] == "2"
    assert figures["reviews"] == "4"
    assert figures["no_show_rate"] == "50.0%"
    # Per day: two who asked for a match, a room's author, two reviewers (not their targets).
    assert figures["active_students"] == "10"
    assert [row[0] for row in response.context["rows"]] == [D1, D2]
    assert response.context["total"][1:] == [6, 0, 0, 2, 8, 4, 2, 2, 0, 0, 2, 2]
    assert page.count('role="img"') == 4
    assert '<title id="chart-matches-title">' in page
    assert 'data-table="daily"' in page


def test_it_defaults_to_the_last_thirty_days_in_seoul(staff_client):
    response = staff_client.get(DASHBOARD)

    assert response.status_code == 200
    span = response.context["span"]
    assert span.end == room_today()
    assert (span.end - span.start).days == 29
    assert len(response.context["rows"]) == 30


@pytest.mark.parametrize(
    ("query", "error"),
    [
        ({"start": "2026-03-05", "end": "2026-03-01"}, "종료일은 시작일과 같거나 뒤여야 합니다."),
        ({"start": "2025-01-01", "end": "2026-03-01"}, "기간은 최대 366일까지 볼 수 있습니다."),
        ({"start": "soon", "end": "2026-03-01"}, "올바른 날짜를 입력하세요."),
        ({"end": "2026-13-40"}, "올바른 날짜를 입력하세요."),
    ],
)
def test_it_answers_a_bad_range_with_a_form_error(staff_client, query, error):
    page = staff_client.get(DASHBOARD, query)
    export = staff_client.get(EXPORT, query)

    assert page.status_code == 400
    assert error in page.content.decode()
    assert 'aria-invalid="true"' in page.content.decode()
    assert export.status_code == 400
    assert error in export.content.decode()


def test_it_allows_a_range_of_a_year(staff_client):
    response = staff_client.get(DASHBOARD, {"start": "2025-03-02", "end": "2026-03-01"})

    assert response.status_code == 200
    assert len(response.context["rows"]) == 365


def test_it_exports_the_same_numbers_as_csv(staff_client):
    _some_data(D1)
    request_at(at(D2, 8), waited=timedelta(minutes=8))

    response = staff_client.get(EXPORT, RANGE)

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="insights-2026-03-01-2026-03-02.csv"' in response["Content-Disposition"]
    daily, summary, scores = response.content.decode().split("\r\n\r\n")
    daily_rows = list(csv.reader(io.StringIO(daily)))
    assert daily_rows[0][:6] == [
        "day",
        "matches_meal_random",
        "matches_meal_manual",
        "matches_study_random",
        "matches_study_manual",
        "matches",
    ]
    assert daily_rows[0][6:] == [
        "requests",
        "requests_matched",
        "requests_expired",
        "requests_cancelled",
        "requests_waiting",
        "rooms_opened",
        "rooms_completed",
    ]
    assert daily_rows[1:] == [
        ["2026-03-01", "3", "0", "0", "1", "4", "2", "1", "1", "0", "0", "1", "1"],
        ["2026-03-02", "0", "0", "0", "0", "0", "1", "1", "0", "0", "0", "0", "0"],
    ]
    figures = dict(list(csv.reader(io.StringIO(summary))))
    assert figures["metric"] == "value"
    assert figures["median_wait_seconds_all"] == "360"  # 4 and 8 minutes
    assert figures["median_wait_seconds_meal"] == "360"
    assert figures["median_wait_seconds_study"] == ""
    assert figures["expiry_rate"] == "0.3333"
    assert figures["no_show_rate"] == "0.5000"
    assert figures["waiting_now_all"] == "0"
    counts = dict(list(csv.reader(io.StringIO(scores))))
    assert counts == {
        "score": "count",
        "MATCH_ABSENT": "1",
        "MATCH_REVIEW_1": "0",
        "MATCH_REVIEW_2": "0",
        "MATCH_REVIEW_3": "0",
        "MATCH_REVIEW_4": "1",
        "MATCH_REVIEW_5": "0",
    }


def test_it_speaks_english_on_request(staff_client):
    response = staff_client.get(DASHBOARD, RANGE, HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    assert "Operations dashboard" in page
    assert "운영 대시보드" not in page


def test_it_links_the_dashboard_from_the_admin_index(staff_client):
    response = staff_client.get(reverse("admin:index"))

    assert DASHBOARD in response.content.decode()


@pytest.mark.parametrize("url", [DASHBOARD, EXPORT])
def test_it_costs_the_same_queries_for_a_day_or_a_year(
    staff_client, django_assert_num_queries, url
):
    today = room_today()
    for back in (0, 40, 200, 364):
        _some_data(today - timedelta(days=back))
    # Session and user (2), the admin's permissions for its menu (2, the page only), the numbers
    # (10).
    expected = {DASHBOARD: 14, EXPORT: 12}[url]

    with django_assert_num_queries(expected):
        assert staff_client.get(url, {"start": today, "end": today}).status_code == 200
    year = {"start": today - timedelta(days=365), "end": today}
    with django_assert_num_queries(expected):
        assert staff_client.get(url, year).status_code == 200


def test_it_keeps_the_strict_style_and_script_policy(staff_client):
    _some_data(D1)

    response = staff_client.get(DASHBOARD, RANGE)

    page = response.content.decode()
    assert "style=" not in page
    assert "<style" not in page
    assert "<script>" not in page  # the admin's scripts are files
    assert "rooms/insights.css" in page
    assert 'class="series-0"' in page  # colours by class, from the stylesheet
    policy = response["Content-Security-Policy"]
    assert "unsafe-inline" not in policy
