"""Random-match pages and blocks pages (server-rendered, forms work without JavaScript)."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matching.models import Block, RandomMatchRequest
from matching.services.blocks import block_create
from matching.services.matches import match_create
from matching.services.random import matchmaking_run, random_match_request_create
from partner42.choices import MethodCategory

pytestmark = pytest.mark.django_db

Status = RandomMatchRequest.Status


@pytest.fixture(autouse=True)
def _no_side_effects(monkeypatch):
    from alarms import tasks
    from matching.services import random as random_services

    monkeypatch.setattr(random_services, "matchmaking_trigger", lambda: None)
    monkeypatch.setattr(tasks.slack_match_notice_task, "delay", lambda *args: None)


@pytest.fixture
def alice_client(client, alice):
    client.force_login(alice)
    return client


def test_it_sends_anonymous_visitors_to_login(client):
    response = client.get("/random/?category=MEAL")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


@pytest.mark.parametrize(
    ("category", "option"), [("MEAL", "DELIVERY"), ("STUDY", "INNER_CIRCLE"), ("nap", "DELIVERY")]
)
def test_it_shows_the_conditions_of_the_category(alice_client, category, option):
    response = alice_client.get("/random/", {"category": category})
    assert response.status_code == 200
    assert f'value="{option}"' in response.content.decode()
    assert 'value="SEOCHO"' in response.content.decode()


def test_it_queues_a_request_from_the_form(alice_client, alice):
    response = alice_client.post(
        "/random/", {"category": "STUDY", "places": ["GAEPO"], "options": ["NOT_INNER_CIRCLE"]}
    )
    assert response.status_code == 302
    assert response["Location"] == "/random/?category=STUDY"
    request = RandomMatchRequest.objects.get(user=alice)
    assert (request.category, request.places, request.options) == (
        "STUDY",
        ["GAEPO"],
        ["NOT_INNER_CIRCLE"],
    )


def test_it_shows_the_waiting_state_with_count_polling_and_cancel(alice_client, alice, bob):
    random_match_request_create(user=alice, category="MEAL", places=["SEOCHO"])
    random_match_request_create(user=bob, category="MEAL")
    page = alice_client.get("/random/?category=MEAL").content.decode()
    request = RandomMatchRequest.objects.get(user=alice)
    assert reverse("matching:status", args=[request.api_id]) in page
    assert 'hx-trigger="every 3s, alarm-match-confirmed from:body"' in page
    assert "나 말고 1명" in page  # bob, not alice herself
    assert reverse("matching:cancel") in page
    assert "서초 클러스터" in page


def test_it_shows_rm001_for_a_second_request(alice_client, alice):
    random_match_request_create(user=alice, category="MEAL")
    response = alice_client.post("/random/", {"category": "MEAL"}, follow=True)
    assert "이미 랜덤 매칭에 참여하고 있습니다" in response.content.decode()
    assert RandomMatchRequest.objects.filter(user=alice).count() == 1


def test_it_refuses_unknown_values_in_the_form(alice_client):
    response = alice_client.post("/random/", {"category": "MEAL", "places": ["MOON"]})
    assert response.status_code == 400
    assert not RandomMatchRequest.objects.exists()


def test_it_cancels_from_the_page(alice_client, alice):
    random_match_request_create(user=alice, category="MEAL")
    response = alice_client.post(reverse("matching:cancel"), {"category": "MEAL"}, follow=True)
    assert RandomMatchRequest.objects.get(user=alice).status == Status.CANCELLED
    assert "매칭 신청을 취소했어요" in response.content.decode()


def test_it_shows_rm002_when_cancelling_nothing(alice_client):
    response = alice_client.post(reverse("matching:cancel"), {"category": "MEAL"}, follow=True)
    assert "취소할 수 있는 랜덤매칭 신청내역이 존재하지 않습니다" in response.content.decode()


def test_it_polls_the_waiting_count_then_shows_the_match(alice_client, alice, bob):
    request = random_match_request_create(user=alice, category="MEAL")
    url = reverse("matching:status", args=[request.api_id])
    waiting = alice_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" in waiting
    assert "나 말고 0명" in waiting

    random_match_request_create(user=bob, category="MEAL")
    matchmaking_run()
    done = alice_client.get(url, headers={"HX-Request": "true"}).content.decode()
    request.refresh_from_db()
    assert "hx-trigger" not in done  # polling stops
    assert reverse("matching:match_detail", args=[request.match.api_id]) in done


def test_it_polls_an_expired_request_as_expired_without_writing(alice_client, alice):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from alarms.models import Alarm

    request = random_match_request_create(
        user=alice, category="MEAL", now=timezone.now() - timedelta(minutes=31)
    )
    url = reverse("matching:status", args=[request.api_id])
    with CaptureQueriesContext(connection) as captured:
        page = alice_client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "hx-trigger" not in page  # the student sees the wait is over
    sql = [q["sql"].lstrip().upper() for q in captured.captured_queries]
    assert not [q for q in sql if q.startswith(("UPDATE", "INSERT"))]
    assert RandomMatchRequest.objects.get(pk=request.pk).status == Status.WAITING
    assert not Alarm.objects.filter(user=alice).exists()


def test_it_hides_other_users_requests_from_the_status(client, alice, bob):
    request = random_match_request_create(user=alice, category="MEAL")
    client.force_login(bob)
    assert client.get(reverse("matching:status", args=[request.api_id])).status_code == 404


def test_it_offers_renew_after_expiry(alice_client, alice):
    random_match_request_create(
        user=alice, category="MEAL", places=["GAEPO"], now=timezone.now() - timedelta(hours=1)
    )
    page = alice_client.get("/random/?category=MEAL").content.decode()
    assert reverse("matching:renew") in page
    renew_page = alice_client.get(reverse("matching:renew")).content.decode()
    assert "개포 클러스터" in renew_page
    alice_client.post(reverse("matching:renew"), {"category": "MEAL"})
    assert RandomMatchRequest.objects.get(user=alice, status=Status.WAITING).places == ["GAEPO"]


def test_it_opens_on_the_last_requests_category_for_the_expiry_alarm(alice_client, alice):
    random_match_request_create(
        user=alice, category="STUDY", now=timezone.now() - timedelta(hours=1)
    )
    page = alice_client.get("/random/").content.decode()
    assert 'name="category" value="STUDY"' in page
    assert reverse("matching:renew") in page


def test_it_shows_a_match_to_its_members_with_block_buttons(alice_client, alice, bob, charlie):
    match = match_create(
        category="MEAL", method=MethodCategory.RANDOM, users=[alice, bob], conditions={}
    )
    page = alice_client.get(reverse("matching:match_detail", args=[match.api_id])).content.decode()
    assert bob.nickname in page
    assert f'value="{bob.api_id}"' in page  # block button for bob
    assert f'value="{alice.api_id}"' not in page  # none for oneself


def test_it_refuses_the_match_page_to_outsiders(client, alice, bob, charlie):
    match = match_create(
        category="MEAL", method=MethodCategory.RANDOM, users=[alice, bob], conditions={}
    )
    client.force_login(charlie)
    assert client.get(reverse("matching:match_detail", args=[match.api_id])).status_code == 403


def test_it_blocks_from_a_match_and_comes_back(alice_client, alice, bob):
    match = match_create(
        category="MEAL", method=MethodCategory.RANDOM, users=[alice, bob], conditions={}
    )
    back = reverse("matching:match_detail", args=[match.api_id])
    response = alice_client.post(reverse("matching:blocks"), {"user_id": bob.api_id, "next": back})
    assert response["Location"] == back
    assert Block.objects.filter(blocker=alice, blocked=bob).exists()
    page = alice_client.get(back).content.decode()
    assert reverse("matching:unblock", args=[bob.api_id]) in page


def test_it_never_redirects_off_site(alice_client, bob):
    response = alice_client.post(
        reverse("matching:blocks"), {"user_id": bob.api_id, "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("matching:blocks")


def test_it_lists_and_unblocks_on_the_blocks_page(alice_client, alice, bob):
    block_create(blocker=alice, blocked=bob)
    page = alice_client.get(reverse("matching:blocks")).content.decode()
    assert bob.nickname in page
    alice_client.post(reverse("matching:unblock", args=[bob.api_id]))
    assert not Block.objects.exists()


def test_it_never_shows_a_block_to_the_blocked(client, alice, bob):
    block_create(blocker=alice, blocked=bob)
    match = match_create(
        category="MEAL", method=MethodCategory.RANDOM, users=[alice, bob], conditions={}
    )
    client.force_login(bob)
    assert alice.nickname not in client.get(reverse("matching:blocks")).content.decode()
    page = client.get(reverse("matching:match_detail", args=[match.api_id])).content.decode()
    assert reverse("matching:unblock", args=[alice.api_id]) not in page


def test_it_answers_400_to_a_bad_block_form(alice_client):
    assert alice_client.post(reverse("matching:blocks"), {"user_id": "x"}).status_code == 400


# --- The match is the moment (issue 13 item 2) --------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_it_shows_the_instant_match_as_one_matched_view(monkeypatch, alice_client, alice, bob):
    """As in `make run`: the matchmaker runs on the request's commit, before the page answers."""
    from matching.services import random as random_services

    monkeypatch.setattr(random_services, "matchmaking_trigger", matchmaking_run)
    random_match_request_create(user=bob, category="MEAL", places=["GAEPO"])
    response = alice_client.post("/random/", {"category": "MEAL", "places": ["GAEPO"]}, follow=True)
    page = response.content.decode()
    request = RandomMatchRequest.objects.get(user=alice)
    assert request.status == Status.MATCHED
    assert "상대를 찾는 중이에요" not in page  # neither the message nor a waiting card
    assert "매칭됐어요!" in page
    assert bob.nickname in page  # who
    assert "개포 클러스터" in page  # where
    assert reverse("matching:match_detail", args=[request.match.api_id]) in page  # what next
    assert reverse("mypage:match_detail", args=[request.match.api_id]) in page
    assert 'name="places"' not in page  # not the whole form again
    assert "기다리고 있어요" not in page
    # A new request is one link away.
    again = alice_client.get("/random/?category=MEAL&again=1").content.decode()
    assert 'name="places"' in again


