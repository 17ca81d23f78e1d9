import pytest

from accounts.demo import demo_students_load
from rooms.demo import DEMO_ROOMS, rooms_demo_load
from rooms.models import Participation, Room

pytestmark = pytest.mark.django_db


def test_it_loads_the_demo_rooms_once():
    demo_students_load()

    assert rooms_demo_load().startswith(f"demo rooms: {len(DEMO_ROOMS)} created")
    assert rooms_demo_load().startswith("demo rooms: 0 created")

    assert Room.objects.count() == len(DEMO_ROOMS)
    for room in Room.objects.all():
        assert room.participant_num == Participation.objects.filter(room=room).count()
    full = Room.objects.get(title="서초 저녁 포장해서 같이 먹어요")
    assert full.participant_num == full.participant_num_max
