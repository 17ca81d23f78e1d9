"""Where a matchmaking run's time goes: cProfile of one `matchmaking_run()` and its statements.

    DATABASE_URL=mysql://root@127.0.0.1:3306/partner42 REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python -m bench.profile_matchmaking [--size 2000] [--top 30]

Fills the queue like bench/bench_matchmaking.py (in a database of its own), runs the matchmaker
once under cProfile with every statement captured, and prints the statements per match (by
kind), the round trips to Redis, and the functions with the largest cumulative and own time.
Not part of `make bench` (the file name does not start with `bench_`).
"""

import argparse
import cProfile
import io
import pstats
import time
from collections import Counter, deque
from datetime import timedelta

from bench.common import bench_database, setup_django


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="profile_matchmaking", description=__doc__.split("\n")[0])
    parser.add_argument("--size", type=int, default=2000)
    parser.add_argument("--top", type=int, default=30)
    args = parser.parse_args(argv)
    setup_django()
    import logging

    from django.conf import settings
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.utils import timezone

    from bench.bench_matchmaking import _empty_tables, _fill
    from matching.services.random import matchmaking_run

    settings.SLACK_BOT_TOKEN = ""
    logging.disable(logging.INFO)  # the eager Slack task's log lines would fill the terminal
    with bench_database("mprof"):
        _empty_tables()
        now = timezone.now()
        _fill(args.size, now=now - timedelta(minutes=5))
        profile = cProfile.Profile()
        connection.queries_log = deque(maxlen=10**7)  # Django keeps the last 9,000 only
        with CaptureQueriesContext(connection) as captured:
            began = time.perf_counter()
            profile.enable()
            result = matchmaking_run(now=now)
            profile.disable()
            seconds = time.perf_counter() - began
        matches = len(result.matches)
        kinds = Counter(_kind(query["sql"]) for query in captured.captured_queries)
        print(f"{args.size} requests, {matches} matches in {seconds:.2f} s (under cProfile)")
        total = len(captured.captured_queries)
        print(f"{total} statements, {total / matches:.2f} per match:")
        for kind, count in kinds.most_common():
            print(f"  {count / matches:6.2f} per match  {count:6d}  {kind}")
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out).strip_dirs()
        stats.sort_stats("cumulative").print_stats(args.top)
        stats.sort_stats("tottime").print_stats(args.top)
        print(out.getvalue())


def _kind(sql: str) -> str:
    if sql.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "ROLLBACK TO SAVEPOINT")):
        return sql.rsplit(" ", 1)[0]
    words = sql.split()
    head = " ".join(words[:3])
    for table in ("matching_", "alarms_", "accounts_"):
        for word in words[:8]:
            if table in word:
                return f"{words[0]} {word.strip('`')}"
    return head[:60]


if __name__ == "__main__":
    main()
