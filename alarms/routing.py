from django.urls import path

from alarms.consumers import AlarmConsumer

websocket_urlpatterns: list = [
    path("ws/alarms/", AlarmConsumer.as_asgi()),
]
