"""The /restaurants/ page: filters without JS, htmx partials, and "pick one for me"."""

import pytest

from restaurants.tests.factories import restaurant_near

pytestmark = pytest.mark.django_db


@pytest.fixture
def places():
    return [
        restaurant_near("GAEPO", 100, name="국밥집", category="한식"),
        restaurant_near("GAEPO", 0, 300, name="짜장집", category="중국식"),
        restaurant_near("GAEPO", -900, name="찌개집", category="한식"),
        restaurant_near("SEOCHO", 150, name="서초국수", category="한식"),
    ]


def _htmx(client, url, data, target):
    return client.get(url, data, headers={"HX-Request": "true", "HX-Target": target})


def test_it_shows_the_restaurants_near_gaepo_by_default(client, places):
    response = client.get("/restaurants/")

    assert response.status_code == 200
    html = response.content.decode()
    assert "<html" in html
    assert html.index("국밥집") < html.index("짜장집") < html.index("찌개집")
    assert "서초국수" not in html  # 3.4 km away: "near the cluster" is a 15 minutes' walk
    assert '<option value="15" selected>' in html
    assert "걸어서 약 2분 · 100 m" in html
    assert 'value="GAEPO" checked' in html
    # the category choices are those near the campus
    assert '<option value="중국식">중국식</option>' in html


def test_it_filters_with_a_plain_get_form(client, places):
    response = client.get(
        "/restaurants/", {"campus": "GAEPO", "category": "한식", "max_walk_minutes": "10"}
    )

    html = response.content.decode()
    assert "국밥집" in html
    assert "짜장집" not in html
    assert "찌개집" not in html
    assert '<option value="한식" selected>' in html
    assert '<option value="10" selected>' in html


def test_it_shows_bad_filters_as_form_errors(client, places):
    response = client.get("/restaurants/", {"campus": "BUSAN", "max_walk_minutes": "many"})

    assert response.status_code == 400
    html = response.content.decode()
    assert 'class="form-error"' in html
    assert "캠퍼스" in html
    assert "국밥집" not in html


def test_it_answers_htmx_with_the_results_only(client, places):
    response = _htmx(client, "/restaurants/", {"category": "중국식"}, "results")

    html = response.content.decode()
    assert "<html" not in html
    assert "짜장집" in html
    assert "국밥집" not in html


def test_it_pages_through_the_list(client, places):
    for n in range(25):
        restaurant_near("GAEPO", 1000 + n, name=f"먼식당{n:02d}")

    first = client.get("/restaurants/", {"campus": "GAEPO", "max_walk_minutes": "30"})
    second = client.get("/restaurants/", {"campus": "GAEPO", "max_walk_minutes": "30", "page": "2"})

    assert "먼식당16" in first.content.decode()
    assert "먼식당17" not in first.content.decode()
    assert 'href="/restaurants/?campus=GAEPO&amp;max_walk_minutes=30&amp;page=2"' in (
        first.content.decode()
    )
    assert "먼식당17" in second.content.decode()
    assert 'rel="prev"' in second.content.decode()
    assert 'rel="next"' not in second.content.decode()
    assert '<ol class="rlist" start="21">' in second.content.decode()


def test_it_survives_a_bad_page_number(client, places):
    assert client.get("/restaurants/", {"page": "x"}).status_code == 200


def test_it_picks_one_for_me_without_js(client, places):
    response = client.get("/restaurants/pick/", {"campus": "GAEPO", "category": "중국식"})

    assert response.status_code == 200
    html = response.content.decode()
    assert "오늘은 여기 어때요?" in html
    pick = html[html.index('id="pick"') : html.index('id="results"')]
    assert "짜장집" in pick
    assert "<html" in html


def test_it_picks_one_for_htmx_into_the_pick_box(client, places):
    response = _htmx(client, "/restaurants/pick/", {"category": "중국식"}, "pick")

    html = response.content.decode()
    assert "<html" not in html
    assert "짜장집" in html


def test_it_says_so_when_nothing_can_be_picked(client, places):
    response = client.get("/restaurants/pick/", {"category": "양식"})

    assert "조건에 맞는 식당이 없어요" in response.content.decode()


def test_it_reads_the_page_with_a_constant_number_of_queries(
    client, places, django_assert_num_queries
):
    for n in range(15):
        restaurant_near("GAEPO", 500 + n)

    with django_assert_num_queries(1):
        client.get("/restaurants/")
    with django_assert_num_queries(0):
        client.get("/restaurants/pick/", {"category": "한식"})


def test_it_walks_15_minutes_unless_told_otherwise_and_0_lifts_the_limit(client, places):
    far = restaurant_near("GAEPO", 1500, name="먼집")  # 23 minutes' walk
    near = client.get("/restaurants/").content.decode()
    assert far.name not in near
    anything = client.get("/restaurants/", {"max_walk_minutes": "0"}).content.decode()
    assert far.name in anything
    assert '<option value="0" selected>' in anything


def test_it_names_the_categories_in_english_on_english_pages(client, places):
    html = client.get("/restaurants/", headers={"accept-language": "en"}).content.decode()
    assert '<option value="중국식">Chinese</option>' in html  # the value stays the stored one
    assert '<span class="rcard__badge">Korean</span>' in html
    korean = client.get("/restaurants/").content.decode()
    assert '<span class="rcard__badge">한식</span>' in korean
