from io import StringIO

import pytest
from django.contrib.auth import SESSION_KEY
from django.core.management import call_command
from django.test import override_settings

from accounts.demo import DEMO_LOGINS, DEMO_STUDENTS
from accounts.models import User
from accounts.profile_rules import bio_clean, interests_clean
from accounts.tests.factories import UserFactory


@pytest.fixture
def demo_students(db):
    call_command("load_demo", stdout=StringIO())
    return User.objects.filter(username__in=DEMO_LOGINS)


demo_mode = override_settings(DEBUG=True, DEMO_LOGIN=True)


@demo_mode
def test_it_logs_in_a_demo_student(client, demo_students):
    response = client.post("/demo-login/", {"user": "jisookim"}, follow=True)

    assert response.redirect_chain == [("/choose/", 302)]
    assert client.session[SESSION_KEY] == str(User.objects.get(username="jisookim").pk)
    assert "지수 님으로 로그인했어요." in response.content.decode()


@override_settings(DEBUG=False, DEMO_LOGIN=True)
def test_it_does_not_exist_when_debug_is_off(client, demo_students):
    assert client.post("/demo-login/", {"user": "jisookim"}).status_code == 404
    assert client.get("/demo-login/").status_code == 404
    assert SESSION_KEY not in client.session


@override_settings(DEBUG=True, DEMO_LOGIN=False)
def test_it_does_not_exist_when_demo_login_is_off(client, demo_students):
    assert client.post("/demo-login/", {"user": "jisookim"}).status_code == 404
    assert SESSION_KEY not in client.session


@demo_mode
def test_it_only_accepts_post(client, demo_students):
    assert client.get("/demo-login/").status_code == 405


@demo_mode
def test_it_refuses_users_who_are_not_demo_students(client, demo_students, alice):
    response = client.post("/demo-login/", {"user": alice.username})

    assert response.status_code == 400
    assert "데모 학생 목록에 없는 사용자예요." in response.content.decode()
    assert SESSION_KEY not in client.session


@demo_mode
def test_it_refuses_an_empty_choice(client, demo_students):
    response = client.post("/demo-login/", {})

    assert response.status_code == 400
    assert "데모 학생을 골라 주세요." in response.content.decode()


@demo_mode
def test_it_never_logs_in_staff_even_with_a_demo_login(client, db):
    UserFactory(username="jisookim", is_staff=True)
    call_command("load_demo", stdout=StringIO())

    response = client.post("/demo-login/", {"user": "jisookim"})

    assert response.status_code == 400
    assert SESSION_KEY not in client.session


def test_it_loads_the_demo_students_idempotently(demo_students):
    call_command("load_demo", stdout=StringIO())

    assert demo_students.count() == len(DEMO_STUDENTS) == 6
    for user in demo_students:
        assert user.email == f"{user.username}@student.42seoul.kr"
        assert user.campus == "Seoul"
        assert not user.is_staff
        assert not user.has_usable_password()


def test_it_restores_a_changed_demo_student(demo_students):
    User.objects.filter(username="jisookim").update(nickname="renamed", campus="Paris")

    call_command("load_demo", stdout=StringIO())

    user = User.objects.get(username="jisookim")
    assert (user.nickname, user.campus) == ("지수", "Seoul")


def test_it_introduces_the_demo_students_by_the_profile_rules(demo_students):
    introduced = [s for s in DEMO_STUDENTS if s.bio or s.interests]
    assert len(introduced) >= 4  # the match page shows introductions on `make run`

    for student in DEMO_STUDENTS:
        user = demo_students.get(username=student.login)
        assert user.bio == bio_clean(student.bio)
        assert user.interests == interests_clean(student.interests)


def test_it_leaves_other_users_alone(db, alice):
    staff = UserFactory(username="minjupar", is_staff=True, nickname="ops")

    call_command("load_demo", stdout=StringIO())

    staff.refresh_from_db()
    assert (staff.nickname, staff.is_staff) == ("ops", True)
    alice_before = (alice.nickname, alice.email, alice.campus)
    alice.refresh_from_db()
    assert (alice.nickname, alice.email, alice.campus) == alice_before
    # alice, the staff account, five demo students and the demo operator.
    assert User.objects.count() == 1 + 1 + 5 + 1


@demo_mode
def test_it_offers_a_demo_operator_who_reaches_the_admin(client, demo_students):
    page = client.get("/").content.decode()
    assert 'value="demo_operator"' in page
    assert page.index('value="yejukang"') < page.index('value="demo_operator"')

    response = client.post("/demo-login/", {"user": "demo_operator"}, follow=True)

    operator = User.objects.get(username="demo_operator")
    assert operator.is_staff
    assert operator.is_superuser
    assert not operator.has_usable_password()
    assert client.session[SESSION_KEY] == str(operator.pk)
    assert response.redirect_chain[0] == ("/admin/", 302)
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/rooms/room/").status_code == 200


@demo_mode
def test_it_never_offers_a_real_operator_with_the_demo_operators_name(client, db):
    real = UserFactory(username="demo_operator", is_staff=True, is_superuser=True)
    real.set_password("a real one")
    real.save()
    call_command("load_demo", stdout=StringIO())

    response = client.post("/demo-login/", {"user": "demo_operator"})

    assert response.status_code == 400
    assert SESSION_KEY not in client.session
    real.refresh_from_db()
    assert real.check_password("a real one")
