"""The Celery app of the matchmaker-SIGKILL test's worker: the project's app under the test's
broker prefix, with a hook that holds a matchmaking group's transaction open.

The hook wraps the worker's database cursor: at the `P42_FAULT_SLOW_AT`-th INSERT into
`P42_FAULT_SLOW_TABLE` it runs the statement (the rows are written, not committed), writes
`P42_FAULT_MARKER` and sleeps, so the test can SIGKILL the worker right in the middle of a match.
It names a table, not a function, so it does not depend on how matching/ is laid out.
`P42_FAULT_GROUPS_PER_TRANSACTION` sets the matchmaker's batch size (groups per transaction).
"""

import os
import time
from pathlib import Path

from celery.signals import task_prerun

from partner42.celery import app

app.conf.broker_transport_options = {
    **(app.conf.broker_transport_options or {}),
    "global_keyprefix": os.environ["P42_TEST_BROKER_PREFIX"],
}

_SLOW_TABLE = os.environ.get("P42_FAULT_SLOW_TABLE", "")
_SLOW_AT = int(os.environ.get("P42_FAULT_SLOW_AT", "0"))
_MARKER = Path(os.environ.get("P42_FAULT_MARKER", "/nonexistent/marker"))
_GROUPS_PER_TRANSACTION = os.environ.get("P42_FAULT_GROUPS_PER_TRANSACTION", "")
_inserts = 0


def _hold_open(execute, sql, params, many, context):
    global _inserts
    if _SLOW_TABLE and sql.lstrip().upper().startswith("INSERT") and _SLOW_TABLE in sql:
        _inserts += 1
        if _inserts == _SLOW_AT:
            result = execute(sql, params, many, context)
            _MARKER.write_text("inside the group's transaction\n")
            time.sleep(600)  # the test kills us long before
            return result
    return execute(sql, params, many, context)


@task_prerun.connect
def _install_hook(**kwargs) -> None:
    from django.db import connection

    if _hold_open not in connection.execute_wrappers:
        connection.execute_wrappers.append(_hold_open)
    if _GROUPS_PER_TRANSACTION:
        from matching.services import random

        random.GROUPS_PER_TRANSACTION = int(_GROUPS_PER_TRANSACTION)
