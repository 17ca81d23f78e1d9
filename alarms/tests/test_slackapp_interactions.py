"""Button presses: the action registry, replies to the response_url, hostile payloads."""

import json

import pytest

from alarms.slackapp import interactions
from alarms.slackapp.blocks import MATCH_BLOCK_PREFIX, OPEN_MATCH
from alarms.slackapp.interactions import ActionContext, register_action
from alarms.tests.slack_requests import (
    INTERACTIONS,
    action,
    actions_payload,
    send_interaction,
    signed_post,
    slack_user_id,
)
from matching.models import Match
from matching.selectors.matches import NotMatchMemberError
from matching.views.slack import action_match
from rooms import services as room_services
from rooms.tests.factories import RoomFactory


@pytest.fixture
def linked(slack_app, alice):
    user_id = slack_user_id()
    slack_app.users[alice.email] = user_id
    return user_id


@pytest.fixture
def hook(slack_app):
    return slack_app.hooks_url + "actions/T0001/1/secret"


@pytest.fixture
def match(alice, bob) -> Match:
    room = RoomFactory(author=alice, participant_num_max=2)
    room_services.room_join(room=room, user=bob)
    return room_services.room_complete(room=room, user=alice)


@pytest.fixture
def pressed(monkeypatch):
    """A test action, "test_press", that records its context and answers what it is told."""
    calls: list[ActionContext] = []
    answers: list = []

    def handler(ctx):
        calls.append(ctx)
        answer = answers.pop(0) if answers else None
        if isinstance(answer, Exception):
            raise answer
        if callable(answer):
            return answer(ctx)
        return answer

    monkeypatch.setitem(interactions._REGISTRY, "test_press", handler)
    return calls, answers


def _press(client, user_id, hook, *actions, **fields):
    response = send_interaction(client, actions_payload(user_id, hook, *actions, **fields))
    assert response.status_code == 200
    return response


def _replies(slack_app):
    for _path, body in slack_app.hooks:
        assert body["response_type"] == "ephemeral"
        assert body["replace_original"] is False
    return [body["text"] for _path, body in slack_app.hooks]


def test_it_acknowledges_the_see_the_match_button_and_says_nothing(
    client, linked, hook, slack_app, match
):
    _press(client, linked, hook, action(OPEN_MATCH, value=str(match.api_id)))
    assert slack_app.hooks == []


def test_it_answers_an_unknown_action_politely(client, linked, hook, slack_app):
    _press(client, linked, hook, action("launch_rocket"))

    assert _replies(slack_app) == ["이 버튼은 아직 지원하지 않아요."]
    assert slack_app.hooks[0][0] == "/hooks/actions/T0001/1/secret"


def test_it_gives_a_handler_the_student_the_match_and_the_value(
    client, linked, hook, slack_app, alice, match, pressed
):
    calls, answers = pressed
    answers.append(lambda ctx: f"골랐어요: {ctx.value} / {action_match(ctx).pk}")
    block = f"{MATCH_BLOCK_PREFIX}{match.api_id}"

    _press(client, linked, hook, action("test_press", value="42", block_id=block))

    [ctx] = calls
    assert ctx.user == alice
    assert ctx.slack_user_id == linked
    assert ctx.match_api_id == str(match.api_id)
    assert _replies(slack_app) == [f"골랐어요: 42 / {match.pk}"]


def test_it_refuses_the_match_of_a_button_to_a_non_member(
    client, slack_app, hook, charlie, match, pressed
):
    _calls, answers = pressed
    answers.append(lambda ctx: action_match(ctx))
    user_id = slack_user_id()
    slack_app.users[charlie.email] = user_id

    block = f"{MATCH_BLOCK_PREFIX}{match.api_id}"
    _press(client, user_id, hook, action("test_press", block_id=block))

    assert _replies(slack_app) == [str(NotMatchMemberError().message)]


@pytest.mark.parametrize("block_id", ["", "match:not-a-uuid", "room:123", "match:"])
def test_it_says_not_found_for_a_button_without_a_readable_match(
    client, linked, hook, slack_app, pressed, block_id
):
    _calls, answers = pressed
    answers.append(lambda ctx: action_match(ctx))

    _press(client, linked, hook, action("test_press", block_id=block_id))

    assert _replies(slack_app) == ["Entity가 존재하지 않습니다."]


def test_it_answers_a_failing_handler_politely(client, linked, hook, slack_app, pressed, caplog):
    _calls, answers = pressed
    answers.append(RuntimeError("boom"))

    _press(client, linked, hook, action("test_press"))

    assert _replies(slack_app) == ["처리하지 못했어요. 잠시 후 다시 시도해 주세요."]
    assert "boom" in caplog.text


def test_it_runs_nothing_for_an_unknown_slack_user(client, slack_app, hook, pressed):
    calls, _answers = pressed

    _press(client, slack_user_id(), hook, action("test_press"))

    assert calls == []
    [text] = _replies(slack_app)
    assert "내 페이지" in text


