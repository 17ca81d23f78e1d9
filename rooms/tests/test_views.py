from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from rooms import services
from rooms.models import Comment, Participation, Room
from rooms.tests.factories import CommentFactory, RoomFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def as_user(client):
    def login(user):
        client.force_login(user)
        return client

    return login


def detail_url(room):
    return reverse("rooms:detail", args=[room.api_id])


def room_form(**overrides):
    form = {
        "category": "MEAL",
        "title": "점심 먹어요",
        "date": (services.room_today() + timedelta(days=1)).isoformat(),
        "participant_num_max": "4",
        "content": "개포에서 만나요",
        "places": ["GAEPO"],
        "times_of_eating": ["LUNCH"],
        "ways_of_eating": ["EATOUT", "TAKEOUT"],
    }
    form.update(overrides)
    return form


# --- board --------------------------------------------------------------------------------------


def test_it_sends_visitors_to_the_login(client):
    response = client.get(reverse("rooms:board"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_it_shows_the_board_of_a_category(as_user, alice, bob):
    RoomFactory(author=alice, title="개포 점심")
    RoomFactory(author=alice, title="알고리즘 스터디", category="STUDY")

    meal = as_user(bob).get(reverse("rooms:board")).text
    study = as_user(bob).get(reverse("rooms:board"), {"category": "STUDY"}).text

    assert "개포 점심" in meal
    assert "알고리즘 스터디" not in meal
    assert "점심 식사" in meal  # condition labels
    assert "1/4" in meal
    assert "알고리즘 스터디" in study


def test_it_filters_the_board(as_user, alice, bob):
    RoomFactory(author=alice, title="열린 방")
    done = RoomFactory(author=alice, title="끝난 방")
    Room.objects.filter(pk=done.pk).update(is_complete=True)
    RoomFactory(author=alice, title="서초 방", conditions={"PLACE": ["SEOCHO"]})
    client = as_user(bob)
    url = reverse("rooms:board")

    default = client.get(url).text
    assert "열린 방" in default
    assert "끝난 방" not in default
    assert "끝난 방" in client.get(url, {"status": "complete"}).text
    seocho = client.get(url, {"places": "SEOCHO"}).text
    assert "서초 방" in seocho
    assert "열린 방" not in seocho
    # Nonsense filters are dropped, never an error page.
    weird = client.get(url, {"status": "zzz", "places": "MOON", "page": "-3", "size": "x"})
    assert weird.status_code == 200
    assert "열린 방" in weird.text


def test_it_hides_anonymous_authors_on_the_board(as_user, alice, bob):
    RoomFactory(author=alice, anonymity=True, title="비밀 방")

    seen_by_bob = as_user(bob).get(reverse("rooms:board")).text
    assert "비밀 방" in seen_by_bob
    assert "익명" in seen_by_bob
    assert "alice" not in seen_by_bob
    assert "alice" in as_user(alice).get(reverse("rooms:board")).text


def test_it_scrolls_with_htmx_and_pages_without_it(as_user, alice):
    today = services.room_today()
    for day in range(5):
        RoomFactory(author=alice, title=f"방{day}", date=today + timedelta(days=day))
    client = as_user(alice)

    # Soonest meeting first: today's room leads.
    first = client.get(reverse("rooms:board"), {"size": 2}).text
    assert "방0" in first
    assert 'hx-trigger="revealed"' in first
    assert "page=1" in first  # the plain link for browsers without JavaScript

    partial = client.get(reverse("rooms:board"), {"size": 2, "page": 1}, HTTP_HX_REQUEST="true")
    assert "<html" not in partial.text
    assert "방2" in partial.text
    assert "page=2" in partial.text
    assert "HX-Request" in partial["Vary"]

    last = client.get(reverse("rooms:board"), {"size": 2, "page": 2}, HTTP_HX_REQUEST="true")
    assert "방4" in last.text
    assert "revealed" not in last.text


def test_it_reads_a_board_page_in_the_same_number_of_queries_whatever_its_size(as_user, alice, bob):
    for n in range(45):
        room = RoomFactory(author=alice if n % 2 else bob, anonymity=n % 4 == 0)
        CommentFactory(room=room, author=bob)
    client = as_user(bob)

    counts = {}
    for size in (3, 20):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(reverse("rooms:board"), {"size": size, "page": 1})
        assert response.status_code == 200
        counts[size] = len(queries)
    assert counts[3] == counts[20], counts
    # Session, user, rooms, authors, conditions; a few more from the page shell at most.
    assert counts[3] <= 7, counts


# --- create and edit ----------------------------------------------------------------------------


def test_it_asks_for_the_category_first(as_user, alice):
    response = as_user(alice).get(reverse("rooms:create"))
    assert "?category=MEAL" in response.text
    assert "?category=STUDY" in response.text


def test_it_shows_the_condition_pickers_of_the_category(as_user, alice):
    meal = as_user(alice).get(reverse("rooms:create"), {"category": "MEAL"}).text
    study = as_user(alice).get(reverse("rooms:create"), {"category": "study"}).text
    assert 'name="times_of_eating"' in meal
    assert 'name="types_of_study"' not in meal
    assert 'name="types_of_study"' in study
    assert 'name="ways_of_eating"' not in study


def test_it_creates_a_room_from_the_form(as_user, alice):
    response = as_user(alice).post(reverse("rooms:create"), room_form())

    room = Room.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(room)
    assert (room.title, room.author, room.participant_num) == ("점심 먹어요", alice, 1)
    assert set(room.conditions.values_list("value", flat=True)) == {
        "GAEPO",
        "LUNCH",
        "EATOUT",
        "TAKEOUT",
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"date": "2001-01-01"}, "게시글의 날짜가 과거입니다."),
        ({"participant_num_max": "1"}, "2"),
        ({"participant_num_max": "21"}, "20"),
        ({"title": ""}, "필수"),
        ({"title": "x" * 300}, "255"),
        ({"date": "soon"}, "날짜"),
        ({"places": ["MOON"]}, "MOON"),
    ],
)
def test_it_shows_form_errors_and_saves_nothing(as_user, alice, change, message):
    response = as_user(alice).post(reverse("rooms:create"), room_form(**change))
    assert response.status_code == 400
    assert 'class="form-error"' in response.text
    assert message in response.text
    assert not Room.objects.exists()


