from django.contrib.auth.models import AnonymousUser
from django.test import RequestFactory
from django.urls import reverse

from alarms.context_processors import alarm_bell
from alarms.models import Alarm, AlarmType
from alarms.tests.factories import AlarmFactory

URL = "/alarms/"


def test_it_shows_my_alarms_and_marks_them_read(client, alice, bob):
    AlarmFactory(user=alice, alarm_type=AlarmType.MATCH_CONFIRMED, calling_nickname="bob")
    AlarmFactory(user=bob, alarm_type=AlarmType.COMMENT_ON_MY_COMMENT)
    client.force_login(alice)

    response = client.get(URL)

    assert response.status_code == 200
    page = response.content.decode()
    assert "매칭이 확정되었어요!" in page
    assert "내가 쓴 댓글에 댓글이 달렸어요!" not in page
    assert "새 알림" in page
    assert not Alarm.objects.filter(user=alice, is_read=False).exists()
    assert Alarm.objects.filter(user=bob, is_read=False).exists()


def test_it_offers_a_renewal_for_an_expired_random_match(client, alice):
    AlarmFactory(user=alice, alarm_type=AlarmType.RANDOM_MATCH_EXPIRED, calling_nickname="")
    client.force_login(alice)

    page = client.get(URL).content.decode()

    assert "랜덤 매칭 상대를 찾지 못했어요" in page


def test_it_pages_with_more_links(client, alice):
    AlarmFactory.create_batch(3, user=alice)
    client.force_login(alice)

    first = client.get(URL, {"size": 2}).content.decode()
    second = client.get(URL, {"page": 1, "size": 2})

    assert "?page=1" in first
    assert second.status_code == 200


def test_it_falls_back_to_the_first_page_on_bad_paging(client, alice):
    AlarmFactory(user=alice)
    client.force_login(alice)

    response = client.get(URL, {"page": "x", "sort": "nope"})

    assert response.status_code == 200
    assert "내가 쓴 글에 참여가 있었어요!" in response.content.decode()


def test_it_sends_visitors_to_the_login(client, db):
    response = client.get(URL)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_it_refuses_posts(client, alice):
    client.force_login(alice)

    assert client.post(URL).status_code == 405


def test_it_counts_the_bell_in_one_query_only_when_read(alice, django_assert_num_queries):
    AlarmFactory.create_batch(2, user=alice)
    AlarmFactory(user=alice, is_read=True)
    request = RequestFactory().get("/")
    request.user = alice

    with django_assert_num_queries(0):
        bell = alarm_bell(request)["alarm_bell"]
    with django_assert_num_queries(1):
        assert (bell.unread, bell.unread) == (2, 2)


def test_it_gives_visitors_no_bell():
    request = RequestFactory().get("/")
    request.user = AnonymousUser()

    assert alarm_bell(request) == {}


def test_it_shows_the_bell_with_the_unread_count_to_members(client, alice):
    AlarmFactory.create_batch(3, user=alice)
    client.force_login(alice)

    page = client.get(reverse("accounts:choose")).content.decode()

    assert "data-alarm-bell" in page
    assert "data-alarm-count>3</span>" in page
    assert "js/alarms.js" in page


def test_it_shows_no_bell_to_visitors(client, db):
    page = client.get(reverse("accounts:login")).content.decode()

    assert "data-alarm-bell" not in page


def test_it_empties_the_bell_on_the_alarm_list(client, alice):
    AlarmFactory(user=alice)
    client.force_login(alice)

    page = client.get(URL).content.decode()

    assert "data-alarm-count hidden>0</span>" in page
