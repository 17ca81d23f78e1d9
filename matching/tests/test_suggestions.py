"""Where a meal match eats: the suggestions (matching/selectors/suggestions.py), the pin
(matching/services/suggestions.py), the match page's section and the Slack notice's lines."""

import uuid

import pytest
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import timezone

from alarms.slack import NoticeMember, NoticeRestaurant, match_notice_text
from matching.models import Match, MatchMember
from matching.selectors.suggestions import (
    POOL_SIZE,
    RECENT_PIN_DAYS,
    SuggestionQuery,
    pick_suggestions,
    restaurant_suggestions,
)
from matching.services.matches import match_create
from matching.services.suggestions import match_restaurant_pin
from matching.tests.match_helpers import completed_room
from partner42.choices import (
    ConditionKind,
    ContentCategory,
    MatchStatus,
    MethodCategory,
    Place,
    TimeOfEating,
    WayOfEating,
)
from partner42.errors import ApplicationError
from restaurants.cache import local_cache_clear
from restaurants.geo import max_metres_for_minutes
from restaurants.selectors import RestaurantCard
from restaurants.tests.factories import restaurant_near

GAEPO, SEOCHO = Place.GAEPO, Place.SEOCHO


@pytest.fixture(autouse=True)
def _fresh_restaurant_cache():
    # The per-process copy outlives each test's rollback: start and end every test without it.
    local_cache_clear()
    yield
    local_cache_clear()


@pytest.fixture
def no_slack(monkeypatch):
    from alarms import tasks

    monkeypatch.setattr(tasks.slack_match_notice_task, "delay", lambda *args, **kwargs: None)


def meal(*users, places=(GAEPO,), ways=(WayOfEating.EATOUT,), times=()) -> Match:
    conditions = {ConditionKind.PLACE: list(places), ConditionKind.WAY_OF_EATING: list(ways)}
    if times:
        conditions[ConditionKind.TIME_OF_EATING] = list(times)
    return match_create(
        category=ContentCategory.MEAL,
        method=MethodCategory.RANDOM,
        users=list(users),
        conditions=conditions,
    )


def study(*users) -> Match:
    return match_create(
        category=ContentCategory.STUDY,
        method=MethodCategory.RANDOM,
        users=list(users),
        conditions={ConditionKind.PLACE: [GAEPO]},
    )


def names(cards) -> list[str]:
    return [card.name for card in cards]


def row_of(n: int, *, category="한식", campus=GAEPO, step=40, start=50):
    """`n` restaurants in a line east of a campus, `step` metres apart, named r00, r01 …"""
    return [
        restaurant_near(campus, start + i * step, name=f"r{i:02d}", category=category)
        for i in range(n)
    ]


# --- Suggestions -----------------------------------------------------------------------------


def test_it_suggests_three_open_restaurants_near_the_campus_nearest_first(alice, bob, no_slack):
    row_of(8)
    restaurant_near(GAEPO, 30, name="closed", is_open=False)
    match = meal(alice, bob)

    cards = restaurant_suggestions(match)

    assert len(cards) == 3
    assert "closed" not in names(cards)
    assert [c.metres for c in cards] == sorted(c.metres for c in cards)
    assert {c.campus for c in cards} == {GAEPO}


def test_it_keeps_within_the_walk_limit_even_when_few_fit(alice, bob, no_slack):
    limit = max_metres_for_minutes(15)
    restaurant_near(GAEPO, limit - 30, name="near")
    restaurant_near(GAEPO, limit + 60, name="too far")
    restaurant_near(SEOCHO, 50, name="other campus")

    assert names(restaurant_suggestions(meal(alice, bob))) == ["near"]


def test_takeout_walks_less_than_eating_out(alice, bob, no_slack):
    restaurant_near(GAEPO, max_metres_for_minutes(10) - 20, name="ten", category="분식")
    restaurant_near(GAEPO, max_metres_for_minutes(12), name="twelve", category="분식")

    takeout = meal(alice, bob, ways=(WayOfEating.TAKEOUT,))
    eatout = meal(alice, bob, ways=(WayOfEating.EATOUT,))

    assert names(restaurant_suggestions(takeout)) == ["ten"]
    assert sorted(names(restaurant_suggestions(eatout))) == ["ten", "twelve"]