def test_it_shows_an_old_match_as_a_line_above_the_form(alice_client, alice, bob):
    long_ago = timezone.now() - timedelta(days=2)
    random_match_request_create(user=alice, category="MEAL", now=long_ago)
    random_match_request_create(user=bob, category="MEAL", now=long_ago)
    matchmaking_run(now=long_ago)
    from matching.models import Match

    Match.objects.update(created_at=long_ago)
    page = alice_client.get("/random/?category=MEAL").content.decode()
    assert "매칭됐어요!" not in page
    assert "최근 랜덤 매칭이 확정되었어요." in page
    assert 'name="places"' in page


def test_it_swaps_the_whole_waiting_card_for_the_match_live(alice_client, alice, bob):
    request = random_match_request_create(user=alice, category="MEAL")
    url = reverse("matching:status", args=[request.api_id])
    page = alice_client.get("/random/?category=MEAL").content.decode()
    assert 'id="random-live"' in page
    assert "alarm-match-confirmed from:body" in page  # the live alarm fetches the result at once

    random_match_request_create(user=bob, category="MEAL")
    matchmaking_run()
    done = alice_client.get(url, headers={"HX-Request": "true"})
    assert done["HX-Retarget"] == "#random-live"
    assert done["HX-Reswap"] == "outerHTML"
    html = done.content.decode()
    assert 'id="random-live"' in html
    assert "매칭됐어요!" in html
    assert bob.nickname in html


