"""Metrics: the containers' exporters and queue lengths, Prometheus and Grafana."""

import http.client
import json
import re
import secrets
import shutil
import subprocess
import sys

import pytest
import redis
import yaml
from django.conf import settings as django_settings

from partner42 import metrics
from tests.deploy.common import (
    APP_SERVICES,
    DEPLOY,
    ROOT,
    base_env,
    django_env,
    run,
)
from tests.helpers import free_port


@pytest.fixture
def queue_names():
    names = [f"test-deploy-{secrets.token_hex(4)}-{n}" for n in ("a", "b")]
    client = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    yield names
    keys = [key for name in names for key in client.keys(f"{name}*")]
    if keys:
        client.delete(*keys)
    client.close()


def test_it_reads_each_queue_length_from_the_broker(queue_names):
    client = redis.Redis.from_url(django_settings.CELERY_BROKER_URL)
    first, second = queue_names
    client.rpush(first, "m1", "m2")
    client.rpush(f"{first}\x06\x163", "urgent")
    client.close()

    families = list(
        metrics.CeleryQueueLengthCollector(django_settings.CELERY_BROKER_URL, queue_names).collect()
    )

    samples = {
        (sample.name, tuple(sample.labels.values())): sample.value
        for family in families
        for sample in family.samples
    }
    assert samples[("partner42_celery_queue_length", (first,))] == 3
    assert samples[("partner42_celery_queue_length", (second,))] == 0
    assert samples[("partner42_celery_broker_up", ())] == 1


def test_it_reports_the_broker_down_instead_of_failing_the_scrape():
    url = f"redis://127.0.0.1:{free_port()}/0"

    families = list(metrics.CeleryQueueLengthCollector(url, ["default"], timeout=0.5).collect())

    assert [family.name for family in families] == ["partner42_celery_broker_up"]
    assert families[0].samples[0].value == 0


def test_it_knows_the_queues_the_tasks_are_routed_to():
    assert metrics.celery_queue_names() == ["default", "matchmaking"]


