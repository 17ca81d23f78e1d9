"""Reviews and the activity ledger (SPEC section 5; API.md 4.4)."""

import json
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from accounts.tests.factories import UserFactory
from matching.models import Activity, ActivityMatchScore, MatchMember, MemberReview
from matching.services.reviews import match_review_create
from matching.tests.match_helpers import (
    client_for,
    completed_room,
    error_code,
    random_match,
    review_body,
)
from partner42.choices import ContentCategory
from partner42.errors import ApplicationError
from tests.helpers import run_together

R = ActivityMatchScore


@pytest.fixture(autouse=True)
def _reviews_open(settings):
    settings.REVIEW_DELAY_MINUTES = 0


@pytest.fixture
def match(alice, bob, charlie):
    return random_match(alice, bob, charlie)


def _review(client, match, **scores):
    return client.post(
        f"/api/matches/{match.api_id}/review", review_body(match, **scores), format="json"
    )


def _ledger(user) -> list[tuple[str, int]]:
    return sorted(Activity.objects.filter(user=user).values_list("score_kind", "score"))


# --- Writing a review ---------------------------------------------------------------------------


def test_it_writes_the_review_and_the_ledger_rows(match, alice, bob, charlie):
    response = _review(client_for(alice), match, bob=R.MATCH_REVIEW_5, charlie=R.MATCH_ABSENT)

    assert response.status_code == 200
    assert response.content == b""
    assert MatchMember.objects.get(match=match, user=alice).is_reviewed
    assert not MatchMember.objects.get(match=match, user=bob).is_reviewed
    reviews = {(r.reviewer_id, r.target_id, r.score_kind) for r in MemberReview.objects.all()}
    assert reviews == {(alice.pk, bob.pk, R.MATCH_REVIEW_5), (alice.pk, charlie.pk, R.MATCH_ABSENT)}
    assert _ledger(alice) == [(R.MAKE_MATCH_REVIEW, 20), (R.MATCH_PARTICIPANT, 10)]
    assert _ledger(bob) == [(R.MATCH_PARTICIPANT, 10), (R.MATCH_REVIEW_5, 42)]
    assert _ledger(charlie) == [(R.MATCH_ABSENT, -200), (R.MATCH_PARTICIPANT, 10)]


@pytest.mark.parametrize(
    ("kind", "points"),
    [
        (R.MATCH_REVIEW_1, -10),
        (R.MATCH_REVIEW_2, 0),
        (R.MATCH_REVIEW_3, 10),
        (R.MATCH_REVIEW_4, 20),
        (R.MATCH_REVIEW_5, 42),
        (R.MATCH_ABSENT, -200),
    ],
)
def test_it_gives_the_originals_points(alice, bob, kind, points):
    match = random_match(alice, bob)

    assert _review(client_for(alice), match, bob=kind).status_code == 200

    row = Activity.objects.get(user=bob, score_kind=kind)
    assert row.score == points
    assert row.activity_type == "MATCH"
    assert row.category == match.category
    assert row.match_id == match.pk


def test_it_reads_scores_case_insensitively(alice, bob):
    match = random_match(alice, bob)

    assert _review(client_for(alice), match, bob="match_review_4").status_code == 200
    assert MemberReview.objects.get().score_kind == R.MATCH_REVIEW_4


def test_it_takes_the_path_id_over_the_bodys(alice, bob):
    match, other = random_match(alice, bob), random_match(alice, bob)
    body = review_body(other, bob=R.MATCH_REVIEW_3)

    response = client_for(alice).post(f"/api/matches/{match.api_id}/review", body, format="json")

    assert response.status_code == 200
    assert MemberReview.objects.get().match_id == match.pk


def test_it_lets_members_review_the_hidden_author_of_an_anonymous_room(alice, bob, charlie):
    _room, match = completed_room(alice, bob, charlie, anonymity=True)

    # Bob was shown "익명" for the author, and reviews under that name.
    response = _review(
        client_for(bob), match, **{"익명": R.MATCH_REVIEW_5, "charlie": R.MATCH_REVIEW_3}
    )

    assert response.status_code == 200
    assert MemberReview.objects.get(target=alice).score_kind == R.MATCH_REVIEW_5


def test_it_lets_every_member_review_once(match, alice, bob, charlie):
    assert (
        _review(
            client_for(alice), match, bob=R.MATCH_REVIEW_5, charlie=R.MATCH_REVIEW_4
        ).status_code
        == 200
    )
    assert (
        _review(
            client_for(bob), match, alice=R.MATCH_REVIEW_5, charlie=R.MATCH_REVIEW_4
        ).status_code
        == 200
    )
    assert (
        _review(
            client_for(charlie), match, alice=R.MATCH_REVIEW_3, bob=R.MATCH_REVIEW_2
        ).status_code
        == 200
    )

    assert MemberReview.objects.count() == 6
    assert MatchMember.objects.filter(match=match, is_reviewed=True).count() == 3
    # 10 for taking part, 20 for reviewing, then what the two others gave.
    assert sum(score for _kind, score in _ledger(alice)) == 10 + 20 + 42 + 10
    assert sum(score for _kind, score in _ledger(bob)) == 10 + 20 + 42 + 0
    assert sum(score for _kind, score in _ledger(charlie)) == 10 + 20 + 20 + 20


