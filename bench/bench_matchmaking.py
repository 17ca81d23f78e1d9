"""Matchmaking: one full run over 1,000 and over 10,000 waiting requests on MariaDB.

    DATABASE_URL=mysql://root@127.0.0.1:3306/partner42 REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python -m bench bench_matchmaking      (or `make bench` for every benchmark)

Each size starts from empty tables, fills the queue with mixed conditions (both categories, some
"any" lists, a fixed random seed) and times `matchmaking_run()`: expiry check, planning and the
matches, made in batches of one transaction each, with their members, conditions, activity rows,
alarms (rows and live pushes through the run's one sender) and one Slack task per match,
published to the real broker as in production (under a key prefix of the bench's own, deleted
afterwards; the default worker writes the notice in production, nobody consumes it here).
Reported: time per match, all work included, against one bare single-row transaction measured in
the same run, which makes the figure comparable across machines (goal: at most 5x),
and the ratio of the large run to the small one (goal: close to linear, at most 11x for 10x the
requests).

Options (or environment): --sizes (BENCH_MATCH_SIZES, "1000,10000"), --baseline-rounds (500).
Writes bench/results/matchmaking.json as well.
"""

import argparse
import json
import os
import random
import statistics
import time
from contextlib import contextmanager
from datetime import timedelta

from bench.common import ROOT, bench_database, env_int, setup_django

GOAL_RATIO = 11.0  # the large run's time over the small one's, for 10x the requests
GOAL_PER_MATCH = 5.0  # one match, all work included, over one bare single-row transaction


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(prog="bench_matchmaking", description=__doc__.split("\n")[0])
    parser.add_argument(
        "--sizes", default=os.environ.get("BENCH_MATCH_SIZES", "1000,10000"), type=str
    )
    parser.add_argument(
        "--baseline-rounds", type=int, default=env_int("BENCH_BASELINE_ROUNDS", 500)
    )
    args = parser.parse_args(argv or [])
    sizes = [int(size) for size in args.sizes.split(",")]

    setup_django()
    from django.conf import settings

    # Alarm pushes and the Slack task's publish as in production; nobody listens or consumes.
    settings.SLACK_BOT_TOKEN = ""
    with bench_database("match"), _publish_for_real():
        runs = []
        for size in sizes:
            # The machine's load drifts over minutes: measure the bare transaction right before
            # and right after each run and compare the run with their mean.
            before = _bare_transaction_seconds(rounds=args.baseline_rounds)
            run = _one_run(size)
            after = _bare_transaction_seconds(rounds=args.baseline_rounds)
            baseline_ms = (before + after) / 2 * 1000
            in_transaction_ms = run["ms_per_match"] - run["after_commit_ms_per_match"]
            run.update(
                baseline_transaction_ms=round(baseline_ms, 3),
                per_match_over_baseline=round(run["ms_per_match"] / baseline_ms, 2),
                in_transaction_over_baseline=round(in_transaction_ms / baseline_ms, 2),
            )
            runs.append(run)

    report: dict = {"settings": {"sizes": sizes, "baseline_rounds": args.baseline_rounds}}
    report["runs"] = runs
    if len(runs) >= 2:
        small, large = runs[0], runs[-1]
        report["size_ratio"] = large["requests"] / small["requests"]
        report["time_ratio"] = round(large["seconds"] / small["seconds"], 2)
        # The same ratio with each run measured in bare transactions of its own moment.
        report["time_ratio_load_adjusted"] = round(
            (large["seconds"] / large["baseline_transaction_ms"])
            / (small["seconds"] / small["baseline_transaction_ms"]),
            2,
        )
        report["goal_time_ratio_below"] = GOAL_RATIO * report["size_ratio"] / 10
    _print(report)
    results = ROOT / "bench" / "results"
    results.mkdir(exist_ok=True)
    (results / "matchmaking.json").write_text(json.dumps(report, indent=2) + "\n")
    return report


