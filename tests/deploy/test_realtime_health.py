"""The realtime role's container health check asks `/readyz/realtime`, which fails while the
process cannot serve streams (its channel layer does not round-trip); `/healthz` stayed 200
through a Redis outage that left daphne serving nothing."""

import pytest
from django.test import override_settings

from tests.deploy.common import ENTRYPOINT, base_env, run, stub_server
from tests.helpers import free_port


@pytest.mark.parametrize(("status", "healthy"), [(200, True), (503, False)])
def test_it_probes_a_realtime_container_on_its_channel_layer(tmp_path, status, healthy):
    role_file = tmp_path / "role"
    role_file.write_text("realtime\n")

    with stub_server("realtime", status) as (port, seen):
        result = run(
            [ENTRYPOINT, "healthcheck"],
            env=base_env(ROLE_FILE=str(role_file), PORT=str(port), ALLOWED_HOSTS="localhost"),
        )

    assert (result.returncode == 0) is healthy, result.stderr
    assert seen[0]["path"] == "/readyz/realtime"


def test_it_is_ready_when_the_channel_layer_round_trips(client):
    response = client.get("/readyz/realtime")

    assert response.status_code == 200
    assert response.json()["checks"] == {"channel_layer": "ok"}


def test_it_is_not_ready_without_redis(client):
    closed = f"redis://127.0.0.1:{free_port()}/0"
    layers = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [{"address": closed, "socket_connect_timeout": 1}]},
        }
    }
    with override_settings(CHANNEL_LAYERS=layers):
        from channels.layers import channel_layers

        channel_layers.backends.pop("default", None)
        try:
            response = client.get("/readyz/realtime")
        finally:
            channel_layers.backends.pop("default", None)

    assert response.status_code == 503
    assert response.json()["status"] == "unavailable"
