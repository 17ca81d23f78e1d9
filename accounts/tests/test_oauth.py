"""42 intra login end to end: our views and allauth against the local fake intra server."""

from urllib.parse import parse_qs, parse_qsl, urlencode, urlsplit

import pytest
from allauth.socialaccount.models import SocialAccount
from django.contrib.messages import constants, get_messages
from django.urls import reverse
from rest_framework_simplejwt.tokens import AccessToken

from accounts import adapters
from accounts.models import User
from accounts.services import user_upsert_from_intra
from accounts.tests.factories import UserFactory
from accounts.tests.fake_intra import intra_profile

FRONTEND = "https://client.example.org"
LEGACY_CALLBACK = "http://testserver/login/oauth2/code/authclient"


@pytest.fixture(autouse=True)
def _frontend(settings):
    settings.FRONTEND_URL = FRONTEND


def error_messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request) if m.level == constants.ERROR]


def assert_fails_on_login_page(response, message: str) -> None:
    assert response.status_code == 302
    assert response.url == reverse("accounts:login")
    assert error_messages(response) == [message]
    assert "_auth_user_id" not in response.wsgi_request.session


def finish_handoff(client, callback_response):
    """The hand-off's last hop: allauth's redirect to our `done` view."""
    assert callback_response.status_code == 302
    assert callback_response.url.startswith(reverse("accounts:oauth_handoff_done") + "?")
    return client.get(callback_response.url)


def with_query(url: str, **params) -> str:
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    query.update(params)
    return parts._replace(query=urlencode(query)).geturl()


# --- page login ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_sends_the_student_to_the_intra_authorize_page(client, fake_intra):
    authorize_url = fake_intra.start_login(client)

    query = parse_qs(urlsplit(authorize_url).query)
    assert query["client_id"] == ["test-client-id"]
    assert query["response_type"] == ["code"]
    assert query["scope"] == ["public"]
    assert query["redirect_uri"] == [LEGACY_CALLBACK]
    assert query["state"][0]


@pytest.mark.django_db
def test_it_ignores_a_scope_asked_for_in_the_query(client, fake_intra):
    authorize_url = fake_intra.start_login(client, scope="projects", process="connect")

    assert parse_qs(urlsplit(authorize_url).query)["scope"] == ["public"]


@pytest.mark.django_db
def test_it_creates_the_user_on_first_login(client, fake_intra):
    profile = intra_profile(
        "jikang", intra_id=4242, campus=["Paris", "Seoul"], primary_campus="Seoul"
    )

    response = fake_intra.login(client, profile)

    assert response.status_code == 302
    assert response.url == reverse("accounts:choose")
    user = User.objects.get()
    assert user.username == "jikang"
    assert user.nickname == "jikang"
    assert user.email == "jikang@student.42seoul.kr"
    assert user.image_url == "https://cdn.intra.42.fr/users/jikang.jpg"
    assert user.campus == "Seoul"
    assert not user.has_usable_password()
    account = SocialAccount.objects.get()
    assert (account.provider, account.uid, account.user) == ("fortytwo", "4242", user)
    assert response.wsgi_request.user == user
    assert client.get(reverse("accounts:choose")).status_code == 200


@pytest.mark.django_db
def test_it_updates_image_and_campus_but_not_the_nickname_nor_the_email_on_later_logins(
    client, fake_intra
):
    fake_intra.login(client, intra_profile("jikang", intra_id=4242))
    User.objects.filter(username="jikang").update(nickname="밥친구")
    client.logout()
    changed = intra_profile(
        "jikang",
        intra_id=4242,
        email="jikang@42.fr",
        image_link=None,
        campus="Gyeongsan",
    )
    changed["image_url"] = "https://cdn.intra.42.fr/users/jikang_new.jpg"

    response = fake_intra.login(client, changed)

    assert response.url == reverse("accounts:choose")
    user = User.objects.get()
    assert user.nickname == "밥친구"
    # The first login's intra email is confirmed: the intra never overwrites a confirmed address.
    assert user.email == "jikang@student.42seoul.kr"
    assert user.image_url == "https://cdn.intra.42.fr/users/jikang_new.jpg"
    assert user.campus == "Gyeongsan"
    assert SocialAccount.objects.get().extra_data["email"] == "jikang@42.fr"


@pytest.mark.django_db
def test_it_matches_the_user_by_intra_id_not_by_login(client, fake_intra):
    fake_intra.login(client, intra_profile("jikang", intra_id=4242))
    client.logout()

    fake_intra.login(client, intra_profile("jikang2", intra_id=4242))

    assert User.objects.get().username == "jikang"


@pytest.mark.django_db
def test_it_gives_a_free_nickname_when_the_login_is_taken_as_a_nickname(client, fake_intra):
    UserFactory(username="someone", nickname="jikang")

    fake_intra.login(client, intra_profile("jikang"))

    user = User.objects.get(username="jikang")
    assert user.nickname == "jikang2"


