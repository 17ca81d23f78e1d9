"""Fellow members' introductions (bio, interests) on the match page and in the Slack notice;
the hidden author of an anonymous room shows neither to those it is hidden from."""

import pytest
from django.urls import reverse

from accounts.services import user_profile_update
from accounts.tests.factories import UserFactory
from alarms.slack import NoticeMember, match_notice_text
from alarms.tests.fake_slack import TOKEN, serve_fake_slack
from matching.services.random import matchmaking_run, random_match_request_create
from matching.tests.match_helpers import completed_room
from tests.html_checks import dangling_descriptions

SECRET_TAG = "비밀취미"
SECRET_BIO = "작성자만의 소개"


@pytest.fixture
def slack(settings, db):
    fake, stop = serve_fake_slack()
    settings.SLACK_BOT_TOKEN = TOKEN
    settings.SLACK_API_URL = fake.url
    yield fake
    stop()


@pytest.fixture
def introduced(alice, bob, charlie):
    user_profile_update(user=alice, bio=SECRET_BIO, interests=[SECRET_TAG, "요리"])
    user_profile_update(user=bob, bio="보드게임 좋아해요\n주말에 자주 와요", interests=["보드게임"])
    user_profile_update(user=charlie, bio="", interests=["Python", "등산"])


def _page(client, viewer, match) -> str:
    client.force_login(viewer)
    response = client.get(reverse("mypage:match_detail", args=[match.api_id]))
    assert response.status_code == 200
    return response.content.decode()


# --- The match page -------------------------------------------------------------------------------


def test_it_shows_the_other_members_introductions(client, introduced, alice, bob, charlie):
    _room, match = completed_room(alice, bob, charlie, participant_num_max=3)

    html = _page(client, bob, match)

    assert SECRET_BIO in html
    assert "<li>요리</li>" in html
    assert "<li>Python</li><li>등산</li>" in html
    assert "보드게임 좋아해요<br>주말에 자주 와요" not in html  # not my own, I know it
    assert 'aria-label="charlie의 관심사"' in html
    assert dangling_descriptions(html) == []


def test_it_hides_the_anonymous_authors_introduction_from_the_others(
    client, introduced, alice, bob, charlie
):
    _room, match = completed_room(alice, bob, charlie, participant_num_max=3, anonymity=True)

    html = _page(client, bob, match)

    assert SECRET_BIO not in html
    assert SECRET_TAG not in html
    assert "<li>Python</li>" in html  # the others' introductions stay


def test_it_shows_the_anonymous_authors_introduction_to_an_operator(
    client, introduced, alice, bob, operator
):
    _room, match = completed_room(alice, bob, participant_num_max=2, anonymity=True)

    assert SECRET_TAG in _page(client, operator, match)


def test_it_gives_the_introductions_in_the_match_api(api_client, introduced, alice, bob, charlie):
    _room, match = completed_room(alice, bob, charlie, participant_num_max=3, anonymity=True)
    api_client.force_authenticate(user=charlie)

    members = api_client.get(f"/api/matches/{match.api_id}").json()["participantsOrAuthor"]

    assert [(m["nickname"], m["bio"], m["interests"]) for m in members] == [
        ("익명", "", []),  # the hidden author: neither bio nor interests
        ("bob", "보드게임 좋아해요\n주말에 자주 와요", ["보드게임"]),
        ("charlie", "", ["Python", "등산"]),
    ]
    assert SECRET_BIO not in str(members)
    assert SECRET_TAG not in str(members)


def test_it_gives_the_introductions_in_the_match_list(api_client, introduced, alice, bob):
    _room, _match = completed_room(alice, bob, participant_num_max=2)
    api_client.force_authenticate(user=bob)

    (match,) = api_client.get("/api/matches").json()["content"]

    assert match["participantsOrAuthor"][0]["bio"] == SECRET_BIO
    assert match["participantsOrAuthor"][0]["interests"] == [SECRET_TAG, "요리"]


def test_it_reads_the_introductions_in_the_same_queries(
    client, alice, bob, charlie, django_assert_num_queries, settings
):
    # The restaurant cache is per process and shared-invalidated: a cold copy costs a query, so
    # whether it is warm depends on the tests before. Without it both requests read the same way.
    settings.RESTAURANT_CACHE_SECONDS = 0
    _room, match = completed_room(alice, bob, charlie, participant_num_max=3)
    client.force_login(bob)
    url = reverse("mypage:match_detail", args=[match.api_id])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for user in (alice, charlie):
        user_profile_update(user=user, bio="안녕", interests=["a", "b", "c"])

    with django_assert_num_queries(len(before)):
        client.get(url)


