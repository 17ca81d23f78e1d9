"""Writes of matches: a match is created (from a room or by the matchmaker) with its members,
conditions, ledger rows, alarms and Slack notice."""

import logging
from collections.abc import Iterable, Mapping, Sequence
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext

from alarms.models import AlarmType
from alarms.services import alarm_create
from alarms.slack import NoticeMember, NoticeRestaurant, match_notice_text
from alarms.slackapp.blocks import button
from matching.models import (
    Match,
    MatchCondition,
    MatchMember,
)
from matching.selectors.matches import ANONYMOUS_NICKNAME
from matching.services.reviews import activity_record_match
from partner42.choices import (
    CONDITION_ENUMS,
    ConditionKind,
    ContentCategory,
    MatchStatus,
    MethodCategory,
)
from partner42.errors import (
    InvalidInputError,
)

logger = logging.getLogger(__name__)


SYSTEM_NICKNAME = "system"


def match_create(
    *,
    category: str,
    method: str,
    users: Sequence,
    conditions: Mapping[str, Iterable[str]],
    author=None,
    room=None,
) -> Match:
    """Create a match with its members, conditions and activity rows, alarm every member, post
    to Slack.

    For both methods: the matchmaker (RANDOM, no author) and a completed room (MANUAL, the
    room's author and the room). Alarms are rows in this transaction; Slack is enqueued only
    after commit. An anonymous room's author is named to the other members as anonymous.
    """
    # Checked before the transaction starts: a refusal must not spoil the caller's transaction.
    users = list(dict.fromkeys(users))
    if len(users) < 2:
        raise InvalidInputError(message="A match needs at least two members")
    rows = []
    for kind, values in conditions.items():
        enum = CONDITION_ENUMS[ConditionKind(kind)]
        rows.extend((ConditionKind(kind), enum(value).value) for value in dict.fromkeys(values))
    return _match_insert(
        category=ContentCategory(category),
        method=MethodCategory(method),
        users=users,
        rows=rows,
        author=author,
        room=room,
    )


# No savepoint of its own: callers (the matchmaker, a room's completion) wrap it in theirs.
@transaction.atomic(savepoint=False)
def _match_insert(
    *, category: str, method: str, users: list, rows: list[tuple[str, str]], author, room
) -> Match:
    match = Match.objects.create(
        category=category,
        method=method,
        status=MatchStatus.MATCHED,
        participant_num=len(users),
        room=room,
    )
    MatchMember.objects.bulk_create(
        MatchMember(match=match, user=user, is_author=author is not None and user.pk == author.pk)
        for user in users
    )
    MatchCondition.objects.bulk_create(
        MatchCondition(match=match, kind=kind, value=value) for kind, value in rows
    )
    activity_record_match(match=match, users=users, author=author)

    calling_nickname = author.nickname if author is not None else SYSTEM_NICKNAME
    hide_author = author is not None and room is not None and room.anonymity
    for user in users:
        alarm_create(
            user=user,
            alarm_type=AlarmType.MATCH_CONFIRMED,
            calling_nickname=ANONYMOUS_NICKNAME
            if hide_author and user.pk != author.pk
            else calling_nickname,
            match_id=match.api_id,
        )
    transaction.on_commit(partial(slack_match_notice_enqueue, match_id=str(match.api_id)))
    return match


def _slack_restaurants(match: Match, users: Sequence) -> list[NoticeRestaurant]:
    """A meal match's suggestions for its notice; read after commit, never failing the notice."""
    if match.category != ContentCategory.MEAL:
        return []
    cards = _notice_suggestions(match, users)
    return [NoticeRestaurant(card.name, card.category, card.walk_minutes) for card in cards]


# The suggestions a notice was written with, kept on the Match instance: its text and its pin
# buttons name the same restaurants, read once.
_NOTICE_SUGGESTIONS = "_slack_notice_suggestions"


def _notice_suggestions(match: Match, users: Sequence) -> list:
    """A meal match's suggestions (RestaurantCard) for its notice, read once after commit;
    [] for other matches and when they cannot be read (logged: the notice goes without them)."""
    if match.category != ContentCategory.MEAL:
        return []
    cards = match.__dict__.get(_NOTICE_SUGGESTIONS)
    if cards is None:
        from matching.selectors.suggestions import restaurant_suggestions

        try:
            cards = restaurant_suggestions(match, member_ids=[user.pk for user in users])
        except Exception:
            logger.exception("Could not read restaurant suggestions for a match notice")
            cards = []
        match.__dict__[_NOTICE_SUGGESTIONS] = cards
    return cards


