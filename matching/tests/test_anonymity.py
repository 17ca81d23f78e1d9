"""The hidden author of an anonymous room stays hidden in the match it became: in the Slack
notice every member reads, and in reviews, which must not tell whether a guessed name is the
author's (SPEC sections 3, 5 and 7)."""

import pytest

from accounts.tests.factories import UserFactory
from alarms.tests.fake_slack import TOKEN, serve_fake_slack
from matching.models import ActivityMatchScore, MemberReview
from matching.tests.match_helpers import client_for, completed_room, random_match, review_body
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


# --- Reviews: the hidden author is addressed by the mask only ------------------------------------


def _review(user, match, **scores):
    return client_for(user).post(
        f"/api/matches/{match.api_id}/review", review_body(match, **scores), format="json"
    )


def _answer(response) -> tuple[int, object]:
    return response.status_code, response.json() if response.content else None


@pytest.fixture
def _reviews_open(settings):
    settings.REVIEW_DELAY_MINUTES = 0


@pytest.fixture
def pair(author, bob, _reviews_open):
    """An anonymous room by the author, joined by Bob alone."""
    _room, match = completed_room(author, bob, anonymity=True)
    return match


@pytest.fixture
def trio(author, bob, charlie, _reviews_open):
    _room, match = completed_room(author, bob, charlie, anonymity=True)
    return match


@pytest.mark.parametrize(
    "guess", [SECRET, SECRET.lower(), SECRET.upper(), "ＳｅｃｒｅｔＡｕｔｈｏｒ"]
)
def test_it_answers_a_guessed_author_name_like_any_wrong_name_in_a_pair(pair, bob, alice, guess):
    guessed = _review(bob, pair, **{guess: R.MATCH_REVIEW_5})
    unknown = _review(bob, pair, nobody=R.MATCH_REVIEW_5)
    outsider = _review(bob, pair, alice=R.MATCH_REVIEW_5)  # a real student, not in the match

    assert _answer(guessed) == _answer(unknown) == _answer(outsider)
    assert _answer(guessed)[0] == 400
    assert _answer(guessed)[1]["code"] == "MCH003"
    assert not MemberReview.objects.exists()


def test_it_answers_a_guessed_author_name_like_any_wrong_name_in_a_group(trio, bob, alice):
    guessed = _review(bob, trio, **{SECRET: R.MATCH_REVIEW_5, "charlie": R.MATCH_REVIEW_3})
    unknown = _review(bob, trio, nobody=R.MATCH_REVIEW_5, charlie=R.MATCH_REVIEW_3)
    outsider = _review(bob, trio, alice=R.MATCH_REVIEW_5, charlie=R.MATCH_REVIEW_3)

    assert _answer(guessed) == _answer(unknown) == _answer(outsider)
    assert _answer(guessed)[1]["code"] == "MCH003"
    assert not MemberReview.objects.exists()


def test_it_answers_an_outsiders_guess_like_any_other_outsider_review(trio, alice):
    guessed = _review(alice, trio, **{SECRET: R.MATCH_REVIEW_5})
    unknown = _review(alice, trio, nobody=R.MATCH_REVIEW_5)

    assert _answer(guessed) == _answer(unknown)
    assert _answer(guessed)[1]["code"] == "MCH002"


@pytest.mark.parametrize("mask", ["익명", "anonymous", "Anonymous"])
def test_it_lets_members_address_the_hidden_author_by_the_mask(pair, author, bob, mask):
    response = _review(bob, pair, **{mask: R.MATCH_REVIEW_4})

    assert response.status_code == 200, response.content
    assert MemberReview.objects.get(reviewer=bob).target_id == author.pk


def test_it_lets_the_hidden_author_review_the_others(trio, author, bob, charlie):
    response = _review(author, trio, bob=R.MATCH_REVIEW_5, charlie=R.MATCH_REVIEW_2)

    assert response.status_code == 200, response.content


@pytest.mark.parametrize("name", [SECRET, "익명"])
def test_it_refuses_the_author_reviewing_themself_by_either_name(pair, author, name):
    response = _review(author, pair, **{name: R.MATCH_REVIEW_5, "bob": R.MATCH_REVIEW_5})

    assert _answer(response)[1]["code"] == "MCH004"


@pytest.mark.usefixtures("_reviews_open")
@pytest.mark.parametrize("name", [SECRET, "익명"])
def test_it_lets_an_operator_who_sees_the_author_use_either_name(author, operator, name):
    _room, match = completed_room(author, operator, anonymity=True)

    response = _review(operator, match, **{name: R.MATCH_REVIEW_3})

    assert response.status_code == 200, response.content
    assert MemberReview.objects.get(reviewer=operator).target_id == author.pk


@pytest.mark.usefixtures("_reviews_open")
def test_it_keeps_real_names_in_a_room_that_is_not_anonymous(author, bob):
    _room, match = completed_room(author, bob, anonymity=False)

    assert _answer(_review(bob, match, **{"익명": R.MATCH_REVIEW_3}))[1]["code"] == "MCH003"
    assert _review(bob, match, **{SECRET: R.MATCH_REVIEW_3}).status_code == 200


def test_it_still_takes_a_visible_members_name_in_any_case(trio, bob, charlie):
    response = _review(bob, trio, **{"익명": R.MATCH_REVIEW_5, "CHARLIE": R.MATCH_REVIEW_3})

    assert response.status_code == 200, response.content
    assert MemberReview.objects.get(reviewer=bob, target=charlie).score_kind == R.MATCH_REVIEW_3


# --- Review pages: nothing of the author reaches the other members -------------------------------


def _leaks(page: str, author) -> list[str]:
    return [secret for secret in (SECRET, author.username, str(author.api_id)) if secret in page]


def test_it_keeps_the_author_out_of_the_review_forms_and_pages(client, pair, author, bob):
    client.force_login(bob)

    pages = {
        "mypage": client.get("/me/history/").text,
        "match": client.get(f"/matches/{pair.api_id}/").text,
        "refused form": client.post(f"/matches/{pair.api_id}/review/", {}).text,
    }

    for name, page in pages.items():
        assert 'class="review-form"' in page, name
        assert _leaks(page, author) == [], name


def test_it_reviews_the_hidden_author_from_the_page_form(client, pair, author, bob):
    client.force_login(bob)

    response = client.post(f"/matches/{pair.api_id}/review/", {"score_0": R.MATCH_REVIEW_5})

    assert response.status_code == 302
    assert MemberReview.objects.get(reviewer=bob).target_id == author.pk
