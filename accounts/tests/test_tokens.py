import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.http import HttpResponse
from rest_framework_simplejwt.tokens import AccessToken, RefreshToken

from accounts.models import IssuedRefreshToken
from accounts.tests.factories import UserFactory
from accounts.tokens import (
    InvalidRefreshTokenError,
    UserDisabledError,
    clear_refresh_cookie,
    issue_token_pair,
    refresh_token_prune,
    set_refresh_cookie,
    token_refresh,
    token_revoke,
    token_revoke_for_access,
)
from tests.helpers import run_together

pytestmark = pytest.mark.django_db


def _row(raw_refresh: str) -> IssuedRefreshToken:
    return IssuedRefreshToken.objects.get(jti=RefreshToken(raw_refresh)["jti"])


def test_it_issues_an_access_and_a_refresh_token_for_the_user(alice):
    pair = issue_token_pair(user=alice)

    access = AccessToken(pair.access)
    refresh = RefreshToken(pair.refresh)
    assert access["user_id"] == str(alice.api_id)
    assert refresh["user_id"] == str(alice.api_id)
    assert access["exp"] - access["iat"] == 15 * 60
    assert refresh["exp"] - refresh["iat"] == 15 * 24 * 3600
    row = _row(pair.refresh)
    assert row.user == alice
    assert row.parent_jti == ""
    assert row.used_at is None
    assert row.revoked_at is None
    assert access["fam"] == refresh["fam"] == str(row.family)


def test_it_starts_a_new_family_per_login(alice):
    first = issue_token_pair(user=alice)
    second = issue_token_pair(user=alice)
    assert _row(first.refresh).family != _row(second.refresh).family


def test_it_sets_the_refresh_cookie_with_its_flags(settings):
    settings.REFRESH_COOKIE_SECURE = True
    settings.REFRESH_COOKIE_SAMESITE = "None"
    response = HttpResponse()

    set_refresh_cookie(response, "the-token")

    cookie = response.cookies["refresh-token"]
    assert cookie.value == "the-token"
    assert cookie["httponly"] is True
    assert cookie["secure"] is True
    assert cookie["samesite"] == "None"
    assert cookie["path"] == "/api/token"
    assert cookie["max-age"] == 15 * 24 * 3600


def test_it_clears_the_refresh_cookie_on_its_path():
    response = HttpResponse()
    clear_refresh_cookie(response)
    cookie = response.cookies["refresh-token"]
    assert cookie.value == ""
    assert cookie["max-age"] == 0
    assert cookie["path"] == "/api/token"


def test_it_rotates_a_refresh_token_within_its_family(alice):
    old = issue_token_pair(user=alice)

    new = token_refresh(raw_refresh=old.refresh)

    old_row, new_row = _row(old.refresh), _row(new.refresh)
    assert old_row.used_at is not None
    assert new_row.used_at is None
    assert new_row.family == old_row.family
    assert new_row.parent_jti == old_row.jti
    assert AccessToken(new.access)["user_id"] == str(alice.api_id)


def test_it_refuses_an_access_token_as_refresh_token(alice):
    pair = issue_token_pair(user=alice)
    with pytest.raises(InvalidRefreshTokenError):
        token_refresh(raw_refresh=pair.access)


def test_it_refuses_a_forged_refresh_token(alice):
    pair = issue_token_pair(user=alice)
    header, payload, signature = pair.refresh.split(".")
    with pytest.raises(InvalidRefreshTokenError):
        token_refresh(raw_refresh=f"{header}.{payload}.{signature[::-1]}")
    with pytest.raises(InvalidRefreshTokenError):
        token_refresh(raw_refresh="not-a-jwt")


def test_it_refuses_a_well_signed_token_we_never_issued(alice):
    token = RefreshToken.for_user(alice)
    with pytest.raises(InvalidRefreshTokenError):
        token_refresh(raw_refresh=str(token))


def test_it_refuses_an_expired_refresh_token(alice):
    pair = issue_token_pair(user=alice)
    later = _row(pair.refresh).expires_at + timedelta(seconds=1)
    with pytest.raises(InvalidRefreshTokenError):
        token_refresh(raw_refresh=pair.refresh, now=later)
    assert _row(pair.refresh).used_at is None


def test_it_refuses_a_disabled_user_without_consuming_the_token(alice):
    pair = issue_token_pair(user=alice)
    alice.is_active = False
    alice.save()

    with pytest.raises(UserDisabledError):
        token_refresh(raw_refresh=pair.refresh)

    assert _row(pair.refresh).used_at is None
    assert IssuedRefreshToken.objects.count() == 1