def test_it_counts_the_others_waiting_and_shows_the_time_left(alice_client, alice, bob):
    now = timezone.now()
    request = random_match_request_create(
        user=alice, category="MEAL", now=now - timedelta(minutes=10)
    )
    page = alice_client.get("/random/?category=MEAL").content.decode()
    assert "나 말고 0명이 기다리고 있어요" in page  # not "1": alice herself is not counted
    assert "20분 남았어요" in page
    assert request.expires_at.astimezone(timezone.get_current_timezone()).strftime("%H:%M") in page
    assert "다시 신청" in page  # how to renew
    random_match_request_create(user=bob, category="MEAL", places=["SEOCHO"])
    status = alice_client.get(reverse("matching:status", args=[request.api_id])).content.decode()
    assert "나 말고 1명이 기다리고 있어요" in status


def test_it_shows_one_match_page_at_both_addresses(client, alice, bob, operator):
    """`/random/matches/<id>/` is the match page of `/matches/<id>/`: operators see it too (it
    answered them 403 before the two pages became one)."""
    match = match_create(
        category="MEAL", method=MethodCategory.RANDOM, users=[alice, bob], conditions={}
    )
    client.force_login(operator)
    random_page = client.get(reverse("matching:match_detail", args=[match.api_id]))
    page = client.get(reverse("mypage:match_detail", args=[match.api_id]))
    assert random_page.status_code == page.status_code == 200
    assert alice.nickname in random_page.content.decode()
    assert f'value="{bob.api_id}"' not in random_page.content.decode()  # block buttons: members
