"""The room form (SPEC section 9): every field error at once, no past day offered, and errors
announced through ids that exist."""

from datetime import timedelta

import pytest
from django.urls import reverse

from rooms import services
from rooms.models import Room
from rooms.tests.factories import CommentFactory, RoomFactory
from tests.html_checks import dangling_descriptions

pytestmark = pytest.mark.django_db


def _form(**overrides):
    form = {
        "category": "MEAL",
        "title": "점심 먹어요",
        "date": (services.room_today() + timedelta(days=1)).isoformat(),
        "participant_num_max": "4",
        "content": "개포에서 만나요",
    }
    form.update(overrides)
    return form


def test_it_shows_title_date_and_capacity_errors_together(client, alice):
    client.force_login(alice)
    yesterday = services.room_today() - timedelta(days=1)

    response = client.post(
        reverse("rooms:create"),
        _form(title="", date=yesterday.isoformat(), participant_num_max="0"),
    )

    assert response.status_code == 400
    errors = response.context["form"].errors
    assert {"title", "date", "participant_num_max"} <= set(errors)
    assert "게시글의 날짜가 과거입니다." in errors["date"][0]
    page = response.content.decode()
    for field in ("title", "date", "participant_num_max"):
        assert f'id="id_{field}_error"' in page
    assert not Room.objects.exists()


def test_it_refuses_yesterday_on_edit_with_the_other_errors(client, alice):
    room = RoomFactory(author=alice)
    client.force_login(alice)
    yesterday = services.room_today() - timedelta(days=1)

    response = client.post(
        reverse("rooms:edit", args=[room.api_id]),
        _form(title="", date=yesterday.isoformat()),
    )

    assert response.status_code == 400
    assert {"title", "date"} <= set(response.context["form"].errors)


@pytest.mark.parametrize("page", ["create", "edit"])
def test_it_offers_no_past_day_in_the_date_picker(client, alice, page):
    room = RoomFactory(author=alice)
    client.force_login(alice)
    url = (
        f"{reverse('rooms:create')}?category=MEAL"
        if page == "create"
        else reverse("rooms:edit", args=[room.api_id])
    )

    html = client.get(url).content.decode()

    assert f'min="{services.room_today().isoformat()}"' in html
    assert 'type="date"' in html


def test_it_points_every_error_description_at_an_element_of_the_page(client, alice, bob):
    room = RoomFactory(author=alice)
    comment = CommentFactory(room=room, author=alice)
    client.force_login(alice)
    yesterday = services.room_today() - timedelta(days=1)

    pages = {
        "create": client.post(
            reverse("rooms:create"),
            _form(title="", date=yesterday.isoformat(), participant_num_max="0", content=""),
        ),
        "edit": client.post(reverse("rooms:edit", args=[room.api_id]), _form(title="")),
        "comment": client.post(
            reverse("rooms:comment-edit", args=[comment.api_id]), {"content": ""}
        ),
        "nickname": client.post(reverse("mypage:nickname"), {"nickname": "a"}),
        "email": client.post(reverse("mypage:email"), {"email": "nope"}),
        "random": client.post(
            reverse("matching:random"), {"category": "MEAL", "places": ["NOWHERE"]}
        ),
    }

    for name, response in pages.items():
        html = response.content.decode()
        assert response.status_code == 400, name
        assert 'aria-invalid="true"' in html or "aria-describedby=" in html, name
        assert dangling_descriptions(html) == [], name