def test_it_picks_the_categories_that_fit_the_way_and_time_first(alice, bob, charlie, no_slack):
    row_of(4, category="경양식", start=40)  # sit-down: not a takeaway
    takeaway = {r.name for r in row_of(4, category="분식", start=60)}
    restaurant_near(GAEPO, 20, name="cafe", category="까페")  # never a meal

    cards = restaurant_suggestions(meal(alice, bob, ways=(WayOfEating.TAKEOUT,)))

    assert len(cards) == 3
    assert {c.category for c in cards} == {"분식"}
    assert set(names(cards)) <= takeaway
    # A room's midnight snack: the categories that fit the time come first.
    for i in range(3):
        restaurant_near(GAEPO, 300 + i * 10, name=f"hof{i}", category="호프/통닭")
    _room, night = completed_room(
        alice,
        charlie,
        conditions={
            ConditionKind.PLACE: [GAEPO],
            ConditionKind.TIME_OF_EATING: [TimeOfEating.MIDNIGHT],
            ConditionKind.WAY_OF_EATING: [WayOfEating.EATOUT],
        },
    )
    assert {c.category for c in restaurant_suggestions(night)} <= {"호프/통닭", "분식"}
    assert "cafe" not in names(restaurant_suggestions(night))


def test_it_fills_up_from_looser_fits_when_too_few_fit(alice, bob, no_slack):
    restaurant_near(GAEPO, 100, name="only takeaway", category="분식")
    row_of(5, category="경양식", start=200)

    cards = restaurant_suggestions(meal(alice, bob, ways=(WayOfEating.TAKEOUT,)))

    assert len(cards) == 3
    assert "only takeaway" in names(cards)


def test_it_is_stable_for_a_match_and_differs_between_matches(alice, bob, no_slack):
    row_of(12, step=15)
    matches = [meal(alice, bob) for _ in range(8)]

    draws = [tuple(names(restaurant_suggestions(match))) for match in matches]

    assert draws == [tuple(names(restaurant_suggestions(match))) for match in matches]
    assert len(set(draws)) > 1
    # Not always the nearest three.
    assert any(draw != ("r00", "r01", "r02") for draw in draws)


def test_it_prefers_restaurants_not_pinned_in_the_members_recent_matches(alice, bob, no_slack):
    restaurants = row_of(4)
    for pinned in restaurants:
        earlier = meal(alice, bob)
        match_restaurant_pin(match=earlier, user=alice, restaurant_id=pinned.api_id)
        later = meal(alice, bob)
        assert pinned.name not in names(restaurant_suggestions(later))
        # Long ago no longer counts.
        Match.objects.filter(pk=earlier.pk).update(
            pinned_at=timezone.now() - timezone.timedelta(days=RECENT_PIN_DAYS + 1)
        )


def test_a_study_match_or_one_outside_the_clusters_gets_none(alice, bob, no_slack):
    row_of(3)

    assert restaurant_suggestions(study(alice, bob)) == []
    assert restaurant_suggestions(meal(alice, bob, places=(Place.OUT_OF_CLUSTER,))) == []
    # No place named: any campus.
    restaurant_near(SEOCHO, 40, name="seocho")
    assert len(restaurant_suggestions(meal(alice, bob, places=()))) == 3


def test_it_counts_a_restaurant_near_two_campuses_once_at_the_nearer():
    def card(distance_id, campus, metres):
        return RestaurantCard(
            distance_id, campus, metres, 1, uuid.uuid4(), "a", "한식", "", "", "", 0, 0, None, ""
        )

    query = SuggestionQuery(campuses=(GAEPO, SEOCHO), ways=(WayOfEating.EATOUT,), times=())
    picked = pick_suggestions([card(1, GAEPO, 300), card(2, SEOCHO, 100)], query=query, seed="x")

    assert [(c.campus, c.metres) for c in picked] == [(SEOCHO, 100)]


