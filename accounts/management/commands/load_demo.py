"""`manage.py load_demo`: the demo data of the embedded default, safe to run again and again.

Each app contributes one loader, a function without arguments that writes only its own demo rows
(idempotently) and returns a one-line summary. Add yours to LOADERS, after the apps it needs.
"""

from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils.module_loading import import_string

LOADERS: list[str] = [
    "accounts.demo.demo_students_load",
    "rooms.demo.rooms_demo_load",
    "rooms.demo_matches.matches_demo_load",
    "restaurants.demo.restaurants_demo_load",
]


class Command(BaseCommand):
    help = "Create or refresh the demo students (and the other apps' demo data)."

    def handle(self, *args, **options) -> None:
        with transaction.atomic():
            for dotted_path in LOADERS:
                summary = import_string(dotted_path)()
                self.stdout.write(f"{dotted_path}: {summary}")
        self.stdout.write(self.style.SUCCESS("Demo data loaded."))
