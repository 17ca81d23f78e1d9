"""Property-based fuzzing of the JSON API from our own OpenAPI schema (SPEC section 10).

Schemathesis reads `/api/schema/` from the Django app in-process (WSGI, no server) and, for every
operation, sends generated requests: the schema's examples, boundary and wrong-type values for
every parameter and body field, unsupported methods, and random valid and invalid bodies, ids
and query strings. Only what holds for any input is asserted: no 5xx, and every 4xx under `/api/`
answers the SPEC error body `{"message", "status", "errors", "code"}`.

Every operation runs twice: as a logged-in student (a bearer access token, so protected
operations get past 401) and anonymously. Ids in paths and bodies are drawn from what the schema
allows and from a small seeded world (alice's room, bob's room, a completed room's match,
comments, a restaurant, users), so the operations also run on rows that exist. Each request runs
in a savepoint that is rolled back, so every example starts from the same world, and the callbacks
it queued with `transaction.on_commit` (alarms, cache bumps, matchmaking) run first, as they
would at the end of the request in production.

Bodies no schema can describe (lone surrogates, JSON nested thousands deep) get a test of their
own at the end. Only the SSE stream is left out (see `schema` below).
"""

import json
import uuid
import zlib
from datetime import timedelta

import pytest
import schemathesis
from django.core.cache import cache
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, transaction
from django.test import TestCase
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient
from schemathesis.checks import not_a_server_error

from accounts.tests.factories import UserFactory
from accounts.tokens import issue_token_pair
from alarms.tests.factories import AlarmFactory
from matching.locks import LOCK_KEY
from matching.models import Match
from matching.services.random import PENDING_KEY
from matching.tests.factories import BlockFactory
from matching.tests.match_helpers import completed_room
from partner42.choices import ContentCategory
from partner42.wsgi import application
from restaurants.cache import local_cache_clear
from restaurants.tests.factories import RestaurantFactory
from rooms.cache import _bump_generation
from rooms.services import room_join, room_today
from rooms.tests.factories import CommentFactory, RoomFactory

# The SSE stream (`/api/alarm/subscribe`) answers forever, so an in-process call never returns:
# it is a plain view outside the schema today, and stays out should it ever be documented.
# `alarms/tests/test_sse.py` covers it against a real server.
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application).exclude(
    path="/api/alarm/subscribe"
)

pytestmark = [pytest.mark.slow, pytest.mark.django_db]


def _public_id(n: int) -> uuid.UUID:
    return uuid.UUID(int=0x42_0000 + n)


# The seeded rows' public ids are fixed, so generation (which, for the coverage phase, happens
# at collection, before any fixture) can use them and a run is repeatable.
ALICE, BOB, CHARLIE = _public_id(1), _public_id(2), _public_id(3)
MY_ROOM, THEIR_ROOM, PAST_ROOM, JOINED_ROOM = (_public_id(n) for n in (11, 12, 13, 14))
MY_COMMENT, THEIR_COMMENT = _public_id(21), _public_id(22)
MATCH = _public_id(31)
RESTAURANT = _public_id(41)

# Seeded values per path parameter name (and `date`, for room bodies).
SEEDED_IDS: dict[str, list[str]] = {
    "article_id": [str(room) for room in (MY_ROOM, THEIR_ROOM, PAST_ROOM, JOINED_ROOM)],
    "opinion_id": [str(MY_COMMENT), str(THEIR_COMMENT)],
    "match_id": [str(MATCH)],
    "restaurant_id": [str(RESTAURANT)],
    "user_id": [str(ALICE), str(BOB), str(CHARLIE)],
    # A room's date may be tomorrow: the schema's example date is in the past.
    "date": [(room_today() + timedelta(days=1)).isoformat()],
}

ERROR_KEYS = {"message", "status", "errors", "code"}


# Body fields that name a row, by the path parameter whose seeded ids fit them.
BODY_ID_FIELDS = {
    "articleId": "article_id",
    "parentId": "opinion_id",
    "matchId": "match_id",
    "restaurantId": "restaurant_id",
    "userId": "user_id",
}


