"""Irreversible room actions ask first: a <dialog> wired by a static script under the strict CSP,
and a confirmation page when JavaScript is off."""

import re

import pytest
from django.contrib.staticfiles import finders
from django.urls import reverse

from matching.models import Match
from rooms.models import Participation, Room
from rooms.services import room_join
from rooms.tests.factories import RoomFactory
from tests.html_checks import next_values

pytestmark = pytest.mark.django_db


@pytest.fixture
def room(alice, bob):
    room = RoomFactory(author=alice)
    room_join(room=room, user=bob)
    return room


def _url(action, room):
    return reverse(f"rooms:{action}", args=[room.api_id])


@pytest.mark.parametrize(
    ("action", "who"), [("delete", "alice"), ("complete", "alice"), ("leave", "bob")]
)
def test_it_asks_on_a_page_before_an_irreversible_action_without_javascript(
    client, room, action, who, request
):
    client.force_login(request.getfixturevalue(who))

    response = client.post(_url(action, room))

    assert response.status_code == 200
    html = response.content.decode()
    assert f'action="{_url(action, room)}"' in html
    assert '<input type="hidden" name="confirm" value="1">' in html
    assert reverse("rooms:detail", args=[room.api_id]) in html  # cancel
    for target in next_values(html):  # the language switch of this POST-only URL's page
        assert client.get(target).status_code == 200, target
    fresh = Room.objects.get(pk=room.pk)
    assert (fresh.deleted_at, fresh.is_complete, fresh.participant_num) == (None, False, 2)
    assert not Match.objects.exists()


def test_it_acts_once_confirmed(client, room, alice, bob):
    client.force_login(bob)
    assert client.post(_url("leave", room), {"confirm": "1"}).status_code == 302
    assert not Participation.objects.filter(room=room, user=bob).exists()

    client.force_login(alice)
    assert client.post(_url("delete", room), {"confirm": "1"}).status_code == 302
    assert Room.objects.get(pk=room.pk).deleted_at is not None


def test_it_completes_once_confirmed(client, room, alice):
    client.force_login(alice)

    response = client.post(_url("complete", room), {"confirm": "1"})

    assert response.status_code == 302
    assert Match.objects.filter(room=room).exists()


def test_it_does_not_ask_about_what_the_user_may_not_do(client, room, charlie):
    client.force_login(charlie)

    response = client.post(_url("delete", room))

    assert response.status_code == 302  # straight to the real error
    assert Room.objects.get(pk=room.pk).deleted_at is None


def test_it_wires_a_dialog_with_data_attributes_and_a_static_script(client, room, alice, bob):
    client.force_login(alice)
    html = client.get(reverse("rooms:detail", args=[room.api_id])).content.decode()

    for action in ("delete", "complete"):
        form = re.search(rf'<form[^>]*action="{_url(action, room)}"[^>]*>', html).group(0)
        assert "data-confirm=" in form
    assert '<dialog class="confirm-dialog" id="confirm-dialog"' in html
    assert re.search(r'<script src="[^"]*js/confirm\.js"', html)
    assert finders.find("js/confirm.js")
    # Nothing the CSP would block: no inline script, no inline handler.
    assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", html)
    assert not re.search(r"\son[a-z]+=", html)

    client.force_login(bob)
    member = client.get(reverse("rooms:detail", args=[room.api_id])).content.decode()
    leave = re.search(rf'<form[^>]*action="{_url("leave", room)}"[^>]*>', member).group(0)
    assert "data-confirm=" in leave


def test_it_keeps_delete_apart_from_edit(client, room, alice):
    client.force_login(alice)
    html = client.get(reverse("rooms:detail", args=[room.api_id])).content.decode()

    actions = re.search(r'<div[^>]*class="room__actions"[^>]*>(.*?)</div>\s*(?=<div|{)', html, re.S)
    danger = re.search(r'<div class="room__danger">(.*?)</div>', html, re.S)
    assert reverse("rooms:edit", args=[room.api_id]) in actions.group(1)
    assert _url("delete", room) not in actions.group(1)
    assert _url("delete", room) in danger.group(1)
