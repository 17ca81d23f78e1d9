"""Korean by default, English on request: the catalogues are complete, compiled, and used.

Source strings are mixed. Korean msgids (pages, messages, error codes) need an English msgstr in
locale/en; English msgids (admin, model and field names, API reasons) need a Korean msgstr in
locale/ko. An empty msgstr falls back to the msgid, which is right only in the msgid's language.
"""

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.contrib import admin
from django.urls import reverse
from django.utils import translation

from accounts.tests.factories import UserFactory
from rooms.tests.factories import RoomFactory

LOCALE = Path(settings.BASE_DIR) / "locale"
HANGUL = re.compile("[\uac00-\ud7a3]")
LETTERS = re.compile("[A-Za-z]")
# %(name)s / %d and {name}: a translation must use exactly the msgid's placeholders.
PLACEHOLDER = re.compile(r"%\(\w+\)[sdif]|%[sdif]|\{\w+\}")
OUR_APPS = ("accounts", "rooms", "matching", "alarms", "restaurants")


def _catalogue(language: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))


def _needs_translation(language: str, msgid: str) -> bool:
    """ko translates the English msgids, en the Korean ones; the rest show their msgid."""
    if language == "en":
        return bool(HANGUL.search(msgid))
    return not HANGUL.search(msgid) and bool(LETTERS.search(msgid))


def _translations(entry: polib.POEntry) -> list[str]:
    if entry.msgid_plural:
        return [entry.msgstr_plural[n] for n in sorted(entry.msgstr_plural)]
    return [entry.msgstr]


def _placeholders(text: str) -> list[str]:
    return sorted(PLACEHOLDER.findall(text))


@pytest.fixture(autouse=True)
def _default_language_afterwards():
    # A request in English leaves English active in this thread.
    yield
    translation.deactivate()


@pytest.fixture
def superuser_client(client, db):
    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize("language", ["ko", "en"])
def test_it_translates_every_msgid_not_in_the_pages_language(language):
    missing = [
        entry.msgid
        for entry in _catalogue(language)
        if not entry.obsolete
        and _needs_translation(language, entry.msgid)
        and not all(_translations(entry))
    ]

    assert missing == [], f"locale/{language}: translate these msgids"


@pytest.mark.parametrize("language", ["ko", "en"])
def test_it_has_no_fuzzy_guesses_left(language):
    # msgmerge marks its guesses fuzzy and msgfmt skips them: the page would show the msgid.
    fuzzy = [entry.msgid for entry in _catalogue(language) if entry.fuzzy and entry.msgid]

    assert fuzzy == [], f"locale/{language}: review these and drop the fuzzy flag"


@pytest.mark.parametrize("language", ["ko", "en"])
def test_it_keeps_the_placeholders_of_each_msgid(language):
    wrong = [
        (entry.msgid, text)
        for entry in _catalogue(language)
        for text in _translations(entry)
        if text and _placeholders(text) != _placeholders(entry.msgid)
    ]

    assert wrong == []


@pytest.mark.parametrize("language", ["ko", "en"])
def test_it_ships_an_mo_file_compiled_from_the_current_po(language):
    po = _catalogue(language)
    mo = polib.mofile(str(LOCALE / language / "LC_MESSAGES" / "django.mo"))

    def translated(catalogue) -> dict:
        return {
            (entry.msgctxt, entry.msgid): tuple(_translations(entry))
            for entry in catalogue
            if entry.msgid
            and not entry.obsolete
            and "fuzzy" not in entry.flags
            and all(_translations(entry))
        }

    # Compare meaning, not bytes: msgfmt versions lay the file out differently.
    assert translated(mo) == translated(po), (
        f"locale/{language}: run `python manage.py compilemessages --ignore=.venv` and commit "
        "the .mo"
    )


def test_it_names_our_admin_models_and_fields_in_korean():
    english = []
    with translation.override("ko"):
        for model in admin.site._registry:
            if model._meta.app_label not in OUR_APPS:
                continue
            labels = [model._meta.verbose_name, model._meta.verbose_name_plural]
            labels += [
                field.verbose_name
                for field in model._meta.get_fields()
                if field.concrete and not field.auto_created
            ]
            english += [
                f"{model._meta.label}: {label}"
                for label in map(str, labels)
                if not HANGUL.search(label)
            ]

    assert english == []


def test_it_shows_the_rooms_changelist_in_korean_by_default(superuser_client):
    RoomFactory(title="점심 같이 드실 분")

    response = superuser_client.get(reverse("admin:rooms_room_changelist"))

    assert response.status_code == 200
    page = response.content.decode()
    for korean in ["방", "제목", "분류", "작성자", "인원", "생성 시각", "삭제됨", "선택한 방 복구"]:
        assert korean in page, korean
    for english in ["Created at", "Seats", "Restore the selected rooms", "Select room to change"]:
        assert english not in page, english


def test_it_shows_the_rooms_changelist_in_english_on_request(superuser_client):
    RoomFactory(title="Lunch anyone?")

    response = superuser_client.get(
        reverse("admin:rooms_room_changelist"), HTTP_ACCEPT_LANGUAGE="en"
    )

    assert response.status_code == 200
    page = response.content.decode()
    for english in ["Created at", "Seats", "Restore the selected rooms", "Select room to change"]:
        assert english in page, english
    assert "생성 시각" not in page
