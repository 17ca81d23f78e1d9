from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoomsConfig(AppConfig):
    name = "rooms"
    verbose_name = _("Rooms")
    # Walked by `manage.py load_demo` (partner42.demo), in INSTALLED_APPS order.
    # The matches demo completes rooms, so it is rooms' (rooms may use matching).
    demo_loaders = (
        "rooms.demo.rooms_demo_load",
        "rooms.demo_matches.matches_demo_load",
    )
    # `/42partner rooms` on Slack (alarms.slackapp.registry), by dotted path.
    slack_commands = dict.fromkeys(("rooms", "room", "방", "내방"), "rooms.slack.command_rooms")
