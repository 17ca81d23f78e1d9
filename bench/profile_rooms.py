"""Where the board's and the room detail's time goes: py-spy flame graphs of a gunicorn worker
under load, on the data of bench/bench_rooms.py.

    DATABASE_URL=mysql://root@127.0.0.1:3306/partner42 REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python -m bench.profile_rooms [--seconds 8] [--out docs/performance]

Serves bench.settings with one gunicorn worker (8 threads, CONN_MAX_AGE=60 like production) so
that one process holds all the work, loads each request from 8 connections and samples the
worker with py-spy (100 Hz, only the thread holding the GIL: the Python work that limits a
worker's throughput, not threads waiting on sockets): `<name>.svg` is the flame graph
and `<name>.txt` the functions with the largest share of the samples (inclusive and own), the
figures docs/performance.md quotes. Not part of `make bench`: it needs ptrace (root or
CAP_SYS_PTRACE) and writes files meant to be committed.
"""

import argparse
import cProfile
import io
import os
import pstats
import statistics
import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

from bench.common import ROOT, TRIVIAL_PATH, bench_database, gunicorn_process, load, setup_django

PY_SPY = ROOT / ".venv" / "bin" / "py-spy"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="profile_rooms", description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--out", default=str(ROOT / "docs" / "performance"))
    parser.add_argument("--only", default="", help="comma-separated names (board_cached, ...)")
    parser.add_argument(
        "--cprofile",
        type=int,
        default=0,
        metavar="N",
        help="instead: N requests of each in this process under cProfile (<name>.cprofile.txt)",
    )
    parser.add_argument(
        "--parts",
        type=int,
        default=0,
        metavar="N",
        help="instead: the uncached board taken apart, median of N timings of each part",
    )
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    only = {name for name in args.only.split(",") if name}

    from bench.bench_rooms import BOARD_PATH, _seed

    if args.cprofile or args.parts:
        os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
        os.environ["CONN_MAX_AGE"] = "60"
    setup_django()
    with bench_database("profile") as database:
        seed = _seed(rooms=300, joiners=1)
        detail = f"/api/articles/{seed['detail_room']}"
        if args.cprofile:
            _cprofile(BOARD_PATH, detail, out, requests=args.cprofile, only=only)
            return
        if args.parts:
            _parts(BOARD_PATH, times=args.parts)
            return
        servers = {
            "5": [("trivial", TRIVIAL_PATH), ("board_cached", BOARD_PATH), ("detail", detail)],
            "0": [("board_uncached", BOARD_PATH)],
        }
        for cache_seconds, targets in servers.items():
            targets = [(name, path) for name, path in targets if not only or name in only]
            if not targets:
                continue
            env = {"ROOM_BOARD_CACHE_SECONDS": cache_seconds, "CONN_MAX_AGE": "60"}
            with gunicorn_process(database=database, env=env, workers=1) as (base, master):
                worker = _worker_pid(master.pid)
                for name, path in targets:
                    load(base, path, seconds=1.0, concurrency=8)  # warm up
                    _profile(base, path, worker, out / name, seconds=args.seconds)
                    print(f"{name}: {out / name}.svg", flush=True)


def _cprofile(board: str, detail: str, out: Path, *, requests: int, only: set[str]) -> None:
    """Each request `requests` times through Django's whole stack (test client), in this process:
    CPU time per request by function, without the GIL and sampling questions of a live server."""
    from django.conf import settings
    from django.test import Client

    client = Client()
    targets = [("trivial", TRIVIAL_PATH, 5), ("board_cached", board, 5), ("detail", detail, 5)]
    targets.append(("board_uncached", board, 0))
    for name, path, cache_seconds in targets:
        if only and name not in only:
            continue
        settings.ROOM_BOARD_CACHE_SECONDS = cache_seconds
        for _ in range(50):  # warm up: caches filled, connections open
            assert client.get(path).status_code == 200
        profiler = cProfile.Profile()
        began = time.perf_counter()
        profiler.enable()
        for _ in range(requests):
            client.get(path)
        profiler.disable()
        elapsed = time.perf_counter() - began
        text = io.StringIO()
        text.write(f"{name}: {requests} requests, {1e6 * elapsed / requests:.0f} µs each")
        text.write(" under cProfile (which slows Python code down, so compare shares)\n")
        stats = pstats.Stats(profiler, stream=text)
        stats.sort_stats("cumulative").print_stats(45)
        stats.sort_stats("tottime").print_stats(30)  # where the time is spent, function by function
        (out / f"{name}.cprofile.txt").write_text(text.getvalue().replace(str(ROOT) + "/", ""))
        print(f"{name}: {1e6 * elapsed / requests:.0f} µs per request", flush=True)


