"""Block Kit of our Slack messages.

The match notice is a section with the notice's text (plain_text: nicknames and interests are
the students' own words and must not become mentions or formatting) and an actions block whose
`block_id` carries the match's api id, so that every button press says which match it is about
(`interactions.ActionContext.match_api_id`). Each button's `value` carries the match api id too,
unless a button needs its value for something else (a restaurant id).
"""

from typing import Any

from django.conf import settings
from django.urls import reverse
from django.utils.translation import gettext

# Slack's limits: a section's text, a button's text and value, a block id.
SECTION_TEXT_MAX = 3000
BUTTON_TEXT_MAX = 75
BUTTON_VALUE_MAX = 2000
MATCH_BLOCK_PREFIX = "match:"

OPEN_MATCH = "open_match"


def plain(text: str, limit: int = SECTION_TEXT_MAX) -> dict[str, Any]:
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return {"type": "plain_text", "text": text, "emoji": True}


def button(
    *,
    text: str,
    action_id: str,
    value: str = "",
    url: str = "",
    style: str = "",
    confirm: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A button element; `style` is "primary", "danger" or "" (Slack's default); `confirm`
    (from `confirmation`) asks "are you sure?" in Slack before the press is sent."""
    element: dict[str, Any] = {
        "type": "button",
        "text": plain(text, BUTTON_TEXT_MAX),
        "action_id": action_id,
    }
    if value:
        element["value"] = value[:BUTTON_VALUE_MAX]
    if url:
        element["url"] = url
    if style:
        element["style"] = style
    if confirm:
        element["confirm"] = confirm
    return element


def confirmation(*, title: str, text: str, confirm: str, deny: str) -> dict[str, Any]:
    """Slack's confirmation dialog of a button (its limits: 100, 300, 30 and 30 characters)."""
    return {
        "title": plain(title, 100),
        "text": plain(text, 300),
        "confirm": plain(confirm, 30),
        "deny": plain(deny, 30),
    }


def site_url(path: str) -> str:
    """An absolute link to a page of ours, or "" without SITE_URL."""
    return f"{settings.SITE_URL}{path}" if settings.SITE_URL else ""


def match_page_url(match_api_id: str) -> str:
    return site_url(reverse("mypage:match_detail", args=[match_api_id]))


def match_notice_blocks(
    *, text: str, match_api_id: str, extra_buttons: list[dict[str, Any]] = ()
) -> list[dict[str, Any]]:
    """The blocks of the match notice; `text` stays the message's fallback text too.

    `extra_buttons` (built with `button`) follow "매칭 보기" in the same actions block.
    """
    blocks: list[dict[str, Any]] = [{"type": "section", "text": plain(text)}]
    buttons = list(extra_buttons)
    url = match_page_url(match_api_id)
    if url:
        buttons.insert(
            0,
            button(
                text=gettext("매칭 보기"),
                action_id=OPEN_MATCH,
                value=str(match_api_id),
                url=url,
                style="primary",
            ),
        )
    if buttons:
        blocks.append(
            {
                "type": "actions",
                "block_id": f"{MATCH_BLOCK_PREFIX}{match_api_id}",
                "elements": buttons[:25],  # Slack's limit per actions block
            }
        )
    return blocks
