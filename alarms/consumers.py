from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings
from django.utils import translation
from django.utils.translation.trans_real import parse_accept_lang_header

from alarms.models import AlarmType, alarm_message
from alarms.selectors import alarm_unread_count
from alarms.services import alarm_group_name
from partner42.metrics import ALARM_CONNECTIONS

# Sent when the handshake had no logged-in session: the page's script stops reconnecting.
CLOSE_UNAUTHENTICATED = 4401


class AlarmConsumer(AsyncJsonWebsocketConsumer):
    """`/ws/alarms/`: the pages' live bell. Session-authenticated (AuthMiddlewareStack).

    Sends `{"type": "unread", "unread": n}` on connect and whenever the count changes without a
    new alarm, and `{"type": "alarm", "unread": n, "text", "message", "alarmId", "alarmType"}`
    per alarm.
    """

    group_name: str | None = None
    language: str = settings.LANGUAGE_CODE

    async def connect(self) -> None:
        user = self.scope.get("user")
        # Accept first so that the close code reaches the client (a refused handshake is a 403).
        await self.accept()
        if user is None or not user.is_authenticated:
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        self.language = _language(self.scope)
        self.group_name = alarm_group_name(user.api_id)
        await self.channel_layer.group_add(self.group_name, self.channel_name)
        ALARM_CONNECTIONS.labels(transport="websocket").inc()
        # Counted after joining the group, so an alarm committed meanwhile is in one or the other.
        unread = await database_sync_to_async(alarm_unread_count)(user_id=user.pk)
        await self.send_json({"type": "unread", "unread": unread})

    async def disconnect(self, code: int) -> None:
        if self.group_name is not None:
            ALARM_CONNECTIONS.labels(transport="websocket").dec()
            await self.channel_layer.group_discard(self.group_name, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs) -> None:
        # The socket only pushes; whatever a client sends (even broken JSON) is ignored.
        return

    async def alarm_notify(self, event: dict) -> None:
        # The toast speaks the page's language, whatever language the pushing process had.
        with translation.override(self.language):
            text = str(AlarmType(event["alarmType"]).label)
            message = alarm_message(
                event["alarmType"], event.get("callingNickname"), event.get("roomTitle")
            )
        await self.send_json(
            {
                "type": "alarm",
                "unread": event.get("unread"),
                "text": text,
                "message": message,
                "alarmId": event["alarmId"],
                "alarmType": event["alarmType"],
            }
        )

    async def alarm_unread(self, event: dict) -> None:
        await self.send_json({"type": "unread", "unread": event.get("unread")})


def _language(scope: dict) -> str:
    """The page's language: Django's language cookie, else Accept-Language, else the default."""
    candidates = [scope.get("cookies", {}).get(settings.LANGUAGE_COOKIE_NAME)]
    headers = dict(scope.get("headers", []))
    accept = headers.get(b"accept-language", b"").decode("latin1")
    candidates += [code for code, _ in parse_accept_lang_header(accept) if code != "*"]
    for code in candidates:
        if code:
            try:
                return translation.get_supported_language_variant(code)
            except LookupError:
                continue
    return settings.LANGUAGE_CODE
