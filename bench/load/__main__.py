"""`python -m bench.load` (`make load`): Locust students against the image's roles behind nginx.

1. Starts the production shape from the built image (bench/load/stack.py): a fresh database
   `p42_load` and Redis database 4, migrate, web, realtime, matchmaker, worker, beat, nginx.
2. Seeds students and rooms inside the image (bench/load/seed.py through `entrypoint.sh shell`).
3. Runs Locust headless (bench/load/locustfile.py): LOAD_USERS students (300), spawned at
   LOAD_SPAWN_RATE a second (30), for LOAD_SECONDS (120).
4. Lets the matchmaker settle (two beat ticks), then checks the invariants (bench/load/check.py).
5. Prints requests/s, p50/p95/p99 and errors per endpoint, the refusals by design and the checks;
   writes everything to bench/results/load.json and the raw files to .artifacts/load/.

Needs root, buildah, nginx, MariaDB and Redis, and the image (`make image`). Exits 1 when a
request failed or a check did not hold.
"""

import csv
import json
import os
import subprocess
import sys
import threading
import time
from collections import Counter
from pathlib import Path

from bench.load.stack import ROOT, Stack, descendants

WORKDIR = Path(os.environ.get("LOAD_WORKDIR", ROOT / ".artifacts" / "load"))
RESULTS = ROOT / "bench" / "results"
# Locust lives in a virtualenv of its own (bench/load/requirements.txt; `make load` makes it).
LOCUST = os.environ.get("LOCUST", str(ROOT / ".artifacts" / "load-venv" / "bin" / "locust"))
SETTLE_SECONDS = float(os.environ.get("LOAD_SETTLE_SECONDS", "25"))


