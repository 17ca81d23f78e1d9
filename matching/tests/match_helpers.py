"""What the review, complete, my-page and flow tests share: matches made the way production
makes them (matching's `match_create`, rooms' `room_complete`) and API clients."""

from rest_framework.test import APIClient

from matching.models import Match
from matching.services.matches import match_create
from partner42.choices import ConditionKind, ContentCategory, MethodCategory, Place, WayOfEating
from rooms.models import Room
from rooms.services import room_complete, room_join
from rooms.tests.factories import RoomFactory


def random_match(*users, category: str = ContentCategory.MEAL) -> Match:
    conditions = {ConditionKind.PLACE: [Place.GAEPO]}
    if category == ContentCategory.MEAL:
        conditions[ConditionKind.WAY_OF_EATING] = [WayOfEating.EATOUT]
    return match_create(
        category=category, method=MethodCategory.RANDOM, users=list(users), conditions=conditions
    )


def completed_room(author, *joiners, **room_fields) -> tuple[Room, Match]:
    """A room by `author`, joined by `joiners`, completed by its author."""
    room = RoomFactory(author=author, **room_fields)
    for user in joiners:
        room_join(room=room, user=user)
    match = room_complete(room=room, user=author)
    room.refresh_from_db()
    return room, match


def client_for(user) -> APIClient:
    client = APIClient()
    client.force_authenticate(user)
    return client


def review_body(match: Match, **scores: str) -> dict:
    return {
        "matchId": str(match.api_id),
        "memberReviewDtos": [
            {"nickname": nickname, "activityMatchScore": score}
            for nickname, score in scores.items()
        ],
    }


def error_code(response) -> tuple[int, str | None]:
    body = response.json() if response.content else {}
    return response.status_code, body.get("code")
