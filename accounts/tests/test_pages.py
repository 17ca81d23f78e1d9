import re

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.staticfiles import finders
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.urls import reverse

from accounts.demo import demo_students_load

HANGUL = re.compile(r"[\uac00-\ud7a3]")


@pytest.fixture
def demo_mode(settings):
    settings.DEBUG = True
    settings.DEMO_LOGIN = True


def test_it_shows_the_login_page_in_korean_by_default(client, db):
    response = client.get("/")

    assert response.status_code == 200
    html = response.content.decode()
    assert '<html lang="ko">' in html
    assert "42로 로그인" in html
    assert 'action="/accounts/fortytwo/login/"' in html
    assert 'method="post"' in html
    assert "데모 로그인" not in html


def test_it_has_the_accessible_shell(client, db):
    html = client.get("/").content.decode()

    assert 'class="skip-link" href="#main"' in html
    assert '<main id="main"' in html
    assert "<header" in html
    assert "<footer" in html
    assert 'name="viewport"' in html


def test_it_loads_htmx_locally_with_the_csrf_header(client, db):
    response = client.get("/")

    html = response.content.decode()
    assert "/static/django_htmx/htmx-2.min.js" in html
    assert "https://" not in html.split("</head>")[0]
    token = response.cookies["csrftoken"].value
    assert token
    assert re.search(r"""hx-headers='\{"X-CSRFToken": "[A-Za-z0-9]+"\}'""", html)


def test_it_ships_the_stylesheet():
    assert finders.find("css/app.css")
    assert finders.find("images/favicon.svg")


def test_it_shows_the_demo_section_in_demo_mode(client, db, demo_mode):
    demo_students_load()

    html = client.get("/").content.decode()

    assert "데모 로그인" in html
    assert 'action="/demo-login/"' in html
    assert 'value="jisookim"' in html


def test_it_tells_how_to_load_demo_students_when_none_exist(client, db, demo_mode):
    html = client.get("/").content.decode()

    assert "load_demo" in html


def test_it_hides_the_demo_section_when_debug_is_off(client, db, settings):
    settings.DEBUG = False
    settings.DEMO_LOGIN = True
    demo_students_load()

    html = client.get("/").content.decode()

    assert "데모 로그인" not in html
    assert "jisookim" not in html


def test_it_sends_a_logged_in_user_from_login_to_choose(client, alice):
    client.force_login(alice)

    response = client.get("/")

    assert response.status_code == 302
    assert response.url == reverse("accounts:choose")


def test_it_requires_login_for_the_choose_page(client, db):
    response = client.get("/choose/")

    assert response.status_code == 302
    assert response.url == "/?next=/choose/"


def test_it_offers_meal_and_study_on_the_choose_page(client, alice):
    alice.nickname = "앨리스"
    alice.save()
    client.force_login(alice)

    response = client.get("/choose/")

    assert response.status_code == 200
    html = response.content.decode()
    for href in (
        "/rooms/?category=MEAL",
        "/random/?category=MEAL",
        "/rooms/?category=STUDY",
        "/random/?category=STUDY",
    ):
        assert f'href="{href}"' in html
    assert "식사" in html
    assert "공부" in html
    assert "앨리스" in html
    assert 'action="/logout/"' in html


def test_it_logs_out_only_with_post(client, alice):
    client.force_login(alice)

    response = client.get("/logout/")

    assert response.status_code == 405
    assert client.get("/choose/").status_code == 200


def test_it_logs_out_and_says_so(client, alice):
    client.force_login(alice)

    response = client.post("/logout/", follow=True)

    assert response.redirect_chain == [("/", 302)]
    html = response.content.decode()
    assert "로그아웃했어요" in html
    assert 'role="status"' in html
    assert client.get("/choose/").status_code == 302


def test_it_switches_to_english(client, alice):
    client.force_login(alice)

    response = client.post("/i18n/setlang/", {"language": "en", "next": "/choose/"})
    assert response.status_code == 302
    assert response.url == "/choose/"

    html = client.get("/choose/").content.decode()
    assert '<html lang="en">' in html
    assert "What shall we do together today?" in html
    assert "Browse meal rooms" in html
    assert "Log out" in html
    # The only Korean left is the switch back, written in its own language.
    assert HANGUL.findall(html.replace("한국어", "")) == []


def test_it_shows_the_login_page_in_english(client, db):
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})

    html = client.get("/").content.decode()

    assert '<html lang="en">' in html
    assert "Log in with 42" in html
    assert HANGUL.findall(html.replace("한국어", "")) == []


def test_it_renders_messages_with_a_role_by_level(db):
    request = RequestFactory().get("/")
    messages = [
        Message(constants.SUCCESS, "saved"),
        Message(constants.ERROR, "broken"),
        Message(constants.WARNING, "careful"),
    ]
    request.htmx = False

    html = render_to_string("partials/messages.html", {"messages": messages}, request=request)

    assert re.search(r'class="message message--success" role="status">\s*saved', html)
    assert re.search(r'class="message message--error" role="alert">\s*broken', html)
    assert re.search(r'class="message message--warning" role="alert">\s*careful', html)
