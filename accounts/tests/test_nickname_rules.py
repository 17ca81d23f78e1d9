"""Nicknames never pass for the anonymity mask or the system, never consist of invisible
characters only, and are unique after NFKC normalisation (SPEC section 2) — on every path."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.services import user_update_nickname, user_upsert_from_intra
from accounts.tests.fake_intra import intra_profile
from partner42.errors import InvalidInputError

pytestmark = pytest.mark.django_db

RESERVED = [
    "익명",
    "익 명",
    "\u200b익명\u200b",
    "익\ufeff명",
    "\u110b\u1175\u11a8\u1106\u1167\u11bc",  # 익명 spelt in conjoining jamo (NFD)
    "anonymous",
    "Anonymous",
    "ANONYMOUS",
    "ａｎｏｎｙｍｏｕｓ",  # full width
    "anony mous",
    "a\u200bnonymous",
    "anonymous\u2060",
    "system",
    "System",
    "SYSTEM",
    "ｓｙｓｔｅｍ",
    "s y s t e m",
    "sys\u200dtem",
    "\u3000system\u3000",
]
INVISIBLE = [
    "\u200b\u200b",
    "\u200b \u200b",
    "\ufeff\ufeff\ufeff",
    "\u3164\u3164",  # Hangul filler
    "\u115f\u1160",
    "\u2800\u2800",  # braille blank
    "\u2060\u2061",
    "\u00a0\u00a0",
]


def _patch(user, nickname):
    client = APIClient()
    client.force_authenticate(user)
    return client.patch(f"/api/users/{user.api_id}/nickname", {"nickname": nickname}, format="json")


@pytest.mark.parametrize("nickname", RESERVED + INVISIBLE)
def test_it_refuses_a_reserved_or_invisible_nickname_in_the_api(alice, nickname):
    response = _patch(alice, nickname)

    assert response.status_code == 400, response.content
    body = response.json()
    assert body["code"] == "C001"
    assert [error["field"] for error in body["errors"]] == ["nickname"]
    alice.refresh_from_db()
    assert alice.nickname == "alice"


@pytest.mark.parametrize("nickname", RESERVED + INVISIBLE)
def test_it_refuses_a_reserved_or_invisible_nickname_on_the_page(client, alice, nickname):
    client.force_login(alice)

    response = client.post(reverse("mypage:nickname"), {"nickname": nickname})

    assert response.status_code == 400
    assert 'class="form-error"' in response.text
    alice.refresh_from_db()
    assert alice.nickname == "alice"


@pytest.mark.parametrize("nickname", ["익명", "anonymous", "System", "\u200b\u200b"])
def test_it_refuses_them_in_the_service_whoever_calls_it(alice, nickname):
    with pytest.raises(InvalidInputError) as refused:
        user_update_nickname(user=alice, nickname=nickname)

    assert [error["field"] for error in refused.value.errors] == ["nickname"]
    alice.refresh_from_db()
    assert alice.nickname == "alice"


@pytest.mark.parametrize("nickname", ["익명이", "anonymous42", "systematic", "시스템", "익명 친구"])
def test_it_accepts_names_that_only_contain_a_reserved_word(alice, nickname):
    assert _patch(alice, nickname).status_code == 200
    alice.refresh_from_db()
    assert alice.nickname == nickname


@pytest.mark.parametrize("nickname", ["ｂｏｂ", "ＢＯＢ", "b\u200bob", "\u200bbob"])
def test_it_compares_nicknames_after_nfkc_normalisation(alice, bob, nickname):
    response = _patch(alice, nickname)

    assert response.status_code == 400, response.content
    assert response.json()["errors"][0]["reason"] == "이미 사용 중인 닉네임입니다."
    alice.refresh_from_db()
    assert alice.nickname == "alice"


def test_it_stores_the_normalised_nickname(alice):
    assert _patch(alice, "Ａｌｉｃｅ\u200b２").status_code == 200

    alice.refresh_from_db()
    assert alice.nickname == "Alice2"


def test_it_never_gives_a_reserved_nickname_on_first_login():
    user, created = user_upsert_from_intra(profile=intra_profile("system"))

    assert created
    assert user.username == "system"
    assert user.nickname == "system42"


def _admin_change(staff_client, user, nickname):
    return staff_client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        {
            "username": user.username,
            "nickname": nickname,
            "email": user.email,
            "image_url": user.image_url,
            "campus": user.campus,
            "is_active": "on",
        },
    )


@pytest.mark.parametrize("nickname", ["익명", "ＳＹＳＴＥＭ", "\u200b\u3164"])
def test_it_holds_operators_to_the_rules_in_the_admin(staff_client, alice, nickname):
    response = _admin_change(staff_client, alice, nickname)

    assert response.status_code == 200  # the form again, with its error
    assert response.context["adminform"].form.errors["nickname"]
    alice.refresh_from_db()
    assert alice.nickname == "alice"


def test_it_stores_a_normalised_nickname_from_the_admin(staff_client, alice):
    response = _admin_change(staff_client, alice, "Ａｌｉｃｅ\u200b３")

    assert response.status_code == 302, response.context["adminform"].form.errors
    alice.refresh_from_db()
    assert alice.nickname == "Alice3"
