"""Fixtures shared by every app's tests: the owner/member/outsider trio and API clients."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory

# The fake 42 intra server (`fake_intra` fixture): any test may log in through it.
pytest_plugins = ["accounts.tests.fake_intra"]


@pytest.fixture
def alice(db):
    return UserFactory(username="alice")


@pytest.fixture
def bob(db):
    return UserFactory(username="bob")


@pytest.fixture
def charlie(db):
    return UserFactory(username="charlie")


@pytest.fixture
def operator(db):
    return UserFactory(username="operator", is_staff=True)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def staff_client(client, operator):
    """The page client logged in as the operator, made a superuser for the admin site."""
    operator.is_superuser = True
    operator.save()
    client.force_login(operator)
    return client
