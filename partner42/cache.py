"""The shared cache fails open: with Redis down, reads miss, writes are dropped, nothing raises.

Everything the cache holds can be recomputed from MariaDB (DRF's throttle counts, the board's
first pages, the restaurants' generation number), so a Redis outage must cost speed, not service.
`FailOpenRedisCache` is django-redis with its IGNORE_EXCEPTIONS on (reads return their default,
writes return None) plus two things it lacks:

- the outage is logged once, then once a minute with a count (`partner42.outage.OutageLog`), and
  once more when Redis answers again, instead of a traceback per call;
- after a failure the cache is skipped for `RETRY_SECONDS` (every call returns at once) and then
  one caller pings Redis: a Redis that hangs instead of refusing costs one timeout per window,
  not one per call.

`ping()` bypasses all of this and raises the driver's error: `/readyz` uses it to name Redis.
Redis locks (`cache.lock(...).acquire()`) are not covered and still raise: a lock must fail
closed (matching/locks.py).
"""

import contextlib
import logging
import sys
import threading
import time

from django_redis.cache import RedisCache
from django_redis.exceptions import ConnectionInterrupted
from redis.exceptions import ConnectionError as RedisConnectionError

from partner42.outage import OutageLog

logger = logging.getLogger(__name__)

# Seconds the cache is skipped after a failure before Redis is tried again.
RETRY_SECONDS = 5.0


class _Circuit:
    """One Redis location's state in this process, shared by its per-thread cache objects."""

    def __init__(self, location: str) -> None:
        self.log = OutageLog(logger, f"Redis (cache at {_safe(location)})")
        self._lock = threading.Lock()
        self._open_until = 0.0
        self._probing = False

    def failed(self, error: BaseException) -> None:
        with self._lock:
            self._open_until = time.monotonic() + RETRY_SECONDS
            self._probing = False
        self.log.failed(error, "serving without the cache (reads miss, writes are dropped)")

    def succeeded(self) -> None:
        with self._lock:
            self._open_until = 0.0
            self._probing = False
        self.log.recovered()

    def claim(self) -> str:
        """'closed' (use Redis), 'probe' (this caller checks whether it is back) or 'open'."""
        if not self.log.down and not self._open_until:  # the common case, without the lock
            return "closed"
        with self._lock:
            if not self._open_until:
                return "closed"
            if time.monotonic() < self._open_until or self._probing:
                return "open"
            self._probing = True
            return "probe"


_circuits: dict[str, _Circuit] = {}
_circuits_lock = threading.Lock()


def _circuit(location: str) -> _Circuit:
    with _circuits_lock:
        if location not in _circuits:
            _circuits[location] = _Circuit(location)
        return _circuits[location]


def _safe(location: str) -> str:
    """The location without a password (redis://:secret@host -> redis://host)."""
    scheme, sep, rest = location.partition("://")
    return f"{scheme}{sep}{rest.rpartition('@')[2]}" if sep else location


class _FailureHook:
    """Stands in for django-redis's logger: its `omit_exception` calls `.exception()` inside the
    `except` of every ignored failure, which is where the circuit learns of it."""

    def __init__(self, circuit: _Circuit) -> None:
        self.circuit = circuit

    def exception(self, *args, **kwargs) -> None:
        error = sys.exc_info()[1]
        if error is None:
            return
        if isinstance(error, ConnectionInterrupted) and error.__cause__ is not None:
            error = error.__cause__
        if isinstance(error, _Skipped):
            return  # the circuit is open: already counted
        self.circuit.failed(error)


class _Skipped(RedisConnectionError):
    """Raised instead of calling Redis while the circuit is open."""


class FailOpenRedisCache(RedisCache):
    def __init__(self, server, params) -> None:
        super().__init__(server, params)
        self._circuit = _circuit(server if isinstance(server, str) else ",".join(server))
        self._ignore_exceptions = params.get("OPTIONS", {}).get("IGNORE_EXCEPTIONS", True)
        self._log_ignored_exceptions = True
        self.logger = _FailureHook(self._circuit)

    @property
    def client(self):
        state = self._circuit.claim()
        if state == "open":
            raise ConnectionInterrupted(connection=None) from _Skipped("skipped: Redis is down")
        client = super().client
        if state == "probe":
            try:
                client.get_client(write=True).ping()
            except Exception as exc:
                raise ConnectionInterrupted(connection=None) from exc
            self._circuit.succeeded()
        return client

    def ping(self) -> bool:
        """Ask Redis itself, past the circuit: raises the driver's error when it is down."""
        try:
            answer = super().client.get_client(write=True).ping()
        except Exception as exc:
            self._circuit.failed(exc)
            raise
        self._circuit.succeeded()
        return answer

    def close(self, **kwargs) -> None:
        # Called at the end of every request: never through the circuit, never raising.
        if self._client is not None:
            with contextlib.suppress(Exception):  # a connection that is already gone
                self._client.close(**kwargs)
