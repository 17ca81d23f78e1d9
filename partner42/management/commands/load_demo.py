"""`manage.py load_demo`: the demo data of the embedded default, safe to run again and again.

Each app registers its loaders on its AppConfig (`demo_loaders`, see `partner42.demo`); this
command walks them in INSTALLED_APPS order and imports none of them by name.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string

from partner42.demo import demo_loaders


class Command(BaseCommand):
    help = "Create or refresh the demo students (and the other apps' demo data)."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            for dotted_path in demo_loaders():
                summary = import_string(dotted_path)()
                self.stdout.write(f"{dotted_path}: {summary}")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
