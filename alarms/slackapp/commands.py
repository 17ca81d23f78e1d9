"""`/42partner <word> [args]`: the word picks a handler that an app gives in its AppConfig's
`slack_commands` (`registry`); alarms itself answers only `help`.

    /42partner meal [seocho|gaepo|out ...]    (식사|밥 [서초|개포|외부 ...])   matching
    /42partner study [place ...]              (공부 [장소 ...])              matching
    /42partner cancel [meal|study]            (취소 [식사|공부])              matching
    /42partner rooms                          (방|내방)                      rooms
    /42partner help                           (도움말, or nothing)

A handler is `handler(*, user, args, request) -> str` (the reply, Slack mrkdwn). Its
`ApplicationError` (RM001 already waiting, RM002 nothing to cancel, RM004 snoozed ...) comes back
as an ephemeral message with the error's text; any other exception is logged and answered
politely. Nothing here answers a 500.
"""

import logging
from typing import Any

from django.contrib.auth.models import AbstractUser
from django.utils.translation import gettext

from alarms.slackapp.registry import app_commands, resolve
from alarms.slackapp.replies import ephemeral, failed_reply
from partner42.errors import ApplicationError

logger = logging.getLogger(__name__)

HELP_WORDS = {"help", "도움말", "?"}
MAX_TEXT = 200  # longer command text is not a command of ours


class SlackUsageError(Exception):
    """A handler did not understand its arguments: `message`, then the usage."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def usage() -> str:
    return gettext(
        "사용법:\n"
        "• `/42partner meal [seocho|gaepo|out]` (식사 [서초|개포|외부]): 식사 랜덤 매칭 신청\n"
        "• `/42partner study [seocho|gaepo|out]` (공부 [장소]): 공부 랜덤 매칭 신청\n"
        "• `/42partner cancel [meal|study]` (취소): 기다리는 랜덤 매칭 취소\n"
        "• `/42partner rooms` (방): 내가 참여한 열린 방 목록\n"
        "• `/42partner help` (도움말): 이 안내"
    )


def slack_command_run(*, user: AbstractUser, text: str, request) -> dict[str, Any]:
    """Run one `/42partner` command for `user`; the ephemeral answer (Slack message JSON)."""
    words = text.strip().casefold().split() if len(text) <= MAX_TEXT else ["?too-long"]
    verb, args = (words[0], words[1:]) if words else ("help", [])
    if verb in HELP_WORDS:
        return ephemeral(usage())
    handler = resolve(app_commands().get(verb))
    if handler is None:
        return ephemeral(gettext("알 수 없는 명령이에요.") + "\n" + usage())
    try:
        return ephemeral(handler(user=user, args=args, request=request))
    except SlackUsageError as exc:
        return ephemeral(exc.message + "\n" + usage())
    except ApplicationError as exc:
        return ephemeral(exc.message)
    except Exception:
        logger.exception("Slack command %r failed", verb)
        return failed_reply()