def test_it_refuses_the_token_of_a_deleted_user(alice):
    pair = issue_token_pair(user=alice)
    alice.delete()
    with pytest.raises(InvalidRefreshTokenError):
        token_refresh(raw_refresh=pair.refresh)


def test_it_revokes_the_whole_family_when_a_used_token_comes_back(alice):
    a = issue_token_pair(user=alice)
    b = token_refresh(raw_refresh=a.refresh)
    c = token_refresh(raw_refresh=b.refresh)
    other_login = issue_token_pair(user=alice)
    after_grace = _row(a.refresh).used_at + timedelta(seconds=11)

    with pytest.raises(InvalidRefreshTokenError):
        token_refresh(raw_refresh=a.refresh, now=after_grace)

    family = _row(a.refresh).family
    assert not IssuedRefreshToken.objects.filter(family=family, revoked_at=None).exists()
    with pytest.raises(InvalidRefreshTokenError):
        token_refresh(raw_refresh=c.refresh, now=after_grace)
    # Another login (another device) of the same user is not touched.
    assert _row(other_login.refresh).revoked_at is None


def test_it_defaults_the_reuse_grace_to_ten_seconds():
    from django.conf import settings

    assert settings.REFRESH_REUSE_GRACE_SECONDS == 10


def test_it_gives_the_same_successor_to_the_preceding_token_within_the_grace(alice, settings):
    settings.REFRESH_REUSE_GRACE_SECONDS = 10
    a = issue_token_pair(user=alice)
    b = token_refresh(raw_refresh=a.refresh)
    within_grace = _row(a.refresh).used_at + timedelta(seconds=9)

    again = token_refresh(raw_refresh=a.refresh, now=within_grace)

    # The same cookie value, a fresh (valid) access token, nothing new stored or revoked.
    assert again.refresh == b.refresh
    assert AccessToken(again.access)["user_id"] == str(alice.api_id)
    assert AccessToken(again.access)["fam"] == str(_row(a.refresh).family)
    assert IssuedRefreshToken.objects.filter(user=alice).count() == 2
    assert not IssuedRefreshToken.objects.filter(revoked_at__isnull=False).exists()
    assert token_refresh(raw_refresh=b.refresh, now=within_grace).refresh


def test_it_signs_a_row_into_the_same_token_every_time(alice):
    from accounts.tokens import _encode_refresh

    pair = issue_token_pair(user=alice)
    row = _row(pair.refresh)
    assert _encode_refresh(row, alice) == pair.refresh
    assert _encode_refresh(IssuedRefreshToken.objects.get(pk=row.pk), alice) == pair.refresh


def test_it_revokes_on_reuse_of_an_older_generation_within_the_grace(alice, settings):
    """Generation n-2: the token's successor was itself used, so this is no parallel refresh."""
    settings.REFRESH_REUSE_GRACE_SECONDS = 10
    a = issue_token_pair(user=alice)
    b = token_refresh(raw_refresh=a.refresh)
    c = token_refresh(raw_refresh=b.refresh)
    within_grace = _row(a.refresh).used_at + timedelta(seconds=1)

    with pytest.raises(InvalidRefreshTokenError):
        token_refresh(raw_refresh=a.refresh, now=within_grace)

    assert _row(c.refresh).revoked_at is not None
    with pytest.raises(InvalidRefreshTokenError):
        token_refresh(raw_refresh=c.refresh, now=within_grace)


def test_it_revokes_on_reuse_of_the_preceding_token_after_the_grace(alice, settings):
    settings.REFRESH_REUSE_GRACE_SECONDS = 10
    a = issue_token_pair(user=alice)
    b = token_refresh(raw_refresh=a.refresh)
    after_grace = _row(a.refresh).used_at + timedelta(seconds=10)

    with pytest.raises(InvalidRefreshTokenError):
        token_refresh(raw_refresh=a.refresh, now=after_grace)

    assert _row(b.refresh).revoked_at is not None


def test_it_never_hands_out_a_revoked_successor(alice, settings):
    settings.REFRESH_REUSE_GRACE_SECONDS = 10
    a = issue_token_pair(user=alice)
    b = token_refresh(raw_refresh=a.refresh)
    token_revoke(raw_refresh=b.refresh)

    with pytest.raises(InvalidRefreshTokenError):
        token_refresh(raw_refresh=a.refresh, now=_row(a.refresh).used_at)


def test_it_refuses_the_grace_to_a_disabled_user(alice, settings):
    settings.REFRESH_REUSE_GRACE_SECONDS = 10
    a = issue_token_pair(user=alice)
    token_refresh(raw_refresh=a.refresh)
    alice.is_active = False
    alice.save()

    with pytest.raises(UserDisabledError):
        token_refresh(raw_refresh=a.refresh, now=_row(a.refresh).used_at)


