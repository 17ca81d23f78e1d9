"""Button presses (`block_actions` payloads) through an action registry.

A handler answers one `action_id` (and `action_id:<anything>`, for several buttons of one kind in
a block). It gets an `ActionContext` (the student, the action, the match the message is about)
and returns the text of an ephemeral reply, or None for none; an `ApplicationError` it raises is
answered with its message. Slack ignores the HTTP answer to a button press, so replies go to the
payload's `response_url` after the 200 (`tasks.slack_response_task`).

Handlers come from `register_action` (alarms' own: `open_match`) and from the `slack_actions` of
the apps' AppConfig (`registry`): the apps above alarms give theirs by dotted path, e.g.
`matching/views/slack.py`. See docs/alarms.md, "Slack both ways".
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.utils.translation import gettext

from alarms.slackapp.blocks import MATCH_BLOCK_PREFIX, OPEN_MATCH
from alarms.slackapp.registry import app_actions, resolve
from partner42.errors import ApplicationError

logger = logging.getLogger(__name__)

Handler = Callable[["ActionContext"], str | None]
_REGISTRY: dict[str, Handler] = {}


class PayloadError(ValueError):
    """The payload is not a block_actions payload we can read: answered 400."""


@dataclass(frozen=True)
class Action:
    action_id: str
    block_id: str = ""
    value: str = ""


@dataclass(frozen=True)
class ActionContext:
    user: AbstractUser
    slack_user_id: str
    action: Action
    payload: dict[str, Any] = field(repr=False, default_factory=dict)

    @property
    def value(self) -> str:
        return self.action.value

    @property
    def match_api_id(self) -> str | None:
        """The match whose notice carries the button: its actions block's block_id is
        `match:<api id>`, or `match:<api id>:<anything>` for a further block of the message
        (Slack wants block ids unique within a message)."""
        block_id = self.action.block_id
        if not block_id.startswith(MATCH_BLOCK_PREFIX):
            return None
        return block_id.removeprefix(MATCH_BLOCK_PREFIX).partition(":")[0]


def register_action(action_id: str) -> Callable[[Handler], Handler]:
    """Decorator: `handler(ctx) -> reply text | None` answers presses of `action_id`, and of
    `action_id:<anything>` (several buttons of one kind in one block)."""

    def decorator(handler: Handler) -> Handler:
        if action_id in _REGISTRY and _REGISTRY[action_id] is not handler:
            raise ValueError(f"Slack action {action_id!r} is registered twice")
        _REGISTRY[action_id] = handler
        return handler

    return decorator


def handler_for(action_id: str) -> Handler | None:
    """The handler of `action_id`, or of its kind (before a colon); None if nobody answers it."""
    for key in (action_id, action_id.partition(":")[0]):
        handler = _REGISTRY.get(key) or resolve(app_actions().get(key))
        if handler is not None:
            return handler
    return None


def _string(value: Any, what: str, *, limit: int = 2000) -> str:
    if not isinstance(value, str) or len(value) > limit:
        raise PayloadError(f"{what} is not a string")
    return value


def _selected(action: dict[str, Any]) -> Any:
    """The value of a select menu's choice (buttons carry `value` instead)."""
    option = action.get("selected_option")
    return option.get("value") if isinstance(option, dict) else None


def block_actions_parse(payload: Any) -> tuple[str, str, list[Action]]:
    """(Slack user id, response_url, actions) of a block_actions payload; PayloadError if it
    is not one."""
    if not isinstance(payload, dict):
        raise PayloadError("payload is not an object")
    user = payload.get("user")
    if not isinstance(user, dict):
        raise PayloadError("no user")
    slack_user_id = _string(user.get("id"), "user.id", limit=64)
    if not slack_user_id:
        raise PayloadError("empty user.id")
    response_url = payload.get("response_url") or ""
    response_url = _string(response_url, "response_url")
    actions = payload.get("actions")
    if not isinstance(actions, list) or not actions or len(actions) > 25:
        raise PayloadError("no actions")
    parsed = []
    for action in actions:
        if not isinstance(action, dict):
            raise PayloadError("an action is not an object")
        parsed.append(
            Action(
                action_id=_string(action.get("action_id"), "action_id", limit=255),
                block_id=_string(action.get("block_id") or "", "block_id", limit=255),
                value=_string(action.get("value") or _selected(action) or "", "value"),
            )
        )
    return slack_user_id, response_url, parsed


def slack_actions_run(
    *, user: AbstractUser, slack_user_id: str, actions: list[Action], payload: dict[str, Any]
) -> list[str]:
    """Run each action's handler; the texts to reply (ephemeral), in order."""
    replies = []
    for action in actions:
        # "pin_restaurant:3" goes to "pin_restaurant": Slack wants action ids unique within a
        # block, so several buttons of one kind differ after a colon.
        handler = handler_for(action.action_id)
        if handler is None:
            logger.info("Slack action %r is not supported", action.action_id)
            replies.append(gettext("이 버튼은 아직 지원하지 않아요."))
            continue
        ctx = ActionContext(user=user, slack_user_id=slack_user_id, action=action, payload=payload)
        try:
            reply = handler(ctx)
        except ApplicationError as exc:
            reply = exc.message
        except Exception:
            logger.exception("Slack action %r failed", action.action_id)
            reply = gettext("처리하지 못했어요. 잠시 후 다시 시도해 주세요.")
        if reply:
            replies.append(reply)
    return replies


@register_action(OPEN_MATCH)
def _open_match(ctx: ActionContext) -> None:
    """A URL button: Slack opens the page itself and tells us anyway; nothing to do."""
    return None