def _with_seeded(values, fields: dict[str, str]):
    """A strategy for `values` with each listed field left as generated or swapped for a seed."""
    if not isinstance(values, dict):
        return st.just(values)
    choices = {
        key: st.sampled_from([value, *SEEDED_IDS[fields[key]]])
        for key, value in values.items()
        if key in fields and SEEDED_IDS.get(fields[key])
    }
    return st.fixed_dictionaries(choices).map(lambda chosen: {**values, **chosen})


@schema.hook
def flatmap_path_parameters(ctx, path_parameters):
    """A generated path id, or the id of a seeded row."""
    return _with_seeded(path_parameters, {name: name for name in SEEDED_IDS})


BODY_SEEDED_FIELDS = {**BODY_ID_FIELDS, "date": "date"}


@schema.hook
def flatmap_body(ctx, body):
    """Ids in a body may be those of seeded rows."""
    return _with_seeded(body, BODY_SEEDED_FIELDS)


@schema.hook
def map_case(ctx, case):
    """The same swaps for the cases of the examples and coverage phases, which the hooks above
    do not see: picked from a checksum of the case, so a run is repeatable. A part the case
    generated invalid on purpose is left alone."""
    if case.meta is None or case.meta.phase.name == "fuzzing":
        return case
    seed = zlib.crc32(repr((case.path_parameters, case.query, case.body)).encode())

    def pick(values, fields: dict[str, str], location: str):
        component = case.meta.components.get(location)
        if not isinstance(values, dict) or (component and component.mode == "negative"):
            return values
        picked = dict(values)
        for key, value in values.items():
            ids = SEEDED_IDS.get(fields.get(key, ""))
            if ids:
                options = [value, *ids]
                picked[key] = options[(seed + len(key)) % len(options)]
        return picked

    case.path_parameters = pick(case.path_parameters, {n: n for n in SEEDED_IDS}, "path")
    case.body = pick(case.body, BODY_SEEDED_FIELDS, "body")
    body = case.meta.components.get("body")
    if isinstance(case.body, dict) and body and body.mode == "positive":
        # The schema gives a room's title and content no minimum length; blank ones are refused
        # (SPEC: 1 to 255 and 1 to 100,000 characters), which would stop every valid case there.
        for key in ("title", "content"):
            if isinstance(case.body.get(key), str) and not case.body[key].strip():
                case.body = {**case.body, key: "fuzz"}
    return case


def assert_error_body(status: int, body) -> None:
    """The SPEC section 10 error body."""
    assert isinstance(body, dict), f"error body is not an object: {body!r}"
    assert set(body) == ERROR_KEYS, f"error body keys {sorted(body)} != {sorted(ERROR_KEYS)}"
    assert body["status"] == status, f"status {body['status']} in the body"
    assert isinstance(body["message"], str), "message is not a string"
    assert isinstance(body["code"], str), "code is not a string"
    assert isinstance(body["errors"], list), "errors is not a list"
    for error in body["errors"]:
        assert set(error) == {"field", "value", "reason"}, f"error entry {error!r}"


def spec_error_body(ctx, response, case) -> bool | None:
    """A 4xx under /api/ answers the SPEC section 10 body."""
    if not 400 <= response.status_code < 500 or not case.path.startswith("/api/"):
        return None
    assert_error_body(response.status_code, response.json())
    return True


CHECKS = [not_a_server_error, spec_error_body]


@pytest.fixture
def _clean_shared_state():
    """Caches and keys in Redis and in-process outlive the test's rolled-back database."""

    def clean() -> None:
        _bump_generation()
        local_cache_clear()
        cache.delete_many([LOCK_KEY, PENDING_KEY])

    clean()
    # Each request through the WSGI app would close the test's connection (and its transaction)
    # when it ends: Django's test client detaches this handler the same way.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)
    clean()


def _set_public_id(row, public_id: uuid.UUID) -> None:
    type(row).objects.filter(pk=row.pk).update(api_id=public_id)


