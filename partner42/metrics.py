"""The project's own Prometheus metrics, and what each container's exporter serves.

django-prometheus covers requests, responses and database queries. These add what the Grafana
dashboard (deploy/grafana) needs beyond that:

- `MATCHMAKING_RUN_SECONDS`: one matchmaking run, observed by the matchmaker
  (`with MATCHMAKING_RUN_SECONDS.time(): ...`).
- `ALARM_CONNECTIONS`: live alarm connections of this process, by transport (`websocket`, `sse`):
  `ALARM_CONNECTIONS.labels(transport="websocket").inc()` on connect, `.dec()` on disconnect.
- `partner42_celery_queue_length`: messages waiting in each Celery queue, read from the Redis
  broker at scrape time by `CeleryQueueLengthCollector`.

In production every process of a container writes its values to files in PROMETHEUS_MULTIPROC_DIR
(gunicorn workers, Celery children, daphne alike: deploy/entrypoint.sh sets it), and an exporter
beside them (`manage.py serve_metrics`, port 9100) sums the files when Prometheus scrapes; so a
gauge states how the values of several processes combine (`multiprocess_mode`). Without the
variable (tests, `make run`) the values live in the default registry, which /metrics serves.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Iterator

import redis
from django.conf import settings
from prometheus_client import CollectorRegistry, Gauge, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.multiprocess import MultiProcessCollector
from prometheus_client.registry import Collector

logger = logging.getLogger(__name__)

MATCHMAKING_RUN_SECONDS = Histogram(
    "partner42_matchmaking_run_seconds",
    "Duration of one matchmaking run (pairing waiting requests and expiring old ones).",
    buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
)

ALARM_CONNECTIONS = Gauge(
    "partner42_alarm_connections",
    "Open live alarm connections (websocket for pages, sse for the React client).",
    ["transport"],
    # Summed over the live processes; a dead process's connections are gone with it.
    multiprocess_mode="livesum",
)

# kombu's Redis transport keeps a queue's messages of priority p > 0 under "<queue>\x06\x16<p>".
_PRIORITY_SEPARATOR = "\x06\x16"
_PRIORITY_STEPS = (0, 3, 6, 9)


class CeleryQueueLengthCollector(Collector):
    """LLEN of each Celery queue on the Redis broker, read when Prometheus scrapes."""

    def __init__(self, broker_url: str, queues: Iterable[str], *, timeout: float = 2.0) -> None:
        self.broker_url = broker_url
        self.queues = sorted(set(queues))
        self.timeout = timeout

    def collect(self) -> Iterator[GaugeMetricFamily]:
        if not self.broker_url.startswith(("redis://", "rediss://", "unix://")):
            return
        family = GaugeMetricFamily(
            "partner42_celery_queue_length",
            "Messages waiting in a Celery queue on the broker.",
            labels=["queue"],
        )
        up = GaugeMetricFamily(
            "partner42_celery_broker_up", "Whether the broker answered the last scrape."
        )
        client = redis.Redis.from_url(
            self.broker_url, socket_timeout=self.timeout, socket_connect_timeout=self.timeout
        )
        try:
            with client.pipeline(transaction=False) as pipe:
                for queue in self.queues:
                    for key in self._keys(queue):
                        pipe.llen(key)
                lengths = iter(pipe.execute())
            for queue in self.queues:
                family.add_metric([queue], sum(next(lengths) for _ in _PRIORITY_STEPS))
        except redis.RedisError:
            logger.warning("could not read the Celery queue lengths", exc_info=True)
            up.add_metric([], 0)
            yield up
            return
        finally:
            client.close()
        up.add_metric([], 1)
        yield up
        yield family

    @staticmethod
    def _keys(queue: str) -> list[str]:
        return [
            queue if step == 0 else f"{queue}{_PRIORITY_SEPARATOR}{step}"
            for step in _PRIORITY_STEPS
        ]


def celery_queue_names() -> list[str]:
    """The default queue and every queue a task is routed to (from the Django settings)."""
    names = {settings.CELERY_TASK_DEFAULT_QUEUE}
    for route in getattr(settings, "CELERY_TASK_ROUTES", {}).values():
        if isinstance(route, dict) and route.get("queue"):
            names.add(route["queue"])
    return sorted(names)


def exporter_registry(*, queue_lengths: bool = False) -> CollectorRegistry:
    """A container's metrics: the sum of its processes' files, and the queue lengths if asked."""
    registry = CollectorRegistry()
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        MultiProcessCollector(registry)
    if queue_lengths:
        registry.register(
            CeleryQueueLengthCollector(settings.CELERY_BROKER_URL, celery_queue_names())
        )
    return registry
