"""Who may do what: one table for every page and API route of the project.

Each row names a route, a method, the object it addresses and the status each actor gets:

- ``anon``: nobody logged in;
- ``outsider``: a student with no part in the object (charlie);
- ``member``: a student who takes part without owning it (bob: joined the room, wrote the comment
  on it, is the other member of the match, owns the waiting random request);
- ``owner``: the room's author, a match member who is addressed as the owner of the object (alice);
- ``operator``: staff.

Every cell runs on a fresh database (the test's transaction), so a write that succeeds for one
actor does not change what another actor meets. The completeness test walks the URL resolver: a
route of ours that has no row here, and is not exempted below with its reason, fails the suite,
so a new page or endpoint cannot land without saying who may use it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from accounts.calendar import calendar_feed_get_or_create
from accounts.models import User
from accounts.tests.factories import UserFactory
from accounts.tokens import issue_token_pair
from matching.models import Block, Match, MatchMember, RandomMatchRequest
from matching.tests.factories import RandomMatchRequestFactory
from restaurants.cache import local_cache_clear
from restaurants.tests.factories import RestaurantFactory
from rooms import services as room_services
from rooms.models import Comment, Room
from rooms.tests.factories import CommentFactory, RoomFactory

ACTORS = ("anon", "outsider", "member", "owner", "operator")

# Routes that take no actor's identity (or are not ours) and the reason.
EXEMPT = {
    # allauth's and the OAuth hand-off's own routes: their protocol tests are in accounts/tests.
    "accounts:login",
    "accounts:choose",
    "accounts:logout",
    "accounts:demo_login",
    "accounts:email_confirm",
    "accounts:oauth_handoff_start",
    "accounts:oauth_handoff_done",
    "accounts:oauth_callback_legacy",
    # Token endpoints: the credential is the refresh cookie itself (accounts/tests/test_tokens.py).
    "accounts-api:token-refresh",
    "accounts-api:token-logout",
    "accounts-api:security-logout",
    "accounts-api:auth-login",
    # The alarm stream: its own authentication and limits (alarms/tests/test_sse.py).
    "alarms-api:subscribe",
    # Slack's slash command and buttons: no session; the caller is Slack (its signature) acting
    # for the student whose confirmed email is the Slack user's (alarms/tests/test_slackapp_*.py).
    "slack:commands",
    "slack:interactions",
    # Operations: health checks and metrics are not for students (tests/test_ops.py).
    "healthz",
    "readyz",
    "readyz-realtime",
    "metrics",
    "schema",
    "swagger-ui",
}
EXEMPT_PREFIXES = ("admin/", "accounts/")  # Django's admin site (operators only) and allauth


@dataclasses.dataclass
class World:
    owner: Any
    member: Any
    outsider: Any
    operator: Any
    room: Any
    comment: Any
    match: Any
    request: Any
    restaurant: Any
    seats: int = 0
    feed_token: str = ""


@pytest.fixture
def world(db) -> World:
    owner = UserFactory(username="alice")
    member = UserFactory(username="bob")
    outsider = UserFactory(username="charlie")
    operator = UserFactory(username="operator", is_staff=True, is_superuser=True)
    room = RoomFactory(author=owner, participant_num_max=4)
    room_services.room_join(room=room, user=member)
    comment = CommentFactory(room=room, author=member)
    done = RoomFactory(author=owner, participant_num_max=2)
    room_services.room_join(room=done, user=member)
    match = room_services.room_complete(room=done, user=owner)
    # Reviews open some time after the match: this one is a day old.
    Match.objects.filter(pk=match.pk).update(created_at=match.created_at - timedelta(days=1))
    request = RandomMatchRequestFactory(user=member)
    Block.objects.create(blocker=owner, blocked=outsider)
    restaurant = RestaurantFactory()
    world = World(owner, member, outsider, operator, room, comment, match, request, restaurant)
    world.seats = Room.objects.get(pk=room.pk).participant_num
    world.feed_token = calendar_feed_get_or_create(user=owner).token
    return world


@pytest.fixture(autouse=True)
def _fresh_restaurant_cache():
    local_cache_clear()
    yield
    local_cache_clear()


def _tomorrow() -> str:
    return (room_services.room_today() + timedelta(days=1)).isoformat()


def _room_form() -> dict:
    return {
        "title": "점심",
        "date": _tomorrow(),
        "participant_num_max": "3",
        "content": "같이 먹어요",
        "places": ["GAEPO"],
        "times_of_eating": ["LUNCH"],
        "ways_of_eating": ["EATOUT"],
    }


def _article_body() -> dict:
    return {
        "title": "점심",
        "date": _tomorrow(),
        "matchConditionDto": {
            "placeList": ["GAEPO"],
            "timeOfEatingList": ["LUNCH"],
            "wayOfEatingList": ["EATOUT"],
        },
        "content": "치킨",
        "anonymity": False,
        "participantNumMax": 4,
        "contentCategory": "MEAL",
    }


@dataclasses.dataclass(frozen=True)
class Row:
    route: str
    method: str
    expect: dict[str, int]
    kwargs: Callable[[World], dict] = lambda w: {}
    data: Callable[[World], Any] = lambda w: None
    api: bool = False
    query: str = ""
    # A write's effect, read back from the database after the request, and who must cause it:
    # a page answers a refused write with a redirect and a message, so the status alone does not
    # tell a refusal from a success.
    effect: Callable[[World, Any], bool] | None = None
    by: tuple[str, ...] = ()

    @property
    def id(self) -> str:
        return f"{self.method} {self.route}{'?' + self.query if self.query else ''}"


def row(route, method, anon, outsider, member, owner, operator, **kwargs) -> Row:
    expect = dict(zip(ACTORS, (anon, outsider, member, owner, operator), strict=True))
    api = kwargs.pop("api", route.split(":")[0].endswith("api"))
    return Row(route, method, expect, api=api, **kwargs)


STUDENTS = ("outsider", "member", "owner", "operator")
MANAGERS = ("owner", "operator")


def room_id(w):
    return {"room_id": w.room.api_id}


def article_id(w):
    return {"article_id": str(w.room.api_id)}


def comment_id(w):
    return {"comment_id": w.comment.api_id}


def opinion_id(w):
    return {"opinion_id": str(w.comment.api_id)}


def match_id(w):
    return {"match_id": w.match.api_id}


def api_match_id(w):
    return {"match_id": str(w.match.api_id)}


def own_user(w):
    """Alice's account: only its owner may change it."""
    return {"user_id": str(w.owner.api_id)}


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def room_deleted(w, user):
    return _fresh(w.room).deleted_at is not None


