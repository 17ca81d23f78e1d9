"""Logging a dependency's outage once in a while instead of once per request.

When Redis (or the broker, or the channel layer) is down, every request meets the failure; a log
line and a traceback per request would bury everything else. `OutageLog` writes the first failure
at once, then at most one line per `interval` seconds with the number of failures since the last
line, and one line when the dependency answers again.

Imports nothing of Django and no app (partner42/net.py uses it, and everything sits above it).
"""

import logging
import threading
import time
from collections.abc import Callable

DEFAULT_INTERVAL_SECONDS = 60.0


class OutageLog:
    """A rate-limited warning about one dependency, shared by every thread of the process."""

    def __init__(
        self,
        logger: logging.Logger,
        what: str,
        *,
        interval: float = DEFAULT_INTERVAL_SECONDS,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.logger = logger
        self.what = what
        self.interval = interval
        self.clock = clock
        self._lock = threading.Lock()
        self._down = False
        self._last_logged = 0.0
        self._last_failure = 0.0
        self._unlogged = 0

    def failed(self, error: BaseException | str, consequence: str) -> bool:
        """Count one failure; log it if the last line is `interval` old. True if it logged."""
        now = self.clock()
        with self._lock:
            if self._down and now - self._last_failure > self.interval:
                # Nothing failed for a whole interval: that outage is over (callers that never
                # see a success cannot say so), this is a new one.
                self._down = False
                self._unlogged = 0
            self._last_failure = now
            self._unlogged += 1
            if self._down and now - self._last_logged < self.interval:
                return False
            first = not self._down
            self._down = True
            self._last_logged = now
            count, self._unlogged = self._unlogged, 0
        if first:
            self.logger.warning("%s is unavailable (%s): %s", self.what, _text(error), consequence)
        else:
            self.logger.warning(
                "%s is still unavailable (%s): %s; %d failures since the last line",
                self.what,
                _text(error),
                consequence,
                count,
            )
        return True

    def recovered(self) -> None:
        """The dependency answered: say so once if it had been down."""
        if not self._down:  # the common case, without the lock
            return
        with self._lock:
            if not self._down:
                return
            self._down = False
            count, self._unlogged = self._unlogged, 0
        self.logger.warning("%s answers again (%d failures since the last line)", self.what, count)

    @property
    def down(self) -> bool:
        return self._down


def _text(error: BaseException | str) -> str:
    if isinstance(error, BaseException):
        return f"{type(error).__name__}: {error}"
    return error
