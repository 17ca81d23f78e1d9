"""A student's bio and interests: the rules, the service and `/api/users/{userId}/profile`."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from accounts.models import User
from accounts.profile_rules import (
    INTEREST_MAX_LENGTH,
    INTERESTS_MAX_COUNT,
    ProfileRuleError,
    bio_clean,
    interests_clean,
    interests_split,
)
from accounts.services import user_profile_update
from accounts.tokens import issue_token_pair
from partner42.errors import InvalidInputError

pytestmark = pytest.mark.django_db

ZWSP = "\u200b"
HANGUL_FILLER = "\u3164"


def _as(user) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {issue_token_pair(user=user).access}")
    return client


def _url(user) -> str:
    return f"/api/users/{user.api_id}/profile"


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.content
    body = response.json()
    assert list(body) == ["message", "status", "errors", "code"]
    assert (body["status"], body["code"]) == (status, code)
    return body


def _problems(values) -> list[tuple[str, str]]:
    with pytest.raises(ProfileRuleError) as caught:
        interests_clean(values)
    return [(p.field, p.value) for p in caught.value.problems]


# --- The rules ----------------------------------------------------------------------------------


def test_it_stores_interests_normalised_in_the_order_typed():
    assert interests_clean(["  Ｐｙｔｈｏｎ ", "#요리", f"보드{ZWSP}게임", "rock   climbing"]) == [
        "Python",
        "요리",
        "보드게임",
        "rock climbing",
    ]


def test_it_refuses_the_same_interest_twice_whatever_the_case_or_width():
    assert _problems(["Python", "python"]) == [("interests[1]", "python")]
    assert _problems(["Python", "ＰＹＴＨＯＮ"]) == [("interests[1]", "PYTHON")]
    assert _problems(["요리", "#요리"]) == [("interests[1]", "요리")]


@pytest.mark.parametrize("tag", ["", "   ", ZWSP, HANGUL_FILLER, f"{ZWSP} {HANGUL_FILLER}", "#"])
def test_it_refuses_an_interest_nobody_can_see(tag):
    assert [field for field, _ in _problems(["ok", tag])] == ["interests[1]"]


def test_it_refuses_an_interest_too_long_and_takes_one_of_the_limit():
    assert interests_clean(["가" * INTEREST_MAX_LENGTH]) == ["가" * INTEREST_MAX_LENGTH]
    assert _problems(["가" * (INTEREST_MAX_LENGTH + 1)]) == [
        ("interests[0]", "가" * (INTEREST_MAX_LENGTH + 1))
    ]


def test_it_refuses_too_many_interests_and_takes_the_limit():
    tags = [f"tag{n}" for n in range(INTERESTS_MAX_COUNT)]
    assert interests_clean(tags) == tags
    assert _problems([*tags, "one more"]) == [("interests", str(INTERESTS_MAX_COUNT + 1))]


def test_it_refuses_a_comma_inside_one_interest():
    # A form types interests separated by commas: a tag with one could not be shown back.
    assert _problems(["a,b"]) == [("interests[0]", "a,b")]


def test_it_names_every_problem_at_once():
    fields = [field for field, _ in _problems(["ok", ZWSP, "x" * 30, "OK"])]
    assert fields == ["interests[1]", "interests[2]", "interests[3]"]


def test_it_splits_typed_interests_on_commas_and_new_lines():
    typed = "Python, 요리，보드게임\n등산, ,"
    assert interests_split(typed) == ["Python", " 요리", "보드게임", "등산"]
    assert interests_split("") == []


def test_it_trims_a_bio_and_counts_a_line_end_once():
    assert bio_clean("  안녕하세요\r\n반가워요  ") == "안녕하세요\n반가워요"
    assert bio_clean("") == ""
    assert bio_clean("a\r\n" * 150) == ("a\n" * 150).strip()  # 299 characters


@pytest.mark.parametrize("bio", [ZWSP, f" {HANGUL_FILLER}\n{ZWSP} ", "\u2800"])
def test_it_refuses_a_bio_nobody_can_see(bio):
    with pytest.raises(ProfileRuleError):
        bio_clean(bio)


def test_it_refuses_a_bio_over_300_characters():
    assert len(bio_clean("가" * 300)) == 300
    with pytest.raises(ProfileRuleError):
        bio_clean("가" * 301)


# --- The service --------------------------------------------------------------------------------


def test_it_changes_only_what_it_is_given(alice):
    user_profile_update(user=alice, bio="밥 좋아해요", interests=["요리"])
    user_profile_update(user=alice, interests=["등산", "Python"])

    alice.refresh_from_db()
    assert (alice.bio, alice.interests) == ("밥 좋아해요", ["등산", "Python"])


def test_it_writes_nothing_when_one_field_is_wrong(alice):
    with pytest.raises(InvalidInputError) as caught:
        user_profile_update(user=alice, bio="ok", interests=["a", "A"])

    assert [e["field"] for e in caught.value.errors] == ["interests[1]"]
    alice.refresh_from_db()
    assert (alice.bio, alice.interests) == ("", [])


def test_it_reports_bio_and_interests_problems_together(alice):
    with pytest.raises(InvalidInputError) as caught:
        user_profile_update(user=alice, bio="x" * 301, interests=[ZWSP])

    assert [e["field"] for e in caught.value.errors] == ["bio", "interests[0]"]


def test_it_empties_the_profile(alice):
    user_profile_update(user=alice, bio="hi", interests=["a"])
    user_profile_update(user=alice, bio="", interests=[])
    alice.refresh_from_db()
    assert (alice.bio, alice.interests) == ("", [])


# --- The API ------------------------------------------------------------------------------------


def test_it_shows_an_empty_profile_of_a_new_student(alice):
    response = _as(alice).get(_url(alice))

    assert response.status_code == 200
    assert response.json() == {"userId": str(alice.api_id), "bio": "", "interests": []}


def test_it_changes_the_profile_through_the_api(alice):
    response = _as(alice).patch(
        _url(alice),
        {"bio": " 밥 친구 구해요 ", "interests": ["Ｐｙｔｈｏｎ", "#요리"]},
        format="json",
    )

    assert response.status_code == 200, response.content
    assert response.json() == {
        "userId": str(alice.api_id),
        "bio": "밥 친구 구해요",
        "interests": ["Python", "요리"],
    }
    alice.refresh_from_db()
    assert alice.interests == ["Python", "요리"]


def test_it_answers_every_bad_field_in_one_400(alice):
    body = _error(
        _as(alice).patch(
            _url(alice),
            {"bio": HANGUL_FILLER, "interests": ["a", "A", "x" * 21, ZWSP]},
            format="json",
        ),
        400,
        "C001",
    )

    assert [e["field"] for e in body["errors"]] == [
        "bio",
        "interests[1]",
        "interests[2]",
        "interests[3]",
    ]
    assert User.objects.get(pk=alice.pk).interests == []


def test_it_answers_too_many_interests_with_a_400(alice):
    body = _error(
        _as(alice).patch(_url(alice), {"interests": [f"t{n}" for n in range(11)]}, format="json"),
        400,
        "C001",
    )
    assert body["errors"][0]["field"] == "interests"


@pytest.mark.parametrize(
    ("body", "code"),
    [
        ({"interests": "Python"}, "C005"),  # a string for a list
        ({"interests": {"a": 1}}, "C005"),
        ({"bio": None}, "C001"),
        ({"nickname": "x"}, "C001"),  # unknown key
    ],
)
def test_it_refuses_a_malformed_body(alice, body, code):
    _error(_as(alice).patch(_url(alice), body, format="json"), 400, code)


def test_it_refuses_another_students_profile(alice, bob):
    _error(_as(bob).patch(_url(alice), {"bio": "해킹"}, format="json"), 403, "U001")
    _error(_as(bob).get(_url(alice)), 403, "U001")
    assert User.objects.get(pk=alice.pk).bio == ""


def test_it_lets_an_operator_read_but_not_change_a_profile(alice, operator):
    user_profile_update(user=alice, bio="hi")

    assert _as(operator).get(_url(alice)).json()["bio"] == "hi"
    _error(_as(operator).patch(_url(alice), {"bio": "x"}, format="json"), 403, "U001")


def test_it_needs_credentials(alice):
    _error(APIClient().get(_url(alice)), 401, "AU000")
    _error(APIClient().patch(_url(alice), {"bio": "x"}, format="json"), 401, "AU000")


def test_it_answers_404_for_an_unknown_student(alice):
    _error(_as(alice).get("/api/users/not-a-uuid/profile"), 404, "C003")


# --- The admin ----------------------------------------------------------------------------------


def _admin_change(staff_client, user, **fields):
    return staff_client.post(
        reverse("admin:accounts_user_change", args=[user.pk]),
        {
            "username": user.username,
            "nickname": user.nickname,
            "email": user.email,
            "image_url": user.image_url,
            "campus": user.campus,
            "is_active": "on",
            **fields,
        },
    )


def test_it_lets_an_operator_clear_a_profile_by_the_same_rules(staff_client, alice):
    user_profile_update(user=alice, bio="광고", interests=["spam"])

    response = _admin_change(staff_client, alice, bio="  ", interests='["Ｐｙｔｈｏｎ"]')

    assert response.status_code == 302, response.context["adminform"].form.errors
    alice.refresh_from_db()
    assert (alice.bio, alice.interests) == ("", ["Python"])


@pytest.mark.parametrize(
    ("fields", "error"),
    [
        ({"interests": '["a", "A"]'}, "interests"),
        ({"interests": '"a"'}, "interests"),
        ({"bio": "\u200b"}, "bio"),
    ],
)
def test_it_refuses_a_profile_against_the_rules_in_the_admin(staff_client, alice, fields, error):
    response = _admin_change(staff_client, alice, **fields)

    assert response.status_code == 200
    assert response.context["adminform"].form.errors[error]


def test_it_shows_but_never_changes_a_students_preferences_in_the_admin(staff_client, alice):
    page = staff_client.get(reverse("admin:accounts_user_change", args=[alice.pk]))
    assert b"muted_alarm_types" in page.content or "끈 알림 종류" in page.content.decode()

    response = _admin_change(staff_client, alice, language="en", random_snooze_until="2099-01-01")

    assert response.status_code == 302
    alice.refresh_from_db()
    assert (alice.language, alice.random_snooze_until, alice.slack_notices) == ("", None, True)
