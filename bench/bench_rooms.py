"""Rooms: the board and the room detail served by gunicorn on MariaDB and Redis, each as a ratio
to a trivial JSON view on the same server in the same run; then 200 joiners on one room.

    DATABASE_URL=mysql://root@127.0.0.1:3306/partner42 REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python -m bench bench_rooms          (or `make bench` for every benchmark)

Each request is measured in `--rounds` short runs alternating with the trivial view's, and its
figure is the median of the rounds' ratios (the machine is shared and its load moves).

Options (or environment): --seconds (BENCH_SECONDS, 5) per request in all, --rounds
(BENCH_ROUNDS, 5), --concurrency (BENCH_CONCURRENCY, 8) client connections, --joiners
(BENCH_JOINERS, 200), --rooms (300).
Writes bench/results/rooms.json as well.
"""

import argparse
import http.client
import json
import random
import statistics
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from bench.common import (
    ROOT,
    TRIVIAL_PATH,
    LoadResult,
    bench_database,
    env_float,
    env_int,
    gunicorn,
    interleaved,
    load,
    percentile,
    port_of,
    setup_django,
)

BOARD_PATH = "/api/articles?isComplete=false&contentCategory=MEAL"
# The floor of a cached API answer (bench/urls.py): DRF alone, and DRF plus one shared-cache GET.
DRF_PATH = "/api/bench/drf"
DRF_CACHE_PATH = "/api/bench/drf-cache"
# Persistent database connections, as deploy/env/app.env.example sets them for production.
PRODUCTION_LIKE = {"CONN_MAX_AGE": "60"}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="bench_rooms", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=env_float("BENCH_SECONDS", 5))
    parser.add_argument("--rounds", type=int, default=env_int("BENCH_ROUNDS", 5))
    parser.add_argument("--concurrency", type=int, default=env_int("BENCH_CONCURRENCY", 8))
    parser.add_argument("--joiners", type=int, default=env_int("BENCH_JOINERS", 200))
    parser.add_argument("--rooms", type=int, default=300)
    args = parser.parse_args(argv or [])

    setup_django()
    with bench_database("rooms") as database:
        seed = _seed(rooms=args.rooms, joiners=args.joiners)
        report: dict = {"settings": vars(args)}

        with gunicorn(database=database, env=PRODUCTION_LIKE) as base:
            detail_path = f"/api/articles/{seed['detail_room']}"
            for path in (TRIVIAL_PATH, DRF_PATH, DRF_CACHE_PATH, BOARD_PATH, detail_path):
                load(base, path, seconds=0.5, concurrency=args.concurrency)  # warm up
            paths = {
                "trivial": TRIVIAL_PATH,
                "drf": DRF_PATH,
                "drf_cache": DRF_CACHE_PATH,
                "board_cached": BOARD_PATH,
                "detail": detail_path,
            }
            report["cache_on"] = _summaries(*_measure(base, paths, args))
            report["contention"] = _contention(base, seed)

        with gunicorn(
            database=database, env={**PRODUCTION_LIKE, "ROOM_BOARD_CACHE_SECONDS": "0"}
        ) as base:
            for path in (TRIVIAL_PATH, BOARD_PATH):
                load(base, path, seconds=0.5, concurrency=args.concurrency)
            paths = {"trivial": TRIVIAL_PATH, "board_uncached": BOARD_PATH}
            report["cache_off"] = _summaries(*_measure(base, paths, args))

    _print(report)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    Path(out / "rooms.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return report


# --- data ---------------------------------------------------------------------------------------


def _seed(*, rooms: int, joiners: int) -> dict:
    from accounts.models import User
    from accounts.tokens import issue_token_pair
    from partner42.choices import CATEGORY_CONDITION_KINDS, CONDITION_ENUMS
    from rooms import services

    rng = random.Random(42)
    authors = User.objects.bulk_create(
        User(username=f"author{i}", nickname=f"author{i}", email=f"author{i}@example.com")
        for i in range(40)
    )
    today = services.room_today()
    created = []
    for i in range(rooms):
        category = "MEAL" if i % 3 else "STUDY"
        conditions = {
            kind: rng.sample(list(CONDITION_ENUMS[kind].values), k=rng.randint(1, 2))
            for kind in CATEGORY_CONDITION_KINDS[category]
        }
        room = services.room_create(
            author=authors[i % len(authors)],
            category=category,
            title=f"방 {i}: {'점심' if category == 'MEAL' else '스터디'} 같이 해요",
            content="내용 " * rng.randint(10, 200),
            meeting_date=today + timedelta(days=rng.randint(0, 30)),
            anonymity=i % 5 == 0,
            participant_num_max=rng.randint(4, 20),
            conditions=conditions,
        )
        for j in range(rng.randint(0, 3)):
            services.comment_create(
                room=room, author=authors[(i + j + 1) % len(authors)], content=f"댓글 {j}"
            )
        created.append(room)
    detail_room = created[1]
    for author in authors[2:8]:
        if detail_room.participant_num < detail_room.participant_num_max:
            detail_room = services.room_join(room=detail_room, user=author).room

    User.objects.bulk_create(
        User(username=f"joiner{i}", nickname=f"joiner{i}", email=f"joiner{i}@example.com")
        for i in range(joiners)
    )
    joiner_users = list(User.objects.filter(username__startswith="joiner").order_by("pk"))
    tokens = [issue_token_pair(user=user).access for user in joiner_users]
    contended = services.room_create(
        author=authors[0],
        category="MEAL",
        title="모두가 원하는 방",
        content="선착순",
        meeting_date=today + timedelta(days=1),
        anonymity=False,
        participant_num_max=20,
        conditions={},
    )
    # One room per uncontended join: the same joiner enters each alone.
    quiet = [
        services.room_create(
            author=authors[1],
            category="STUDY",
            title=f"조용한 방 {i}",
            content="혼자",
            meeting_date=today + timedelta(days=1),
            anonymity=False,
            participant_num_max=2,
            conditions={},
        )
        for i in range(100)
    ]
    return {
        "detail_room": str(detail_room.api_id),
        "contended_room": contended,
        "quiet_rooms": [str(room.api_id) for room in quiet],
        "tokens": tokens,
    }


# --- contention ---------------------------------------------------------------------------------


def _join(port: int, room: str, token: str, conn: http.client.HTTPConnection | None = None):
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    began = time.perf_counter()
    conn.request(
        "POST",
        f"/api/articles/{room}/participate",
        headers={"Authorization": f"Bearer {token}", "Content-Length": "0"},
    )
    response = conn.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - began
    conn.close()
    code = None if response.status == 200 else json.loads(body or b"{}").get("code")
    attempts = response.getheader("X-Seat-Attempts")
    return response.status, code, int(attempts) if attempts else None, elapsed


def _contention(base: str, seed: dict) -> dict:
    from rooms.models import Participation

    port = port_of(base)
    room = seed["contended_room"]
    tokens = seed["tokens"]

    # Uncontended: one join at a time, each into an empty room.
    quiet = [_join(port, room_id, tokens[0])[3] for room_id in seed["quiet_rooms"]]

    results: list = [None] * len(tokens)
    barrier = threading.Barrier(len(tokens))

    def joiner(index: int, token: str) -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        conn.connect()
        barrier.wait()
        try:
            results[index] = _join(port, str(room.api_id), token, conn)
        except (OSError, http.client.HTTPException) as exc:
            results[index] = ("error", repr(exc), None, 0.0)

    threads = [threading.Thread(target=joiner, args=(i, t)) for i, t in enumerate(tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    room.refresh_from_db()
    rows = Participation.objects.filter(room=room).count()
    joined = [r for r in results if r[0] == 200]
    retries = [r[2] - 1 for r in joined if r[2] is not None]
    contended = [r[3] for r in results]
    return {
        "joiners": len(tokens),
        "capacity": room.participant_num_max,
        "joined": len(joined),
        "answers": dict(Counter(f"{r[0]} {r[1] or ''}".strip() for r in results)),
        "overbooked_seats": max(0, room.participant_num - room.participant_num_max),
        "count_matches_rows": room.participant_num == rows,
        "version": room.version,
        "retries_per_successful_join_mean": sum(retries) / len(retries) if retries else 0.0,
        "retries_per_successful_join_max": max(retries, default=0),
        "join_p50_ms_contended": percentile(contended, 50) * 1000,
        "join_p99_ms_contended": percentile(contended, 99) * 1000,
        "join_p50_ms_uncontended": percentile(quiet, 50) * 1000,
        "join_p99_ms_uncontended": percentile(quiet, 99) * 1000,
    }


# --- report -------------------------------------------------------------------------------------


def _measure(base: str, paths: dict[str, str], args) -> tuple[dict, dict]:
    return interleaved(
        base, paths, seconds=args.seconds, rounds=args.rounds, concurrency=args.concurrency
    )


def _summaries(runs: dict[str, LoadResult], ratios: dict[str, list[float]]) -> dict:
    return {
        name: {
            "rps": round(run.rps, 1),
            # The median of the rounds' ratios to the trivial view (1 for the trivial view).
            "ratio_to_trivial": round(statistics.median(ratios.get(name) or [1.0]), 3),
            "ratio_range": [round(min(ratios[name]), 3), round(max(ratios[name]), 3)]
            if ratios.get(name)
            else None,
            "p50_ms": round(run.percentile(50) * 1000, 2),
            "p99_ms": round(run.percentile(99) * 1000, 2),
            "requests": run.requests,
            "errors": run.errors,
        }
        for name, run in runs.items()
    }


def _range(row: dict) -> str:
    low_high = row.get("ratio_range")
    return f" (rounds {low_high[0]:.2f}-{low_high[1]:.2f})" if low_high else ""


def _print(report: dict) -> None:
    labels = {
        "trivial": "trivial JSON view",
        "drf": "the same through DRF (floor)",
        "drf_cache": "DRF + one Redis GET (floor of a cached page)",
        "board_cached": "GET /api/articles, first page, cached",
        "detail": "GET /api/articles/{id}",
        "board_uncached": "GET /api/articles, first page, uncached",
    }
    for server in ("cache_on", "cache_off"):
        print(f"-- server with the board cache {'on' if server == 'cache_on' else 'off'}")
        for name, row in report[server].items():
            print(
                f"  {labels[name]:<46} {row['rps']:>8.1f} req/s  x{row['ratio_to_trivial']:.3f}"
                f" of trivial{_range(row)}  p50 {row['p50_ms']:.1f} ms  p99 {row['p99_ms']:.1f} ms"
                f"  errors {row['errors']}"
            )
    c = report["contention"]
    print(f"-- {c['joiners']} joiners on one room of {c['capacity']} seats")
    print(f"  answers: {c['answers']}")
    print(f"  overbooked seats: {c['overbooked_seats']} (must be 0)")
    print(f"  participant_num matches the participation rows: {c['count_matches_rows']}")
    print(
        f"  retries per successful join: mean {c['retries_per_successful_join_mean']:.2f},"
        f" max {c['retries_per_successful_join_max']}"
    )
    ratio = c["join_p99_ms_contended"] / c["join_p99_ms_uncontended"]
    print(
        f"  join p99: {c['join_p99_ms_contended']:.1f} ms contended vs"
        f" {c['join_p99_ms_uncontended']:.1f} ms uncontended (x{ratio:.1f});"
        f" p50 {c['join_p50_ms_contended']:.1f} vs {c['join_p50_ms_uncontended']:.1f} ms"
    )


if __name__ == "__main__":
    main()
