"""The hidden author of an anonymous room stays hidden in the match it became: in the Slack
notice every member reads, and in reviews, which must not tell whether a guessed name is the
author's (SPEC sections 3, 5 and 7)."""

import pytest

from accounts.tests.factories import UserFactory
from alarms.tests.fake_slack import TOKEN, serve_fake_slack
from matching.models import ActivityMatchScore, MemberReview
from matching.tests.review_helpers import client_for, completed_room, random_match, review_body
from rooms.services import room_join
from rooms.tests.factories import RoomFactory

R = ActivityMatchScore
SECRET = "SecretAuthor"


@pytest.fixture
def author(db):
    return UserFactory(username="secret", nickname=SECRET)


@pytest.fixture
def slack(settings):
    fake, stop = serve_fake_slack()
    settings.SLACK_BOT_TOKEN = TOKEN
    settings.SLACK_API_URL = fake.url
    yield fake
    stop()


# --- The Slack notice ----------------------------------------------------------------------------


def _posted(slack) -> str:
    [posted] = slack.calls_to("chat.postMessage")
    return posted["text"]


def test_it_masks_the_anonymous_author_in_the_slack_notice(
    slack, author, bob, charlie, django_capture_on_commit_callbacks
):
    slack.users.update({author.email: "UA", bob.email: "UB", charlie.email: "UC"})
    room = RoomFactory(author=author, anonymity=True, participant_num_max=4)
    room_join(room=room, user=bob)
    room_join(room=room, user=charlie)

    # Through the API, as the React client completes a room; Slack runs after the commit.
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(author).post(f"/api/articles/{room.api_id}/complete")
    assert response.status_code == 200, response.content

    [opened] = slack.calls_to("conversations.open")
    assert set(opened["users"].split(",")) == {"UA", "UB", "UC"}  # one message to all
    text = _posted(slack)
    assert SECRET not in text
    assert "secret" not in text.lower()
    assert "익명" in text
    assert "bob" in text
    assert "charlie" in text


def test_it_names_the_author_of_a_room_that_is_not_anonymous(
    slack, author, bob, django_capture_on_commit_callbacks
):
    slack.users.update({author.email: "UA", bob.email: "UB"})
    with django_capture_on_commit_callbacks(execute=True):
        completed_room(author, bob, anonymity=False)

    text = _posted(slack)
    assert SECRET in text
    assert "익명" not in text


def test_it_names_every_member_of_a_random_match(
    slack, alice, bob, django_capture_on_commit_callbacks
):
    slack.users.update({alice.email: "UA", bob.email: "UB"})
    with django_capture_on_commit_callbacks(execute=True):
        random_match(alice, bob)

    text = _posted(slack)
    assert "alice" in text
    assert "bob" in text
    assert "매칭이 확정되었어요" in text