def room_completed(w, user):
    return _fresh(w.room).is_complete


def room_retitled(w, user):
    return _fresh(w.room).title == "점심"


def rooms_by(w, user):
    return user is not None and Room.objects.filter(author=user).exclude(pk=w.room.pk).exists()


def joined(w, user):
    return _fresh(w.room).participant_num > w.seats


def left(w, user):
    return w.member is not None and not w.room.participations.filter(user=w.member).exists()


def comment_by(w, user):
    return user is not None and Comment.objects.filter(author=user, content="저도요").exists()


def comment_edited(w, user):
    return _fresh(w.comment).content == "고쳤어요"


def comment_deleted(w, user):
    return _fresh(w.comment).deleted_at is not None


def request_by(w, user):
    return (
        user is not None
        and RandomMatchRequest.objects.filter(user=user, status=RandomMatchRequest.Status.WAITING)
        .exclude(pk=w.request.pk)
        .exists()
    )


def request_cancelled(w, user):
    return _fresh(w.request).status != RandomMatchRequest.Status.WAITING


def blocked_member(w, user):
    return Block.objects.filter(blocked=w.member).exists()


def unblocked(w, user):
    return not Block.objects.filter(blocker=w.owner, blocked=w.outsider).exists()


def feed_rotated(w, user):
    return calendar_feed_get_or_create(user=w.owner).token != w.feed_token


def reviewed(w, user):
    return MatchMember.objects.filter(match=w.match, is_reviewed=True).exists()


def restaurant_pinned(w, user):
    return _fresh(w.match).pinned_restaurant_id == w.restaurant.pk


def pin_restaurant(w):
    return {"restaurantId": str(w.restaurant.api_id)}