# --- Errors, in the original's check order ------------------------------------------------------


@pytest.mark.parametrize("match_id", ["00000000-0000-0000-0000-000000000000", "nope"])
def test_it_answers_404_for_an_unknown_match(alice, match_id):
    response = client_for(alice).post(
        f"/api/matches/{match_id}/review",
        {"matchId": match_id, "memberReviewDtos": []},
        format="json",
    )

    assert error_code(response) == (404, "C003")


def test_it_answers_mch003_for_an_unknown_nickname(match, alice):
    # The original answered 404 C003; every name that is not a member's now answers alike, so
    # that a hidden author's real nickname cannot be told apart (test_anonymity.py).
    response = _review(client_for(alice), match, bob=R.MATCH_REVIEW_5, nobody=R.MATCH_REVIEW_5)

    assert error_code(response) == (400, "MCH003")


def test_it_checks_the_membership_before_the_nicknames(match):
    outsider = UserFactory(username="outsider")

    response = _review(client_for(outsider), match, nobody=R.MATCH_REVIEW_5)

    assert error_code(response) == (403, "MCH002")


def test_it_refuses_a_non_member(match, alice):
    outsider = UserFactory(username="outsider")

    response = _review(client_for(outsider), match, alice=R.MATCH_REVIEW_5)

    assert error_code(response) == (403, "MCH002")
    assert not MemberReview.objects.exists()


def test_it_refuses_an_operator_who_is_not_a_member(match, operator):
    response = _review(client_for(operator), match, alice=R.MATCH_REVIEW_5)

    assert error_code(response) == (403, "MCH002")


def test_it_refuses_a_target_outside_the_match(alice, bob, charlie):
    match = random_match(alice, bob)

    response = _review(client_for(alice), match, bob=R.MATCH_REVIEW_5, charlie=R.MATCH_REVIEW_1)

    assert error_code(response) == (400, "MCH003")


def test_it_refuses_a_review_of_oneself(match, alice):
    response = _review(
        client_for(alice),
        match,
        alice=R.MATCH_REVIEW_5,
        bob=R.MATCH_REVIEW_5,
        charlie=R.MATCH_REVIEW_5,
    )

    assert error_code(response) == (400, "MCH004")
    assert not MemberReview.objects.exists()


def test_it_refuses_a_second_review(match, alice):
    client = client_for(alice)
    _review(client, match, bob=R.MATCH_REVIEW_5, charlie=R.MATCH_REVIEW_5)

    response = _review(client, match, bob=R.MATCH_REVIEW_1, charlie=R.MATCH_REVIEW_1)

    assert error_code(response) == (409, "MCH001")
    assert MemberReview.objects.count() == 2
    assert Activity.objects.filter(score_kind=R.MAKE_MATCH_REVIEW).count() == 1


def test_it_refuses_a_review_before_it_opens(match, alice, settings):
    settings.REVIEW_DELAY_MINUTES = 30

    response = _review(client_for(alice), match, bob=R.MATCH_REVIEW_5, charlie=R.MATCH_REVIEW_5)

    assert error_code(response) == (409, "MCH005")
    assert not MatchMember.objects.get(match=match, user=alice).is_reviewed


def test_it_opens_reviews_at_the_review_available_time(match, alice, bob, charlie, settings):
    settings.REVIEW_DELAY_MINUTES = 30
    opens = match.created_at + timedelta(minutes=30)
    scores = [(bob, R.MATCH_REVIEW_5), (charlie, R.MATCH_REVIEW_5)]

    with pytest.raises(ApplicationError) as early:
        match_review_create(
            match=match, reviewer=alice, scores=scores, now=opens - timedelta(seconds=1)
        )
    assert early.value.code == "MCH005"
    assert len(match_review_create(match=match, reviewer=alice, scores=scores, now=opens)) == 2