@pytest.mark.slow
def test_it_exports_the_sum_of_the_processes_of_a_container(tmp_path):
    multiproc = tmp_path / "prometheus"
    multiproc.mkdir()
    env = django_env(PROMETHEUS_MULTIPROC_DIR=str(multiproc))
    observe = (
        "from partner42.metrics import ALARM_CONNECTIONS, MATCHMAKING_RUN_SECONDS; "
        "MATCHMAKING_RUN_SECONDS.observe(0.2); "
        "ALARM_CONNECTIONS.labels(transport='websocket').inc()"
    )
    for _ in range(2):  # two processes, as two gunicorn workers or Celery children
        result = run([sys.executable, "-c", observe], env=env)
        assert result.returncode == 0, result.stderr
    port = free_port()

    exporter = subprocess.Popen(
        [sys.executable, "manage.py", "serve_metrics", "--port", str(port), "--queue-lengths"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        # The exporter says it listens once the port is open (log lines may come first).
        lines = (exporter.stdout.readline() for _ in range(50))
        assert any("listening" in line for line in lines), exporter.stderr.read()
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        connection.request("GET", "/metrics")
        body = connection.getresponse().read().decode()
    finally:
        exporter.terminate()
        exporter.wait(timeout=30)

    assert "partner42_matchmaking_run_seconds_count 2.0" in body
    assert 'partner42_alarm_connections{transport="websocket"} 2.0' in body
    assert 'partner42_celery_queue_length{queue="matchmaking"}' in body


def test_it_counts_database_queries_for_the_dashboard(db, api_client):
    from django.db import connection

    assert django_settings.DATABASES["default"]["ENGINE"].startswith("django_prometheus.")
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")

    body = api_client.get("/metrics").content.decode()

    assert re.search(
        r'^django_db_execute_total\{alias="default",vendor="mysql"\} [1-9]', body, re.M
    )


@pytest.fixture(scope="module")
def dashboard() -> dict:
    return json.loads((DEPLOY / "grafana" / "dashboards" / "partner42.json").read_text())


def dashboard_exprs(dashboard: dict) -> list[str]:
    return [t["expr"] for p in dashboard["panels"] for t in p.get("targets", [])]


def test_it_scrapes_the_exporter_of_every_application_service(compose):
    config = yaml.safe_load((DEPLOY / "prometheus" / "prometheus.yml").read_text())
    scraped = {
        name: sd["port"]
        for job in config["scrape_configs"]
        for sd in job.get("dns_sd_configs", [])
        for name in sd["names"]
    }

    assert scraped == {name: 9100 for name in APP_SERVICES if name != "beat"}
    mounted = compose["services"]["prometheus"]["volumes"]
    assert "./prometheus/prometheus.yml:/etc/prometheus/prometheus.yml:ro" in mounted


@pytest.mark.parametrize(
    "metric",
    [
        "django_http_requests_total_by_view_transport_method_total",
        "django_http_requests_latency_seconds_by_view_method_bucket",
        "django_http_responses_total_by_status_total",
        "django_db_execute_total",
        "django_db_query_duration_seconds_bucket",
        "partner42_celery_queue_length",
        "partner42_matchmaking_run_seconds_bucket",
        "partner42_alarm_connections",
    ],
)
def test_it_charts_every_metric_the_operators_watch(dashboard, metric):
    assert any(metric in expr for expr in dashboard_exprs(dashboard))


def test_it_charts_only_metrics_the_code_defines(dashboard):
    defined = {"partner42_celery_queue_length", "partner42_celery_broker_up"} | {
        collector._name
        for collector in (metrics.MATCHMAKING_RUN_SECONDS, metrics.ALARM_CONNECTIONS)
    }
    used = {
        re.sub(r"_(bucket|count|sum)$", "", name)
        for expr in dashboard_exprs(dashboard)
        for name in re.findall(r"\bpartner42_[a-z_]+", expr)
    }

    assert used <= defined


def test_it_provisions_the_datasource_and_the_dashboard(compose, dashboard):
    grafana = DEPLOY / "grafana" / "provisioning"
    (datasource,) = yaml.safe_load((grafana / "datasources" / "prometheus.yml").read_text())[
        "datasources"
    ]
    (provider,) = yaml.safe_load((grafana / "dashboards" / "partner42.yml").read_text())[
        "providers"
    ]
    mounts = compose["services"]["grafana"]["volumes"]

    assert datasource["url"] == "http://prometheus:9090"
    assert f"./grafana/dashboards:{provider['options']['path']}:ro" in mounts
    assert "./grafana/provisioning:/etc/grafana/provisioning:ro" in mounts
    for panel in dashboard["panels"]:
        if panel["type"] != "row":
            assert panel["datasource"]["uid"] == datasource["uid"], panel["title"]
            assert panel["targets"], panel["title"]


def test_it_lays_the_panels_out_without_overlap(dashboard):
    cells: set[tuple[int, int]] = set()
    for panel in dashboard["panels"]:
        grid = panel["gridPos"]
        assert grid["x"] + grid["w"] <= 24, panel["title"]
        own = {
            (x, y)
            for x in range(grid["x"], grid["x"] + grid["w"])
            for y in range(grid["y"], grid["y"] + grid["h"])
        }
        assert not own & cells, panel["title"]
        cells |= own


def test_it_gives_prometheus_valid_configuration_and_queries(dashboard, tmp_path):
    promtool = shutil.which("promtool")
    if promtool is None:
        pytest.skip("promtool is not installed (apt-get install prometheus): PromQL unchecked")
    rules = {
        "groups": [
            {
                "name": "dashboard",
                "rules": [
                    {"record": f"dashboard:expr:{n}", "expr": e.replace("$__rate_interval", "5m")}
                    for n, e in enumerate(dashboard_exprs(dashboard))
                ],
            }
        ]
    }
    (tmp_path / "rules.yml").write_text(yaml.safe_dump(rules))

    config = run(
        [promtool, "check", "config", DEPLOY / "prometheus" / "prometheus.yml"], base_env()
    )
    queries = run([promtool, "check", "rules", tmp_path / "rules.yml"], base_env())

    assert config.returncode == 0, config.stdout + config.stderr
    assert queries.returncode == 0, queries.stdout + queries.stderr