def nickname_changed(w, user):
    return User.objects.filter(nickname="새별명").exists()


def email_changed(w, user):
    return User.objects.filter(pending_email="new@example.com").exists()


def introduced(w, user):
    return User.objects.filter(bio="안녕하세요").exists()


def language_saved(w, user):
    return User.objects.filter(language="en").exists()


def _preferences_form(w) -> dict:
    return {"slack_notices": "on", "preferred_language": "en"}


REVIEW_PAGE = {"score_0": "MATCH_REVIEW_5", "confirm": "1"}


def meeting_reported(w, user):
    from matching.models import MeetingReport

    return MeetingReport.objects.filter(match=w.match, reporter=user).exists()


def _meeting_over(w) -> None:
    # The world's match meets tomorrow: "did you meet?" opens once its meeting is over.
    Room.objects.filter(pk=w.match.room_id).update(
        date=room_services.room_today() - timedelta(days=1)
    )


def meeting_page(w):
    _meeting_over(w)
    return {"met": "no", "absent": ["0"]}


def meeting_body(w):
    _meeting_over(w)
    return {"met": True}


def review_body(w):
    return {
        "matchId": str(w.match.api_id),
        "memberReviewDtos": [{"nickname": "alice", "activityMatchScore": "MATCH_REVIEW_5"}],
    }