def main() -> int:
    users = int(os.environ.get("LOAD_USERS", "300"))
    seconds = int(os.environ.get("LOAD_SECONDS", "120"))
    spawn_rate = float(os.environ.get("LOAD_SPAWN_RATE", "30"))
    out = WORKDIR / "run"
    out.mkdir(parents=True, exist_ok=True)
    for stale in out.iterdir():
        stale.unlink()

    stack = Stack(WORKDIR)
    with stack:
        print(f"stack up at {stack.url}", flush=True)
        seed = _seed(stack, students=users)
        seed_file = out / "seed.json"
        seed_file.write_text(json.dumps(seed))
        nginx_log = WORKDIR / "logs" / "nginx.log"
        nginx_offset = nginx_log.stat().st_size  # the readiness probes' 502s are not the run's
        loads = LoadSampler(stack)
        loads.start()
        cpu_before = stack.cpu_seconds()
        children_before = _children_cpu()
        began = time.time()
        locust = subprocess.run(
            [
                LOCUST,
                "-f", str(Path(__file__).parent / "locustfile.py"),
                "--headless", "--only-summary",
                "--users", str(users), "--spawn-rate", str(spawn_rate),
                "--run-time", f"{seconds}s", "--stop-timeout", "10",
                "--host", stack.url, "--csv", str(out / "locust"),
                "--loglevel", "WARNING",
            ],
            env={**os.environ, "LOAD_SEED": str(seed_file), "LOAD_OUT": str(out)},
            capture_output=True,
            text=True,
            check=False,
        )  # fmt: skip
        loads.stop()
        nginx_end = nginx_log.stat().st_size  # the check's own requests come after
        wall = time.time() - began
        cpu_after = stack.cpu_seconds()
        cpu = {role: round(cpu_after[role] - cpu_before.get(role, 0), 1) for role in cpu_after}
        cpu["locust"] = round(_children_cpu() - children_before, 1)
        (out / "locust.log").write_text(locust.stdout + locust.stderr)
        print(f"locust exited {locust.returncode} after {time.time() - began:.0f} s", flush=True)
        time.sleep(SETTLE_SECONDS)  # the beat's next ticks run the matchmaker on what waits
        streams = json.loads((out / "streams.json").read_text())
        checks = _check(stack, seed=seed, streams=streams)
        logs = _log_problems(WORKDIR / "logs", nginx_offset=nginx_offset)
        served = _nginx_timings(nginx_log, offset=nginx_offset, end=nginx_end)

    report = {
        "settings": {
            "users": users,
            "seconds": seconds,
            "spawn_rate": spawn_rate,
            "web_replicas": stack.web_replicas,
        },
        "machine": {
            "cpus": os.cpu_count(),
            "load_average_1m": loads.summary(),
            # What gunicorn's workers were doing, sampled each second: R is running or waiting
            # for a CPU, S waiting for something else (MariaDB, Redis, a request).
            "web_worker_states": dict(loads.states),
            "wall_seconds": round(wall, 1),
            # CPU seconds each part used during the run; their sum over (wall x cpus) is the
            # share of the machine the stack and the clients had, the rest went to others.
            "cpu_seconds": cpu,
            "stack_share_of_machine": round(sum(cpu.values()) / (wall * (os.cpu_count() or 1)), 2),
        },
        "endpoints": _endpoints(out / "locust_stats.csv"),
        "failures": _failures(out / "locust_failures.csv"),
        "nginx": served,
        "refusals_by_design": json.loads((out / "refusals.json").read_text()),
        "checks": checks,
        "server_log_problems": logs,
    }
    RESULTS.mkdir(parents=True, exist_ok=True)
    (RESULTS / "load.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    _print(report)
    failed = sum(row["failures"] for row in report["endpoints"] if row["name"] != "Aggregated")
    return 0 if checks["ok"] and not failed else 1


def _seed(stack: Stack, *, students: int) -> dict:
    """bench/load/seed.py run by the image's `manage shell -c`; its SEED line parsed."""
    script = (Path(__file__).parent / "seed.py").read_text()
    values = {"LOAD_STUDENTS": str(students), "LOAD_ROOMS": os.environ.get("LOAD_ROOMS", "60")}
    prefix = "".join(f"import os; os.environ[{k!r}] = {v!r}\n" for k, v in values.items())
    result = stack.oneshot("manage", "shell", "-c", prefix + script, check=True)
    (line,) = [line for line in result.stdout.splitlines() if line.startswith("SEED ")]
    return json.loads(line.removeprefix("SEED "))


def _check(stack: Stack, *, seed: dict, streams: list[dict]) -> dict:
    os.environ["DATABASE_URL"] = stack.database_url
    os.environ["REDIS_URL"] = stack.redis_url
    from bench.common import setup_django

    setup_django()
    from bench.load.check import check

    return check(seed=seed, streams=streams, base_url=stack.url)


def _endpoints(path: Path) -> list[dict]:
    rows = []
    with path.open() as f:
        for row in csv.DictReader(f):
            rows.append(
                {
                    "type": row["Type"],
                    "name": row["Name"],
                    "requests": int(row["Request Count"]),
                    "failures": int(row["Failure Count"]),
                    "rps": round(float(row["Requests/s"]), 1),
                    "p50_ms": _int(row["50%"]),
                    "p95_ms": _int(row["95%"]),
                    "p99_ms": _int(row["99%"]),
                    "max_ms": round(float(row["Max Response Time"] or 0)),
                }
            )
    return rows


def _children_cpu() -> float:
    """CPU of our reaped children (the difference across the run is Locust's)."""
    import resource

    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def _int(value: str) -> int | None:
    return None if value in ("", "N/A") else round(float(value))


# Locust's names for the paths in nginx's log (the stylesheet is not logged: access_log off).
ENDPOINTS = [
    (r"GET /api/articles\?", "GET /api/articles (board)"),
    (r"GET /api/articles/[^/?]+/opinions", "GET /api/articles/{id}/opinions"),
    (r"GET /api/articles/[^/?]+ ", "GET /api/articles/{id}"),
    (r"POST /api/articles/[^/]+/participate ", "POST /api/articles/{id}/participate"),
    (r"POST /api/articles/[^/]+/participate-cancel", "POST /api/articles/{id}/participate-cancel"),
    (r"POST /api/opinions", "POST /api/opinions"),
    (r"POST /api/random-matches/mine", "POST /api/random-matches/mine (cancel)"),
    (r"POST /api/random-matches ", "POST /api/random-matches"),
    (r"GET /api/random-matches/mine", "GET /api/random-matches/mine"),
    (r"GET /api/alarms", "GET /api/alarms"),
    (r"GET / ", "GET / (board page)"),
]


def _nginx_timings(log: Path, *, offset: int, end: int) -> list[dict]:
    """Per endpoint, the time nginx took (first byte in to last byte out), from its JSON log.

    Independent of the client: a Locust process short of CPU makes its own figures longer, this
    one not. The SSE stream is left out (its duration is how long it was held open).
    """
    import re

    patterns = [(re.compile(pattern), name) for pattern, name in ENDPOINTS]
    durations: dict[str, list[float]] = {}
    statuses: dict[str, dict[str, int]] = {}
    with log.open(errors="replace") as f:
        f.seek(offset)
        for line in f.read(end - offset).splitlines():
            if not line.startswith("{"):
                continue
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            request = entry["request"]
            name = next((n for p, n in patterns if p.match(request)), None)
            if name is None:
                continue
            durations.setdefault(name, []).append(float(entry["duration"]) * 1000)
            bucket = statuses.setdefault(name, {})
            bucket[str(entry["status"])] = bucket.get(str(entry["status"]), 0) + 1
    rows = []
    for name in sorted(durations):
        values = sorted(durations[name])

        def at(q: float, values=values) -> int:
            return round(values[min(len(values) - 1, int(len(values) * q))])

        rows.append(
            {
                "name": name,
                "requests": len(values),
                "p50_ms": at(0.5),
                "p95_ms": at(0.95),
                "p99_ms": at(0.99),
                "statuses": statuses[name],
            }
        )
    return rows


def _failures(path: Path) -> list[dict]:
    if not path.exists():
        return []
    with path.open() as f:
        return [
            {"name": r["Name"], "error": r["Error"], "count": int(r["Occurrences"])}
            for r in csv.DictReader(f)
        ]


def _log_problems(logs: Path, *, nginx_offset: int) -> dict:
    """Server-side errors the clients may not have seen: tracebacks, ERROR lines, nginx's 5xx."""
    found = {}
    for log in sorted(logs.glob("*.log")):
        text = log.read_text(errors="replace")
        if log.name == "nginx.log":
            text = text[nginx_offset:]
        tracebacks = text.count("Traceback")
        errors = sum(1 for line in text.splitlines() if '"level": "ERROR"' in line)
        server_errors = 0
        if log.name == "nginx.log":
            server_errors = sum(1 for line in text.splitlines() if '"status":5' in line)
        if tracebacks or errors or server_errors:
            found[log.stem] = {"tracebacks": tracebacks, "errors": errors, "5xx": server_errors}
    return found


class LoadSampler(threading.Thread):
    """The machine's 1-minute load average every 5 s (the figures mean little on a busy host),
    and the states of gunicorn's workers every second."""

    def __init__(self, stack: Stack) -> None:
        super().__init__(daemon=True)
        self.stack = stack
        self.samples: list[float] = []
        self.states: Counter = Counter()
        self.done = threading.Event()

    def run(self) -> None:
        tick = 0
        while not self.done.wait(1):
            tick += 1
            if tick % 5 == 0:
                self.samples.append(float(Path("/proc/loadavg").read_text().split()[0]))
            for name in self.stack.web_names:
                self.states.update(_worker_states(self.stack.processes[name].pid))

    def stop(self) -> None:
        self.done.set()
        self.join()

    def summary(self) -> dict:
        if not self.samples:
            return {}
        return {"min": min(self.samples), "max": max(self.samples),
                "mean": round(sum(self.samples) / len(self.samples), 1)}  # fmt: skip


def _worker_states(root: int) -> list[str]:
    """The scheduler state of each gunicorn worker (a gunicorn whose parent is gunicorn)."""
    states = []
    for pid in descendants(root):
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            mine = Path(f"/proc/{pid}/cmdline").read_bytes()
            theirs = Path(f"/proc/{parent}/cmdline").read_bytes()
        except (OSError, ValueError, IndexError):
            continue
        if b"gunicorn" in mine and b"gunicorn" in theirs:
            states.append(stat.rsplit(")", 1)[1].split()[0])
    return states


def _print(report: dict) -> None:
    print("machine:", report["machine"])
    print(f"\n{'endpoint':58} {'reqs':>6} {'fail':>5} {'rps':>6} {'p50':>5} {'p95':>5} {'p99':>5}")
    for row in report["endpoints"]:
        print(
            f"{row['name'][:58]:58} {row['requests']:6} {row['failures']:5} {row['rps']:6} "
            f"{row['p50_ms'] or '-':>5} {row['p95_ms'] or '-':>5} {row['p99_ms'] or '-':>5}"
        )
    print("\nas nginx timed them (ms):")
    for row in report["nginx"]:
        print(
            f"{row['name'][:58]:58} {row['requests']:6} {row['p50_ms']:>6} {row['p95_ms']:>6} "
            f"{row['p99_ms']:>6} {row['statuses']}"
        )
    for failure in report["failures"]:
        print(f"FAILED {failure['count']} x {failure['name']}: {failure['error']}")
    print("refusals by design:", report["refusals_by_design"])
    print("server log problems:", report["server_log_problems"] or "none")
    for name, part in report["checks"].items():
        if isinstance(part, dict):
            print(f"check {name}: {'ok' if part['ok'] else 'FAILED'} {_brief(part)}")
    print("all checks hold" if report["checks"]["ok"] else "SOME CHECKS FAILED")


def _brief(part: dict) -> str:
    return json.dumps({k: v for k, v in part.items() if k != "ok"}, ensure_ascii=False)[:400]


if __name__ == "__main__":
    sys.exit(main())
