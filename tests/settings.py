"""Settings for the test suite: the real services (MariaDB, Redis) at their local defaults.

DATABASE_URL and REDIS_URL override the defaults, as for the rest of the project.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-not-for-production-use-0123456789")
os.environ.setdefault("DATABASE_URL", "mysql://root@127.0.0.1:3306/partner42")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("FORTYTWO_CLIENT_ID", "test-client-id")
os.environ.setdefault("FORTYTWO_CLIENT_SECRET", "test-client-secret")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "true")
# Django's test runner swaps in the locmem backend anyway (mail.outbox).
os.environ.setdefault("EMAIL_URL", "memorymail://")
os.environ.setdefault("DEFAULT_FROM_EMAIL", "42Partner <noreply@testserver>")

from partner42.settings import *  # noqa: F403
from partner42.settings import CACHES, CHANNEL_LAYERS

# Parallel workers (pytest-xdist) share one Redis: keep their keys apart.
_worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
CACHES["default"]["KEY_PREFIX"] = f"test-{_worker}"
if "CONFIG" in CHANNEL_LAYERS["default"]:
    CHANNEL_LAYERS["default"]["CONFIG"]["prefix"] = f"test-{_worker}:asgi"

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SECURE_SSL_REDIRECT = False
STORAGES["staticfiles"]["BACKEND"] = "django.contrib.staticfiles.storage.StaticFilesStorage"  # noqa: F405
# Every budget out of the way; tests of a throttle set their own rate.
REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"] = dict.fromkeys(  # noqa: F405
    REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"],  # noqa: F405
    "10000/min",
)
