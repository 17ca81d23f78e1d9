"""What matching answers on Slack (given to alarms.slackapp through matching/apps.py):
`/42partner meal|study [place ...]` and `/42partner cancel [meal|study]`, and the buttons that act
on a match: "did you meet?" yes/no (the meeting question) and "eat here" (a meal match's notice).
See docs/alarms.md, "Slack both ways"."""

import uuid

from django.contrib.auth.models import AbstractUser
from django.urls import reverse
from django.utils.translation import gettext

from alarms.slackapp.commands import SlackUsageError
from alarms.slackapp.interactions import ActionContext
from alarms.slackapp.replies import absolute, escape, link
from matching.selectors.matches import match_get_for_member
from matching.selectors.random import random_match_is_waiting
from matching.services.meetings import meeting_report_submit
from matching.services.random import (
    RandomMatchNoneError,
    random_match_request_cancel,
    random_match_request_create,
)
from matching.services.suggestions import match_restaurant_pin
from partner42.choices import ContentCategory, Place
from partner42.errors import ErrorCode, InvalidInputError, NotFoundError
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


# --- Buttons ---------------------------------------------------------------------------------
# Each: the match of the message (members only), the service, a short ephemeral confirmation.
# The services' refusals (MCH002, MCH006, MCH007, MCH010, C001 ...) come back as their messages.


def meeting_met_yes(ctx: ActionContext) -> str:
    """The "만났어요" button under the "did you meet?" question: met, nobody named absent."""
    match = action_match(ctx)
    meeting_report_submit(match=match, reporter=ctx.user, met=True)
    return gettext("만났다고 기록했어요. 알려 줘서 고마워요!")


def meeting_met_no(ctx: ActionContext) -> str:
    """The "못 만났어요" button: the meeting did not happen, nobody named absent (only the page
    names who did not come; the button's confirmation says so before anything is written)."""
    match = action_match(ctx)
    meeting_report_submit(match=match, reporter=ctx.user, met=False)
    url = absolute(reverse("mypage:match_detail", args=[match.api_id]))
    text = (
        gettext("만나지 못했다고 기록했어요. 알려 줘서 고마워요.")
        + "\n"
        + gettext(
            "Slack으로 한 답에는 오지 않은 사람이 적히지 않아요. 오지 않은 사람은 매칭 "
            "페이지에서만 알릴 수 있어요."
        )
    )
    return text + (f"\n{link(url, gettext('매칭 보기'))}" if url else "")


def pin_restaurant(ctx: ActionContext) -> str:
    """The "여기로 정하기: <name>" buttons of a meal match's notice (`pin_restaurant:<n>`, value =
    the restaurant's api id): pin it for the match, replacing any pin."""
    match = action_match(ctx)
    try:
        match = match_restaurant_pin(match=match, user=ctx.user, restaurant_id=ctx.value)
    except InvalidInputError as exc:  # C001 with its reason: closed since, too far, no such one
        reasons = [str(error["reason"]) for error in exc.errors if error.get("reason")]
        return " ".join([exc.message, *reasons[:1]])
    return gettext("식당을 정했어요: %(name)s. 매칭 페이지에서 모두 볼 수 있어요.") % {
        "name": escape(match.pinned_restaurant.name)
    }