@pytest.mark.django_db
def test_it_does_not_take_over_a_local_account_with_the_same_username(client, fake_intra, alice):
    fake_intra.login(client, intra_profile("alice"))

    student = User.objects.exclude(pk=alice.pk).get()
    assert (student.username, student.nickname) == ("alice2", "alice2")
    assert not SocialAccount.objects.filter(user=alice).exists()


@pytest.mark.django_db
def test_it_keeps_the_next_page_of_a_page_login(client, fake_intra):
    fake_intra.profile = intra_profile("jikang")
    authorize_url = fake_intra.start_login(client, next="/choose/?tab=meal")

    response = client.get(fake_intra.consent(authorize_url))

    assert response.url == "/choose/?tab=meal"


# --- failures end on the login page with a message ------------------------------------------------


@pytest.mark.django_db
def test_it_reports_a_refused_consent(client, fake_intra):
    fake_intra.deny = True

    response = fake_intra.login(client, intra_profile("jikang"))

    assert_fails_on_login_page(response, adapters.MSG_CANCELLED)
    assert not User.objects.exists()


@pytest.mark.django_db
def test_it_reports_an_error_answer_from_the_authorize_page(client, fake_intra):
    fake_intra.profile = intra_profile("jikang")
    callback_url = fake_intra.consent(fake_intra.start_login(client))

    response = client.get(with_query(callback_url, error="server_error"))

    assert_fails_on_login_page(response, adapters.MSG_FAILED)


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["forged-state-value", ""])
def test_it_refuses_a_bad_or_missing_state(client, fake_intra, state):
    fake_intra.profile = intra_profile("jikang")
    callback_url = fake_intra.consent(fake_intra.start_login(client))

    response = client.get(with_query(callback_url, state=state))

    assert_fails_on_login_page(response, adapters.MSG_BAD_STATE)
    assert "POST /oauth/token" not in fake_intra.calls
    assert not User.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_callback_replayed_from_another_browser(client, fake_intra):
    fake_intra.profile = intra_profile("jikang")
    callback_url = fake_intra.consent(fake_intra.start_login(client))
    client.get(callback_url)
    client.logout()

    response = client.get(callback_url)

    assert_fails_on_login_page(response, adapters.MSG_BAD_STATE)


@pytest.mark.django_db
@pytest.mark.parametrize("status", [500, 401])
def test_it_reports_a_token_endpoint_error(client, fake_intra, status):
    fake_intra.token_status = status

    response = fake_intra.login(client, intra_profile("jikang"))

    assert_fails_on_login_page(response, adapters.MSG_TOKEN)
    assert not User.objects.exists()


@pytest.mark.django_db
def test_it_fails_when_the_intra_refuses_our_client_secret(client, fake_intra):
    fake_intra.client_secret = "the-real-secret"

    response = fake_intra.login(client, intra_profile("jikang"))

    assert_fails_on_login_page(response, adapters.MSG_TOKEN)


@pytest.mark.django_db
def test_it_fails_when_the_code_is_not_one_the_intra_issued(client, fake_intra):
    fake_intra.profile = intra_profile("jikang")
    callback_url = fake_intra.consent(fake_intra.start_login(client))

    response = client.get(with_query(callback_url, code="made-up-code"))

    assert_fails_on_login_page(response, adapters.MSG_TOKEN)


@pytest.mark.django_db
@pytest.mark.parametrize("status", [500, 401])
def test_it_reports_a_profile_endpoint_error(client, fake_intra, status):
    fake_intra.profile_status = status

    response = fake_intra.login(client, intra_profile("jikang"))

    assert_fails_on_login_page(response, adapters.MSG_PROFILE)
    assert not User.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_profile_without_email(client, fake_intra):
    response = fake_intra.login(client, intra_profile("jikang", email=None))

    assert_fails_on_login_page(response, adapters.MSG_NO_EMAIL)
    assert not User.objects.exists()
    assert not SocialAccount.objects.exists()


@pytest.mark.django_db
def test_it_refuses_a_disabled_account(client, fake_intra):
    fake_intra.login(client, intra_profile("jikang"))
    User.objects.filter(username="jikang").update(is_active=False)
    client.logout()

    response = fake_intra.login(client)

    assert_fails_on_login_page(response, adapters.MSG_INACTIVE)


# --- the React client's hand-off ------------------------------------------------------------------


def handoff_params(response) -> list[tuple[str, str]]:
    assert response.status_code == 302
    assert response.url.startswith(f"{FRONTEND}?")
    return parse_qsl(urlsplit(response.url).query)


@pytest.mark.django_db
def test_it_hands_a_new_student_over_to_the_react_client(client, fake_intra, settings):
    response = finish_handoff(
        client, fake_intra.login(client, intra_profile("jikang"), handoff=True)
    )

    user = User.objects.get()
    params = handoff_params(response)
    assert [name for name, _ in params] == ["access_token", "create_flag", "userId"]
    values = dict(params)
    assert values["create_flag"] == "true"
    assert values["userId"] == str(user.api_id)
    assert str(AccessToken(values["access_token"])["user_id"]) == str(user.api_id)
    cookie = response.cookies[settings.REFRESH_COOKIE_NAME]
    assert cookie.value
    assert cookie["httponly"]


