"""The demo data of the embedded default (`manage.py load_demo`).

Each app owns its demo data and registers its loaders on its AppConfig (`demo_loaders`: dotted
paths of functions without arguments that write only that app's demo rows, idempotently, and
return a one-line summary). The command walks the apps in INSTALLED_APPS order, so an app's loader
runs after those of the apps it builds on.
"""

from django.apps import apps
from django.conf import settings


def demo_login_enabled() -> bool:
    """The one-click demo login: only in the embedded default (DEBUG) and when switched on."""
    return bool(settings.DEMO_LOGIN and settings.DEBUG)


def demo_loaders() -> list[str]:
    return [
        dotted_path
        for config in apps.get_app_configs()
        for dotted_path in getattr(config, "demo_loaders", ())
    ]
