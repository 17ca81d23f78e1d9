"""Contention: 200 joiners released together on one room of 20 seats, against the same burst
spread over 200 rooms (the same load without contention), served by gunicorn on MariaDB and Redis.

    DATABASE_URL=mysql://root@127.0.0.1:3306/partner42 REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python -m bench bench_contention      (or `make bench` for every benchmark)

Each round, on one server, in this order:

- sequential: joins one at a time, each into an empty room of its own (no load, no contention);
- trivial: the same number of requests released together on the trivial JSON view (the cost of
  the burst itself: the server's queue on this machine, with no join at all);
- spread: the joiners released together, each on a room of its own (the load, no contention);
- contended: the joiners released together on one room with 19 free seats;
- full: the joiners released together on a room that is already full (every answer is a 409).

Figures are pooled over the rounds and reported as ratios to the sequential and the spread
runs of the same rounds. Options (or environment): --joiners (BENCH_JOINERS, 200), --rounds
(BENCH_CONTENTION_ROUNDS, 3), --sequential (50 joins per round), --workers / --threads (the
gunicorn shape, default the production one: 2 x CPUs + 1 processes of one thread),
--conn-max-age (60, as production). Writes bench/results/contention.json as well.
"""

import argparse
import http.client
import json
import os
import sys
import threading
import time
from collections import Counter
from datetime import timedelta
from pathlib import Path

from bench.common import (
    ROOT,
    TRIVIAL_PATH,
    bench_database,
    env_int,
    gunicorn,
    percentile,
    port_of,
    request,
    setup_django,
)

