"""Settings gunicorn serves during benchmarks: the test settings (real MariaDB and Redis, DEBUG
off) with the bench urlconf, and without throttling: every request comes from one address, and
DRF keeps a list of all its timestamps in the cache, which would be measured instead of the views.
"""

import os

from tests.settings import *  # noqa: F403
from tests.settings import CACHES, LOGGING, REST_FRAMEWORK

ROOT_URLCONF = "bench.urls"
DEBUG = False
CACHES["default"]["KEY_PREFIX"] = os.environ.get("CACHE_KEY_PREFIX", "bench")
REST_FRAMEWORK["DEFAULT_THROTTLE_CLASSES"] = []
ROOM_BOARD_CACHE_SECONDS = float(os.environ.get("ROOM_BOARD_CACHE_SECONDS", "5"))
# Not one log line per refused join (django.request logs every 4xx as a warning).
LOGGING["loggers"]["django.request"] = {"level": "ERROR"}