def _parts(board: str, *, times: int) -> None:
    """The uncached board's first page taken apart, in this process, without a profiler: what
    the ORM costs (building the room queryset, compiling its SQL, running the three queries and
    turning rows into values) against the same three SQL statements run by the driver alone,
    and the request around it against the trivial view. Medians of `times` timings each."""
    from django.conf import settings
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from partner42.pagination import SliceParams
    from rooms import selectors

    def median_us(run) -> float:
        for _ in range(20):
            run()
        timings = []
        for _ in range(times):
            began = time.perf_counter()
            run()
            timings.append(time.perf_counter() - began)
        return 1e6 * statistics.median(timings)

    filters = selectors.BoardFilters(category="MEAL", is_complete=False)
    params = SliceParams(page=0, size=20, order_by=selectors.board_default_order(is_complete=False))
    today = selectors.room_today()

    def build():
        return selectors.room_board_queryset(filters, today=today).values(*selectors._BOARD_FIELDS)

    def compile_sql():
        qs = build().order_by(*params.order_by)[: params.size + 1]
        return qs.query.sql_with_params()

    def compute():
        return selectors.room_board(filters=filters, params=params, use_cache=False)

    with CaptureQueriesContext(connection) as captured:
        compute()
    statements = [query["sql"] for query in captured.captured_queries]
    connection.ensure_connection()
    driver = connection.connection  # MySQLdb's own connection: no Django around the SQL

    def sql_alone():
        for sql in statements:
            driver.query(sql)
            driver.store_result().fetch_row(0)

    client = Client()
    settings.ROOM_BOARD_CACHE_SECONDS = 0
    rows = [
        ("trivial view, whole request (test client)", lambda: client.get(TRIVIAL_PATH)),
        ("board uncached, whole request (test client)", lambda: client.get(board)),
        ("  the page computed (room_board, 3 queries)", compute),
        ("    building the room queryset", build),
        ("    ... and compiling its SQL", compile_sql),
        (f"    the {len(statements)} SQL statements alone (driver)", sql_alone),
    ]
    for label, run in rows:
        print(f"{label:<48} {median_us(run):>8.0f} µs", flush=True)


def _worker_pid(master: int) -> int:
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    return int(children[0])


def _profile(base: str, path: str, pid: int, stem: Path, *, seconds: float) -> None:
    """Two samplings under the same load: the flame graph, then the raw stacks for the table."""
    for fmt, suffix in (("flamegraph", ".svg"), ("raw", ".raw")):
        target = stem.with_suffix(suffix)
        loader = threading.Thread(
            target=load, args=(base, path), kwargs={"seconds": seconds + 1, "concurrency": 8}
        )
        loader.start()
        time.sleep(0.3)
        subprocess.run(
            [str(PY_SPY), "record", "--pid", str(pid), "--rate", "100", "--duration",
             str(int(seconds)), "--format", fmt, "--output", str(target), "--nonblocking", "--gil"],
            check=True, capture_output=True,
        )  # fmt: skip
        loader.join()
    raw = stem.with_suffix(".raw")
    stem.with_suffix(".txt").write_text(_summary(raw.read_text()))
    raw.unlink()


def _summary(raw: str, top: int = 40) -> str:
    """Inclusive and own share of the samples per function, from py-spy's collapsed stacks."""
    inclusive: Counter = Counter()
    own: Counter = Counter()
    total = 0
    for line in raw.splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack:
            continue
        n = int(count)
        total += n
        frames = [_short(frame) for frame in stack.split(";")]
        for frame in set(frames[1:]):  # the thread's own name first
            inclusive[frame] += n
        own[frames[-1]] += n
    lines = [f"{total} samples", "", "inclusive %  function"]
    lines += [f"{100 * n / total:10.1f}  {name}" for name, n in inclusive.most_common(top)]
    lines += ["", "own %  function"]
    lines += [f"{100 * n / total:5.1f}  {name}" for name, n in own.most_common(top)]
    return "\n".join(lines) + "\n"


def _short(frame: str) -> str:
    # "function (path/to/file.py:123)" -> "function (file.py)" : lines differ per call site.
    name, _, where = frame.partition(" (")
    where = where.rstrip(")").rsplit(":", 1)[0]
    return f"{name} ({'/'.join(where.split('/')[-2:])})"


if __name__ == "__main__":
    main()