def _bare_transaction_seconds(*, rounds: int) -> float:
    """Mean time of one transaction that updates one row by primary key."""
    from django.db import transaction
    from django.db.models import F

    from accounts.models import User

    user = User.objects.create(username="baseline", nickname="baseline")
    for _ in range(20):  # warm the connection and the row
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(last_name=F("last_name"))
    samples = []
    for _ in range(rounds):
        began = time.perf_counter()
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(first_name="b")
        samples.append(time.perf_counter() - began)
    user.delete()
    return statistics.fmean(samples)


def _one_run(size: int) -> dict:
    from django.utils import timezone

    from matching.services.random import matchmaking_run

    _empty_tables()
    now = timezone.now()
    _fill(size, now=now - timedelta(minutes=5))
    with _after_commit_clock() as after_commit, _match_clock() as batches:
        began = time.perf_counter()
        result = matchmaking_run(now=now)
        seconds = time.perf_counter() - began
    matches = len(result.matches)
    return {
        "requests": size,
        "matches": matches,
        "left_waiting": size - matches * 2,
        "conflicts": result.conflicts,
        "seconds": round(seconds, 3),
        # Expiry check, the passes' reads and planning: the run outside its batches.
        "outside_batches_seconds": round(seconds - sum(spent for spent, _ in batches), 3),
        "ms_per_match": round(seconds * 1000 / matches, 3) if matches else None,
        "after_commit_ms_per_match": round(sum(after_commit.values()) * 1000 / matches, 3)
        if matches
        else None,
        "pushes_ms_per_match": round(after_commit["pushes"] * 1000 / matches, 3)
        if matches
        else None,
        "slack_ms_per_match": round(after_commit["slack"] * 1000 / matches, 3) if matches else None,
        # Flat from the first tenth of the matches to the last: no cost grows with the queue.
        "first_tenth_ms_per_match": _pace(batches, tenth="first"),
        "last_tenth_ms_per_match": _pace(batches, tenth="last"),
    }


def _pace(batches: list[tuple[float, int]], *, tenth: str) -> float | None:
    """ms per match over the batches that made the first (or the last) tenth of the matches."""
    total = sum(made for _, made in batches)
    if not total:
        return None
    chosen, made_so_far = [], 0
    for seconds, made in batches if tenth == "first" else reversed(batches):
        chosen.append((seconds, made))
        made_so_far += made
        if made_so_far * 10 >= total:
            break
    return round(sum(s for s, _ in chosen) * 1000 / max(1, made_so_far), 3)


@contextmanager
def _match_clock():
    """Each batch of groups: its time (transaction, then its after-commit work) and matches."""
    from matching.services import random as random_services

    batches: list[tuple[float, int]] = []
    original = random_services._apply_groups

    def timed(**kwargs):
        before = len(kwargs["result"].matches)
        began = time.perf_counter()
        try:
            return original(**kwargs)
        finally:
            batches.append((time.perf_counter() - began, len(kwargs["result"].matches) - before))

    random_services._apply_groups = timed
    try:
        yield batches
    finally:
        random_services._apply_groups = original


@contextmanager
def _publish_for_real():
    """Celery tasks published to the real broker (Redis) instead of run in-process, under a key
    prefix of our own whose keys are deleted afterwards."""
    import uuid

    import redis
    from django.conf import settings

    from partner42.celery import app

    prefix = f"p42-bench-{uuid.uuid4().hex[:8]}:"
    saved = {
        "task_always_eager": app.conf.task_always_eager,
        "broker_transport_options": app.conf.broker_transport_options,
    }

    def use(**conf):
        app.conf.update(**conf)
        app._pool = None  # the next publish takes a pool for these options
        app.amqp._producer_pool = None

    use(task_always_eager=False, broker_transport_options={"global_keyprefix": prefix})
    try:
        yield
    finally:
        use(**saved)
        client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)


