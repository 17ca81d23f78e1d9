"""Button presses (`block_actions` payloads) through an action registry.

A handler is registered for one `action_id` and gets an `ActionContext` (the student, the action,
the match the message is about); it returns the text of an ephemeral reply, or None for none.
An `ApplicationError` it raises becomes an ephemeral reply with the error's message. Slack ignores
the HTTP answer to a button press, so replies go to the payload's `response_url` after the 200
(`tasks.slack_response_task`).

Adding a button (see docs/alarms.md, "Slack both ways"):

    @register_action("meeting_met_yes")
    def _met_yes(ctx: ActionContext) -> str | None:
        match = ctx.match_for_member()          # 404/403 as ApplicationError -> ephemeral
        meeting_record(match=match, user=ctx.user, met=True)
        return gettext("기록했어요. 고마워요!")
"""

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext

from accounts.models import User
from alarms.slackapp.blocks import MATCH_BLOCK_PREFIX, OPEN_MATCH
from partner42.errors import ApplicationError, NotFoundError

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
    user: User
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

    def match_for_member(self):
        """The match of the button, if the student is one of its members (else an error)."""
        from matching.selectors.matches import match_get_for_member

        try:
            api_id = uuid.UUID(self.match_api_id or "")
        except ValueError as exc:
            raise NotFoundError() from exc
        return match_get_for_member(user=self.user, api_id=api_id)


def register_action(action_id: str) -> Callable[[Handler], Handler]:
    """Decorator: `handler(ctx) -> reply text | None` answers presses of `action_id`, and of
    `action_id:<anything>` (several buttons of one kind in one block)."""

    def decorator(handler: Handler) -> Handler:
        if action_id in _REGISTRY and _REGISTRY[action_id] is not handler:
            raise ValueError(f"Slack action {action_id!r} is registered twice")
        _REGISTRY[action_id] = handler
        return handler

    return decorator


def registered_actions() -> set[str]:
    return set(_REGISTRY)


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
    *, user: User, slack_user_id: str, actions: list[Action], payload: dict[str, Any]
) -> list[str]:
    """Run each action's handler; the texts to reply (ephemeral), in order."""
    replies = []
    for action in actions:
        # "pin_restaurant:3" goes to "pin_restaurant": Slack wants action ids unique within a
        # block, so several buttons of one kind differ after a colon.
        handler = _REGISTRY.get(action.action_id) or _REGISTRY.get(
            action.action_id.partition(":")[0]
        )
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
