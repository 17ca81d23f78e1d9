"""Helpers shared by the benchmarks: a throw-away database, gunicorn on a free port, a load loop.

The served settings are `bench.settings` (the test settings with `bench.urls`, which adds the
trivial JSON view every HTTP benchmark reports its results against: a ratio to a view that does
nothing, measured on the same server in the same run, is comparable across machines).
"""

import http.client
import os
import subprocess
import sys
import threading
import time
import uuid
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRIVIAL_PATH = "/bench/trivial"

# partner42 (its process helpers included) is imported only after setup_django: importing the
# package loads its Celery app, which would set DJANGO_SETTINGS_MODULE to the production settings.


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.settings")
    warnings.filterwarnings("ignore", message="No directory at")  # collectstatic: irrelevant
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


@contextmanager
def bench_database(suffix: str) -> Iterator[str]:
    """A migrated database of its own (bench_<suffix>_<name>), dropped afterwards; yields a URL."""
    from django.conf import settings
    from django.db import connection
    from django.test.utils import setup_databases, teardown_databases

    from tests.helpers import database_url

    db = settings.DATABASES["default"]
    db.setdefault("TEST", {})["NAME"] = f"bench_{suffix}_{db['NAME']}"[:64]
    names = setup_databases(verbosity=0, interactive=False, aliases={"default"})
    try:
        yield database_url(connection.settings_dict)
    finally:
        connection.close()
        teardown_databases(names, verbosity=0)


@contextmanager
def gunicorn(
    *, database: str, env: dict[str, str] | None = None, workers: int = 0, threads: int = 8
) -> Iterator[str]:
    """gunicorn (gthread) serving bench.settings on a free port; yields its base URL."""
    with gunicorn_process(database=database, env=env, workers=workers, threads=threads) as served:
        yield served[0]


@contextmanager
def gunicorn_process(
    *, database: str, env: dict[str, str] | None = None, workers: int = 0, threads: int = 8
) -> Iterator[tuple[str, subprocess.Popen]]:
    """`gunicorn`, yielding its master process too (bench/profile_rooms.py samples its worker)."""
    from tests.helpers import free_port, running

    port = free_port()
    workers = workers or max(2, os.cpu_count() or 2)
    server_env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "DATABASE_URL": database,
        "CACHE_KEY_PREFIX": f"bench-{uuid.uuid4().hex[:8]}",
        "LOG_LEVEL": "ERROR",  # not one line per refused join
        "PYTHONWARNINGS": "ignore",
        **(env or {}),
    }
    args = [
        str(ROOT / ".venv" / "bin" / "gunicorn"),
        "partner42.wsgi:application",
        f"--bind=127.0.0.1:{port}",
        "--worker-class=gthread",
        f"--workers={workers}",
        f"--threads={threads}",
        "--keep-alive=30",
        "--log-level=warning",
    ]
    with running(args, env=server_env, stop_timeout=15) as process:
        wait_or_exit(process, lambda: _serves(port), what="gunicorn")
        yield f"http://127.0.0.1:{port}", process


def wait_or_exit(process: subprocess.Popen, ready: Callable[[], bool], *, what: str) -> None:
    """tests.helpers.wait_until_ready, ending the benchmark when the server never comes."""
    from tests.helpers import NotReadyError, wait_until_ready

    try:
        wait_until_ready(process, ready, what=what, interval=0.2)
    except NotReadyError as exc:
        sys.exit(str(exc))


def _serves(port: int) -> bool:
    try:
        status, _body, _headers = request(port, "GET", TRIVIAL_PATH)
    except OSError:
        return False
    return status == 200


def request(port: int, method: str, path: str, headers: dict | None = None, body: bytes = b""):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request(method, path, body=body or None, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read(), dict(response.getheaders())
    finally:
        conn.close()


def port_of(base: str) -> int:
    return int(base.rsplit(":", 1)[1])


@dataclass
class LoadResult:
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    latencies: list[float] = field(default_factory=list)

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, p: float) -> float:
        return percentile(self.latencies, p)


def percentile(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(p / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def load(
    base: str, path: str, *, seconds: float, concurrency: int, headers: dict | None = None
) -> LoadResult:
    """GET `path` from `concurrency` keep-alive connections for `seconds`; non-200 is an error."""
    port = port_of(base)
    result = LoadResult()
    lock = threading.Lock()
    start_line = threading.Barrier(concurrency + 1)
    stop_at = [0.0]

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        done, failed, latencies = 0, 0, []
        start_line.wait()
        while time.perf_counter() < stop_at[0]:
            began = time.perf_counter()
            try:
                conn.request("GET", path, headers=headers or {})
                response = conn.getresponse()
                response.read()
                ok = response.status == 200
            except (OSError, http.client.HTTPException):
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                ok = False
            latencies.append(time.perf_counter() - began)
            done += 1
            failed += 0 if ok else 1
        conn.close()
        with lock:
            result.requests += done
            result.errors += failed
            result.latencies.extend(latencies)

    threads = [threading.Thread(target=worker) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    stop_at[0] = began + seconds
    start_line.wait()
    for thread in threads:
        thread.join()
    result.seconds = time.perf_counter() - began
    return result


def interleaved(
    base: str, paths: dict[str, str], *, seconds: float, rounds: int, concurrency: int
) -> tuple[dict[str, LoadResult], dict[str, list[float]]]:
    """Load each of `paths` in turn, `rounds` times, `seconds / rounds` each time; the first path
    is the baseline. Returns each path's pooled result and, for the others, the ratio of its
    requests/s to the baseline's in each round: a change of the machine's load moves a baseline
    and the runs beside it together, so the median of those ratios is steadier than one ratio of
    two long runs taken one after the other.
    """
    names = list(paths)
    pooled = {name: LoadResult() for name in names}
    ratios: dict[str, list[float]] = {name: [] for name in names[1:]}
    for _ in range(rounds):
        runs = {
            name: load(base, paths[name], seconds=seconds / rounds, concurrency=concurrency)
            for name in names
        }
        baseline = runs[names[0]].rps
        for name, run in runs.items():
            pooled[name].requests += run.requests
            pooled[name].errors += run.errors
            pooled[name].seconds += run.seconds
            pooled[name].latencies.extend(run.latencies)
            if name in ratios and baseline:
                ratios[name].append(run.rps / baseline)
    return pooled, ratios


def env_float(name: str, default: float) -> float:
    return float(os.environ.get(name, default))


def env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))
