"""`manage.py serve_metrics [--port 9100] [--queue-lengths]`: a container's Prometheus exporter.

deploy/entrypoint.sh starts it beside the container's main process. It serves the sum of the
metrics that the processes of the container wrote to PROMETHEUS_MULTIPROC_DIR (gunicorn workers,
daphne, Celery children) and, with --queue-lengths, the Celery queue lengths read from the broker.
Prometheus scrapes it on the compose network: it needs no token and no allowed Host, and a web
container's numbers stay whole whichever gunicorn worker would have answered /metrics.
"""

import os

from django.core.management.base import BaseCommand
from prometheus_client import start_http_server

from partner42.metrics import exporter_registry


class Command(BaseCommand):
    help = "Serve this container's Prometheus metrics over HTTP until killed."

    def add_arguments(self, parser):
        parser.add_argument("--port", type=int, default=int(os.environ.get("METRICS_PORT", "9100")))
        # Inside its container; the compose network is what limits who reaches it.
        parser.add_argument("--addr", default="0.0.0.0")  # noqa: S104
        parser.add_argument(
            "--queue-lengths",
            action="store_true",
            help="also export partner42_celery_queue_length, read from the broker at each scrape",
        )

    def handle(self, *args, port: int, addr: str, queue_lengths: bool, **options) -> None:
        registry = exporter_registry(queue_lengths=queue_lengths)
        server, thread = start_http_server(port, addr=addr, registry=registry)
        self.stdout.write(f"metrics exporter listening on {addr}:{server.server_port}")
        self.stdout.flush()
        thread.join()