def test_it_edits_a_room(as_user, alice, bob):
    room = RoomFactory(author=alice)
    services.room_join(room=room, user=bob)
    url = reverse("rooms:edit", args=[room.api_id])

    form = as_user(alice).get(url).text
    assert 'value="GAEPO" id="id_places_1" checked' in form

    refused = as_user(alice).post(url, room_form(participant_num_max="1"))
    assert refused.status_code == 400
    below = as_user(alice).post(url, room_form(participant_num_max="2", title="둘만"))
    assert below.status_code == 302
    room.refresh_from_db()
    assert (room.title, room.participant_num_max) == ("둘만", 2)


def test_it_refuses_the_edit_page_to_others(as_user, alice, bob):
    room = RoomFactory(author=alice)
    url = reverse("rooms:edit", args=[room.api_id])

    assert as_user(bob).get(url)["Location"] == detail_url(room)
    response = as_user(bob).post(url, room_form(title="해킹"), follow=True)
    assert "게시글의 작성자가 아닙니다." in response.text
    room.refresh_from_db()
    assert room.title != "해킹"


# --- detail and actions -------------------------------------------------------------------------


def test_it_shows_the_buttons_each_one_may_use(as_user, alice, bob, charlie, operator):
    room = RoomFactory(author=alice, participant_num_max=2)

    as_author = as_user(alice).get(detail_url(room)).text
    assert "고치기" in as_author
    assert "참여하기" not in as_author
    assert "참여 취소" not in as_author

    as_outsider = as_user(bob).get(detail_url(room)).text
    assert "참여하기" in as_outsider
    assert "고치기" not in as_outsider

    services.room_join(room=room, user=bob)
    as_member = as_user(bob).get(detail_url(room)).text
    assert "참여 취소" in as_member
    assert "참여하기" not in as_member

    full = as_user(charlie).get(detail_url(room)).text
    assert "인원이 다 찼어요." in full
    assert "참여하기" not in full

    assert "고치기" in as_user(operator).get(detail_url(room)).text


