"""Fixtures shared by every app's tests: the owner/member/outsider trio and API clients."""

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory


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
