from datetime import timedelta

import pytest
from django.utils import timezone

from accounts.models import IssuedRefreshToken
from accounts.tasks import refresh_token_prune_task
from accounts.tokens import issue_token_pair


@pytest.mark.django_db
def test_it_prunes_only_refresh_tokens_expired_over_a_day_ago(alice, bob):
    issue_token_pair(user=alice)
    issue_token_pair(user=bob)
    IssuedRefreshToken.objects.filter(user=alice).update(
        expires_at=timezone.now() - timedelta(days=2)
    )

    assert refresh_token_prune_task.delay().get() == 1
    assert list(IssuedRefreshToken.objects.values_list("user__username", flat=True)) == ["bob"]
