import pytest

from partner42.pagination import SliceParams
from rooms import selectors, services
from rooms.tests.factories import CommentFactory, RoomFactory

pytestmark = pytest.mark.django_db


def test_it_flattens_deep_replies_under_their_top_comment(alice, bob, charlie):
    room = RoomFactory(author=alice)
    top = CommentFactory(room=room, author=bob, content="top")
    reply = CommentFactory(room=room, author=charlie, content="reply", parent=top)
    CommentFactory(room=room, author=alice, content="reply to reply", parent=reply)
    CommentFactory(room=room, author=charlie, content="second top")

    tree = selectors.comment_tree(room=room, viewer=bob)

    assert [node.comment.content for node in tree] == ["top", "second top"]
    assert [node.comment.content for node in tree[0].replies] == ["reply", "reply to reply"]
    assert [node.is_room_author for node in tree[0].replies] == [False, True]


def test_it_keeps_deleted_comments_only_while_they_have_live_replies(alice, bob):
    room = RoomFactory(author=alice)
    kept = CommentFactory(room=room, author=bob, content="kept")
    CommentFactory(room=room, author=alice, content="answer", parent=kept)
    dropped = CommentFactory(room=room, author=bob, content="dropped")
    services.comment_delete(comment=kept, user=bob)
    services.comment_delete(comment=dropped, user=bob)

    tree = selectors.comment_tree(room=room, viewer=bob)

    assert [node.comment.content for node in tree] == ["kept"]
    assert tree[0].comment.deleted_at is not None
    assert tree[0].can_manage is False
    assert [node.comment.content for node in tree[0].replies] == ["answer"]


def test_it_lets_authors_and_operators_manage_comments(alice, bob, operator):
    room = RoomFactory(author=alice)
    CommentFactory(room=room, author=bob)

    assert selectors.comment_tree(room=room, viewer=bob)[0].can_manage
    assert selectors.comment_tree(room=room, viewer=operator)[0].can_manage
    assert not selectors.comment_tree(room=room, viewer=alice)[0].can_manage


def test_it_tells_who_may_do_what_on_a_room(alice, bob, charlie, operator):
    room = RoomFactory(author=alice, participant_num_max=2)

    for_bob = selectors.room_detail(room=room, viewer=bob)
    assert (for_bob.can_join, for_bob.can_leave, for_bob.can_manage) == (True, False, False)
    room = services.room_join(room=room, user=bob).room
    for_bob = selectors.room_detail(room=room, viewer=bob)
    assert (for_bob.can_join, for_bob.can_leave, for_bob.is_member) == (False, True, True)
    assert selectors.room_detail(room=room, viewer=charlie).can_join is False  # full
    for_alice = selectors.room_detail(room=room, viewer=alice)
    assert (for_alice.can_leave, for_alice.can_manage) == (False, True)
    assert selectors.room_detail(room=room, viewer=operator).can_manage is True
    assert selectors.room_detail(room=room, viewer=None).can_join is False


def test_it_filters_by_conditions_within_and_across_kinds(alice):
    lunch_gaepo = RoomFactory(
        author=alice, conditions={"PLACE": ["GAEPO"], "TIME_OF_EATING": ["LUNCH"]}
    )
    dinner_gaepo = RoomFactory(
        author=alice, conditions={"PLACE": ["GAEPO"], "TIME_OF_EATING": ["DINNER"]}
    )
    RoomFactory(author=alice, conditions={"PLACE": ["SEOCHO"], "TIME_OF_EATING": ["LUNCH"]})
    params = SliceParams(page=0, size=20, order_by=["pk"])

    def titles(**conditions):
        filters = selectors.BoardFilters(conditions=conditions)
        items, _ = selectors.room_board(filters=filters, params=params, use_cache=False)
        return {item["title"] for item in items}

    assert titles(PLACE=("GAEPO",)) == {lunch_gaepo.title, dinner_gaepo.title}
    assert titles(PLACE=("GAEPO",), TIME_OF_EATING=("LUNCH",)) == {lunch_gaepo.title}
    assert len(titles(TIME_OF_EATING=("LUNCH", "DINNER"))) == 3


def test_it_lets_the_author_or_an_operator_complete_once_someone_joined(
    alice, bob, charlie, operator
):
    room = RoomFactory(author=alice, participant_num_max=4)
    # AR009: nobody besides the author yet.
    assert not selectors.room_detail(room=room, viewer=alice).can_complete
    services.room_join(room=room, user=bob)
    room.refresh_from_db()
    assert selectors.room_detail(room=room, viewer=alice).can_complete
    assert selectors.room_detail(room=room, viewer=operator).can_complete
    assert not selectors.room_detail(room=room, viewer=bob).can_complete
    assert not selectors.room_detail(room=room, viewer=charlie).can_complete


def test_it_has_one_author_or_operator_rule(alice, bob, operator):
    from django.contrib.auth.models import AnonymousUser

    from accounts.selectors import user_is_author_or_operator

    assert user_is_author_or_operator(alice, author_pk=alice.pk)
    assert user_is_author_or_operator(operator, author_pk=alice.pk)
    assert not user_is_author_or_operator(bob, author_pk=alice.pk)
    assert not user_is_author_or_operator(AnonymousUser(), author_pk=None)
    assert not user_is_author_or_operator(None, author_pk=alice.pk)