def match_notice_buttons(match: Match, users: Sequence) -> list[dict]:
    """The notice's buttons after "매칭 보기": a meal match's "여기로 정하기: <name>", one per
    suggestion (`pin_restaurant:<n>`, value = the restaurant's api id; answered by
    matching/views/slack.py). Call after commit; never raises (no buttons then)."""
    try:
        with translation.override(settings.LANGUAGE_CODE):
            return [
                button(
                    text=gettext("여기로 정하기: %(name)s") % {"name": card.name},
                    action_id=f"pin_restaurant:{n}",
                    value=str(card.api_id),
                )
                for n, card in enumerate(_notice_suggestions(match, users), start=1)
            ]
    except Exception:
        logger.exception("Could not write the buttons of a match notice")
        return []


def _slack_text(match: Match, users: Sequence, *, hidden_pk) -> str:
    # One message to a group DM of every member: the hidden author is masked for all of them.
    # Korean whatever the request's language, like the rest of the message.
    with translation.override(settings.LANGUAGE_CODE):
        return match_notice_text(
            category_label=str(match.get_category_display()),
            method_label=str(match.get_method_display()),
            members=[
                NoticeMember(
                    user.nickname,
                    hidden=user.pk == hidden_pk,
                    interests=tuple(user.interests or ()),
                    bio=user.bio or "",
                )
                for user in users
            ],
            restaurants=_slack_restaurants(match, users),
        )


def slack_match_notice_enqueue(*, match_id: str) -> None:
    """Enqueue a new match's Slack notice; pass it to `transaction.on_commit`."""
    slack_match_notices_enqueue(match_ids=[match_id])


def slack_match_notices_enqueue(*, match_ids: list[str]) -> None:
    """Enqueue the Slack notices of new matches, one message for all of them (the matchmaker
    commits a batch of matches at once); pass it to `transaction.on_commit`. Never raises: the
    broker being down must not fail the matches. The default worker writes each notice
    (`match_slack_notice_send`): a meal match's suggestions read the database, off the path of
    the matchmaker and of the request that completed a room."""
    if not match_ids:
        return
    try:
        from matching.tasks import match_slack_notices_task

        match_slack_notices_task.delay(match_ids)
    except Exception:
        logger.exception("Could not enqueue the Slack notices of %d matches", len(match_ids))


def match_slack_notices_send(*, match_ids: list[str]) -> int:
    """`match_slack_notice_send` for each match; one that fails is logged and the others still
    go. Returns how many were handed to the Slack task."""
    sent = 0
    for match_id in match_ids:
        try:
            sent += match_slack_notice_send(match_id=match_id)
        except Exception:
            logger.exception("Could not write the Slack notice of match %s", match_id)
    return sent


def match_slack_notice_send(*, match_id: str) -> bool:
    """Write a match's Slack notice (text and buttons) and hand it to the Slack task, which
    retries Slack's failures. Runs in the default worker. False when there is nothing to send.

    The members in their order (the author first), the hidden author of an anonymous room
    masked for everyone; each member's confirmed address is what Slack looks them up by.
    """
    if not settings.SLACK_BOT_TOKEN:
        logger.info("SLACK_BOT_TOKEN is not set: match notice not sent to Slack")
        return False
    match = Match.objects.select_related("room").filter(api_id=match_id).first()
    if match is None:
        logger.warning("The match of a Slack notice is gone: %s", match_id)
        return False
    members = list(match.members.select_related("user").order_by("pk"))
    users = [member.user for member in members]
    hidden_pk = next(
        (m.user_id for m in members if m.is_author and match.room and match.room.anonymity), None
    )
    text = _slack_text(match, users, hidden_pk=hidden_pk)
    buttons = match_notice_buttons(match, users)
    emails = [user.email for user in users if user.email]
    from alarms.tasks import slack_match_notice_task

    slack_match_notice_task.delay(emails, text, match_id=match_id, buttons=buttons)
    return True