# Statuses: 200 ok, 201 created, 204 no content, 302 redirect (a page write's answer, refused or
# not, or anonymous sent to log in), 400/409 a rule, 401 API without credentials, 403 forbidden,
# 404 not visible to this actor, 405 method not allowed.
TABLE: list[Row] = [
    # ---- rooms: pages ----
    row("rooms:board", "GET", 302, 200, 200, 200, 200),
    row("rooms:create", "GET", 302, 200, 200, 200, 200),
    row(
        "rooms:create",
        "POST",
        302,
        302,
        302,
        302,
        302,
        query="category=MEAL",
        data=lambda w: _room_form(),
        effect=rooms_by,
        by=STUDENTS,
    ),
    row("rooms:mine", "GET", 302, 200, 200, 200, 200),
    row("rooms:detail", "GET", 302, 200, 200, 200, 200, kwargs=room_id),
    row("rooms:edit", "GET", 302, 302, 302, 200, 200, kwargs=room_id),
    row(
        "rooms:edit",
        "POST",
        302,
        302,
        302,
        302,
        302,
        kwargs=room_id,
        data=lambda w: _room_form() | {"title": "점심"},
        effect=room_retitled,
        by=MANAGERS,
    ),
    row(
        "rooms:join",
        "POST",
        302,
        302,
        302,
        302,
        302,
        kwargs=room_id,
        effect=joined,
        by=("outsider", "operator"),
    ),
    row(
        "rooms:leave",
        "POST",
        302,
        302,
        302,
        302,
        302,
        kwargs=room_id,
        data=lambda w: {"confirm": "1"},
        effect=left,
        by=("member",),
    ),
    row(
        "rooms:delete",
        "POST",
        302,
        302,
        302,
        302,
        302,
        kwargs=room_id,
        data=lambda w: {"confirm": "1"},
        effect=room_deleted,
        by=MANAGERS,
    ),
    row(
        "rooms:complete",
        "POST",
        302,
        302,
        302,
        302,
        302,
        kwargs=room_id,
        data=lambda w: {"confirm": "1"},
        effect=room_completed,
        by=MANAGERS,
    ),
    row("rooms:restore", "POST", 302, 302, 302, 302, 302, kwargs=room_id),
    row(
        "rooms:comment-create",
        "POST",
        302,
        302,
        302,
        302,
        302,
        kwargs=room_id,
        data=lambda w: {"content": "저도요"},
        effect=comment_by,
        by=STUDENTS,
    ),
    row(
        "rooms:comment-edit",
        "POST",
        302,
        302,
        302,
        302,
        302,
        kwargs=comment_id,
        data=lambda w: {"content": "고쳤어요"},
        effect=comment_edited,
        by=("member", "operator"),
    ),
    row(
        "rooms:comment-delete",
        "POST",
        302,
        302,
        302,
        302,
        302,
        kwargs=comment_id,
        effect=comment_deleted,
        by=("member", "operator"),
    ),
    # ---- rooms: API ----
    row("rooms-api:articles", "GET", 200, 200, 200, 200, 200),
    row(
        "rooms-api:articles",
        "POST",
        401,
        200,
        200,
        200,
        200,
        data=lambda w: _article_body(),
        effect=rooms_by,
        by=STUDENTS,
    ),
    row("rooms-api:article", "GET", 200, 200, 200, 200, 200, kwargs=article_id),
    row(
        "rooms-api:article",
        "PUT",
        401,
        403,
        403,
        200,
        200,
        kwargs=article_id,
        data=lambda w: _article_body(),
        effect=room_retitled,
        by=MANAGERS,
    ),
    row(
        "rooms-api:article",
        "DELETE",
        401,
        403,
        403,
        200,
        200,
        kwargs=article_id,
        effect=room_deleted,
        by=MANAGERS,
    ),
    row(
        "rooms-api:article-recoverable-delete",
        "POST",
        401,
        403,
        403,
        200,
        200,
        kwargs=article_id,
        effect=room_deleted,
        by=MANAGERS,
    ),
    row(
        "rooms-api:article-participate",
        "POST",
        401,
        200,
        409,
        409,
        200,
        kwargs=article_id,
        effect=joined,
        by=("outsider", "operator"),
    ),
    row(
        "rooms-api:article-participate-cancel",
        "POST",
        401,
        409,
        200,
        409,
        409,
        kwargs=article_id,
        effect=left,
        by=("member",),
    ),
    row(
        "rooms-api:article-complete",
        "POST",
        401,
        403,
        403,
        200,
        200,
        kwargs=article_id,
        effect=room_completed,
        by=MANAGERS,
    ),
    row("rooms-api:article-opinions", "GET", 200, 200, 200, 200, 200, kwargs=article_id),
    row(
        "rooms-api:opinions",
        "POST",
        401,
        200,
        200,
        200,
        200,
        data=lambda w: {"articleId": str(w.room.api_id), "content": "저도요", "level": 1},
        effect=comment_by,
        by=STUDENTS,
    ),
    row(
        "rooms-api:opinion",
        "PUT",
        401,
        403,
        200,
        403,
        200,
        kwargs=opinion_id,
        data=lambda w: {"content": "고쳤어요"},
        effect=comment_edited,
        by=("member", "operator"),
    ),
    row(
        "rooms-api:opinion",
        "DELETE",
        401,
        403,
        200,
        403,
        200,
        kwargs=opinion_id,
        effect=comment_deleted,
        by=("member", "operator"),
    ),
    row(
        "rooms-api:opinion-recoverable-delete",
        "POST",
        401,
        403,
        200,
        403,
        200,
        kwargs=opinion_id,
        effect=comment_deleted,
        by=("member", "operator"),
    ),
    # ---- matching: pages ----
    row("matching:random", "GET", 302, 200, 200, 200, 200),
    row(
        "matching:random",
        "POST",
        302,
        302,
        302,
        302,
        302,
        data=lambda w: {"category": "MEAL", "places": ["GAEPO"]},
        effect=request_by,
        by=("outsider", "owner", "operator"),
    ),
    row(
        "matching:status",
        "GET",
        302,
        404,
        200,
        404,
        404,
        kwargs=lambda w: {"request_id": w.request.api_id},
    ),
    row(
        "matching:cancel",
        "POST",
        302,
        302,
        302,
        302,
        302,
        data=lambda w: {"category": "MEAL", "confirm": "1"},
        effect=request_cancelled,
        by=("member",),
    ),
    row("matching:renew", "POST", 302, 302, 302, 302, 302, data=lambda w: {"category": "MEAL"}),
    # A room's match lives at /matches/<id>/: this address sends whoever may see it there.
    row("matching:match_detail", "GET", 302, 403, 302, 302, 302, kwargs=match_id),
    row("matching:blocks", "GET", 302, 200, 200, 200, 200),
    row(
        "matching:blocks",
        "POST",
        302,
        302,
        302,
        302,
        302,
        data=lambda w: {"user_id": str(w.member.api_id)},
        effect=blocked_member,
        by=("outsider", "owner", "operator"),
    ),
    row(
        "matching:unblock",
        "POST",
        302,
        302,
        302,
        302,
        302,
        kwargs=lambda w: {"user_id": w.outsider.api_id},
        effect=unblocked,
        by=("owner",),
    ),
    # Pin where the match eats: its members only; operators see the match but are no member.
    row(
        "matching:match_restaurant_pin",
        "POST",
        302,
        403,
        302,
        302,
        302,
        kwargs=match_id,
        data=lambda w: {"restaurant_id": str(w.restaurant.api_id)},
        effect=restaurant_pinned,
        by=("member", "owner"),
    ),
    # ---- my page ----
    row("mypage:index", "GET", 302, 200, 200, 200, 200),
    row("mypage:scores", "GET", 302, 200, 200, 200, 200),
    row("mypage:history", "GET", 302, 200, 200, 200, 200),
    row("mypage:blocks", "GET", 302, 200, 200, 200, 200),
    row("mypage:activities", "GET", 302, 200, 200, 200, 200),
    row(
        "mypage:nickname",
        "POST",
        302,
        302,
        302,
        302,
        302,
        data=lambda w: {"nickname": "새별명"},
        effect=nickname_changed,
        by=STUDENTS,
    ),
    row(
        "mypage:email",
        "POST",
        302,
        302,
        302,
        302,
        302,
        data=lambda w: {"email": "new@example.com"},
        effect=email_changed,
        by=STUDENTS,
    ),
    row("mypage:email_resend", "POST", 302, 302, 302, 302, 302),
    row("mypage:settings", "GET", 302, 200, 200, 200, 200),
    row(
        "mypage:profile",
        "POST",
        302,
        302,
        302,
        302,
        302,
        data=lambda w: {"bio": "안녕하세요", "interests": "요리"},
        effect=introduced,
        by=STUDENTS,
    ),
    row(
        "mypage:preferences",
        "POST",
        302,
        302,
        302,
        302,
        302,
        data=_preferences_form,
        effect=language_saved,
        by=STUDENTS,
    ),
    # Ends the caller's own pause (none here): nothing to refuse anyone but the anonymous.
    row("mypage:snooze_end", "POST", 302, 302, 302, 302, 302),
    # The footer's switch: anyone gets the cookie; a logged-in student's choice is saved.
    row(
        "set_language",
        "POST",
        302,
        302,
        302,
        302,
        302,
        data=lambda w: {"language": "en", "next": "/choose/"},
        effect=language_saved,
        by=STUDENTS,
    ),
    row("mypage:match_detail", "GET", 302, 403, 200, 200, 200, kwargs=match_id),
    row(
        "mypage:match_review",
        "POST",
        302,
        403,
        302,
        302,
        400,
        kwargs=match_id,
        data=lambda w: REVIEW_PAGE,
        # The operator may read the match but has no one to review: the form is refused (400).
        effect=reviewed,
        by=("member", "owner"),
    ),
    row(
        "mypage:match_meeting",
        "POST",
        302,
        403,
        302,
        302,
        302,
        kwargs=match_id,
        data=meeting_page,
        # The operator may read the match but is no member: refused with a message (MCH002).
        effect=meeting_reported,
        by=("member", "owner"),
    ),
    # ---- matching: API ----
    row(
        "matching-api:random-match-create",
        "POST",
        401,
        201,
        409,
        201,
        201,
        data=lambda w: {"contentCategory": "MEAL", "placeList": ["GAEPO"]},
        effect=request_by,
        by=("outsider", "owner", "operator"),
    ),
    row(
        "matching-api:random-match-mine",
        "POST",
        401,
        409,
        200,
        409,
        409,
        data=lambda w: {"contentCategory": "MEAL"},
        effect=request_cancelled,
        by=("member",),
    ),
    row(
        "matching-api:random-match-mine",
        "GET",
        401,
        200,
        200,
        200,
        200,
        query="contentCategory=MEAL",
    ),
    row(
        "matching-api:random-match-condition-mine",
        "GET",
        401,
        200,
        200,
        200,
        200,
        query="contentCategory=MEAL",
    ),
    # Public in the original too: how many students wait, no one's identity.
    row(
        "matching-api:random-match-count",
        "GET",
        200,
        200,
        200,
        200,
        200,
        query="contentCategory=MEAL",
    ),
    row(
        "matching-api:random-match-renew",
        "POST",
        401,
        404,
        409,
        404,
        404,
        data=lambda w: {"contentCategory": "MEAL"},
    ),
    row("matching-api:block-list", "GET", 401, 200, 200, 200, 200),
    row(
        "matching-api:block-list",
        "POST",
        401,
        201,
        400,
        201,
        201,
        data=lambda w: {"userId": str(w.member.api_id)},
        effect=blocked_member,
        by=("outsider", "owner", "operator"),
    ),
    row(
        "matching-api:block-delete",
        "DELETE",
        401,
        404,
        404,
        200,
        404,
        kwargs=lambda w: {"user_id": str(w.outsider.api_id)},
        effect=unblocked,
        by=("owner",),
    ),
    row("matching-api:match-list", "GET", 401, 200, 200, 200, 200),
    row("matching-api:match-detail", "GET", 401, 403, 200, 200, 200, kwargs=api_match_id),
    row(
        "matching-api:match-review",
        "POST",
        401,
        403,
        200,
        400,
        403,
        kwargs=api_match_id,
        data=review_body,
        effect=reviewed,
        by=("member",),
    ),
    row(
        "matching-api:match-restaurant",
        "PUT",
        401,
        403,
        200,
        200,
        403,
        kwargs=api_match_id,
        data=pin_restaurant,
        effect=restaurant_pinned,
        by=("member", "owner"),
    ),
    row("matching-api:match-restaurant", "DELETE", 401, 403, 200, 200, 403, kwargs=api_match_id),
    # An answer is a member's own: operators neither read nor give it.
    row("matching-api:match-meeting", "GET", 401, 403, 200, 200, 403, kwargs=api_match_id),
    row(
        "matching-api:match-meeting",
        "POST",
        401,
        403,
        200,
        200,
        403,
        kwargs=api_match_id,
        data=meeting_body,
        effect=meeting_reported,
        by=("member", "owner"),
    ),
    row("matching-api:activity-history", "GET", 401, 200, 200, 200, 200),
    row("matching-api:activity-score", "GET", 401, 200, 200, 200, 200),
    row("matching-api:activity-score-categories", "GET", 401, 200, 200, 200, 200),
    # ---- accounts: API ----
    row("accounts-api:user-detail", "GET", 401, 403, 403, 200, 200, kwargs=own_user),
    row(
        "accounts-api:user-email",
        "PATCH",
        401,
        403,
        403,
        200,
        403,
        kwargs=own_user,
        data=lambda w: {"email": "new@example.com"},
        effect=email_changed,
        by=("owner",),
    ),
    row(
        "accounts-api:user-nickname",
        "PATCH",
        401,
        403,
        403,
        200,
        403,
        kwargs=own_user,
        data=lambda w: {"nickname": "새별명"},
        effect=nickname_changed,
        by=("owner",),
    ),
    row("accounts-api:user-profile", "GET", 401, 403, 403, 200, 200, kwargs=own_user),
    row(
        "accounts-api:user-profile",
        "PATCH",
        401,
        403,
        403,
        200,
        403,
        kwargs=own_user,
        data=lambda w: {"bio": "안녕하세요", "interests": ["요리"]},
        effect=introduced,
        by=("owner",),
    ),
    row("accounts-api:user-preferences", "GET", 401, 403, 403, 200, 200, kwargs=own_user),
    row(
        "accounts-api:user-preferences",
        "PATCH",
        401,
        403,
        403,
        200,
        403,
        kwargs=own_user,
        data=lambda w: {"language": "en"},
        effect=language_saved,
        by=("owner",),
    ),
    # ---- calendar ----
    row("calendar:room", "GET", 302, 200, 200, 200, 200, kwargs=room_id),
    row("calendar:match", "GET", 302, 403, 200, 200, 200, kwargs=match_id),
    # The token is the credential: whoever holds alice's feed URL reads alice's feed.
    row("calendar:feed", "GET", 200, 200, 200, 200, 200, kwargs=lambda w: {"token": w.feed_token}),
    row(
        "calendar:rotate",
        "POST",
        302,
        302,
        302,
        302,
        302,
        data=lambda w: {"confirm": "1"},
        effect=feed_rotated,
        by=("owner",),
    ),
    row("calendar:api-feed", "GET", 401, 200, 200, 200, 200, api=True),
    row(
        "calendar:api-feed-rotate",
        "POST",
        401,
        200,
        200,
        200,
        200,
        api=True,
        effect=feed_rotated,
        by=("owner",),
    ),
    # ---- the operators' dashboard (rooms/insights): staff only, reads only ----
    # Under admin/ (exempt as the admin's), listed anyway: students meet the admin login.
    row("insights:dashboard", "GET", 302, 302, 302, 302, 200),
    row("insights:export", "GET", 302, 302, 302, 302, 200),
    # ---- alarms ----
    row("alarms:list", "GET", 302, 200, 200, 200, 200),
    row("alarms-api:list", "GET", 401, 200, 200, 200, 200),
    # ---- restaurants ----
    # Public: what is near a campus is nobody's secret.
    row("restaurants:list", "GET", 200, 200, 200, 200, 200),
    row("restaurants:pick", "GET", 200, 200, 200, 200, 200),
    row("restaurants_api:list", "GET", 200, 200, 200, 200, 200),
    row("restaurants_api:pick", "GET", 200, 200, 200, 200, 200),
    row(
        "restaurants_api:detail",
        "GET",
        200,
        200,
        200,
        200,
        200,
        kwargs=lambda w: {"restaurant_id": str(w.restaurant.api_id)},
    ),
]


