import pytest

from accounts.models import User


@pytest.mark.django_db
def test_it_starts_the_nickname_from_the_login():
    user = User.objects.create_user(username="operator1", password="x")
    assert user.nickname == "operator1"
    assert user.api_id is not None


@pytest.mark.django_db
def test_it_stores_korean_nicknames_in_utf8mb4(alice):
    alice.nickname = "앨리스🍜"
    alice.save()
    alice.refresh_from_db()
    assert alice.nickname == "앨리스🍜"
