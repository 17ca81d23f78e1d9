"""The my page's profile and preferences forms: every problem shown at once, on its field."""

from datetime import date

import pytest
from django.utils import translation

from accounts.mypage.forms import PreferencesForm, ProfileForm
from accounts.services import user_preferences_update, user_profile_update
from partner42.choices import AlarmType

TODAY = date(2026, 12, 5)


def test_it_reads_typed_interests_into_stored_tags():
    form = ProfileForm({"bio": " 안녕 ", "interests": "Ｐｙｔｈｏｎ, #요리，\n보드게임,"})

    assert form.is_valid(), form.errors
    assert form.cleaned_data == {"bio": "안녕", "interests": ["Python", "요리", "보드게임"]}


def test_it_shows_every_profile_problem_at_once_with_described_fields():
    form = ProfileForm({"bio": "\u200b", "interests": "a, A, " + "x" * 21 + ", \u3164"})

    assert not form.is_valid()
    assert set(form.errors) == {"bio", "interests"}
    assert len(form.errors["interests"]) == 3  # the duplicate, the long one, the invisible one
    html = str(form["interests"])
    assert 'aria-describedby="id_interests_helptext id_interests_error"' in html
    assert 'aria-invalid="true"' in html


def test_it_refuses_eleven_interests():
    form = ProfileForm({"bio": "", "interests": ", ".join(f"t{n}" for n in range(11))})
    assert not form.is_valid()
    assert form.errors["interests"]


@pytest.mark.django_db
def test_it_starts_from_the_stored_profile(alice):
    user_profile_update(user=alice, bio="hi", interests=["요리", "Python"])
    form = ProfileForm.for_user(alice)
    assert form["interests"].value() == "요리, Python"
    assert form["bio"].value() == "hi"


def test_it_gives_help_in_the_pages_language():
    with translation.override("en"):
        assert "characters" in str(ProfileForm()["bio"].help_text)
    with translation.override("ko"):
        assert "자까지" in str(ProfileForm()["bio"].help_text)


def _preferences(**data) -> PreferencesForm:
    base = {"slack_notices": "on", **{f"alarm_{k}": "on" for k in AlarmType.values}}
    return PreferencesForm({**base, **data}, today=TODAY)


def test_it_maps_the_switches_to_the_service():
    data = {
        "alarm_MATCH_CONFIRMED": "",
        "random_snooze_until": "2026-12-24",
        "preferred_language": "en",
    }
    form = _preferences(**data)

    assert form.is_valid(), form.errors
    changes = form.changes()
    assert changes["slack_notices"] is True
    assert changes["alarm_types"] == {
        **dict.fromkeys(AlarmType.values, True),
        "MATCH_CONFIRMED": False,
    }
    assert (changes["random_snooze_until"], changes["language"]) == (date(2026, 12, 24), "en")


def test_it_reads_an_unchecked_box_as_off():
    form = PreferencesForm({}, today=TODAY)
    assert form.is_valid(), form.errors
    assert form.changes()["slack_notices"] is False
    assert set(form.changes()["alarm_types"].values()) == {False}
    assert (form.changes()["random_snooze_until"], form.changes()["language"]) == (None, "")


@pytest.mark.parametrize("value", ["2026-12-05", "2026-12-01", "2028-01-01", "someday"])
def test_it_refuses_a_pause_date_it_cannot_take(value):
    form = _preferences(random_snooze_until=value, preferred_language="fr")
    assert not form.is_valid()
    assert set(form.errors) == {"random_snooze_until", "preferred_language"}
    assert "id_random_snooze_until_error" in str(form["random_snooze_until"])


@pytest.mark.django_db
def test_it_starts_from_the_stored_switches(alice):
    user_preferences_update(
        user=alice,
        slack_notices=False,
        alarm_types={"COMMENT_ON_MY_POST": False},
        random_snooze_until=date(2026, 12, 24),
        today=TODAY,
    )
    form = PreferencesForm.for_user(alice, today=TODAY)
    assert form["slack_notices"].value() is False
    assert form["alarm_COMMENT_ON_MY_POST"].value() is False
    assert form["alarm_MATCH_CONFIRMED"].value() is True
    assert form["random_snooze_until"].value() == date(2026, 12, 24)
    # A pause whose day has come shows as none.
    assert (
        PreferencesForm.for_user(alice, today=date(2026, 12, 24))["random_snooze_until"].value()
        is None
    )