@pytest.mark.django_db
def test_it_hands_over_a_returning_student_with_create_flag_false(client, fake_intra):
    fake_intra.login(client, intra_profile("jikang"), handoff=True)
    client.logout()

    response = finish_handoff(client, fake_intra.login(client, handoff=True))

    assert dict(handoff_params(response))["create_flag"] == "false"


@pytest.mark.django_db
def test_it_hands_over_when_another_user_was_signed_in(client, fake_intra, alice):
    client.force_login(alice)

    response = finish_handoff(
        client, fake_intra.login(client, intra_profile("jikang"), handoff=True)
    )

    values = dict(handoff_params(response))
    assert values["userId"] == str(User.objects.get(username="jikang").api_id)
    assert values["create_flag"] == "true"


@pytest.mark.django_db
def test_it_sends_a_failed_handoff_back_to_the_react_client(client, fake_intra):
    fake_intra.deny = True

    response = fake_intra.login(client, intra_profile("jikang"), handoff=True)

    assert response.status_code == 302
    assert response.url == f"{FRONTEND}?login_success=false"
    assert not User.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("switch", ["token_status", "profile_status"])
def test_it_sends_a_handoff_with_an_intra_error_back_to_the_react_client(
    client, fake_intra, switch
):
    setattr(fake_intra, switch, 500)

    response = fake_intra.login(client, intra_profile("jikang"), handoff=True)

    assert response.url == f"{FRONTEND}?login_success=false"


@pytest.mark.django_db
def test_it_sends_a_handoff_with_a_bad_state_back_to_the_react_client(client, fake_intra):
    fake_intra.profile = intra_profile("jikang")
    callback_url = fake_intra.consent(fake_intra.start_login(client, handoff=True))

    response = client.get(with_query(callback_url, state="forged-state-value"))

    assert response.url == f"{FRONTEND}?login_success=false"


@pytest.mark.django_db
def test_it_forgets_an_abandoned_handoff_on_a_page_login(client, fake_intra):
    fake_intra.start_login(client, handoff=True)
    fake_intra.profile = intra_profile("jikang")
    callback_url = fake_intra.consent(fake_intra.start_login(client))

    response = client.get(with_query(callback_url, state="forged-state-value"))

    assert_fails_on_login_page(response, adapters.MSG_BAD_STATE)


@pytest.mark.django_db
def test_it_ignores_a_redirect_target_in_a_handoff(client, fake_intra):
    fake_intra.profile = intra_profile("jikang")
    authorize_url = fake_intra.start_login(
        client,
        handoff=True,
        next="https://evil.example/steal",
        redirect_uri="https://evil.example/steal",
    )
    callback_response = client.get(
        with_query(fake_intra.consent(authorize_url), next="https://evil.example/steal")
    )

    response = finish_handoff(client, callback_response)

    assert dict(handoff_params(response))["create_flag"] == "true"


@pytest.mark.django_db
def test_it_ignores_an_offsite_next_on_a_page_login(client, fake_intra):
    fake_intra.profile = intra_profile("jikang")
    authorize_url = fake_intra.start_login(client, next="https://evil.example/steal")

    response = client.get(fake_intra.consent(authorize_url))

    assert response.url == reverse("accounts:choose")


@pytest.mark.django_db
@pytest.mark.parametrize("ticket", ["", "forged"])
def test_it_refuses_a_handoff_done_without_a_valid_ticket(client, alice, ticket):
    client.force_login(alice)

    response = client.get(reverse("accounts:oauth_handoff_done"), {"ticket": ticket})

    assert response.url == f"{FRONTEND}?login_success=false"
    assert "refresh-token" not in response.cookies


@pytest.mark.django_db
def test_it_refuses_a_handoff_ticket_of_another_user(client, fake_intra, bob):
    callback_response = fake_intra.login(client, intra_profile("jikang"), handoff=True)
    client.force_login(bob)

    response = client.get(callback_response.url)

    assert response.url == f"{FRONTEND}?login_success=false"


# --- the service ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_it_takes_the_first_campus_when_none_is_primary():
    profile = intra_profile("jikang", campus=["Paris", "Seoul"])
    for campus_user in profile["campus_users"]:
        campus_user["is_primary"] = False

    user, created = user_upsert_from_intra(profile=profile)

    assert created
    assert user.campus == "Paris"


@pytest.mark.django_db
def test_it_leaves_campus_and_image_empty_when_the_profile_has_none():
    profile = intra_profile("jikang", campus=[], image_link=None)

    user, _ = user_upsert_from_intra(profile=profile)

    assert (user.campus, user.image_url) == ("", "")
