"""The two endpoints Slack calls: /slack/commands (slash command) and /slack/interactions
(buttons). No session, no CSRF token: a request is Slack's when its signature says so
(`verify`), and it acts for the student whose confirmed email is the Slack user's (`identity`).

Slack waits 3 seconds for an answer: the work here is a few queries (and one users.info call,
cached); replies to button presses are posted after the answer by Celery.
"""

import json
import logging
from urllib.parse import parse_qs

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import translation
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from alarms.slackapp.commands import slack_command_run
from alarms.slackapp.identity import SlackLookupError, slack_identity_resolve
from alarms.slackapp.interactions import PayloadError, block_actions_parse, slack_actions_run
from alarms.slackapp.replies import confirm_email_reply, slack_unavailable_reply
from alarms.slackapp.tasks import response_url_allowed, slack_response_task
from alarms.slackapp.verify import Verdict, slack_request_verify
from partner42.celery import enqueue
from partner42.errors import ErrorCode, error_body

logger = logging.getLogger(__name__)

_REFUSALS = {
    Verdict.DISABLED: ErrorCode.NOT_FOUND,
    Verdict.TOO_LARGE: ErrorCode.PAYLOAD_TOO_LARGE,
    Verdict.BAD_SIGNATURE: ErrorCode.NOT_AUTHENTICATED,
    Verdict.REPLAY: ErrorCode.NOT_AUTHENTICATED,
    Verdict.UNAVAILABLE: ErrorCode.SERVICE_UNAVAILABLE,
}


def _error(code: ErrorCode) -> JsonResponse:
    return JsonResponse(error_body(code), status=code.status)


def _form(request: HttpRequest) -> dict[str, str]:
    """The urlencoded body, each field once; PayloadError for anything else."""
    if not request.content_type == "application/x-www-form-urlencoded":
        raise PayloadError("not a form")
    try:
        fields = parse_qs(request.body.decode("utf-8"), strict_parsing=False, max_num_fields=50)
    except (UnicodeDecodeError, ValueError) as exc:
        raise PayloadError("bad form") from exc
    if any(len(values) != 1 for values in fields.values()):
        raise PayloadError("a field given twice")
    return {name: values[0] for name, values in fields.items()}


@csrf_exempt
@require_POST
def slack_commands(request: HttpRequest) -> HttpResponse:
    verdict = slack_request_verify(request)
    if verdict is Verdict.BAD_SIGNATURE and _is_ssl_check(request):
        return HttpResponse(status=200)
    if verdict is not Verdict.OK:
        return _error(_REFUSALS[verdict])
    try:
        form = _form(request)
    except PayloadError:
        return _error(ErrorCode.INVALID_INPUT)
    slack_user_id = form.get("user_id", "")
    if not slack_user_id or len(slack_user_id) > 64:
        return _error(ErrorCode.INVALID_INPUT)
    with translation.override(settings.LANGUAGE_CODE):
        try:
            identity = slack_identity_resolve(slack_user_id=slack_user_id)
        except SlackLookupError as exc:
            logger.warning("Slack command: cannot tell who %s is: %s", slack_user_id, exc)
            return JsonResponse(slack_unavailable_reply())
        if identity.user is None:
            return JsonResponse(confirm_email_reply(request))
        with translation.override(identity.user.language or settings.LANGUAGE_CODE):
            body = slack_command_run(user=identity.user, text=form.get("text", ""), request=request)
    return JsonResponse(body)


@csrf_exempt
@require_POST
def slack_interactions(request: HttpRequest) -> HttpResponse:
    verdict = slack_request_verify(request)
    if verdict is not Verdict.OK:
        return _error(_REFUSALS[verdict])
    try:
        payload = json.loads(_form(request).get("payload", ""))
    except (PayloadError, ValueError, RecursionError):  # RecursionError: "[[[[…" nested deep
        return _error(ErrorCode.MALFORMED_JSON)
    if not isinstance(payload, dict) or not isinstance(payload.get("type"), str):
        return _error(ErrorCode.MALFORMED_JSON)
    if payload.get("type") != "block_actions":
        # Shortcuts, modals ...: none of ours. Acknowledged, nothing done.
        logger.info("Slack interaction of type %r ignored", payload.get("type"))
        return HttpResponse(status=200)
    try:
        slack_user_id, response_url, actions = block_actions_parse(payload)
    except PayloadError as exc:
        logger.warning("Unreadable Slack block_actions payload: %s", exc)
        return _error(ErrorCode.INVALID_INPUT)
    with translation.override(settings.LANGUAGE_CODE):
        try:
            identity = slack_identity_resolve(slack_user_id=slack_user_id)
        except SlackLookupError as exc:
            logger.warning("Slack button: cannot tell who %s is: %s", slack_user_id, exc)
            _reply(response_url, slack_unavailable_reply())
            return HttpResponse(status=200)
        if identity.user is None:
            _reply(response_url, confirm_email_reply())
            return HttpResponse(status=200)
        with translation.override(identity.user.language or settings.LANGUAGE_CODE):
            texts = slack_actions_run(
                user=identity.user, slack_user_id=slack_user_id, actions=actions, payload=payload
            )
    if texts:
        _reply(response_url, {"response_type": "ephemeral", "text": "\n".join(texts)})
    return HttpResponse(status=200)


def _is_ssl_check(request: HttpRequest) -> bool:
    """Slack checks the certificate of a command URL with `ssl_check=1` and no command; the
    answer does nothing, so it needs no signature."""
    try:
        form = _form(request)
    except PayloadError:
        return False
    return form.get("ssl_check") == "1" and "command" not in form


def _reply(response_url: str, body: dict) -> None:
    if not response_url_allowed(response_url):
        logger.warning("Slack payload without a usable response_url: no reply")
        return
    enqueue(slack_response_task, response_url, {**body, "replace_original": False})
