"""Polish that students notice (issue 13 item 8): error pages under DEBUG, the admin, senders."""

import pytest
from django.test import Client
from django.urls import reverse

from alarms.models import AlarmType
from alarms.tests.factories import AlarmFactory

pytestmark = pytest.mark.django_db


# --- No yellow debug page in `make run` ---------------------------------------------------------


@pytest.fixture
def debug_on(settings):
    settings.DEBUG = True
    settings.DEBUG_TECHNICAL_PAGES = False
    return settings


@pytest.mark.urls("tests.urls_errors")
@pytest.mark.parametrize(
    ("path", "status"),
    [
        ("/no/such/page/", 404),
        ("/rooms/00000000-0000-4000-8000-000000000000/", 404),
        ("/test/denied-page", 403),
    ],
)
def test_it_shows_the_sites_own_error_pages_with_debug_on(client, alice, debug_on, path, status):
    client.force_login(alice)
    response = client.get(path)
    assert response.status_code == status
    page = response.content.decode()
    assert "DEBUG = True" not in page
    assert "Traceback" not in page
    assert 'class="card error-page"' in page


@pytest.mark.urls("tests.urls_errors")
def test_it_shows_the_500_page_for_a_crash_with_debug_on(debug_on):
    client = Client(raise_request_exception=False)
    response = client.get("/test/crash-page")
    assert response.status_code == 500
    page = response.content.decode()
    assert "a bug in a page" not in page
    assert "Traceback" not in page
    assert "500" in page


@pytest.mark.urls("tests.urls_errors")
def test_it_keeps_the_technical_pages_behind_the_developer_switch(client, debug_on):
    debug_on.DEBUG_TECHNICAL_PAGES = True
    page = client.get("/no/such/page/").content.decode()
    assert "DEBUG = True" in page


@pytest.mark.urls("tests.urls_errors")
def test_it_still_redirects_to_the_slashed_path(client, alice, debug_on):
    client.force_login(alice)
    response = client.get("/rooms/mine")
    assert response.status_code == 301
    assert response["Location"] == "/rooms/mine/"


# --- Senders in the page's language -------------------------------------------------------------


def test_it_names_the_anonymous_and_system_senders_in_english(client, alice):
    AlarmFactory(user=alice, alarm_type=AlarmType.MATCH_CONFIRMED, calling_nickname="익명")
    AlarmFactory(user=alice, alarm_type=AlarmType.MATCH_CONFIRMED, calling_nickname="system")
    client.force_login(alice)
    english = client.get("/alarms/", headers={"accept-language": "en"}).content.decode()
    assert "<span>Anonymous</span>" in english
    assert "<span>System</span>" in english
    assert "익명" not in english
    korean = client.get("/alarms/").content.decode()
    assert "<span>익명</span>" in korean
    assert "<span>시스템</span>" in korean


# --- The admin ----------------------------------------------------------------------------------


def test_the_admin_random_match_list_shows_labels_not_raw_lists(staff_client, alice):
    from matching.services.random import random_match_request_create

    random_match_request_create(
        user=alice, category="MEAL", places=["SEOCHO", "GAEPO"], options=["DELIVERY"]
    )
    page = staff_client.get(
        reverse("admin:matching_randommatchrequest_changelist")
    ).content.decode()
    assert "SEOCHO" not in page.split('id="result_list"')[1].split("</table>")[0]
    assert "서초 클러스터, 개포 클러스터" in page
    assert "배달" in page


def test_the_admin_run_matching_button_keeps_its_style_under_the_csp(staff_client):
    response = staff_client.get(reverse("admin:matching_randommatchrequest_changelist"))
    page = response.content.decode()
    assert "style=" not in page.split('id="changelist"')[0].split("object-tools")[-1]
    assert "<style" not in page
    assert "matching/admin.css" in page


def test_the_admin_index_names_one_section_accounts(staff_client):
    page = staff_client.get(reverse("admin:index")).content.decode()
    assert page.count(">계정</a>") == 1  # allauth's; ours is "사용자"
    assert ">사용자</a>" in page
