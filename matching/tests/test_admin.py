"""Admin: request list with filters, cancel action, run matchmaking now."""

import pytest
from django.urls import reverse

from matching.models import Match, RandomMatchRequest
from matching.services.random import random_match_request_create

pytestmark = pytest.mark.django_db

Status = RandomMatchRequest.Status
CHANGELIST = "admin:matching_randommatchrequest_changelist"


@pytest.fixture(autouse=True)
def _no_side_effects(monkeypatch):
    from alarms import tasks
    from matching.services import random as random_services

    monkeypatch.setattr(random_services, "matchmaking_trigger", lambda: None)
    monkeypatch.setattr(tasks.slack_match_notice_task, "delay", lambda *args: None)


def test_it_lists_requests_with_filters(staff_client, alice, bob):
    random_match_request_create(user=alice, category="MEAL")
    random_match_request_create(user=bob, category="STUDY")
    response = staff_client.get(
        reverse(CHANGELIST), {"status__exact": "WAITING", "category__exact": "STUDY"}
    )
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [RandomMatchRequest.objects.get(user=bob)]
    assert "지금 매칭 실행" in response.content.decode()


def test_it_cancels_selected_requests(staff_client, alice, bob):
    first = random_match_request_create(user=alice, category="MEAL")
    random_match_request_create(user=bob, category="MEAL")
    staff_client.post(
        reverse(CHANGELIST),
        {"action": "cancel_requests", "_selected_action": [first.pk]},
    )
    assert RandomMatchRequest.objects.get(user=alice).status == Status.CANCELLED
    assert RandomMatchRequest.objects.get(user=bob).status == Status.WAITING


def test_it_runs_matchmaking_from_the_button(staff_client, alice, bob):
    random_match_request_create(user=alice, category="MEAL")
    random_match_request_create(user=bob, category="MEAL")
    response = staff_client.post(reverse("admin:matching_randommatchrequest_run"), follow=True)
    assert Match.objects.count() == 1
    assert "매칭 1건" in response.content.decode()


def test_it_runs_matchmaking_from_the_action(staff_client, alice, bob):
    first = random_match_request_create(user=alice, category="MEAL")
    random_match_request_create(user=bob, category="MEAL")
    staff_client.post(
        reverse(CHANGELIST), {"action": "run_matchmaking_now", "_selected_action": [first.pk]}
    )
    assert Match.objects.count() == 1


def test_it_refuses_the_button_to_non_staff(client, alice):
    client.force_login(alice)
    client.post(reverse("admin:matching_randommatchrequest_run"))
    assert not Match.objects.exists()


def test_it_shows_matches_and_blocks(staff_client):
    assert staff_client.get(reverse("admin:matching_match_changelist")).status_code == 200
    assert staff_client.get(reverse("admin:matching_block_changelist")).status_code == 200


def test_it_never_edits_a_request_by_hand(staff_client, alice):
    """A request's status goes with its waiting key: only the cancel action and the matchmaker."""
    waiting = random_match_request_create(user=alice, category="MEAL")
    url = reverse("admin:matching_randommatchrequest_change", args=[waiting.pk])

    page = staff_client.get(url)
    assert page.status_code == 200
    assert 'name="status"' not in page.content.decode()

    staff_client.post(url, {"status": "MATCHED", "category": "MEAL", "user": alice.pk})
    staff_client.post(
        reverse("admin:matching_randommatchrequest_delete", args=[waiting.pk]), {"post": "yes"}
    )

    assert RandomMatchRequest.objects.get(pk=waiting.pk).status == Status.WAITING
