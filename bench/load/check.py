"""What must hold after the load run, read from the database and through the API.

- no room over capacity (its counter, and its participation rows);
- every count equals its rows (a room's `participant_num`, a match's `participant_num`);
- every waiting request with a compatible partner was matched: no two WAITING, unexpired requests
  of one category from different users are compatible (places and options intersect, an empty
  list meaning any) unless one blocks the other; and each random match's members were compatible;
- every alarm row was pushed or is listed: each row is in its owner's `GET /api/alarms` (through
  nginx, with the owner's token), and each stream that was open when an alarm of its student was
  made received an `alarmList` event for it (counted per stream, from the moment its CONNECTED
  event arrived, with a few seconds' margin at both ends).

The compatibility rule is written out here again on purpose, not imported from matching/: the
check must not share a mistake with the code it checks.

    check(seed=..., streams=..., base_url=...) -> dict   (bench/load/__main__.py calls it)
"""

import http.client
import json
from collections import Counter, defaultdict
from datetime import timedelta
from itertools import combinations
from urllib.parse import urlsplit

from bench.load.stack import insecure_tls

# An alarm committed this close to a stream's opening or closing may fairly miss it.
STREAM_MARGIN = timedelta(seconds=3)


def check(*, seed: dict, streams: list[dict], base_url: str) -> dict:
    from alarms.models import Alarm

    report = {
        "rooms": _rooms(),
        "matches": _matches(),
        "waiting": _waiting(),
    }
    alarms = list(Alarm.objects.select_related("user").order_by("created_at"))
    report["alarms_listed"] = _listed(alarms, seed=seed, base_url=base_url)
    report["alarms_pushed"] = _pushed(alarms, streams)
    report["ok"] = all(part["ok"] for part in report.values() if isinstance(part, dict))
    return report


def _rooms() -> dict:
    from django.db.models import Count

    from rooms.models import Comment, Participation, Room

    rooms = Room.objects.annotate(rows=Count("participations"))
    over = [str(r.api_id) for r in rooms if r.participant_num > r.participant_num_max]
    over_rows = [str(r.api_id) for r in rooms if r.rows > r.participant_num_max]
    mismatched = [
        {"room": str(r.api_id), "participant_num": r.participant_num, "rows": r.rows}
        for r in rooms
        if r.participant_num != r.rows
    ]
    full = sum(1 for r in rooms if r.participant_num >= r.participant_num_max)
    return {
        "ok": not over and not over_rows and not mismatched,
        "rooms": len(rooms),
        "full": full,
        "participations": Participation.objects.count(),
        "comments": Comment.objects.count(),
        "over_capacity": over,
        "rows_over_capacity": over_rows,
        "count_not_rows": mismatched,
    }


def _compatible(a, b) -> bool:
    def meet(x: list, y: list) -> bool:
        return not x or not y or bool(set(x) & set(y))

    return meet(a.places, b.places) and meet(a.options, b.options)


def _matches() -> dict:
    from django.db.models import Count

    from matching.models import Match, RandomMatchRequest

    matches = list(Match.objects.annotate(rows=Count("members")))
    mismatched = [
        {"match": str(m.api_id), "participant_num": m.participant_num, "rows": m.rows}
        for m in matches
        if m.participant_num != m.rows
    ]
    by_match = defaultdict(list)
    for request in RandomMatchRequest.objects.filter(match__isnull=False):
        by_match[request.match_id].append(request)
    incompatible = []
    same_user = []
    for match_id, requests in by_match.items():
        if len({r.user_id for r in requests}) != len(requests):
            same_user.append(match_id)
        if any(not _compatible(a, b) for a, b in combinations(requests, 2)):
            incompatible.append(match_id)
    statuses = Counter(RandomMatchRequest.objects.values_list("status", flat=True))
    return {
        "ok": not mismatched and not incompatible and not same_user,
        "matches": len(matches),
        "random_matches": len(by_match),
        "requests": dict(statuses),
        "count_not_rows": mismatched,
        "incompatible_matches": incompatible,
        "matched_with_self": same_user,
    }


def _waiting() -> dict:
    from django.utils import timezone

    from matching.models import Block, RandomMatchRequest

    now = timezone.now()
    waiting = list(
        RandomMatchRequest.objects.filter(status="WAITING", expires_at__gt=now).order_by(
            "created_at"
        )
    )
    blocks = {(b, d) for b, d in Block.objects.values_list("blocker_id", "blocked_id")}
    pairs = []
    for a, b in combinations(waiting, 2):
        if a.category != b.category or a.user_id == b.user_id:
            continue
        if (a.user_id, b.user_id) in blocks or (b.user_id, a.user_id) in blocks:
            continue
        if _compatible(a, b):
            pairs.append([str(a.api_id), str(b.api_id)])
    return {
        "ok": not pairs,
        "waiting": len(waiting),
        "compatible_pairs_left": pairs[:20],
        "compatible_pairs_left_count": len(pairs),
    }


def _listed(alarms: list, *, seed: dict, base_url: str) -> dict:
    tokens = {s["id"]: s["token"] for s in seed["students"]}
    url = urlsplit(base_url)
    by_user = defaultdict(set)
    for alarm in alarms:
        by_user[str(alarm.user.api_id)].add(str(alarm.api_id))
    missing = []
    for user, expected in by_user.items():
        listed = set()
        page = 0
        while True:
            conn = http.client.HTTPSConnection(
                url.hostname, url.port, context=insecure_tls(), timeout=30
            )
            conn.request(
                "GET",
                f"/api/alarms?size=100&page={page}",
                headers={"Authorization": f"Bearer {tokens[user]}"},
            )
            response = conn.getresponse()
            body = json.loads(response.read())
            conn.close()
            if response.status != 200:
                raise RuntimeError(f"GET /api/alarms answered {response.status}: {body}")
            listed |= {item["alarmId"] for item in body["content"]}
            if body.get("last", True):
                break
            page += 1
        missing += sorted(expected - listed)
    return {"ok": not missing, "alarms": len(alarms), "not_listed": missing[:20]}


def _pushed(alarms: list, streams: list[dict]) -> dict:
    from datetime import UTC, datetime

    by_user = defaultdict(list)
    for alarm in alarms:
        by_user[str(alarm.user.api_id)].append(alarm.created_at)
    expected_total = received_total = 0
    short = []
    for stream in streams:
        if stream["status"] != 200 or stream["subscribed"] is None:
            continue
        opened = datetime.fromtimestamp(stream["subscribed"], tz=UTC) + STREAM_MARGIN
        closed = datetime.fromtimestamp(stream["closed"], tz=UTC) - STREAM_MARGIN
        expected = sum(1 for t in by_user[stream["user"]] if opened <= t <= closed)
        received = sum(1 for _, event in stream["events"] if event == "alarmList")
        expected_total += expected
        received_total += received
        if received < expected:
            short.append({"user": stream["user"], "expected": expected, "received": received})
    return {
        "ok": not short,
        "streams": len(streams),
        "streams_refused": sum(1 for s in streams if s["status"] not in (200,)),
        "streams_never_subscribed": sum(1 for s in streams if s["subscribed"] is None),
        "alarms_while_a_stream_was_open": expected_total,
        "alarm_events_received": received_total,
        "streams_short_of_pushes": short[:20],
    }