def _actor(world: World, actor: str):
    return None if actor == "anon" else getattr(world, actor)


def _request(row: Row, world: World, actor: str, client, api_client):
    url = reverse(row.route, kwargs=row.kwargs(world))
    if row.query:
        url = f"{url}?{row.query}"
    user = _actor(world, actor)
    data = row.data(world)
    if row.api:
        if user is not None:
            access = issue_token_pair(user=user).access
            api_client.credentials(HTTP_AUTHORIZATION=f"Bearer {access}")
        call = getattr(api_client, row.method.lower())
        return call(url, data, format="json") if data is not None else call(url)
    if user is not None:
        client.force_login(user)
    call = getattr(client, row.method.lower())
    return call(url, data or {})


CELLS = [pytest.param(row, actor, id=f"{row.id} as {actor}") for row in TABLE for actor in ACTORS]


@pytest.mark.parametrize(("row", "actor"), CELLS)
def test_it_answers_each_actor_as_the_table_says(row, actor, world, client, api_client):
    response = _request(row, world, actor, client, api_client)
    if row.effect is not None:
        done = row.effect(world, _actor(world, actor))
        assert done == (actor in row.by), f"{row.id} as {actor}: the write took effect: {done}"
    assert response.status_code == row.expect[actor], (
        f"{row.id} as {actor}: {response.status_code} {response.get('Location')} "
        f"{response.content[:300]!r}"
    )


def _routes(resolver=None, prefix="", namespace=""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or ""
            inner = f"{namespace}:{ns}" if namespace and ns else (ns or namespace)
            yield from _routes(entry, prefix + str(entry.pattern), inner)
        elif isinstance(entry, URLPattern):
            name = f"{namespace}:{entry.name}" if namespace and entry.name else entry.name
            yield prefix + str(entry.pattern), name


def test_it_has_a_row_or_a_reason_for_every_route():
    covered = {r.route for r in TABLE}
    missing = [
        (path, name)
        for path, name in _routes()
        if not path.startswith(EXEMPT_PREFIXES) and name not in EXEMPT and name not in covered
    ]
    assert missing == [], (
        f"routes with no access-control row (add one to TABLE or a reason): {missing}"
    )
    assert missing == [], "routes with no access-control row (add one to TABLE or a reason)"


def test_it_lists_no_route_that_does_not_exist():
    names = {name for _, name in _routes()}
    assert {r.route for r in TABLE} - names == set()
    assert {n for n in EXEMPT if ":" in n} - names == set()
