"""Admin of matches, members, reviews and the ledger: read-only lists with filters."""

import pytest
from django.urls import reverse

from matching.models import Activity, ActivityMatchScore, Match, MemberReview
from matching.services.reviews import match_review_create
from matching.tests.match_helpers import completed_room, random_match

R = ActivityMatchScore


@pytest.fixture
def reviewed(alice, bob, charlie, settings):
    settings.REVIEW_DELAY_MINUTES = 0
    _room, match = completed_room(alice, bob, charlie)
    match_review_create(
        match=match, reviewer=bob, scores=[(alice, R.MATCH_REVIEW_5), (charlie, R.MATCH_ABSENT)]
    )
    random_match(alice, bob)
    return match


@pytest.mark.parametrize("model", ["matchmember", "memberreview", "activity", "match"])
def test_it_lists_the_rows(staff_client, reviewed, model):
    response = staff_client.get(reverse(f"admin:matching_{model}_changelist"))

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("model", "query", "expected"),
    [
        ("activity", {"score_kind__exact": R.MATCH_ABSENT}, 1),
        ("activity", {"activity_type__exact": "ARTICLE"}, 1),
        ("activity", {"q": "charlie"}, 2),
        ("memberreview", {"score_kind__exact": R.MATCH_REVIEW_5}, 1),
        ("matchmember", {"is_reviewed__exact": "1"}, 1),
        ("matchmember", {"match__method__exact": "RANDOM"}, 2),
    ],
)
def test_it_filters_and_searches(staff_client, reviewed, model, query, expected):
    response = staff_client.get(reverse(f"admin:matching_{model}_changelist"), query)

    assert response.status_code == 200
    assert response.context["cl"].result_count == expected


@pytest.mark.parametrize("model", ["matchmember", "memberreview", "activity", "match"])
def test_it_adds_nothing_by_hand(staff_client, reviewed, model):
    assert staff_client.get(reverse(f"admin:matching_{model}_add")).status_code == 403


def test_it_never_edits_nor_deletes_the_ledger(staff_client, reviewed):
    row = Activity.objects.filter(match=reviewed).first()
    review = MemberReview.objects.first()

    staff_client.post(reverse("admin:matching_activity_change", args=[row.pk]), {"score": 1000})
    staff_client.post(reverse("admin:matching_activity_delete", args=[row.pk]), {"post": "yes"})
    staff_client.post(
        reverse("admin:matching_memberreview_delete", args=[review.pk]), {"post": "yes"}
    )

    row.refresh_from_db()
    assert row.score != 1000
    assert MemberReview.objects.filter(pk=review.pk).exists()


def test_it_shows_a_match_with_its_room(staff_client, reviewed):
    response = staff_client.get(reverse("admin:matching_match_change", args=[reviewed.pk]))

    assert response.status_code == 200
    assert reviewed.room.title in response.content.decode()
    assert Match.objects.get(pk=reviewed.pk).room_id == reviewed.room_id


def test_it_keeps_students_out(client, alice):
    client.force_login(alice)

    response = client.get(reverse("admin:matching_activity_changelist"))

    assert response.status_code == 302


def test_it_never_edits_a_match_its_members_or_counts(staff_client, reviewed, charlie):
    """Members, status and count come with their ledger rows: the admin only shows them."""
    url = reverse("admin:matching_match_change", args=[reviewed.pk])
    members = list(reviewed.members.order_by("pk").values_list("user_id", flat=True))
    before = Match.objects.get(pk=reviewed.pk)

    page = staff_client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="status"' not in html
    assert 'name="participant_num"' not in html
    assert 'name="members-0-user"' not in html

    staff_client.post(
        url,
        {
            "category": before.category,
            "method": before.method,
            "status": "CANCELLED",
            "participant_num": "9",
            "members-TOTAL_FORMS": "1",
            "members-INITIAL_FORMS": "0",
            "members-0-user": str(charlie.pk),
            "members-0-match": str(reviewed.pk),
            "conditions-TOTAL_FORMS": "0",
            "conditions-INITIAL_FORMS": "0",
        },
    )
    staff_client.post(reverse("admin:matching_match_delete", args=[reviewed.pk]), {"post": "yes"})

    after = Match.objects.get(pk=reviewed.pk)
    assert (after.status, after.participant_num) == (before.status, before.participant_num)
    assert list(after.members.order_by("pk").values_list("user_id", flat=True)) == members