@pytest.mark.parametrize(
    ("body", "field"),
    [
        (
            {"memberReviewDtos": [{"nickname": "bob", "activityMatchScore": "MATCH_REVIEW_5"}]},
            "matchId",
        ),
        (
            {
                "matchId": "x",
                "memberReviewDtos": [{"nickname": "bob", "activityMatchScore": None}],
            },
            "memberReviewDtos",
        ),
        (
            {
                "matchId": "x",
                "memberReviewDtos": [{"nickname": "bob", "activityMatchScore": "SIX"}],
            },
            "memberReviewDtos",
        ),
        (
            {
                "matchId": "x",
                "memberReviewDtos": [
                    {"nickname": "bob", "activityMatchScore": "ARTICLE_MATCH_AUTHOR"}
                ],
            },
            "memberReviewDtos",
        ),
        (
            {
                "matchId": "x",
                "memberReviewDtos": [
                    {"nickname": "bob", "activityMatchScore": "MATCH_REVIEW_5"},
                    {"nickname": "bob", "activityMatchScore": "MATCH_REVIEW_1"},
                ],
            },
            "memberReviewDtos",
        ),
        ({"matchId": "x", "memberReviewDtos": None}, "memberReviewDtos"),
        ({"matchId": "x", "memberReviewDtos": [], "extra": 1}, "extra"),
    ],
    ids=["no-match-id", "null-score", "unknown-score", "ledger-kind", "duplicate", "null", "key"],
)
def test_it_refuses_a_bad_body_with_400_never_500(match, alice, body, field):
    response = client_for(alice).post(f"/api/matches/{match.api_id}/review", body, format="json")

    assert error_code(response) == (400, "C001")
    assert field in {
        error["field"].split(".")[0].split("[")[0] for error in response.json()["errors"]
    }
    assert not MemberReview.objects.exists()


def test_it_refuses_a_review_that_leaves_a_member_out(match, alice):
    response = _review(client_for(alice), match, bob=R.MATCH_REVIEW_5)

    assert error_code(response) == (400, "C001")
    assert not MatchMember.objects.get(match=match, user=alice).is_reviewed


def test_it_reads_a_json_body_sent_as_text_plain(alice, bob):
    match = random_match(alice, bob)
    body = json.dumps(review_body(match, bob=R.MATCH_REVIEW_3))

    response = client_for(alice).post(
        f"/api/matches/{match.api_id}/review", body, content_type="text/plain;charset=UTF-8"
    )

    assert response.status_code == 200
    assert MemberReview.objects.get().score_kind == R.MATCH_REVIEW_3


def test_it_refuses_malformed_json(match, alice):
    response = client_for(alice).post(
        f"/api/matches/{match.api_id}/review", "{", content_type="application/json"
    )

    assert response.status_code == 400


def test_it_needs_a_login(api_client, match):
    assert _review(api_client, match).status_code == 401


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "mysql", reason="row locks of MariaDB")
def test_it_keeps_one_review_when_the_same_member_races(settings, monkeypatch):
    from alarms import tasks

    monkeypatch.setattr(tasks.slack_match_notice_task, "delay", lambda *args: None)
    settings.REVIEW_DELAY_MINUTES = 0
    ann, ben = UserFactory(username="race-ann"), UserFactory(username="race-ben")
    match = random_match(ann, ben)
    scores = [(ben, R.MATCH_REVIEW_5)]

    results = run_together(
        [lambda: match_review_create(match=match, reviewer=ann, scores=scores)] * 4
    )

    written = [r for r in results if isinstance(r, list)]
    refused = [r for r in results if isinstance(r, ApplicationError)]
    assert len(written) == 1, results
    assert {r.code for r in refused} == {"MCH001"}, results
    assert MemberReview.objects.filter(match=match).count() == 1
    assert Activity.objects.filter(user=ann, score_kind=R.MAKE_MATCH_REVIEW).count() == 1
    assert Activity.objects.filter(user=ben, score_kind=R.MATCH_REVIEW_5).count() == 1


# --- Scores -------------------------------------------------------------------------------------


@pytest.fixture
def ledger(alice, bob):
    """Alice: +10 MEAL (random), +42 STUDY (her room), +20 STUDY (her review), -10 a year ago."""
    random_match(alice, bob, category=ContentCategory.MEAL)
    _room, study = completed_room(alice, bob, category=ContentCategory.STUDY)
    match_review_create(match=study, reviewer=alice, scores=[(bob, R.MATCH_REVIEW_1)])
    old = Activity.objects.create(
        user=alice,
        category=ContentCategory.MEAL,
        activity_type="MATCH",
        score_kind=R.MATCH_REVIEW_1,
        score=-10,
        created_at=timezone.now() - timedelta(days=365),
    )
    return old


def _score(client, **query):
    return client.get("/api/activities/score", query)


def test_it_sums_the_callers_rows(ledger, alice, bob):
    assert _score(client_for(alice)).json() == {"score": 10 + 42 + 20 - 10}
    assert _score(client_for(bob)).json() == {"score": 10 + 10 - 10}


