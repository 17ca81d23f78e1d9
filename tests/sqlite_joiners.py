"""Run as `python -m tests.sqlite_joiners N`: N students join one room at once on SQLite.

A child process of tests/test_sqlite_concurrency.py with the embedded default's settings (what
`make run` uses: DEBUG, no REDIS_URL, DATABASE_URL a SQLite file). It migrates the file, makes a
room with capacity 20 and N students, sends their POST /api/articles/{id}/participate from N
threads released together, and prints one JSON line: the statuses and the room's final count.
"""

import json
import os
import sys


def main(joiners: int) -> None:
    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "partner42.settings")
    django.setup()

    from django.core.management import call_command
    from django.test import Client

    from accounts.tests.factories import UserFactory
    from accounts.tokens import issue_token_pair
    from rooms.models import Participation, Room
    from rooms.tests.factories import RoomFactory
    from tests.helpers import run_together

    call_command("migrate", verbosity=0)
    room = RoomFactory(participant_num_max=20)
    tokens = [issue_token_pair(user=UserFactory()).access for _ in range(joiners)]
    path = f"/api/articles/{room.api_id}/participate"

    def join(token: str):
        def call() -> int:
            client = Client(HTTP_HOST="127.0.0.1", HTTP_AUTHORIZATION=f"Bearer {token}")
            return client.post(path).status_code

        return call

    results = run_together([join(token) for token in tokens])
    room.refresh_from_db()
    print(
        json.dumps(
            {
                "statuses": [r if isinstance(r, int) else repr(r) for r in results],
                "participant_num": room.participant_num,
                "participations": Participation.objects.filter(room=room).count(),
                "journal_mode": _journal_mode(),
                "room_count": Room.objects.count(),
            }
        )
    )


def _journal_mode() -> str:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        return cursor.fetchone()[0]


if __name__ == "__main__":
    main(int(sys.argv[1]))
