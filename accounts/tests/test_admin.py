"""Operators' admin for accounts: issued refresh tokens with "revoke this family"."""

import pytest
from django.urls import reverse
from rest_framework_simplejwt.tokens import RefreshToken

from accounts.models import IssuedRefreshToken
from accounts.tests.factories import UserFactory
from accounts.tokens import InvalidRefreshTokenError, issue_token_pair, token_refresh

pytestmark = pytest.mark.django_db

CHANGELIST = "admin:accounts_issuedrefreshtoken_changelist"


def _row(raw: str) -> IssuedRefreshToken:
    return IssuedRefreshToken.objects.get(jti=RefreshToken(raw)["jti"])


def test_it_lists_issued_refresh_tokens(staff_client, alice, django_assert_max_num_queries):
    pair = issue_token_pair(user=alice)
    token_refresh(raw_refresh=pair.refresh)
    for _ in range(5):
        issue_token_pair(user=UserFactory())

    with django_assert_max_num_queries(12):
        response = staff_client.get(reverse(CHANGELIST), {"q": "alice"})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 2
    for state, count in (("live", 6), ("used", 1), ("revoked", 0)):
        assert (
            staff_client.get(reverse(CHANGELIST), {"state": state}).context["cl"].result_count
            == count
        )


def test_it_revokes_the_families_of_the_selected_tokens(staff_client, alice, bob):
    first = issue_token_pair(user=alice)
    second = token_refresh(raw_refresh=first.refresh)
    other_device = issue_token_pair(user=alice)
    bobs = issue_token_pair(user=bob)

    response = staff_client.post(
        reverse(CHANGELIST),
        {"action": "revoke_families", "_selected_action": [_row(first.refresh).pk]},
        follow=True,
    )

    assert response.status_code == 200
    # The selected (used) token's whole family: its live successor too.
    assert _row(second.refresh).revoked_at is not None
    with pytest.raises(InvalidRefreshTokenError):
        token_refresh(raw_refresh=second.refresh)
    assert _row(other_device.refresh).revoked_at is None
    assert _row(bobs.refresh).revoked_at is None


def test_it_never_edits_nor_adds_tokens(staff_client, alice):
    row = _row(issue_token_pair(user=alice).refresh)
    assert staff_client.get(reverse("admin:accounts_issuedrefreshtoken_add")).status_code == 403
    staff_client.post(
        reverse("admin:accounts_issuedrefreshtoken_change", args=[row.pk]),
        {"revoked_at_0": "2020-01-01", "revoked_at_1": "00:00:00"},
    )
    row.refresh_from_db()
    assert row.revoked_at is None


def test_it_keeps_the_revoke_action_from_view_only_staff(client, alice):
    from django.contrib.auth.models import Permission

    viewer = UserFactory(username="viewer", is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_issuedrefreshtoken"))
    client.force_login(viewer)
    row = _row(issue_token_pair(user=alice).refresh)

    assert client.get(reverse(CHANGELIST)).status_code == 200
    client.post(reverse(CHANGELIST), {"action": "revoke_families", "_selected_action": [row.pk]})

    row.refresh_from_db()
    assert row.revoked_at is None
