"""The whole story with several students, through the API and the pages as clients use them:
a room is opened, joined, completed into a match; members review each other; scores follow."""

from datetime import timedelta

import pytest
from django.test import Client

from alarms.models import Alarm, AlarmType
from matching.models import ActivityMatchScore, MemberReview
from matching.services.random import matchmaking_run, random_match_request_create
from matching.tests.match_helpers import client_for, error_code
from partner42.choices import ContentCategory
from rooms.services import room_today

R = ActivityMatchScore


@pytest.fixture(autouse=True)
def _no_side_effects(monkeypatch):
    """Slack and the triggered matchmaking run are other tests' business; this one runs it."""
    from alarms import tasks
    from matching.services import random as random_services

    monkeypatch.setattr(tasks.slack_match_notice_task, "delay", lambda *args: None)
    monkeypatch.setattr(random_services, "matchmaking_trigger", lambda: None)


def _create_room(client, **fields) -> str:
    body = {
        "title": "점심 같이 먹어요",
        "date": (room_today() + timedelta(days=1)).isoformat(),
        "matchConditionDto": {
            "placeList": ["GAEPO"],
            "timeOfEatingList": ["LUNCH"],
            "wayOfEatingList": ["EATOUT"],
        },
        "content": "개포 근처 국밥",
        "anonymity": False,
        "participantNumMax": 4,
        "contentCategory": "MEAL",
        **fields,
    }
    response = client.post("/api/articles", body, format="json")
    assert response.status_code == 200, response.json()
    return response.json()["articleId"]


def _stars(client, match_id: str, scores: dict[str, str]):
    return client.post(
        f"/api/matches/{match_id}/review",
        {
            "matchId": match_id,
            "memberReviewDtos": [
                {"nickname": nickname, "activityMatchScore": score}
                for nickname, score in scores.items()
            ],
        },
        format="json",
    )


def _score(client, **query) -> int:
    return client.get("/api/activities/score", query).json()["score"]


def test_it_goes_from_a_room_to_reviews_and_scores(alice, bob, charlie, settings):
    settings.REVIEW_DELAY_MINUTES = 0
    a, b, c = client_for(alice), client_for(bob), client_for(charlie)

    # Alice opens a room; Bob and Charlie join; Bob cannot complete it, Alice does.
    article_id = _create_room(a)
    assert error_code(a.post(f"/api/articles/{article_id}/complete")) == (409, "AR009")
    assert b.post(f"/api/articles/{article_id}/participate").status_code == 200
    assert c.post(f"/api/articles/{article_id}/participate").status_code == 200
    assert error_code(b.post(f"/api/articles/{article_id}/complete")) == (403, "AR001")
    completed = a.post(f"/api/articles/{article_id}/complete")
    assert completed.status_code == 200
    match_id = completed.json()["matchId"]

    # The room is closed and every member sees the match and got its alarm.
    assert a.get(f"/api/articles/{article_id}").status_code == 200
    assert error_code(b.post(f"/api/articles/{article_id}/participate-cancel")) == (409, "AR007")
    for client, user in ((a, alice), (b, bob), (c, charlie)):
        content = client.get("/api/matches").json()["content"]
        assert [dto["matchId"] for dto in content] == [match_id]
        assert content[0]["isReviewed"] is False
        assert Alarm.objects.filter(
            user=user, alarm_type=AlarmType.MATCH_CONFIRMED, match_id=match_id
        ).exists()
    assert _score(a) == 42
    assert _score(b) == _score(c) == 10

    # Everyone reviews everyone else once.
    assert (
        _stars(a, match_id, {"bob": R.MATCH_REVIEW_5, "charlie": R.MATCH_REVIEW_4}).status_code
        == 200
    )
    assert (
        _stars(b, match_id, {"alice": R.MATCH_REVIEW_5, "charlie": R.MATCH_ABSENT}).status_code
        == 200
    )
    assert error_code(
        _stars(b, match_id, {"alice": R.MATCH_REVIEW_1, "charlie": R.MATCH_REVIEW_1})
    ) == (409, "MCH001")
    assert (
        _stars(c, match_id, {"alice": R.MATCH_REVIEW_3, "bob": R.MATCH_REVIEW_2}).status_code == 200
    )
    assert MemberReview.objects.count() == 6
    assert all(dto["isReviewed"] for dto in b.get("/api/matches").json()["content"])

    # Scores: the ledger of each, by category too.
    assert _score(a) == 42 + 20 + 42 + 10
    assert _score(b) == 10 + 20 + 42 + 0
    assert _score(c) == 10 + 20 + 20 - 200
    assert _score(a, contentCategory="STUDY") == 0
    categories = a.get("/api/activities/score/categories").json()
    assert categories["scores"][0] == {"contentCategory": "MEAL", "score": 114}

    # The my page shows the same totals and the match, already reviewed.
    page_client = Client()
    page_client.force_login(bob)
    bob_page = page_client.get("/me/scores/").content.decode()
    assert 'data-score="MEAL">72<' in bob_page
    bob_page = page_client.get("/me/history/").content.decode()
    assert f"/matches/{match_id}/" in bob_page
    assert "리뷰 완료" in bob_page


def test_it_scores_a_random_match_like_a_room(alice, bob, settings):
    settings.REVIEW_DELAY_MINUTES = 0
    a, b = client_for(alice), client_for(bob)
    random_match_request_create(user=alice, category=ContentCategory.STUDY)
    random_match_request_create(user=bob, category=ContentCategory.STUDY)

    assert len(matchmaking_run().matches) == 1

    match_id = a.get("/api/matches", {"contentCategory": "STUDY"}).json()["content"][0]["matchId"]
    assert _score(a) == _score(b) == 10
    assert _stars(a, match_id, {"bob": R.MATCH_REVIEW_5}).status_code == 200
    assert _score(a, contentCategory="STUDY") == 30
    assert _score(b, contentCategory="STUDY") == 52
    assert _score(b, activityType="ARTICLE") == 0


def test_it_keeps_an_anonymous_author_hidden_all_the_way(alice, bob, settings):
    settings.REVIEW_DELAY_MINUTES = 0
    a, b = client_for(alice), client_for(bob)
    article_id = _create_room(a, anonymity=True)
    b.post(f"/api/articles/{article_id}/participate")
    match_id = a.post(f"/api/articles/{article_id}/complete").json()["matchId"]

    members = b.get(f"/api/matches/{match_id}").json()["participantsOrAuthor"]
    assert [m["nickname"] for m in members] == ["익명", "bob"]
    alarm = Alarm.objects.get(user=bob, match_id=match_id)
    assert alarm.calling_nickname == "익명"

    # Bob reviews the author under the name he was shown.
    assert _stars(b, match_id, {"익명": R.MATCH_REVIEW_5}).status_code == 200
    assert _score(a) == 42 + 42
