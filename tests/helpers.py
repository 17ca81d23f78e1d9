"""What tests and benchmarks share to run real processes and real races (standard library only).

- `database_url(settings_dict)`: the DATABASE_URL that points a child process at our database.
- `free_port()`: a local port nobody listens on (bound, then released).
- `running(args, ...)`: a child process, stopped (terminate, then kill) when the block ends.
- `wait_until_ready(process, ready)` / `port_open(port)`: wait for a child to serve, bounded.
- `run_together(calls)`: callables in threads released at once, each closing its connection.
- `serve_in_thread(handler)`: a local HTTP server (a fake of an outside service) in a thread.

Imports no app (partner42 sits below them all) and nothing Django at import time.
"""

import socket
import subprocess
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


class NotReadyError(RuntimeError):
    """A child process exited, or did not get ready in time."""


def database_url(settings_dict: Mapping[str, Any]) -> str:
    """A MariaDB URL for the database of a Django `connection.settings_dict`."""
    auth = settings_dict["USER"] + (
        f":{settings_dict['PASSWORD']}" if settings_dict["PASSWORD"] else ""
    )
    host = settings_dict["HOST"] or "127.0.0.1"
    return f"mysql://{auth}@{host}:{settings_dict['PORT'] or 3306}/{settings_dict['NAME']}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def port_open(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def wait_until_ready(
    process: subprocess.Popen,
    ready: Callable[[], bool],
    *,
    what: str,
    timeout: float = 60,
    interval: float = 0.1,
) -> None:
    """Poll `ready()` until true; NotReadyError if `process` exits first or `timeout` passes.

    The timeout only bounds the wait (a stuck child fails the run); it measures nothing.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise NotReadyError(f"{what} exited with {process.returncode}")
        if ready():
            return
        time.sleep(interval)
    raise NotReadyError(f"{what} was not ready within {timeout:g} s")


@contextmanager
def running(
    args: list[str], *, env: Mapping[str, str], stop_timeout: float = 10, **popen: Any
) -> Iterator[subprocess.Popen]:
    """`args` as a child process in the project root; on exit SIGTERM, and SIGKILL after
    `stop_timeout` seconds. `popen` goes to subprocess.Popen (stdout=..., text=...)."""
    # Test and benchmark code only, with argument lists it builds itself.
    process = subprocess.Popen(args, cwd=ROOT, env=env, **popen)
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=stop_timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def run_together(calls: list[Callable[[], Any]]) -> list:
    """Run the callables in threads released at once (a barrier), each closing its database
    connection when done; return their results, or the exceptions they raised, in order."""
    from django.db import connection

    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def worker(index: int, call: Callable[[], Any]) -> None:
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # returned to the test, never swallowed
            results[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def serve_in_thread(
    handler: type[BaseHTTPRequestHandler],
) -> tuple[ThreadingHTTPServer, Callable[[], None]]:
    """`handler` served on a free local port from a daemon thread; returns the server (its
    `server_address` holds the port) and a stop() that shuts it down and frees the port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()

    def stop() -> None:
        server.shutdown()
        server.server_close()
        thread.join()

    return server, stop
