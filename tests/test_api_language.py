"""API validation reasons follow the language: Korean by default, English on request."""

import pytest

REQUIRED_KO = "이 필드는 필수 항목입니다."


@pytest.mark.django_db
def test_it_gives_drf_validation_reasons_in_korean_by_default(api_client, alice):
    api_client.force_authenticate(alice)
    response = api_client.post("/api/articles", {}, format="json")
    assert response.status_code == 400
    reasons = {error["field"]: error["reason"] for error in response.json()["errors"]}
    assert reasons["title"] == REQUIRED_KO


@pytest.mark.django_db
def test_it_gives_them_in_english_on_request(api_client, alice):
    api_client.force_authenticate(alice)
    response = api_client.post("/api/articles", {}, format="json", HTTP_ACCEPT_LANGUAGE="en")
    reasons = {error["field"]: error["reason"] for error in response.json()["errors"]}
    assert reasons["title"] == "This field is required."
