from django.urls import path

from rooms.consumers import RoomConsumer

websocket_urlpatterns: list = [
    path("ws/rooms/<uuid:room_id>/", RoomConsumer.as_asgi()),
]
