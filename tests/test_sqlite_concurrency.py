"""The embedded default (SQLite, `make run`) holds concurrent writers: no "database is locked".

On purpose not on MariaDB: a child process runs with the embedded default's settings against a
temporary SQLite file (tests/sqlite_joiners.py) and joins 24 students to one room at once.
"""

import json
import os
import subprocess
import sys

import pytest

from tests.helpers import ROOT

pytestmark = pytest.mark.slow

JOINERS = 24
CAPACITY = 20  # the author holds the first seat


def test_it_lets_24_students_join_one_room_at_once_on_sqlite(tmp_path):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"REDIS_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND"}
    }
    env.update(
        {
            "DJANGO_SETTINGS_MODULE": "partner42.settings",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "DEBUG": "true",
            "DEMO_LOGIN": "true",
            "CELERY_TASK_ALWAYS_EAGER": "true",
            "LOG_LEVEL": "ERROR",
        }
    )
    done = subprocess.run(
        [sys.executable, "-m", "tests.sqlite_joiners", str(JOINERS)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])

    statuses = result["statuses"]
    assert set(statuses) <= {200, 409}, statuses
    assert statuses.count(200) == CAPACITY - 1
    assert result["participant_num"] == CAPACITY
    assert result["participations"] == CAPACITY
    assert result["journal_mode"] == "wal"
