"""`/42partner <text>`: ask for or cancel a random match, list my open rooms.

    /42partner meal [seocho|gaepo|out ...]    (식사|밥 [서초|개포|외부 ...])
    /42partner study [place ...]              (공부 [장소 ...])
    /42partner cancel [meal|study]            (취소 [식사|공부])
    /42partner rooms                          (방|내방)
    /42partner help                           (도움말, or nothing)

Every write goes through the random-match services, under the same per-user budget as the
pages and the API; their errors (RM001 already waiting, RM002 nothing to cancel, RM004 snoozed)
come back as an ephemeral message with the service's text. Nothing here answers a 500.
"""

import logging
from typing import Any

from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext

from accounts.models import User
from alarms.slackapp.replies import absolute, ephemeral, escape, failed_reply, link
from matching.selectors.random import random_match_is_waiting
from matching.services.random import (
    RandomMatchNoneError,
    random_match_request_cancel,
    random_match_request_create,
)
from partner42.choices import ContentCategory, Place
from partner42.errors import ApplicationError, ErrorCode
from partner42.throttling import RANDOM_MATCH, WriteRateThrottle
from rooms.selectors import room_list_mine

logger = logging.getLogger(__name__)

CATEGORY_WORDS = {
    "meal": ContentCategory.MEAL,
    "식사": ContentCategory.MEAL,
    "밥": ContentCategory.MEAL,
    "study": ContentCategory.STUDY,
    "공부": ContentCategory.STUDY,
}
PLACE_WORDS = {
    "seocho": Place.SEOCHO,
    "서초": Place.SEOCHO,
    "gaepo": Place.GAEPO,
    "개포": Place.GAEPO,
    "out": Place.OUT_OF_CLUSTER,
    "out_of_cluster": Place.OUT_OF_CLUSTER,
    "외부": Place.OUT_OF_CLUSTER,
}
CANCEL_WORDS = {"cancel", "취소"}
ROOMS_WORDS = {"rooms", "room", "방", "내방"}
HELP_WORDS = {"help", "도움말", "?"}

ROOMS_SHOWN = 10
MAX_TEXT = 200  # longer command text is not a command of ours


def usage() -> str:
    return gettext(
        "사용법:\n"
        "• `/42partner meal [seocho|gaepo|out]` (식사 [서초|개포|외부]): 식사 랜덤 매칭 신청\n"
        "• `/42partner study [seocho|gaepo|out]` (공부 [장소]): 공부 랜덤 매칭 신청\n"
        "• `/42partner cancel [meal|study]` (취소): 기다리는 랜덤 매칭 취소\n"
        "• `/42partner rooms` (방): 내가 참여한 열린 방 목록\n"
        "• `/42partner help` (도움말): 이 안내"
    )


def slack_command_run(*, user: User, text: str, request) -> dict[str, Any]:
    """Run one `/42partner` command for `user`; the ephemeral answer (Slack message JSON)."""
    words = text.strip().casefold().split() if len(text) <= MAX_TEXT else ["?too-long"]
    verb, args = (words[0], words[1:]) if words else ("help", [])
    try:
        if verb in CATEGORY_WORDS:
            return _request(user=user, category=CATEGORY_WORDS[verb], args=args, request=request)
        if verb in CANCEL_WORDS:
            return _cancel(user=user, args=args)
        if verb in ROOMS_WORDS:
            return _rooms(user=user, request=request)
        if verb in HELP_WORDS:
            return ephemeral(usage())
        return ephemeral(gettext("알 수 없는 명령이에요.") + "\n" + usage())
    except ApplicationError as exc:
        return ephemeral(exc.message)
    except Exception:
        logger.exception("Slack command %r failed", verb)
        return failed_reply()


def _request(*, user: User, category: str, args: list[str], request) -> dict[str, Any]:
    unknown = [word for word in args if word not in PLACE_WORDS]
    if unknown:
        return ephemeral(
            gettext("알 수 없는 장소예요: %(words)s") % {"words": escape(", ".join(unknown))}
            + "\n"
            + usage()
        )
    throttle = WriteRateThrottle(RANDOM_MATCH)
    request.user = user  # the budget is the student's, shared with the pages and the API
    if not throttle.allow_request(request, None):
        return ephemeral(ErrorCode.THROTTLED.message)
    places = list(dict.fromkeys(PLACE_WORDS[word] for word in args))
    random_match_request_create(user=user, category=category, places=places)
    where = ", ".join(str(Place(place).label) for place in places) if places else gettext("어디든")
    url = absolute(f"{reverse('matching:random')}?category={category}", request)
    return ephemeral(
        gettext(
            "%(category)s 랜덤 매칭을 신청했어요 (장소: %(places)s). "
            "상대를 찾으면 Slack으로 알려 드려요."
        )
        % {"category": ContentCategory(category).label, "places": where}
        + (f"\n{link(url, gettext('매칭 상태 보기'))}" if url else "")
    )


def _cancel(*, user: User, args: list[str]) -> dict[str, Any]:
    if args and (len(args) > 1 or args[0] not in CATEGORY_WORDS):
        return ephemeral(gettext("알 수 없는 명령이에요.") + "\n" + usage())
    if args:
        categories = [CATEGORY_WORDS[args[0]]]
    else:
        categories = [c for c in ContentCategory if random_match_is_waiting(user=user, category=c)]
        if not categories:
            raise RandomMatchNoneError()
    for category in categories:
        random_match_request_cancel(user=user, category=category)
    labels = ", ".join(str(ContentCategory(c).label) for c in categories)
    text = gettext("%(categories)s 랜덤 매칭 신청을 취소했어요.") % {"categories": labels}
    return ephemeral(text)


def _rooms(*, user: User, request) -> dict[str, Any]:
    items = room_list_mine(user=user)
    if not items:
        return ephemeral(gettext("참여 중인 열린 방이 없어요."))
    lines = [gettext("참여 중인 열린 방 (%(count)d개)") % {"count": len(items)}]
    for item in items[:ROOMS_SHOWN]:
        url = absolute(reverse("rooms:detail", args=[item["article_id"]]), request)
        date = formats.date_format(item["date"], "SHORT_DATE_FORMAT") if item["date"] else ""
        lines.append(
            f"• {link(url, item['title'])} · {date} · "
            f"{item['participant_num']}/{item['participant_num_max']}"
        )
    if len(items) > ROOMS_SHOWN:
        mine = absolute(reverse("rooms:mine"), request)
        lines.append(link(mine, gettext("모두 보기")))
    return ephemeral("\n".join(lines))