def test_it_always_revokes_on_reuse_with_no_grace(alice, settings):
    settings.REFRESH_REUSE_GRACE_SECONDS = 0
    a = issue_token_pair(user=alice)
    b = token_refresh(raw_refresh=a.refresh)

    with pytest.raises(InvalidRefreshTokenError):
        token_refresh(raw_refresh=a.refresh)

    assert _row(b.refresh).revoked_at is not None


def test_it_revokes_the_family_on_logout(alice):
    a = issue_token_pair(user=alice)
    b = token_refresh(raw_refresh=a.refresh)

    assert token_revoke(raw_refresh=b.refresh) == 2

    with pytest.raises(InvalidRefreshTokenError):
        token_refresh(raw_refresh=b.refresh)


def test_it_ignores_garbage_on_logout(alice):
    assert token_revoke(raw_refresh="garbage") == 0
    assert token_revoke(raw_refresh=str(RefreshToken.for_user(alice))) == 0
    assert token_revoke_for_access(raw_access="garbage") == 0


def test_it_revokes_the_family_named_by_an_access_token(alice, bob):
    pair = issue_token_pair(user=alice)
    bobs = issue_token_pair(user=bob)

    assert token_revoke_for_access(raw_access=pair.access) == 1

    assert _row(pair.refresh).revoked_at is not None
    assert _row(bobs.refresh).revoked_at is None


def test_it_prunes_rows_expired_a_day_ago(alice):
    pair = issue_token_pair(user=alice)
    expires_at = _row(pair.refresh).expires_at
    assert refresh_token_prune(now=expires_at + timedelta(hours=23)) == 0
    assert refresh_token_prune(now=expires_at + timedelta(days=1, seconds=1)) == 1


def _refresh_in_parallel(raw_refresh: str, threads: int) -> tuple[list, list]:
    results = run_together([lambda: token_refresh(raw_refresh=raw_refresh)] * threads)
    pairs = [r for r in results if not isinstance(r, Exception)]
    errors = [r for r in results if isinstance(r, InvalidRefreshTokenError)]
    crashes = [
        r
        for r in results
        if isinstance(r, Exception) and not isinstance(r, InvalidRefreshTokenError)
    ]
    assert crashes == []
    return pairs, errors


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("threads", [3, 20])
def test_it_gives_every_parallel_refresh_the_one_successor(settings, threads):
    settings.REFRESH_REUSE_GRACE_SECONDS = 10
    user = UserFactory(username="racer")
    start = issue_token_pair(user=user)

    pairs, errors = _refresh_in_parallel(start.refresh, threads=threads)

    assert errors == []
    assert len(pairs) == threads
    assert len({p.refresh for p in pairs}) == 1
    family = _row(start.refresh).family
    rows = IssuedRefreshToken.objects.filter(family=family)
    assert rows.count() == 2
    assert not rows.filter(revoked_at__isnull=False).exists()
    assert all(AccessToken(p.access)["user_id"] == str(user.api_id) for p in pairs)
    # The one successor still works.
    assert token_refresh(raw_refresh=pairs[0].refresh).refresh


@pytest.mark.django_db(transaction=True)
def test_it_revokes_the_family_after_a_parallel_race_with_no_grace(settings):
    settings.REFRESH_REUSE_GRACE_SECONDS = 0
    user = UserFactory(username="racer")
    start = issue_token_pair(user=user)

    pairs, errors = _refresh_in_parallel(start.refresh, threads=20)

    assert len(pairs) == 1
    assert len(errors) == 19
    family = _row(start.refresh).family
    rows = IssuedRefreshToken.objects.filter(family=family)
    assert rows.count() == 2
    assert not rows.filter(revoked_at=None).exists()
    with pytest.raises(InvalidRefreshTokenError):
        token_refresh(raw_refresh=pairs[0].refresh)


@pytest.mark.django_db(transaction=True)
def test_it_refreshes_two_families_in_parallel_independently():
    user = UserFactory(username="racer")
    starts = [issue_token_pair(user=user) for _ in range(2)]
    results: list = [None, None]
    barrier = threading.Barrier(2)

    def worker(index):
        try:
            barrier.wait()
            results[index] = token_refresh(raw_refresh=starts[index].refresh)
        finally:
            connection.close()

    workers = [threading.Thread(target=worker, args=(i,)) for i in range(2)]
    for t in workers:
        t.start()
    for t in workers:
        t.join()

    assert all(results)
    assert IssuedRefreshToken.objects.filter(revoked_at__isnull=False).count() == 0
