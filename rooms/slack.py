"""What rooms answers on Slack (given to alarms.slackapp through rooms/apps.py):
`/42partner rooms`, the open rooms the student wrote or joined, with links."""

from django.contrib.auth.models import AbstractUser
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext

from alarms.slackapp.replies import absolute, link
from rooms.selectors import room_list_mine

ROOMS_SHOWN = 10


def command_rooms(*, user: AbstractUser, args: list[str], request) -> str:
    items = room_list_mine(user=user)
    if not items:
        return gettext("참여 중인 열린 방이 없어요.")
    lines = [gettext("참여 중인 열린 방 (%(count)d개)") % {"count": len(items)}]
    for item in items[:ROOMS_SHOWN]:
        url = absolute(reverse("rooms:detail", args=[item["article_id"]]), request)
        date = formats.date_format(item["date"], "SHORT_DATE_FORMAT") if item["date"] else ""
        lines.append(
            f"• {link(url, item['title'])} · {date} · "
            f"{item['participant_num']}/{item['participant_num_max']}"
        )
    if len(items) > ROOMS_SHOWN:
        lines.append(link(absolute(reverse("rooms:mine"), request), gettext("모두 보기")))
    return "\n".join(lines)