def test_it_joins_and_leaves_from_the_page(as_user, alice, bob):
    room = RoomFactory(author=alice)
    client = as_user(bob)

    response = client.post(reverse("rooms:join", args=[room.api_id]), follow=True)
    assert "참여했어요." in response.text
    assert Participation.objects.filter(room=room, user=bob).exists()

    again = client.post(reverse("rooms:join", args=[room.api_id]), follow=True)
    assert "이미 참여한 방입니다." in again.text

    client.post(reverse("rooms:leave", args=[room.api_id]), {"confirm": "1"})
    assert not Participation.objects.filter(room=room, user=bob).exists()
    refused = as_user(alice).post(reverse("rooms:leave", args=[room.api_id]), follow=True)
    assert "작성자는 참여를 취소할 수 없습니다." in refused.text


def test_it_refuses_page_actions_by_get(as_user, alice):
    room = RoomFactory(author=alice)
    assert as_user(alice).get(reverse("rooms:delete", args=[room.api_id])).status_code == 405


def test_it_deletes_and_restores_from_the_page(as_user, alice, bob, operator):
    room = RoomFactory(author=alice)

    refused = as_user(bob).post(reverse("rooms:delete", args=[room.api_id]), follow=True)
    assert "게시글의 작성자가 아닙니다." in refused.text
    response = as_user(alice).post(reverse("rooms:delete", args=[room.api_id]), {"confirm": "1"})
    assert response.status_code == 302
    assert as_user(bob).get(detail_url(room)).status_code == 404
    assert as_user(alice).post(reverse("rooms:join", args=[room.api_id])).status_code == 404

    as_operator = as_user(operator).get(detail_url(room)).text
    assert "삭제된 방" in as_operator
    assert "복구" in as_operator
    as_user(operator).post(reverse("rooms:restore", args=[room.api_id]))
    assert as_user(bob).get(detail_url(room)).status_code == 200


def test_it_answers_404_for_unknown_rooms(as_user, alice):
    url = reverse("rooms:detail", args=["00000000-0000-0000-0000-000000000000"])
    assert as_user(alice).get(url).status_code == 404
    assert as_user(alice).get("/rooms/not-a-uuid/").status_code == 404


def test_it_hides_the_anonymous_author_on_the_room_page(as_user, alice, bob, operator):
    room = RoomFactory(author=alice, anonymity=True)
    CommentFactory(room=room, author=alice, content="방장 댓글")

    seen_by_bob = as_user(bob).get(detail_url(room)).text
    assert "alice" not in seen_by_bob
    assert "방장 댓글" in seen_by_bob
    assert "익명" in seen_by_bob
    assert "alice" in as_user(operator).get(detail_url(room)).text


# --- comments -----------------------------------------------------------------------------------


def test_it_comments_replies_edits_and_deletes_from_the_page(as_user, alice, bob):
    room = RoomFactory(author=alice)
    client = as_user(bob)
    create_url = reverse("rooms:comment-create", args=[room.api_id])

    client.post(create_url, {"content": "첫 댓글"})
    top = Comment.objects.get()
    as_user(alice).post(create_url, {"content": "답글이에요", "parent": str(top.api_id)})
    reply = Comment.objects.get(parent=top)
    assert reply.level == 2

    page = as_user(bob).get(detail_url(room)).text
    assert "첫 댓글" in page
    assert "답글이에요" in page
    assert "comment-list--replies" in page

    edit_url = reverse("rooms:comment-edit", args=[top.api_id])
    assert as_user(bob).get(edit_url).status_code == 200
    as_user(bob).post(edit_url, {"content": "고친 댓글"})
    top.refresh_from_db()
    assert top.content == "고친 댓글"

    refused = as_user(alice).post(edit_url, {"content": "남의 댓글"}, follow=True)
    assert "의견의 작성자가 아닙니다." in refused.text

    as_user(bob).post(reverse("rooms:comment-delete", args=[top.api_id]))
    page = as_user(bob).get(detail_url(room)).text
    assert "삭제된 댓글입니다." in page  # kept for its reply
    assert "답글이에요" in page
    assert "고친 댓글" not in page


