"""Restaurant recommendations: the in-process cache against the database, in one run.

Fills a throw-away database with restaurants within 2 km of both campuses (10,000 by default),
then sends the same mix of requests (campus x category x walking time x page, and "pick one")
through the whole Django stack twice: once with the per-process cache
(RESTAURANT_CACHE_SECONDS=300, after a short warm-up) and once reading the database on every
request (RESTAURANT_CACHE_SECONDS=0). Prints requests per second, latency percentiles and SQL
queries per request for each.

    DATABASE_URL=mysql://root@127.0.0.1:3306/partner42 REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python -m bench.bench_restaurants [--restaurants 10000] [--requests 2000]
"""

import argparse
import itertools
import math
import os
import random
import statistics
import sys
import time
import uuid
from contextlib import contextmanager

from bench.common import bench_database, setup_django

PER_CAMPUS_RADIUS_METRES = 2000
CATEGORIES = ["한식", "중국식", "일식", "경양식", "분식", "까페", "호프/통닭", "기타"]


@contextmanager
def _own_cache_prefix():
    """A cache key prefix of this run's own, so no other run's entries are read."""
    from django.conf import settings
    from django.test.utils import override_settings

    caches = {alias: {**config} for alias, config in settings.CACHES.items()}
    caches["default"]["KEY_PREFIX"] = f"bench-restaurants-{uuid.uuid4().hex[:8]}"
    with override_settings(CACHES=caches):
        yield


def _populate(count: int, rng: random.Random) -> None:
    from restaurants.geo import campus_distances, campus_list
    from restaurants.models import CampusDistance, Restaurant

    campuses = campus_list()
    restaurants = []
    for n in range(count):
        campus = campuses[n % len(campuses)]
        # uniform over a disc around the campus
        radius = PER_CAMPUS_RADIUS_METRES * math.sqrt(rng.random())
        angle = rng.uniform(0, 2 * math.pi)
        latitude = campus.latitude + radius * math.sin(angle) / 111_195
        longitude = campus.longitude + radius * math.cos(angle) / (
            111_195 * math.cos(math.radians(campus.latitude))
        )
        restaurants.append(
            Restaurant(
                licence_id=f"bench-{n:06d}",
                name=f"식당 {n:05d}",
                category=rng.choice(CATEGORIES),
                road_address=f"서울특별시 강남구 벤치로 {n}",
                phone="02-000-0000",
                latitude=latitude,
                longitude=longitude,
                price_level=rng.choice([None, 1, 2, 3]),
                is_open=rng.random() > 0.05,
            )
        )
    Restaurant.objects.bulk_create(restaurants, batch_size=1000)
    rows = Restaurant.objects.values_list("pk", "latitude", "longitude")
    CampusDistance.objects.bulk_create(
        (
            CampusDistance(restaurant_id=pk, campus=campus, metres=metres)
            for pk, latitude, longitude in rows
            for campus, metres in campus_distances(latitude, longitude).items()
        ),
        batch_size=2000,
    )


def _request_mix(count: int, rng: random.Random) -> list[tuple[str, dict]]:
    from restaurants.geo import campus_keys

    filters = list(
        itertools.product(campus_keys(), ["", *CATEGORIES[:4]], ["", "5", "10", "20"], ["0", "1"])
    )
    mix = []
    for _ in range(count):
        campus, category, minutes, page = rng.choice(filters)
        params = {"campus": campus, "category": category, "maxWalkMinutes": minutes}
        params = {k: v for k, v in params.items() if v}
        if rng.random() < 0.2:
            mix.append(("/api/restaurants/pick", params))
        else:
            mix.append(("/api/restaurants", {**params, "page": page, "size": "20"}))
    return mix


def _run(label: str, mix, cache_seconds: int, connection) -> dict:
    from django.test import Client
    from django.test.utils import CaptureQueriesContext, override_settings

    from restaurants.cache import local_cache_clear

    client = Client()
    with override_settings(RESTAURANT_CACHE_SECONDS=cache_seconds):
        local_cache_clear()
        if cache_seconds:
            for url, params in mix[:20]:  # warm this process's copy, as a running server has
                client.get(url, params)
        latencies = []
        with CaptureQueriesContext(connection) as queries:
            started = time.perf_counter()
            for url, params in mix:
                t0 = time.perf_counter()
                response = client.get(url, params)
                latencies.append(time.perf_counter() - t0)
                if response.status_code not in (200, 404):
                    raise SystemExit(f"{label}: {url} {params} answered {response.status_code}")
            elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "label": label,
        "rps": len(mix) / elapsed,
        "p50": statistics.median(latencies) * 1000,
        "p95": latencies[int(len(latencies) * 0.95) - 1] * 1000,
        "p99": latencies[int(len(latencies) * 0.99) - 1] * 1000,
        "queries": len(queries) / len(mix),
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--restaurants", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=42)
    args = parser.parse_args(argv)

    setup_django()
    from django.db import connection

    rng = random.Random(args.seed)
    print(f"restaurants: {args.restaurants} around two campuses, {args.requests} requests each run")
    with bench_database("restaurants"), _own_cache_prefix():
        _populate(args.restaurants, rng)
        mix = _request_mix(args.requests, rng)
        results = [
            _run("cache (in-process)", mix, 300, connection),
            _run("database", mix, 0, connection),
        ]
    print(f"{'':20} {'req/s':>8} {'p50 ms':>8} {'p95 ms':>8} {'p99 ms':>8} {'SQL/req':>8}")
    for r in results:
        print(
            f"{r['label']:20} {r['rps']:8.0f} {r['p50']:8.2f} {r['p95']:8.2f} "
            f"{r['p99']:8.2f} {r['queries']:8.2f}"
        )
    print(f"speed-up with the cache: {results[0]['rps'] / results[1]['rps']:.1f}x")


if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    main()