@pytest.fixture
def world(db, _clean_shared_state) -> dict[str, str]:
    """alice (the student the requests come from) among a few rows of every kind: her room
    (bob joined it, it has her comment and a restaurant), bob's room, charlie's room that she
    joined, a room bob completed with her (its match is old enough to review), her block of
    charlie and an alarm."""
    alice = UserFactory(username="alice", api_id=ALICE)
    bob = UserFactory(username="bob", api_id=BOB)
    charlie = UserFactory(username="charlie", api_id=CHARLIE)
    restaurant = RestaurantFactory(api_id=RESTAURANT)
    mine = RoomFactory(author=alice, restaurant=restaurant)
    room_join(room=mine, user=bob)
    theirs = RoomFactory(author=bob, category=ContentCategory.STUDY, participant_num_max=2)
    joined = RoomFactory(author=charlie, participant_num_max=3)
    room_join(room=joined, user=alice)
    past, match = completed_room(bob, alice)
    # Old enough to be reviewed whatever the review delay.
    Match.objects.filter(pk=match.pk).update(created_at=timezone.now() - timedelta(days=1))
    for row, public_id in [
        (mine, MY_ROOM),
        (theirs, THEIR_ROOM),
        (past, PAST_ROOM),
        (joined, JOINED_ROOM),
        (CommentFactory(room=mine, author=alice), MY_COMMENT),
        (CommentFactory(room=theirs, author=bob), THEIR_COMMENT),
        (match, MATCH),
    ]:
        _set_public_id(row, public_id)
    BlockFactory(blocker=alice, blocked=charlie)
    AlarmFactory(user=alice)
    return {"student": issue_token_pair(user=alice).access}


@schema.parametrize()
# Besides running each operation both ways, this gives every item its own node id: under pytest
# 9, schemathesis 4.32 names its items after the function alone, and xdist would run just one.
@pytest.mark.parametrize("who", ["student", "anonymous"])
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    database=None,
    # The function-scoped `world` is built once per operation on purpose (every example starts
    # from it again through the savepoint below); database round trips are slow by design.
    suppress_health_check=list(HealthCheck),
)
def test_it_never_answers_5xx(case, who, world):
    headers = {"Authorization": f"Bearer {world[who]}"} if who in world else {}
    with transaction.atomic():
        with TestCase.captureOnCommitCallbacks(execute=True):
            response = case.call(headers=headers)
        transaction.set_rollback(True)
    case.validate_response(response, checks=CHECKS, headers=headers)


def _json_body_operations() -> list:
    """(method, path, body property names) of every operation that takes a JSON body."""
    raw = schema.raw_schema
    found = []
    for path, operations in raw["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            if "application/json" not in content:
                continue
            body = content["application/json"]["schema"]
            if "$ref" in body:
                body = raw["components"]["schemas"][body["$ref"].rsplit("/", 1)[-1]]
            fields = list(body.get("properties", {}))
            found.append(pytest.param(method.upper(), path, fields, id=f"{method.upper()} {path}"))
    return found


def _lone_surrogates(fields: list[str]) -> str:
    # JSON can spell a lone UTF-16 surrogate; UTF-8 cannot hold one (it was a 500).
    return json.dumps({field: "x\ud800" for field in fields} | {"\udc00": "\ud83d"})


def _deep_nesting(fields: list[str]) -> str:
    # Python's json module recurses once per level (it was a 500).
    depth = 10**5
    return json.dumps({fields[0]: 0}).replace("0}", "[" * depth + "]" * depth + "}")


@pytest.mark.parametrize("make_body", [_lone_surrogates, _deep_nesting], ids=["surrogates", "deep"])
@pytest.mark.parametrize(("method", "path", "fields"), _json_body_operations())
def test_it_refuses_json_no_generated_case_sends(method, path, fields, make_body, world):
    """Bodies the schema cannot describe, so the cases above never send them: every JSON
    operation, as the student, on seeded rows, refuses them with a 4xx."""
    for name, ids in SEEDED_IDS.items():
        path = path.replace("{" + name + "}", ids[0])
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {world['student']}")

    response = client.generic(method, path, make_body(fields), content_type="application/json")

    assert 400 <= response.status_code < 500, response.content
    assert_error_body(response.status_code, response.json())


def test_it_gives_every_fuzzed_operation_its_own_node_id(request):
    node_ids = [
        item.nodeid
        for item in request.session.items
        if "::test_it_never_answers_5xx" in item.nodeid
    ]

    assert len(set(node_ids)) == len(node_ids)
