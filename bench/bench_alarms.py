"""Live alarms: time from commit to receipt on a websocket client in another process.

Serves `partner42.asgi` with daphne on a throw-away database, connects a websocket client in a
third process with a user's session cookie, and from this process, interleaved:

- alarm: `alarm_create` in a transaction; the clock starts when the transaction has committed
  (an on_commit callback registered before alarm_create's push) and stops when the client reads
  the push. This is the whole product path: on_commit, unread COUNT, group_send, Redis, daphne,
  the consumer, the websocket.
- baseline: a bare channels-redis `group_send` of the same message to the same client, so the
  difference is what alarms add on top of Channels.

One alarm is in flight at a time. Times are CLOCK_MONOTONIC, which all processes on the machine
share. Prints p50 / p99 / max for both and the difference.

    DATABASE_URL=mysql://root@127.0.0.1:3306/partner42 REDIS_URL=redis://127.0.0.1:6379/0 \
        .venv/bin/python -m bench.bench_alarms [--alarms 1000]
"""

import argparse
import asyncio
import json
import os
import selectors
import subprocess
import sys
import time

from bench.common import bench_database, setup_django, wait_or_exit

WARMUP = 20
RECEIPT_TIMEOUT_SECONDS = 10


class _Client:
    """The websocket client process: one line `<id> <monotonic ns>` per message it receives."""

    def __init__(self, process: subprocess.Popen) -> None:
        self.process = process
        self.selector = selectors.DefaultSelector()
        self.selector.register(process.stdout, selectors.EVENT_READ)

    def next_line(self) -> str:
        if not self.selector.select(RECEIPT_TIMEOUT_SECONDS):
            sys.exit("the websocket client received nothing in time")
        line = self.process.stdout.readline()
        if not line:
            sys.exit("the websocket client stopped")
        return line.strip()

    def receipt(self, expected_id: str) -> int:
        while True:
            message_id, received_ns = self.next_line().split()
            if message_id == expected_id:
                return int(received_ns)


def _client_main(url: str, origin: str, cookie: str) -> None:
    from websockets.asyncio.client import connect

    async def run() -> None:
        headers = {"Cookie": cookie}
        async with connect(url, origin=origin, additional_headers=headers, proxy=None) as ws:
            async for raw in ws:
                received_ns = time.monotonic_ns()
                message = json.loads(raw)
                print(message.get("alarmId") or message["type"], received_ns, flush=True)

    asyncio.run(run())


def _percentile(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    rank = max(1, round(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def _measure(count: int, client: _Client, user) -> tuple[list[float], list[float]]:
    from asgiref.sync import async_to_sync
    from channels.layers import get_channel_layer
    from django.db import transaction

    from alarms.models import AlarmType
    from alarms.services import NOTIFY_EVENT, alarm_create, alarm_group_name

    layer = get_channel_layer()
    group = alarm_group_name(user.api_id)
    alarm_ms: list[float] = []
    baseline_ms: list[float] = []
    for i in range(WARMUP + count):
        committed: list[int] = []
        with transaction.atomic():
            transaction.on_commit(lambda: committed.append(time.monotonic_ns()))  # noqa: B023
            alarm = alarm_create(
                user=user, alarm_type=AlarmType.PARTICIPATION_ON_MY_POST, calling_nickname="bench"
            )
        alarm_latency = (client.receipt(str(alarm.api_id)) - committed[0]) / 1e6

        baseline_id = f"baseline-{i}"
        sent = time.monotonic_ns()
        async_to_sync(layer.group_send)(
            group,
            {
                "type": NOTIFY_EVENT,
                "alarmId": baseline_id,
                "alarmType": AlarmType.PARTICIPATION_ON_MY_POST.value,
                "text": "bench",
                "unread": 0,
            },
        )
        baseline_latency = (client.receipt(baseline_id) - sent) / 1e6
        if i >= WARMUP:
            alarm_ms.append(alarm_latency)
            baseline_ms.append(baseline_latency)
    return alarm_ms, baseline_ms


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="bench.bench_alarms", description=__doc__.split("\n")[0])
    parser.add_argument("--alarms", type=int, default=1000)
    parser.add_argument("--client", nargs=3, metavar=("URL", "ORIGIN", "COOKIE"), help="internal")
    args = parser.parse_args(argv)
    if args.client:
        _client_main(*args.client)
        return

    setup_django()
    from django.conf import settings
    from django.test import Client

    from accounts.models import User
    from tests.helpers import free_port, port_open, running

    with bench_database("alarms") as database:
        user = User.objects.create(username="bench-alarms", email="bench@example.com")
        browser = Client()
        browser.force_login(user)
        cookie = (
            f"{settings.SESSION_COOKIE_NAME}={browser.cookies[settings.SESSION_COOKIE_NAME].value}"
        )

        port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": os.environ["DJANGO_SETTINGS_MODULE"],
            "DATABASE_URL": database,
            "LOG_LEVEL": "WARNING",
        }
        daphne = [sys.executable, "-m", "daphne", "-v", "0", "-b", "127.0.0.1", "-p", str(port)]
        with running([*daphne, "partner42.asgi:application"], env=env) as server:
            wait_or_exit(server, lambda: port_open(port), what="daphne")
            client_args = [sys.executable, "-m", "bench.bench_alarms", "--client"]
            client_args += [f"ws://127.0.0.1:{port}/ws/alarms/", f"http://127.0.0.1:{port}", cookie]
            with running(client_args, env=env, stdout=subprocess.PIPE, text=True) as process:
                client = _Client(process)
                if client.next_line().split()[0] != "unread":
                    sys.exit("the websocket client was not greeted")
                started = time.monotonic()
                alarm_ms, baseline_ms = _measure(args.alarms, client, user)
                elapsed = time.monotonic() - started

    print(f"alarms: {args.alarms} alarms and {args.alarms} bare group_sends, interleaved, one in")
    print(f"flight, after {WARMUP} warm-up rounds ({elapsed:.1f} s); commit -> websocket receipt")
    print(f"{'':34} {'p50 ms':>8} {'p99 ms':>8} {'max ms':>8}")
    rows = [
        ("alarm_create (commit -> receipt)", alarm_ms),
        ("bare group_send (send -> receipt)", baseline_ms),
    ]
    for name, values in rows:
        print(
            f"{name:34} {_percentile(values, 50):8.2f} {_percentile(values, 99):8.2f}"
            f" {max(values):8.2f}"
        )
    print(
        f"{'what alarms add':34} "
        f"{_percentile(alarm_ms, 50) - _percentile(baseline_ms, 50):8.2f} "
        f"{_percentile(alarm_ms, 99) - _percentile(baseline_ms, 99):8.2f}"
    )


if __name__ == "__main__":
    main()
