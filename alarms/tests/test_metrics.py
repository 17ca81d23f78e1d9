"""Open alarm connections are counted for the operations dashboard (partner42.metrics)."""

import pytest
from asgiref.sync import async_to_sync
from channels.routing import URLRouter
from channels.testing import WebsocketCommunicator
from django.contrib.auth.models import AnonymousUser
from prometheus_client import REGISTRY

from alarms.routing import websocket_urlpatterns

pytestmark = pytest.mark.django_db(transaction=True)

application = URLRouter(websocket_urlpatterns)
TIMEOUT = 10


def _open(transport: str) -> float:
    value = REGISTRY.get_sample_value("partner42_alarm_connections", {"transport": transport})
    return value or 0.0


def test_it_counts_open_websocket_connections(alice):
    before = _open("websocket")

    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/alarms/")
        communicator.scope["user"] = alice
        assert (await communicator.connect(timeout=TIMEOUT))[0]
        await communicator.receive_json_from(timeout=TIMEOUT)
        assert _open("websocket") == before + 1
        await communicator.disconnect()

    async_to_sync(scenario)()
    assert _open("websocket") == before


def test_it_does_not_count_refused_connections():
    before = _open("websocket")

    async def scenario():
        communicator = WebsocketCommunicator(application, "/ws/alarms/")
        communicator.scope["user"] = AnonymousUser()
        await communicator.connect(timeout=TIMEOUT)
        await communicator.receive_output(timeout=TIMEOUT)
        await communicator.disconnect()

    async_to_sync(scenario)()
    assert _open("websocket") == before