def test_it_refuses_bad_comments_on_the_page(as_user, alice):
    room = RoomFactory(author=alice)
    url = reverse("rooms:comment-create", args=[room.api_id])

    response = as_user(alice).post(url, {"content": ""}, follow=True)
    assert response.status_code == 200
    assert 'class="message message--error"' in response.text
    too_long = as_user(alice).post(url, {"content": "x" * 1001}, follow=True)
    assert 'class="message message--error"' in too_long.text
    unknown_parent = as_user(alice).post(
        url, {"content": "x", "parent": "00000000-0000-0000-0000-000000000000"}
    )
    assert unknown_parent.status_code == 404
    assert not Comment.objects.exists()


# --- Find your way (issue 13 item 6) ------------------------------------------------------------


def test_every_page_links_the_five_places_in_the_header_and_the_phone_tab_bar(as_user, alice):
    page = as_user(alice).get(reverse("rooms:board")).content.decode()
    tabbar = page[page.index('class="tabbar"') :]
    header = page[page.index('class="main-nav"') : page.index('class="user-nav"')]
    places = ("rooms:board", "matching:random", "restaurants:list", "alarms:list", "mypage:index")
    for name in places:
        assert f'href="{reverse(name)}"' in tabbar
    for name in ("rooms:board", "rooms:mine", "matching:random", "restaurants:list"):
        assert f'href="{reverse(name)}"' in header
    assert 'href="/rooms/" aria-current="page"' in tabbar  # where I am
    board = page[page.index('class="board__head"') : page.index('class="tabs"')]
    assert f'href="{reverse("rooms:mine")}"' in board  # my rooms, one tap from the board


def test_it_lists_my_open_rooms_written_or_joined(as_user, alice, bob, charlie):
    mine = RoomFactory(author=alice, title="내가 쓴 방")
    joined = RoomFactory(author=bob, title="들어간 방")
    services.room_join(room=joined, user=alice)
    RoomFactory(author=bob, title="남의 방")
    done = RoomFactory(author=alice, title="끝난 점심")
    services.room_join(room=done, user=charlie)
    services.room_complete(room=done, user=alice)
    gone = RoomFactory(author=alice, title="지운 방")
    services.room_delete(room=gone, user=alice)
    secret = RoomFactory(author=charlie, title="익명 방", anonymity=True)
    services.room_join(room=secret, user=alice)

    page = as_user(alice).get(reverse("rooms:mine")).content.decode()

    assert detail_url(mine) in page
    assert detail_url(joined) in page
    assert detail_url(secret) in page
    assert charlie.nickname not in page  # the anonymous author stays hidden
    for title in ("남의 방", "끝난 점심", "지운 방"):
        assert title not in page


def test_it_reads_my_rooms_in_a_fixed_number_of_queries(alice, bob, django_assert_num_queries):
    for _ in range(2):
        RoomFactory(author=alice)
    with django_assert_num_queries(3):
        assert len(selectors_room_list_mine(alice)) == 2
    for _ in range(5):
        room = RoomFactory(author=bob)
        services.room_join(room=room, user=alice)
        CommentFactory(room=room, author=bob)
    with django_assert_num_queries(3):
        assert len(selectors_room_list_mine(alice)) == 7


def selectors_room_list_mine(user):
    from rooms.selectors import room_list_mine

    return room_list_mine(user=user)
