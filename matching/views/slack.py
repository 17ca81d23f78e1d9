"""What matching answers on Slack (given to alarms.slackapp through matching/apps.py):
`/42partner meal|study [place ...]` and `/42partner cancel [meal|study]`, and the buttons of the
match notice that act on a match (none yet: see docs/alarms.md, "Slack both ways")."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.urls import reverse
from django.utils.translation import gettext

from alarms.slackapp.commands import SlackUsageError
from alarms.slackapp.interactions import ActionContext
from alarms.slackapp.replies import absolute, escape, link
from matching.selectors.matches import match_get_for_member
from matching.selectors.random import random_match_is_waiting
from matching.services.random import (
    RandomMatchNoneError,
    random_match_request_cancel,
    random_match_request_create,
)
from partner42.choices import ContentCategory, Place
from partner42.errors import ErrorCode, NotFoundError
from partner42.throttling import RANDOM_MATCH, WriteRateThrottle

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


def command_meal(*, user: AbstractUser, args: list[str], request) -> str:
    return _request(user=user, category=ContentCategory.MEAL, args=args, request=request)


def command_study(*, user: AbstractUser, args: list[str], request) -> str:
    return _request(user=user, category=ContentCategory.STUDY, args=args, request=request)


def _request(*, user: AbstractUser, category: str, args: list[str], request) -> str:
    """Ask for a random match: the places given (none = anywhere), any way of eating or study."""
    unknown = [word for word in args if word not in PLACE_WORDS]
    if unknown:
        raise SlackUsageError(
            gettext("알 수 없는 장소예요: %(words)s") % {"words": escape(", ".join(unknown))}
        )
    throttle = WriteRateThrottle(RANDOM_MATCH)
    request.user = user  # the budget is the student's, shared with the pages and the API
    if not throttle.allow_request(request, None):
        return ErrorCode.THROTTLED.message
    places = list(dict.fromkeys(PLACE_WORDS[word] for word in args))
    random_match_request_create(user=user, category=category, places=places)
    where = ", ".join(str(Place(place).label) for place in places) if places else gettext("어디든")
    url = absolute(f"{reverse('matching:random')}?category={category}", request)
    text = gettext(
        "%(category)s 랜덤 매칭을 신청했어요 (장소: %(places)s). "
        "상대를 찾으면 Slack으로 알려 드려요."
    ) % {"category": ContentCategory(category).label, "places": where}
    return text + (f"\n{link(url, gettext('매칭 상태 보기'))}" if url else "")


def command_cancel(*, user: AbstractUser, args: list[str], request) -> str:
    """Cancel the waiting request of the category named, or every waiting one."""
    if args and (len(args) > 1 or args[0] not in CATEGORY_WORDS):
        raise SlackUsageError(gettext("알 수 없는 명령이에요."))
    if args:
        categories = [CATEGORY_WORDS[args[0]]]
    else:
        categories = [c for c in ContentCategory if random_match_is_waiting(user=user, category=c)]
        if not categories:
            raise RandomMatchNoneError()
    for category in categories:
        random_match_request_cancel(user=user, category=category)
    labels = ", ".join(str(ContentCategory(c).label) for c in categories)
    return gettext("%(categories)s 랜덤 매칭 신청을 취소했어요.") % {"categories": labels}


def action_match(ctx: ActionContext):
    """The match of a pressed button, for one of its members only (NotFound/NotMatchMember
    otherwise, answered as a message): what a button acting on a match starts with."""
    try:
        api_id = uuid.UUID(ctx.match_api_id or "")
    except ValueError as exc:
        raise NotFoundError() from exc
    return match_get_for_member(user=ctx.user, api_id=api_id)