def test_it_answers_zero_without_rows(charlie):
    assert _score(client_for(charlie)).json() == {"score": 0}


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"contentCategory": "MEAL"}, 10 - 10),
        ({"contentCategory": "study"}, 42 + 20),
        ({"activityType": "ARTICLE"}, 42),
        ({"activityType": "MATCH"}, 10 + 20 - 10),
        ({"contentCategory": "STUDY", "activityType": "MATCH"}, 20),
    ],
)
def test_it_filters_by_category_and_type(ledger, alice, query, expected):
    assert _score(client_for(alice), **query).json() == {"score": expected}


def test_it_filters_by_time_start_included_end_excluded(ledger, alice):
    old_time = ledger.created_at
    client = client_for(alice)
    recent = (old_time + timedelta(days=1)).isoformat()

    assert _score(client, startTime=recent).json() == {"score": 10 + 42 + 20}
    assert _score(client, endTime=recent).json() == {"score": -10}
    assert _score(client, startTime=old_time.isoformat(), endTime=recent).json() == {"score": -10}
    assert _score(client, endTime=old_time.isoformat()).json() == {"score": 0}


def test_it_reads_a_time_without_offset_as_seoul_time(ledger, alice):
    seoul = timezone.localtime(ledger.created_at).replace(tzinfo=None, microsecond=0)

    response = _score(client_for(alice), endTime=(seoul + timedelta(seconds=1)).isoformat())

    assert response.json() == {"score": -10}


@pytest.mark.parametrize(
    "query",
    [
        {"contentCategory": "LUNCH"},
        {"activityType": "SLEEP"},
        {"startTime": "yesterday"},
        {"endTime": "2023-13-45T00:00:00"},
        {"startTime": "2024-01-02T00:00:00", "endTime": "2024-01-01T00:00:00"},
    ],
)
def test_it_refuses_bad_filters(alice, query):
    assert error_code(_score(client_for(alice), **query)) == (400, "C001")


def test_it_gives_totals_per_category(ledger, alice):
    response = client_for(alice).get("/api/activities/score/categories")

    assert response.json() == {
        "score": 62,
        "scores": [
            {"contentCategory": "MEAL", "score": 0},
            {"contentCategory": "STUDY", "score": 62},
        ],
    }


def test_it_totals_every_category_even_without_rows(charlie):
    response = client_for(charlie).get("/api/activities/score/categories")

    assert response.json()["scores"] == [
        {"contentCategory": "MEAL", "score": 0},
        {"contentCategory": "STUDY", "score": 0},
    ]


def test_it_pages_the_history_newest_first(ledger, alice):
    client = client_for(alice)

    first = client.get("/api/activities", {"size": 3}).json()
    second = client.get("/api/activities", {"size": 3, "page": 1}).json()

    kinds = [row["activityMatchScore"] for row in first["content"] + second["content"]]
    assert len(kinds) == 4
    assert kinds[-1] == R.MATCH_REVIEW_1  # the year-old row comes last
    assert first["last"] is False
    assert second["last"] is True
    assert set(first["content"][0]) == {
        "contentCategory",
        "activityType",
        "activityMatchScore",
        "score",
        "matchId",
        "createdAt",
    }
    assert second["content"][-1]["matchId"] is None


def test_it_filters_and_sorts_the_history(ledger, alice):
    response = client_for(alice).get(
        "/api/activities", {"contentCategory": "STUDY", "sort": "score,asc"}
    )

    assert [row["score"] for row in response.json()["content"]] == [20, 42]


def test_it_refuses_an_unknown_history_sort(alice):
    assert error_code(client_for(alice).get("/api/activities", {"sort": "user"})) == (400, "C001")


def test_it_pages_the_history_in_one_query(alice, bob, django_assert_num_queries):
    for _ in range(5):
        random_match(alice, bob)
    client = client_for(alice)

    with django_assert_num_queries(1):
        small = client.get("/api/activities", {"size": 2})
    with django_assert_num_queries(1):
        large = client.get("/api/activities", {"size": 5})

    assert len(small.json()["content"]) == 2
    assert len(large.json()["content"]) == 5


def test_it_keeps_totals_equal_to_the_rows(alice, bob, charlie):
    """Whatever happens, a total is the sum of the history: nothing is stored twice."""
    match = random_match(alice, bob, charlie)
    _room, room_match = completed_room(bob, alice, charlie)
    match_review_create(
        match=match, reviewer=bob, scores=[(alice, R.MATCH_REVIEW_4), (charlie, R.MATCH_ABSENT)]
    )
    match_review_create(
        match=room_match,
        reviewer=charlie,
        scores=[(alice, R.MATCH_REVIEW_2), (bob, R.MATCH_REVIEW_5)],
    )

    for user in (alice, bob, charlie):
        client = client_for(user)
        history = client.get("/api/activities", {"size": 100}).json()["content"]
        total = client.get("/api/activities/score").json()["score"]
        by_category = client.get("/api/activities/score/categories").json()
        assert total == sum(row["score"] for row in history)
        assert by_category["score"] == total
        assert sum(item["score"] for item in by_category["scores"]) == total