@pytest.mark.parametrize(("cache_seconds", "queries"), [(0, 2), (300, 1)])
def test_it_reads_in_fixed_queries(
    alice, bob, settings, cache_seconds, queries, django_assert_num_queries, no_slack
):
    settings.RESTAURANT_CACHE_SECONDS = cache_seconds
    match = (
        Match.objects.prefetch_related(
            "conditions", Prefetch("members", queryset=MatchMember.objects.all())
        )
        .filter(pk=meal(alice, bob).pk)
        .get()
    )
    restaurant_suggestions(match)  # warms the cache when on
    row_of(10)  # more restaurants, same queries (the cache serves its copy until told)
    local_cache_clear()
    restaurant_suggestions(match)  # warm again

    with django_assert_num_queries(queries):
        restaurant_suggestions(match)


# --- The pin ---------------------------------------------------------------------------------


def _error(exc_info) -> tuple[str, list]:
    return exc_info.value.code, [e["field"] for e in exc_info.value.errors]


def test_a_member_pins_replaces_and_unpins(alice, bob, no_slack):
    first, second = row_of(2)
    match = meal(alice, bob)

    match_restaurant_pin(match=match, user=alice, restaurant_id=str(first.api_id))
    match.refresh_from_db()
    assert (match.pinned_restaurant, match.pinned_by) == (first, alice)
    assert match.pinned_at is not None

    match_restaurant_pin(match=match, user=bob, restaurant_id=second.api_id)
    match.refresh_from_db()
    assert (match.pinned_restaurant, match.pinned_by) == (second, bob)

    match_restaurant_pin(match=match, user=bob, restaurant_id=None)
    match.refresh_from_db()
    assert (match.pinned_restaurant, match.pinned_by, match.pinned_at) == (None, None, None)
    match_restaurant_pin(match=match, user=bob, restaurant_id=None)  # nothing to unpin: fine


def test_any_open_restaurant_near_enough_may_be_pinned(alice, bob, no_slack):
    row_of(POOL_SIZE)  # the three are drawn from the nearest POOL_SIZE: never the one beyond
    elsewhere = restaurant_near(GAEPO, 900, name="not suggested")
    match = meal(alice, bob)
    assert "not suggested" not in names(restaurant_suggestions(match))

    match_restaurant_pin(match=match, user=alice, restaurant_id=elsewhere.api_id)

    assert Match.objects.get(pk=match.pk).pinned_restaurant == elsewhere


def test_only_a_member_pins(alice, bob, charlie, operator, no_slack):
    (restaurant,) = row_of(1)
    match = meal(alice, bob)

    for user in (charlie, operator):
        with pytest.raises(ApplicationError) as refused:
            match_restaurant_pin(match=match, user=user, restaurant_id=restaurant.api_id)
        assert refused.value.code == "MCH002"
    assert Match.objects.get(pk=match.pk).pinned_restaurant is None


def test_a_canceled_match_takes_no_pin(alice, bob, no_slack):
    (restaurant,) = row_of(1)
    match = meal(alice, bob)
    Match.objects.filter(pk=match.pk).update(status=MatchStatus.CANCELED)
    match.refresh_from_db()

    with pytest.raises(ApplicationError) as refused:
        match_restaurant_pin(match=match, user=alice, restaurant_id=restaurant.api_id)

    assert (refused.value.code, refused.value.status) == ("MCH006", 409)


def test_a_match_canceled_meanwhile_is_refused(alice, bob, no_slack):
    (restaurant,) = row_of(1)
    match = meal(alice, bob)
    Match.objects.filter(pk=match.pk).update(status=MatchStatus.CANCELED)  # match is stale

    with pytest.raises(ApplicationError) as refused:
        match_restaurant_pin(match=match, user=alice, restaurant_id=restaurant.api_id)

    assert refused.value.code == "MCH006"
    assert Match.objects.get(pk=match.pk).pinned_restaurant is None


@pytest.mark.parametrize(
    "restaurant_id",
    [
        "00000000-0000-0000-0000-000000000000",
        "not-a-uuid",
        "'; DROP TABLE matching_match; --",
        "<script>alert(1)</script>",
        "x" * 5000,
        "",
        12,
    ],
)
def test_it_refuses_an_id_that_names_no_restaurant(alice, bob, restaurant_id, no_slack):
    match = meal(alice, bob)

    with pytest.raises(ApplicationError) as refused:
        match_restaurant_pin(match=match, user=alice, restaurant_id=restaurant_id)

    assert _error(refused) == ("C001", ["restaurantId"])
    assert len(refused.value.errors[0]["value"]) <= 100


