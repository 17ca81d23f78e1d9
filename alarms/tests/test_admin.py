from alarms.models import Alarm
from alarms.tests.factories import AlarmFactory

URL = "/admin/alarms/alarm/"


def test_it_lists_and_searches_alarms_for_operators(staff_client, alice, bob):
    AlarmFactory(user=alice, calling_nickname="somebody")
    AlarmFactory(user=bob)

    assert staff_client.get(URL).status_code == 200
    response = staff_client.get(URL, {"q": "alice"})

    assert response.status_code == 200
    assert response.context["cl"].result_count == 1


def test_it_filters_by_type_and_read_state(staff_client, alice):
    AlarmFactory(user=alice, is_read=True)

    response = staff_client.get(URL, {"is_read__exact": "0"})

    assert response.context["cl"].result_count == 0


def test_it_marks_alarms_read_and_unread(staff_client, alice):
    alarms = AlarmFactory.create_batch(2, user=alice)
    ids = [str(a.pk) for a in alarms]

    staff_client.post(URL, {"action": "mark_read", "_selected_action": ids})
    assert not Alarm.objects.filter(is_read=False).exists()

    staff_client.post(URL, {"action": "mark_unread", "_selected_action": ids})
    assert not Alarm.objects.filter(is_read=True).exists()


def test_it_keeps_students_out(client, alice):
    client.force_login(alice)

    assert client.get(URL).status_code == 302