CAPACITY = 20


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="bench_contention", description=__doc__.split("\n")[0])
    parser.add_argument("--joiners", type=int, default=env_int("BENCH_JOINERS", 200))
    parser.add_argument("--rounds", type=int, default=env_int("BENCH_CONTENTION_ROUNDS", 3))
    parser.add_argument("--sequential", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2 * (os.cpu_count() or 1) + 1)
    parser.add_argument("--threads", type=int, default=1)
    parser.add_argument("--conn-max-age", type=int, default=60)
    args = parser.parse_args(argv if argv is not None else [])

    setup_django()
    with bench_database("contention") as database:
        seed = _seed(joiners=args.joiners)
        env = {"CONN_MAX_AGE": str(args.conn_max_age)}
        with gunicorn(
            database=database, env=env, workers=args.workers, threads=args.threads
        ) as base:
            port = port_of(base)
            _warm_up(port, seed)
            rounds = [_round(port, seed, sequential=args.sequential) for _ in range(args.rounds)]
    report = {"settings": vars(args), **_summary(rounds)}
    _print(report)
    out = ROOT / "bench" / "results"
    out.mkdir(parents=True, exist_ok=True)
    Path(out / "contention.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    return report


# --- data ---------------------------------------------------------------------------------------


def _seed(*, joiners: int) -> dict:
    from accounts.models import User
    from accounts.tokens import issue_token_pair

    User.objects.bulk_create(
        User(username=f"joiner{i}", nickname=f"joiner{i}", email=f"joiner{i}@example.com")
        for i in range(joiners)
    )
    users = list(User.objects.filter(username__startswith="joiner").order_by("pk"))
    authors = User.objects.bulk_create(
        User(username=f"author{i}", nickname=f"author{i}", email=f"author{i}@example.com")
        for i in range(2)
    )
    return {
        "tokens": [issue_token_pair(user=user).access for user in users],
        "authors": authors,
    }


def _room(author, *, capacity: int = CAPACITY, title: str = "방"):
    from rooms import services

    return services.room_create(
        author=author,
        category="MEAL",
        title=title,
        content="선착순",
        meeting_date=services.room_today() + timedelta(days=1),
        anonymity=False,
        participant_num_max=capacity,
        conditions={},
    )


def _full_room(author, member):
    from rooms import services

    room = _room(author, capacity=2, title="꽉 찬 방")
    return services.room_join(room=room, user=member).room


# --- requests -----------------------------------------------------------------------------------


def _join(port: int, room: str, token: str, conn: http.client.HTTPConnection | None = None):
    """POST participate; returns (status, code, attempts, seconds)."""
    conn = conn or http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    began = time.perf_counter()
    try:
        conn.request(
            "POST",
            f"/api/articles/{room}/participate",
            headers={"Authorization": f"Bearer {token}", "Content-Length": "0"},
        )
        response = conn.getresponse()
        body = response.read()
    except (OSError, http.client.HTTPException) as exc:
        return "error", repr(exc), None, time.perf_counter() - began
    finally:
        conn.close()
    elapsed = time.perf_counter() - began
    code = None if response.status == 200 else json.loads(body or b"{}").get("code")
    attempts = response.getheader("X-Seat-Attempts")
    return response.status, code, int(attempts) if attempts else None, elapsed


def _connected(port: int) -> http.client.HTTPConnection:
    # Connected before the clock starts, in every run alike.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.connect()
    return conn


def _trivial(conn: http.client.HTTPConnection):
    began = time.perf_counter()
    try:
        conn.request("GET", TRIVIAL_PATH)
        response = conn.getresponse()
        response.read()
    except (OSError, http.client.HTTPException) as exc:
        return "error", repr(exc), None, time.perf_counter() - began
    finally:
        conn.close()
    return response.status, None, None, time.perf_counter() - began


def _burst(port: int, pairs: list[tuple[str | None, str | None]]) -> list:
    """Every (room, token) join from its own open connection, released together; a room of
    None asks for the trivial view instead."""
    results: list = [None] * len(pairs)
    barrier = threading.Barrier(len(pairs))

    def joiner(index: int, room: str | None, token: str | None) -> None:
        conn = _connected(port)
        barrier.wait()
        results[index] = _trivial(conn) if room is None else _join(port, room, token, conn)

    threads = [
        threading.Thread(target=joiner, args=(i, room, token))
        for i, (room, token) in enumerate(pairs)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def _warm_up(port: int, seed: dict) -> None:
    # Every worker opens its database connection and loads its code before anything is timed.
    for _ in range(20):
        request(port, "GET", "/bench/trivial")
    rooms = [str(_room(seed["authors"][1]).api_id) for _ in range(len(seed["tokens"]) // 4)]
    _burst(port, list(zip(rooms, seed["tokens"], strict=False)))


def _round(port: int, seed: dict, *, sequential: int) -> dict:
    from rooms.models import Participation, Room

    tokens = seed["tokens"]
    author, other = seed["authors"]
    quiet = [str(_room(other).api_id) for _ in range(sequential)]
    spread = [str(_room(other).api_id) for _ in tokens]
    contended = _room(author, title="모두가 원하는 방")
    full = _full_room(author, other)

    result = {
        "sequential": [_join(port, room, tokens[0], _connected(port)) for room in quiet],
        "trivial": _burst(port, [(None, None)] * len(tokens)),
        "spread": _burst(port, list(zip(spread, tokens, strict=True))),
        "contended": _burst(port, [(str(contended.api_id), token) for token in tokens]),
        "full": _burst(port, [(str(full.api_id), token) for token in tokens]),
    }
    contended = Room.objects.get(pk=contended.pk)
    result["room"] = {
        "participant_num": contended.participant_num,
        "capacity": contended.participant_num_max,
        "rows": Participation.objects.filter(room=contended).count(),
        "version": contended.version,
    }
    return result


# --- report -------------------------------------------------------------------------------------


def _ms(values: list[float], p: float) -> float:
    return round(percentile(values, p) * 1000, 1)


def _stats(results: list) -> dict:
    times = [r[3] for r in results]
    return {
        "answers": len(times),
        "p50_ms": _ms(times, 50),
        "p99_ms": _ms(times, 99),
        "max_ms": round(max(times) * 1000, 1),
    }


def _median_ratio(rounds: list[dict], top: str, bottom: str) -> float:
    ratios = sorted(
        percentile([r[3] for r in one[top]], 99) / percentile([r[3] for r in one[bottom]], 99)
        for one in rounds
    )
    return round(ratios[len(ratios) // 2], 2)


def _summary(rounds: list[dict]) -> dict:
    pooled = {
        name: [r for one in rounds for r in one[name]]
        for name in ("sequential", "trivial", "spread", "contended", "full")
    }
    contended = pooled["contended"]
    winners = [r for r in contended if r[0] == 200]
    losers = [r for r in contended if r[0] != 200]
    retries = [r[2] - 1 for r in winners if r[2] is not None]
    stats = {name: _stats(results) for name, results in pooled.items()}
    stats["contended_winners"] = _stats(winners) if winners else {}
    stats["contended_losers"] = _stats(losers) if losers else {}
    p99 = {name: row["p99_ms"] for name, row in stats.items() if row}
    return {
        "rounds": len(rounds),
        "answers": {
            name: dict(Counter(f"{r[0]} {r[1] or ''}".strip() for r in results))
            for name, results in pooled.items()
        },
        "overbooked_seats": sum(
            max(0, one["room"]["participant_num"] - one["room"]["capacity"]) for one in rounds
        ),
        "count_matches_rows": all(
            one["room"]["participant_num"] == one["room"]["rows"] for one in rounds
        ),
        "versions": [one["room"]["version"] for one in rounds],
        "retries_per_successful_join_mean": round(sum(retries) / len(retries), 2)
        if retries
        else 0.0,
        "retries_per_successful_join_max": max(retries, default=0),
        "stats": stats,
        "p99_ratio": {
            "contended_to_sequential": round(p99["contended"] / p99["sequential"], 2),
            "contended_to_spread": round(p99["contended"] / p99["spread"], 2),
            "contended_to_full": round(p99["contended"] / p99["full"], 2),
            "trivial_burst_to_sequential_join": round(p99["trivial"] / p99["sequential"], 2),
            "spread_to_sequential": round(p99["spread"] / p99["sequential"], 2),
            "losers_to_spread": round(p99["contended_losers"] / p99["spread"], 2),
            "full_to_spread": round(p99["full"] / p99["spread"], 2),
        },
        # Each round's bursts ran seconds apart: their ratios move less with the machine's load.
        "per_round_p99_ratio_median": {
            "contended_to_spread": _median_ratio(rounds, "contended", "spread"),
            "contended_to_full": _median_ratio(rounds, "contended", "full"),
            "contended_to_sequential": _median_ratio(rounds, "contended", "sequential"),
        },
        "per_round_p99_ms": [
            {
                name: _ms([r[3] for r in one[name]], 99)
                for name in ("sequential", "trivial", "spread", "contended", "full")
            }
            for one in rounds
        ],
    }


def _print(report: dict) -> None:
    s = report["settings"]
    print(
        f"-- {s['joiners']} joiners, {report['rounds']} rounds; gunicorn {s['workers']} workers"
        f" x {s['threads']} threads, CONN_MAX_AGE={s['conn_max_age']}"
    )
    for name, answers in report["answers"].items():
        print(f"  answers {name:<10} {answers}")
    print(f"  overbooked seats: {report['overbooked_seats']} (must be 0)")
    print(f"  participant_num matches the participation rows: {report['count_matches_rows']}")
    print(
        f"  retries per successful join: mean {report['retries_per_successful_join_mean']:.2f},"
        f" max {report['retries_per_successful_join_max']}"
    )
    for name, row in report["stats"].items():
        if row:
            print(
                f"  {name:<18} {row['answers']:>5} answers  p50 {row['p50_ms']:>7.1f} ms"
                f"  p99 {row['p99_ms']:>7.1f} ms  max {row['max_ms']:>7.1f} ms"
            )
    for name, ratio in report["p99_ratio"].items():
        print(f"  p99 {name:<24} x{ratio:.2f}")
    for name, ratio in report["per_round_p99_ratio_median"].items():
        print(f"  p99 {name:<24} x{ratio:.2f} (median of the rounds' own ratios)")
    print(f"  p99 per round (ms): {report['per_round_p99_ms']}")


if __name__ == "__main__":
    main(sys.argv[1:])
