"""The Celery app of the end-to-end test's worker: the project's app, with the broker keys under
the prefix the test chose, so that the test's worker and other tests' workers never share a queue.
"""

import os

from partner42.celery import app

app.conf.broker_transport_options = {"global_keyprefix": os.environ["P42_TEST_BROKER_PREFIX"]}