# --- The Slack notice -----------------------------------------------------------------------------


def test_it_gives_the_first_line_of_each_bio_in_the_notice():
    text = match_notice_text(
        category_label="식사",
        method_label="방 매칭",
        members=[
            NoticeMember(
                "alice", bio="\n  보드게임 좋아해요  \n주말에 자주 와요", interests=("보드게임",)
            ),
            NoticeMember("bob", bio="가" * 200),
            NoticeMember("charlie"),
        ],
    )

    assert text.splitlines()[:5] == [
        "[42Partner] 식사 매칭이 확정되었어요! (방 매칭)",
        "함께할 동료: alice, bob, charlie",
        "한 줄 소개",
        "· alice: 보드게임 좋아해요",
        "· bob: " + "가" * 79 + "…",
    ]
    assert "주말에" not in text  # the first line only: the match page has the rest
    assert "· alice: 보드게임" in text.split("관심사")[1]


def test_it_never_gives_a_hidden_members_bio():
    text = match_notice_text(
        category_label="식사",
        method_label="방 매칭",
        members=[NoticeMember("alice", hidden=True, bio=SECRET_BIO), NoticeMember("bob")],
    )

    assert SECRET_BIO not in text
    assert "한 줄 소개" not in text


def test_it_lists_the_members_interests_in_the_notice():
    text = match_notice_text(
        category_label="식사",
        method_label="랜덤 매칭",
        members=[
            NoticeMember("alice", interests=("요리", "Python")),
            NoticeMember("bob"),
            NoticeMember("charlie", interests=("등산",)),
        ],
    )

    assert text.splitlines() == [
        "[42Partner] 식사 매칭이 확정되었어요! (랜덤 매칭)",
        "함께할 동료: alice, bob, charlie",
        "관심사",
        "· alice: 요리, Python",
        "· charlie: 등산",
        "이 대화방에서 시간과 장소를 정해 보세요.",
    ]


def test_it_writes_no_interests_part_when_nobody_has_any():
    text = match_notice_text(
        category_label="공부",
        method_label="방 매칭",
        members=[NoticeMember("a"), NoticeMember("b")],
    )
    assert "관심사" not in text


def test_it_never_lists_a_hidden_members_interests():
    text = match_notice_text(
        category_label="식사",
        method_label="방 매칭",
        members=[NoticeMember("secret", hidden=True, interests=(SECRET_TAG,)), NoticeMember("b")],
    )
    assert SECRET_TAG not in text
    assert "관심사" not in text


def test_it_posts_the_interests_of_a_rooms_match(
    slack, introduced, alice, bob, django_capture_on_commit_callbacks
):
    slack.users.update({alice.email: "UA", bob.email: "UB"})
    with django_capture_on_commit_callbacks(execute=True):
        completed_room(alice, bob, participant_num_max=2)

    [posted] = slack.calls_to("chat.postMessage")
    assert f"· alice: {SECRET_TAG}, 요리" in posted["text"]
    assert "· bob: 보드게임" in posted["text"]
    assert f"· alice: {SECRET_BIO}" in posted["text"]
    assert "· bob: 보드게임 좋아해요" in posted["text"]


def test_it_keeps_an_anonymous_authors_interests_out_of_slack(
    slack, introduced, alice, bob, django_capture_on_commit_callbacks
):
    slack.users.update({alice.email: "UA", bob.email: "UB"})
    with django_capture_on_commit_callbacks(execute=True):
        completed_room(alice, bob, participant_num_max=2, anonymity=True)

    [posted] = slack.calls_to("chat.postMessage")
    assert SECRET_TAG not in posted["text"]
    assert SECRET_BIO not in posted["text"]
    assert "· bob: 보드게임" in posted["text"]


def test_it_posts_the_interests_of_a_random_match(
    slack, introduced, bob, charlie, django_capture_on_commit_callbacks
):
    slack.users.update({bob.email: "UB", charlie.email: "UC"})
    with django_capture_on_commit_callbacks(execute=True):
        for user in (bob, charlie):
            random_match_request_create(user=user, category="MEAL")
        matchmaking_run()

    texts = [call["text"] for call in slack.calls_to("chat.postMessage")]
    assert len(texts) == 1
    assert "· bob: 보드게임" in texts[0]
    assert "· charlie: Python, 등산" in texts[0]