def test_it_refuses_a_closed_or_far_restaurant_and_a_study_match(alice, bob, no_slack):
    closed = restaurant_near(GAEPO, 50, is_open=False)
    far = restaurant_near(GAEPO, 3000)
    seocho = restaurant_near(SEOCHO, 50)
    (near,) = row_of(1)
    match = meal(alice, bob)

    for restaurant in (closed, far, seocho):
        with pytest.raises(ApplicationError) as refused:
            match_restaurant_pin(match=match, user=alice, restaurant_id=restaurant.api_id)
        assert _error(refused) == ("C001", ["restaurantId"])
    with pytest.raises(ApplicationError) as refused:
        match_restaurant_pin(match=study(alice, bob), user=alice, restaurant_id=near.api_id)
    assert _error(refused) == ("C001", ["restaurantId"])


# --- The match page ------------------------------------------------------------------------------


def _page(client, user, match) -> str:
    client.force_login(user)
    response = client.get(reverse("mypage:match_detail", args=[match.api_id]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_match_page_shows_three_suggestions_with_pin_buttons(client, alice, bob, no_slack):
    row_of(5)
    match = meal(alice, bob)
    cards = restaurant_suggestions(match)

    page = _page(client, alice, match)

    assert 'id="match-eat"' in page
    for card in cards:
        assert card.name in page
        assert f'value="{card.api_id}"' in page
    assert page.count("여기로 정하기") == 3


def test_an_operator_sees_the_suggestions_without_pin_buttons(client, alice, bob, operator):
    row_of(5)
    match = meal(alice, bob)

    page = _page(client, operator, match)

    assert 'id="match-eat"' in page
    assert "여기로 정하기" not in page


def test_a_study_match_page_has_no_section(client, alice, bob, no_slack):
    row_of(3)
    assert 'id="match-eat"' not in _page(client, alice, study(alice, bob))


def test_a_pin_from_the_page_returns_to_it_and_shows_who_pinned(client, alice, bob, no_slack):
    row_of(5)
    match = meal(alice, bob)
    card = restaurant_suggestions(match)[1]
    detail = reverse("mypage:match_detail", args=[match.api_id])
    client.force_login(bob)

    response = client.post(
        reverse("matching:match_restaurant_pin", args=[match.api_id]),
        {"restaurant_id": str(card.api_id), "next": detail},
    )

    assert response.status_code == 302
    assert response["Location"] == detail
    page = _page(client, alice, match)
    assert "정한 식당" in page
    assert "bob 님이 정했어요." in page
    assert page.count("여기로 정하기") == 2
    assert "정한 식당 취소" in page

    client.post(reverse("matching:match_restaurant_pin", args=[match.api_id]), {"unpin": "1"})
    assert Match.objects.get(pk=match.pk).pinned_restaurant is None


def test_a_refused_pin_from_the_page_says_why(client, alice, bob, no_slack):
    row_of(3)
    match = meal(alice, bob)
    client.force_login(alice)

    response = client.post(
        reverse("matching:match_restaurant_pin", args=[match.api_id]),
        {"restaurant_id": "nonsense"},
        follow=True,
    )

    assert response.redirect_chain[-1] == (
        reverse("mypage:match_detail", args=[match.api_id]),
        302,
    )
    assert "그런 식당이 없어요." in response.content.decode()


def test_htmx_swaps_the_section_in_place(client, alice, bob, no_slack):
    row_of(5)
    match = meal(alice, bob)
    card = restaurant_suggestions(match)[0]
    client.force_login(alice)

    response = client.post(
        reverse("matching:match_restaurant_pin", args=[match.api_id]),
        {"restaurant_id": str(card.api_id)},
        HTTP_HX_REQUEST="true",
    )

    assert response.status_code == 200
    body = response.content.decode()
    assert body.lstrip().startswith("<link")
    assert 'id="match-eat"' in body
    assert "<html" not in body
    assert "정한 식당 취소" in body
    refused = client.post(
        reverse("matching:match_restaurant_pin", args=[match.api_id]),
        {"restaurant_id": "nonsense"},
        HTTP_HX_REQUEST="true",
    )
    assert refused.status_code == 200
    assert 'role="alert"' in refused.content.decode()


def test_the_hidden_author_who_pinned_stays_hidden(client, alice, bob, no_slack):
    row_of(3)
    _room, match = completed_room(alice, bob, participant_num_max=2, anonymity=True)
    card = restaurant_suggestions(match)[0]
    match_restaurant_pin(match=match, user=alice, restaurant_id=card.api_id)

    page = _page(client, bob, match)

    assert "익명 님이 정했어요." in page
    assert "alice" not in page


def test_the_match_page_reads_in_the_same_queries_whatever_is_pinned(
    client, alice, bob, django_assert_num_queries, settings, no_slack
):
    settings.RESTAURANT_CACHE_SECONDS = 0  # a cold or warm copy must not change the count
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    row_of(5)
    match = meal(alice, bob)
    url = reverse("mypage:match_detail", args=[match.api_id])
    client.force_login(alice)
    client.get(url)  # warm the session and the caches
    with CaptureQueriesContext(connection) as before:
        client.get(url)
    match_restaurant_pin(
        match=match, user=alice, restaurant_id=restaurant_suggestions(match)[0].api_id
    )
    row_of(5, start=500)

    with django_assert_num_queries(len(before)):
        client.get(url)


# --- The Slack notice ------------------------------------------------------------------------


def test_the_notice_lists_the_suggestions():
    text = match_notice_text(
        category_label="식사",
        method_label="랜덤 매칭",
        members=[NoticeMember("alice"), NoticeMember("bob")],
        restaurants=[
            NoticeRestaurant("김밥천국", "김밥(도시락)", 3),
            NoticeRestaurant("무명", "", 12),
        ],
    )

    lines = text.splitlines()
    at = lines.index("가 볼 만한 식당")
    assert lines[at + 1 : at + 3] == ["· 김밥천국 (김밥(도시락), 도보 3분)", "· 무명 (도보 12분)"]
    assert lines[-1] == "이 대화방에서 시간과 장소를 정해 보세요."
    without = match_notice_text(category_label="식사", method_label="랜덤 매칭", members=[])
    assert "가 볼 만한 식당" not in without


def test_a_new_meal_match_posts_its_suggestions(
    monkeypatch, settings, alice, bob, django_capture_on_commit_callbacks
):
    from alarms import tasks

    settings.SLACK_BOT_TOKEN = "xoxb-test"  # a notice is written only when Slack is set up

    sent = []
    monkeypatch.setattr(
        tasks.slack_match_notice_task, "delay", lambda e, text, **kw: sent.append(text)
    )
    row_of(5)
    with django_capture_on_commit_callbacks(execute=True):
        match = meal(alice, bob)
    with django_capture_on_commit_callbacks(execute=True):
        study(alice, bob)

    meal_text, study_text = sent
    expected = [
        f"· {c.name} ({c.category}, 도보 {c.walk_minutes}분)" for c in restaurant_suggestions(match)
    ]
    assert len(expected) == 3
    assert all(line in meal_text.splitlines() for line in expected)
    assert "가 볼 만한 식당" not in study_text


def test_the_notice_goes_out_when_the_suggestions_fail(
    monkeypatch, settings, alice, bob, django_capture_on_commit_callbacks
):
    from alarms import tasks

    settings.SLACK_BOT_TOKEN = "xoxb-test"  # a notice is written only when Slack is set up
    from matching.selectors import suggestions

    sent = []
    monkeypatch.setattr(
        tasks.slack_match_notice_task, "delay", lambda e, text, **kw: sent.append(text)
    )

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(suggestions, "restaurant_suggestions", broken)
    with django_capture_on_commit_callbacks(execute=True):
        meal(alice, bob)

    assert len(sent) == 1
    assert "가 볼 만한 식당" not in sent[0]


# --- Demo ----------------------------------------------------------------------------------------


def test_the_demo_meal_match_suggests_where_to_eat(db, no_slack):
    from io import StringIO

    from django.core.management import call_command

    call_command("load_demo", stdout=StringIO())
    local_cache_clear()
    match = Match.objects.get(room__title="개포 아침 김밥 같이 먹어요 (마감)")

    cards = restaurant_suggestions(match)

    assert len(cards) == 3
    # A breakfast: the categories that fit the morning.
    assert {c.category for c in cards} <= {"한식", "분식", "김밥(도시락)", "패스트푸드"}
