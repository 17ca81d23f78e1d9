import os

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partner42.settings")

# Build the Django app before importing anything that touches models (consumers, routing).
django.setup(set_prefix=False)

from partner42.middleware import ApiASGIHandler, daphne_leave_bodies_to_django  # noqa: E402

django_asgi_app = ApiASGIHandler()
daphne_leave_bodies_to_django()

from channels.auth import AuthMiddlewareStack  # noqa: E402
from channels.routing import ProtocolTypeRouter, URLRouter  # noqa: E402
from channels.security.websocket import AllowedHostsOriginValidator  # noqa: E402

from alarms.routing import websocket_urlpatterns  # noqa: E402
from rooms.routing import websocket_urlpatterns as room_websocket_urlpatterns  # noqa: E402

application = ProtocolTypeRouter(
    {
        "http": django_asgi_app,
        "websocket": AllowedHostsOriginValidator(
            AuthMiddlewareStack(URLRouter(websocket_urlpatterns + room_websocket_urlpatterns))
        ),
    }
)
