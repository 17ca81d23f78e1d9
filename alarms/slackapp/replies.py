"""Slack message bodies of our answers (ephemeral: only the student who asked sees them)."""

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext

from alarms.slackapp.blocks import site_url


def ephemeral(text: str) -> dict[str, Any]:
    return {"response_type": "ephemeral", "text": text}


def escape(text: str) -> str:
    """Students' words inside mrkdwn: no <links>, <!here> mentions or &entities of theirs."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def link(url: str, label: str) -> str:
    return f"<{url}|{escape(label)}>" if url else escape(label)


def absolute(path: str, request=None) -> str:
    """SITE_URL + path, or the address Slack called us at (a command's request)."""
    if settings.SITE_URL or request is None:
        return site_url(path)
    return request.build_absolute_uri(path)


def confirm_email_reply(request=None) -> dict[str, Any]:
    url = absolute(reverse("mypage:index"), request)
    return ephemeral(
        gettext(
            "42Partner에서 이 Slack 계정을 찾지 못했어요. 내 페이지에서 Slack과 같은 이메일을 "
            "확인(인증)한 뒤 다시 시도해 주세요. 아무것도 하지 않았어요."
        )
        + (f"\n{url}" if url else "")
    )


def slack_unavailable_reply() -> dict[str, Any]:
    return ephemeral(gettext("지금은 Slack 계정을 확인할 수 없어요. 잠시 후 다시 시도해 주세요."))


def failed_reply() -> dict[str, Any]:
    return ephemeral(gettext("처리하지 못했어요. 잠시 후 다시 시도해 주세요."))
