from channels.generic.websocket import AsyncJsonWebsocketConsumer

from alarms.streams import run_in_database
from partner42.errors import NotFoundError
from rooms.live import room_group_name
from rooms.selectors import room_get

# The same close codes as the bell's socket: the page's script stops reconnecting on them.
CLOSE_UNAUTHENTICATED = 4401
CLOSE_NOT_FOUND = 4404


class RoomConsumer(AsyncJsonWebsocketConsumer):
    """`/ws/rooms/<room api id>/`: a room page listening for changes of its room.

    Session-authenticated. One query at connect (the room exists and the viewer may see it),
    through alarms.streams.run_in_database (bounded per process, its connection closed after): a
    socket holds none while it waits and never queries per event.
    Sends `{"type": "room.changed"}`; the page re-fetches its parts over HTTP.
    """

    group_name: str | None = None

    async def connect(self) -> None:
        user = self.scope.get("user")
        # Accept first so that the close code reaches the client (a refused handshake is a 403).
        await self.accept()
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        room_id = self.scope["url_route"]["kwargs"]["room_id"]
        api_id = await run_in_database(_visible_room_api_id, room_id, user)
        if api_id is None:
            await self.close(code=CLOSE_NOT_FOUND)
            return
        self.group_name = room_group_name(api_id)
        await self.channel_layer.group_add(self.group_name, self.channel_name)

    async def disconnect(self, code: int) -> None:
        if self.group_name is not None:
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        # The socket only pushes; whatever a client sends is ignored.
        return

    async def room_changed(self, event: dict) -> None:
        await self.send_json({"type": "room.changed"})


def _visible_room_api_id(room_id, user):
    try:
        return room_get(api_id=room_id, viewer=user).api_id
    except NotFoundError:
        return None