@contextmanager
def _after_commit_clock():
    """Time spent in the after-commit side effects of matches, outside any transaction: the live
    alarm pushes (the run's one `AlarmPushSender` flushing after each batch's commit: one unread
    COUNT and the group_sends on one event loop) and the Slack enqueues (one task per batch)."""
    from alarms import services as alarm_services
    from matching.services import random as matching_services

    spent = {"pushes": 0.0, "slack": 0.0}
    originals = {
        (alarm_services.AlarmPushSender, "flush", "pushes"): alarm_services.AlarmPushSender.flush,
        (
            matching_services,
            "slack_match_notices_enqueue",
            "slack",
        ): matching_services.slack_match_notices_enqueue,
    }

    def timed(function, part):
        def wrapper(*args, **kwargs):
            began = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                spent[part] += time.perf_counter() - began

        return wrapper

    for (owner, name, part), function in originals.items():
        setattr(owner, name, timed(function, part))
    try:
        yield spent
    finally:
        for (owner, name, _part), function in originals.items():
            setattr(owner, name, function)


def _empty_tables() -> None:
    from accounts.models import User
    from alarms.models import Alarm
    from matching.models import Match, RandomMatchRequest

    RandomMatchRequest.objects.all().delete()
    Match.objects.all().delete()
    Alarm.objects.all().delete()
    User.objects.filter(username__startswith="mm").delete()


def _fill(size: int, *, now) -> None:
    from accounts.models import User
    from matching.models import RandomMatchRequest
    from partner42.choices import ContentCategory, Place, TypeOfStudy, WayOfEating

    rng = random.Random(42)

    def some(values: list[str]) -> list[str]:
        if rng.random() < 0.25:
            return []  # any
        return sorted(rng.sample(values, rng.randint(1, len(values))), key=values.index)

    users = User.objects.bulk_create(
        User(username=f"mm{i}", nickname=f"mm{i}", email=f"mm{i}@example.com") for i in range(size)
    )
    requests = []
    for i, user in enumerate(users):
        category = ContentCategory.MEAL if rng.random() < 0.7 else ContentCategory.STUDY
        options = list(
            WayOfEating.values if category == ContentCategory.MEAL else TypeOfStudy.values
        )
        created = now + timedelta(milliseconds=i)
        requests.append(
            RandomMatchRequest(
                user=user,
                category=category,
                places=some(list(Place.values)),
                options=some(options),
                status=RandomMatchRequest.Status.WAITING,
                waiting_key=RandomMatchRequest.make_waiting_key(user.pk, category),
                created_at=created,
                expires_at=created + timedelta(minutes=30),
            )
        )
    RandomMatchRequest.objects.bulk_create(requests, batch_size=2000)


def _print(report: dict) -> None:
    for run in report["runs"]:
        print(
            f"{run['requests']:>6} requests: {run['matches']:>5} matches in {run['seconds']:.2f} s"
            f" = {run['ms_per_match']:.3f} ms/match, of which"
            f" {run['after_commit_ms_per_match']:.3f} ms after commit"
            f" (alarm pushes {run['pushes_ms_per_match']:.3f},"
            f" Slack {run['slack_ms_per_match']:.3f});"
            f" {run['left_waiting']} left waiting;"
            f" reads and planning {run['outside_batches_seconds']:.2f} s"
        )
        print(
            f"        bare single-row transaction {run['baseline_transaction_ms']:.3f} ms:"
            f" a match costs {run['per_match_over_baseline']}x"
            f" (goal: at most {GOAL_PER_MATCH:.0f}x;"
            f" {run['in_transaction_over_baseline']}x without the after-commit work);"
            f" first/last tenth {run['first_tenth_ms_per_match']}"
            f" / {run['last_tenth_ms_per_match']} ms/match"
        )
    if "time_ratio" in report:
        print(
            f"{report['size_ratio']:.0f}x the requests took {report['time_ratio']}x the time"
            f" ({report['time_ratio_load_adjusted']}x adjusted for load;"
            f" goal: at most {report['goal_time_ratio_below']:.0f}x)"
        )


if __name__ == "__main__":
    main()
