"""The my page's introduction (bio, interests) and settings (preferences) sections."""

from datetime import timedelta

import pytest
from django.urls import reverse

from accounts.models import User
from accounts.selectors import seoul_today
from accounts.services import user_preferences_update, user_profile_update
from partner42.choices import AlarmType
from tests.html_checks import dangling_descriptions, next_values

pytestmark = pytest.mark.django_db

ALL_ON = {f"alarm_{kind}": "on" for kind in AlarmType.values}


@pytest.fixture
def as_alice(client, alice):
    client.force_login(alice)
    return client


def _fresh(user) -> User:
    return User.objects.get(pk=user.pk)


# --- Introduction (the profile tab) ---------------------------------------------------------------


def test_it_shows_the_stored_introduction_on_the_profile_tab(as_alice, alice):
    user_profile_update(user=alice, bio="점심 같이 먹어요", interests=["요리", "Python"])

    response = as_alice.get(reverse("mypage:index"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "점심 같이 먹어요</textarea>" in html
    assert 'value="요리, Python"' in html
    assert dangling_descriptions(html) == []


def test_it_saves_the_introduction(as_alice, alice):
    response = as_alice.post(
        reverse("mypage:profile"), {"bio": "  안녕하세요 ", "interests": "Ｐｙｔｈｏｎ, #요리,"}
    )

    assert response.status_code == 302
    assert response["Location"] == reverse("mypage:index")
    alice = _fresh(alice)
    assert (alice.bio, alice.interests) == ("안녕하세요", ["Python", "요리"])


def test_it_shows_every_introduction_problem_at_once_and_saves_nothing(as_alice, alice):
    response = as_alice.post(
        reverse("mypage:profile"),
        {"bio": "가" * 301, "interests": "a, A, " + ", ".join(f"t{n}" for n in range(10))},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_bio_error"' in html
    assert 'id="id_interests_error"' in html
    assert 'aria-describedby="id_bio_helptext id_bio_error"' in html
    assert dangling_descriptions(html) == []
    # Links and the language switch lead back to the profile tab, with the draft.
    assert all(value.startswith(reverse("mypage:index")) for value in next_values(html))
    assert (_fresh(alice).bio, _fresh(alice).interests) == ("", [])


def test_it_keeps_a_refused_introduction_across_the_language_switch(as_alice):
    response = as_alice.post(reverse("mypage:profile"), {"bio": "\u200b", "interests": "요리"})
    [switch_next] = [v for v in next_values(response.content.decode()) if "draft=" in v]

    page = as_alice.post(
        reverse("set_language"), {"language": "en", "next": switch_next}, follow=True
    )

    html = page.content.decode()
    assert 'id="id_bio_error"' in html
    assert 'value="요리"' in html


def test_it_sends_visitors_to_log_in_for_the_introduction(client):
    response = client.post(reverse("mypage:profile"), {"bio": "x"})
    assert response.status_code == 302
    assert "/me/profile/" not in response["Location"].split("?")[0]


# --- Settings -----------------------------------------------------------------------------------


def test_it_shows_the_settings_tab_with_every_switch(as_alice, alice):
    user_preferences_update(user=alice, alarm_types={"COMMENT_ON_MY_POST": False})

    response = as_alice.get(reverse("mypage:settings"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count('type="checkbox"') == len(AlarmType.values) + 1
    assert 'name="alarm_COMMENT_ON_MY_POST" id="id_alarm_COMMENT_ON_MY_POST"' in html
    assert 'name="alarm_MATCH_CONFIRMED" id="id_alarm_MATCH_CONFIRMED" checked' in html
    assert 'aria-current="page">설정<' in html
    assert dangling_descriptions(html) == []


def test_it_saves_the_settings(as_alice, alice):
    until = seoul_today() + timedelta(days=7)
    data = {
        **ALL_ON,
        "alarm_RANDOM_MATCH_EXPIRED": "",
        "random_snooze_until": until.isoformat(),
        "preferred_language": "",
    }

    response = as_alice.post(reverse("mypage:preferences"), data)

    assert response.status_code == 302
    assert response["Location"] == reverse("mypage:settings")
    alice = _fresh(alice)
    assert alice.slack_notices is False  # its box was left unchecked
    assert alice.muted_alarm_types == ["RANDOM_MATCH_EXPIRED"]
    assert alice.random_snooze_until == until


def test_it_shows_settings_problems_together_and_saves_nothing(as_alice, alice):
    response = as_alice.post(
        reverse("mypage:preferences"),
        {**ALL_ON, "random_snooze_until": seoul_today().isoformat(), "preferred_language": "fr"},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert 'id="id_random_snooze_until_error"' in html
    assert 'id="id_preferred_language_error"' in html
    assert dangling_descriptions(html) == []
    assert all(value.startswith(reverse("mypage:settings")) for value in next_values(html))
    assert _fresh(alice).slack_notices is True


def test_it_answers_in_the_language_just_chosen(as_alice, alice):
    response = as_alice.post(
        reverse("mypage:preferences"), {**ALL_ON, "preferred_language": "en"}, follow=True
    )

    assert _fresh(alice).language == "en"
    assert response["Content-Language"] == "en"
    assert "Settings saved." in response.content.decode()


def test_it_shows_a_pause_and_ends_it(as_alice, alice):
    until = seoul_today() + timedelta(days=3)
    user_preferences_update(user=alice, random_snooze_until=until)

    html = as_alice.get(reverse("mypage:settings")).content.decode()
    assert 'data-snooze="on"' in html
    assert until.isoformat() in html

    response = as_alice.post(reverse("mypage:snooze_end"), {"next": "/random/?category=MEAL"})

    assert response.status_code == 302
    assert response["Location"] == "/random/?category=MEAL"
    assert _fresh(alice).random_snooze_until is None
    assert 'data-snooze="on"' not in as_alice.get(reverse("mypage:settings")).content.decode()


def test_it_ends_a_pause_back_to_the_settings_for_a_foreign_next(as_alice, alice):
    response = as_alice.post(reverse("mypage:snooze_end"), {"next": "https://evil.example/"})
    assert response["Location"] == reverse("mypage:settings")