def test_it_loads_a_random_matchs_members_without_a_query_each(
    bob, charlie, django_capture_on_commit_callbacks
):
    # The matchmaker loads the columns the match reads (the muted kinds, the bio, the interests),
    # the Slack notice's text (written after commit) included.
    others = [UserFactory(bio="안녕하세요") for _ in range(4)]
    for user in (bob, charlie, *others):
        random_match_request_create(user=user, category="MEAL")
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with (
        CaptureQueriesContext(connection) as captured,
        django_capture_on_commit_callbacks(execute=True) as callbacks,
    ):
        matchmaking_run()

    assert callbacks  # the notices' callbacks ran, inside the capture

    # A deferred column is loaded by one SELECT on that user's id, per user and column.
    one_user = "FROM `accounts_user` WHERE `accounts_user`.`id` = "
    assert [q["sql"] for q in captured if one_user in q["sql"]] == []


def test_the_matchmaker_only_enqueues_the_notice_and_the_worker_writes_it(
    monkeypatch, settings, introduced, bob, charlie, django_capture_on_commit_callbacks
):
    # The notice's text reads the members and a meal match's suggestions: the default worker
    # does that, not the matchmaker, whose after-commit work is one publish per batch.
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from matching import tasks as matching_tasks
    from matching.models import Match
    from matching.services.matches import match_slack_notice_send

    settings.SLACK_BOT_TOKEN = "xoxb-test"
    enqueued = []
    monkeypatch.setattr(
        matching_tasks.match_slack_notices_task, "delay", lambda *args: enqueued.append(args)
    )
    for user in (bob, charlie):
        random_match_request_create(user=user, category="MEAL")

    with (
        CaptureQueriesContext(connection) as captured,
        django_capture_on_commit_callbacks(execute=True),
    ):
        matchmaking_run()

    match = Match.objects.get()
    assert enqueued == [([str(match.api_id)],)]
    assert not [q for q in captured if "restaurants_" in q["sql"]]

    from alarms import tasks as alarm_tasks

    sent = []
    monkeypatch.setattr(
        alarm_tasks.slack_match_notice_task,
        "delay",
        lambda emails, text, **kwargs: sent.append((emails, text, kwargs["match_id"])),
    )
    assert match_slack_notice_send(match_id=str(match.api_id)) is True
    [(emails, text, match_id)] = sent
    assert sorted(emails) == sorted([bob.email, charlie.email])
    assert "· bob: 보드게임 좋아해요" in text
    assert match_id == str(match.api_id)


def test_the_worker_writes_no_notice_without_slack(settings, alice, bob, monkeypatch):
    from alarms import tasks as alarm_tasks
    from matching.services.matches import match_slack_notice_send

    settings.SLACK_BOT_TOKEN = ""
    _room, match = completed_room(alice, bob, participant_num_max=2)
    sent = []
    monkeypatch.setattr(
        alarm_tasks.slack_match_notice_task, "delay", lambda *a, **k: sent.append(a)
    )

    assert match_slack_notice_send(match_id=str(match.api_id)) is False
    settings.SLACK_BOT_TOKEN = "xoxb-test"
    assert match_slack_notice_send(match_id="00000000-0000-0000-0000-000000000000") is False
    assert sent == []


def test_one_notice_that_fails_does_not_stop_the_others_of_its_batch(
    settings, alice, bob, charlie, monkeypatch
):
    from alarms import tasks as alarm_tasks
    from matching import tasks as matching_tasks
    from matching.services import matches as match_services

    settings.SLACK_BOT_TOKEN = "xoxb-test"
    _room, broken = completed_room(alice, bob, participant_num_max=2)
    _room, fine = completed_room(charlie, bob, participant_num_max=2)
    real_buttons = match_services.match_notice_buttons

    def buttons(match, users):
        if match.pk == broken.pk:
            raise RuntimeError("a notice that cannot be written")
        return real_buttons(match, users)

    monkeypatch.setattr(match_services, "match_notice_buttons", buttons)
    sent = []
    monkeypatch.setattr(
        alarm_tasks.slack_match_notice_task, "delay", lambda *a, **k: sent.append(k["match_id"])
    )

    ids = [str(broken.api_id), "00000000-0000-0000-0000-000000000000", str(fine.api_id)]
    assert matching_tasks.match_slack_notices_task.apply(args=[ids]).get() == 1
    assert sent == [str(fine.api_id)]
