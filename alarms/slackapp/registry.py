"""What other apps give Slack, by dotted path in their AppConfig (alarms imports no app above it,
docs/architecture.md "Import rules"), like the my page sections:

    class MatchingConfig(AppConfig):
        # /42partner <word> ...: handler(*, user, args, request) -> reply text
        slack_commands = {"meal": "matching.views.slack.command_meal", ...}
        # button presses: handler(ctx: ActionContext) -> reply text | None
        slack_actions = {"meeting_met_yes": "matching.views.slack.meeting_met_yes", ...}

Read once per process; a word or an action id given twice is a configuration error.
"""

import functools
from collections.abc import Callable

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string


def _collect(attribute: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for config in apps.get_app_configs():
        for key, dotted_path in getattr(config, attribute, {}).items():
            if key in found:
                raise ImproperlyConfigured(f"Slack {attribute}: {key!r} is given twice")
            found[key] = dotted_path
    return found


@functools.cache
def app_commands() -> dict[str, str]:
    return _collect("slack_commands")


@functools.cache
def app_actions() -> dict[str, str]:
    return _collect("slack_actions")


def resolve(dotted_path: str | None) -> Callable | None:
    return import_string(dotted_path) if dotted_path else None