def test_it_runs_nothing_when_slack_cannot_say_who_it_is(client, linked, hook, slack_app, pressed):
    calls, _answers = pressed
    slack_app.failures["users.info"] = [(500, {"ok": False, "error": "internal_error"}, {})]

    _press(client, linked, hook, action("test_press"))

    assert calls == []
    assert "잠시 후" in _replies(slack_app)[0]


def test_it_posts_replies_only_to_slacks_own_hooks(client, linked, slack_app, pressed, caplog):
    _calls, answers = pressed
    answers.append("hello")

    _press(client, linked, "http://169.254.169.254/latest/meta-data", action("test_press"))

    assert slack_app.hooks == []
    assert "response_url" in caplog.text


def test_it_acknowledges_other_kinds_of_interaction_and_does_nothing(
    client, linked, hook, slack_app
):
    payload = {"type": "view_submission", "user": {"id": linked}, "view": {}}
    assert send_interaction(client, payload).status_code == 200
    assert slack_app.calls == []
    assert slack_app.hooks == []


def test_it_refuses_a_second_handler_for_an_action():
    with pytest.raises(ValueError, match="registered twice"):
        register_action(OPEN_MATCH)(lambda ctx: None)


@pytest.mark.parametrize(
    "payload",
    [
        "{not json",
        "",
        "[]",
        '"block_actions"',
        "42",
        "null",
        "{}",
        json.dumps({"type": 1, "user": {"id": "U1"}}),
        "[" * 10_000 + "]" * 10_000,  # deeper than the JSON parser goes
        json.dumps({"type": "block_actions", "user": "U1", "actions": []}),
        json.dumps({"type": "block_actions", "user": {"id": 7}, "actions": []}),
        json.dumps({"type": "block_actions", "user": {"id": ""}, "actions": [{}]}),
        json.dumps({"type": "block_actions", "user": {"id": "U1"}, "actions": "open_match"}),
        json.dumps({"type": "block_actions", "user": {"id": "U1"}, "actions": []}),
        json.dumps({"type": "block_actions", "user": {"id": "U1"}, "actions": [1]}),
        json.dumps({"type": "block_actions", "user": {"id": "U1"}, "actions": [{"action_id": 5}]}),
        json.dumps(
            {
                "type": "block_actions",
                "user": {"id": "U1"},
                "actions": [{"action_id": "open_match", "value": {"x": 1}}],
            }
        ),
        json.dumps(
            {
                "type": "block_actions",
                "user": {"id": "U1"},
                "response_url": ["x"],
                "actions": [{"action_id": "open_match"}],
            }
        ),
        json.dumps(
            {
                "type": "block_actions",
                "user": {"id": "U1"},
                "actions": [{"action_id": "open_match"}] * 26,
            }
        ),
        json.dumps({"type": "block_actions", "user": {"id": "U" * 65}, "actions": [{}]}),
    ],
)
def test_it_refuses_a_hostile_payload_with_400(client, slack_app, payload):
    response = send_interaction(client, payload)

    assert response.status_code == 400
    assert response.json()["code"] in {"C001", "C007"}
    assert slack_app.calls == []


@pytest.mark.parametrize(
    "body",
    [b"", b"nothing=here", b"payload=1&payload=2"],
    ids=["empty", "no-payload", "payload-twice"],
)
def test_it_refuses_a_form_without_one_payload_with_400(client, slack_app, body):
    assert signed_post(client, INTERACTIONS, body).status_code == 400


def test_it_refuses_a_json_body_instead_of_a_form_with_400(client, slack_app, linked, hook):
    body = json.dumps(actions_payload(linked, hook, action(OPEN_MATCH))).encode()
    response = signed_post(client, INTERACTIONS, body, content_type="application/json")
    assert response.status_code == 400


def test_it_sends_several_buttons_of_one_kind_to_one_handler(
    client, linked, hook, slack_app, pressed
):
    calls, answers = pressed
    answers.extend([lambda ctx: f"고정: {ctx.value}"])

    _press(client, linked, hook, action("test_press:7", value="7"))

    assert [ctx.action.action_id for ctx in calls] == ["test_press:7"]
    assert _replies(slack_app) == ["고정: 7"]


def test_it_reads_the_choice_of_a_select_menu(client, linked, hook, slack_app, pressed):
    calls, _answers = pressed
    select = {
        "type": "static_select",
        "action_id": "test_press",
        "block_id": "",
        "selected_option": {"text": {"type": "plain_text", "text": "김밥"}, "value": "12"},
    }

    _press(client, linked, hook, select)

    assert calls[0].value == "12"


def test_it_reads_the_match_of_a_further_block_of_the_notice(
    client, linked, hook, slack_app, match, pressed
):
    calls, _answers = pressed
    block = f"{MATCH_BLOCK_PREFIX}{match.api_id}:restaurants"

    _press(client, linked, hook, action("test_press", block_id=block))

    assert calls[0].match_api_id == str(match.api_id)
