"""Students on the production shape: Locust's users, one seeded student each (bench/load/seed.py).

Each simulated student, with a think time of LOAD_WAIT_MIN..LOAD_WAIT_MAX seconds (1..4), browses
the board (API and page), opens rooms and their comments, joins and leaves, comments, asks for a
random match (and sometimes cancels), reads their alarms, and fetches the stylesheet. Half of them
(LOAD_STREAM_SHARE) hold the SSE alarm stream open meanwhile, 20 to 60 s at a time, reconnecting.

Every request goes through nginx with the student's bearer token. An answer counts as an error
unless it is the success the request asks for, or one of the refusals the product gives by design
to a request that raced another (a room that filled up since the board was read: 409 AR008; a
random match already waiting: 409 RM001; a cancel that lost to the matchmaker: 409 RM002). Those
are counted apart (refusals.json). Written at the end, in LOAD_OUT: streams.json (each stream's
open and close times and its events, for the pushed-or-listed check) and refusals.json.

    LOAD_SEED=seed.json LOAD_OUT=dir locust -f bench/load/locustfile.py --host https://localhost:18443
"""

import itertools
import json
import os
import random
import socket
import ssl
import time
from collections import Counter
from pathlib import Path
from urllib.parse import urlsplit

import gevent
from locust import FastHttpUser, between, events, task

SEED = json.loads(Path(os.environ["LOAD_SEED"]).read_text())
OUT = Path(os.environ.get("LOAD_OUT", "."))
STREAM_SHARE = float(os.environ.get("LOAD_STREAM_SHARE", "0.5"))
WAIT = (float(os.environ.get("LOAD_WAIT_MIN", "1")), float(os.environ.get("LOAD_WAIT_MAX", "4")))
EXPECTED_REFUSALS = {("join", "AR008"), ("random match", "RM001"), ("random cancel", "RM002")}

_next_student = itertools.count()
STREAMS: list[dict] = []
REFUSALS: Counter = Counter()
MEAL_PLACES = ["SEOCHO", "GAEPO", "OUT_OF_CLUSTER"]
MEAL_WAYS = ["DELIVERY", "EATOUT", "TAKEOUT"]
STUDY_TYPES = ["INNER_CIRCLE", "NOT_INNER_CIRCLE"]


# One context for every stream (the stack's certificate is self-signed): building one per stream
# would load the CA bundle each time, on the client's one CPU-bound event loop.
TLS = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
TLS.check_hostname = False
TLS.verify_mode = ssl.CERT_NONE


class Student(FastHttpUser):
    wait_time = between(*WAIT)
    insecure = True  # the stack's certificate is self-signed
    connection_timeout = 30
    network_timeout = 60

    def on_start(self) -> None:
        student = SEED["students"][next(_next_student) % len(SEED["students"])]
        self.me = student["id"]
        self.auth = {"Authorization": f"Bearer {student['token']}"}
        self.token = student["token"]
        self.rooms: list[str] = [room["id"] for room in SEED["rooms"]]
        self.full: set[str] = set()
        # A student cannot join their own room (409 AR005): never asked.
        self.joined: set[str] = {r["id"] for r in SEED["rooms"] if r["author"] == self.me}
        self.authored = set(self.joined)
        self.waiting: set[str] = set()
        self.stream = None
        if random.random() < STREAM_SHARE:
            self.stream = gevent.spawn(self.hold_streams)

    def on_stop(self) -> None:
        if self.stream is not None:
            self.stream.kill(block=True, timeout=5)

    # --- requests --------------------------------------------------------------------------

    def call(self, method: str, path: str, name: str, *, body=None, ok=(200,), label=""):
        """One request; returns (status, parsed JSON or None). Refusals by design count apart."""
        kwargs = {"headers": dict(self.auth), "name": name, "catch_response": True}
        if body is not None:
            kwargs["json"] = body
        with self.client.request(method, path, **kwargs) as response:
            status = response.status_code
            data = None
            if response.content and "json" in (response.headers.get("Content-Type") or ""):
                try:
                    data = json.loads(response.content)
                except ValueError:
                    data = None
            code = data.get("code") if isinstance(data, dict) else None
            if status in ok:
                response.success()
            elif (label, code) in EXPECTED_REFUSALS:
                REFUSALS[f"{label} {status} {code}"] += 1
                response.success()
            else:
                detail = code or (response.text or "")[:120]
                response.failure(f"{status} {detail}")
            return status, data

    def a_room(self) -> str:
        return random.choice(self.rooms)

    # --- what students do ------------------------------------------------------------------

    @task(10)
    def board(self) -> None:
        category = random.choice(["", "&contentCategory=MEAL", "&contentCategory=STUDY"])
        page = random.choice([0, 0, 0, 1, 2])
        status, data = self.call(
            "GET",
            f"/api/articles?isComplete=false&page={page}&size=20{category}",
            "GET /api/articles (board)",
        )
        if status == 200 and data:
            for item in data.get("content", []):
                room = item["articleId"]
                if item["userId"] == self.me:
                    self.joined.add(room)
                    self.authored.add(room)
                if room not in self.rooms:
                    self.rooms.append(room)
                if item["participantNum"] >= item["participantNumMax"]:
                    self.full.add(room)
                else:
                    self.full.discard(room)

    @task(3)
    def board_page(self) -> None:
        with self.client.get("/", name="GET / (board page)", catch_response=True) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")

    @task(6)
    def open_room(self) -> None:
        room = self.a_room()
        status, data = self.call("GET", f"/api/articles/{room}", "GET /api/articles/{id}")
        if status == 200 and data and data["participantNum"] >= data["participantNumMax"]:
            self.full.add(room)
        self.call("GET", f"/api/articles/{room}/opinions", "GET /api/articles/{id}/opinions")

    @task(3)
    def join(self) -> None:
        choices = [r for r in self.rooms if r not in self.full and r not in self.joined]
        if not choices:
            return
        room = random.choice(choices)
        status, data = self.call(
            "POST",
            f"/api/articles/{room}/participate",
            "POST /api/articles/{id}/participate",
            ok=(200,),
            label="join",
        )
        if status == 200:
            self.joined.add(room)
        elif data and data.get("code") == "AR008":
            self.full.add(room)

    @task(2)
    def leave(self) -> None:
        if not self.joined - self.authored:
            return
        room = random.choice(sorted(self.joined - self.authored))
        status, _ = self.call(
            "POST",
            f"/api/articles/{room}/participate-cancel",
            "POST /api/articles/{id}/participate-cancel",
            label="leave",
        )
        if status == 200:
            self.joined.discard(room)
            self.full.discard(room)

    @task(2)
    def comment(self) -> None:
        room = random.choice(sorted(self.joined)) if self.joined else self.a_room()
        self.call(
            "POST",
            "/api/opinions",
            "POST /api/opinions",
            body={"articleId": room, "content": "저도 갈래요!", "parentId": None, "level": 1},
            ok=(200, 201),
        )

    @task(1)
    def random_match(self) -> None:
        category = random.choice(["MEAL", "STUDY"])
        if category in self.waiting and random.random() < 0.3:
            status, _ = self.call(
                "POST",
                "/api/random-matches/mine",
                "POST /api/random-matches/mine (cancel)",
                body={"contentCategory": category},
                label="random cancel",
            )
            self.waiting.discard(category)
            return
        if category == "MEAL":
            body = {
                "contentCategory": "MEAL",
                "placeList": random.sample(MEAL_PLACES, k=random.randint(0, 2)),
                "wayOfEatingList": random.sample(MEAL_WAYS, k=random.randint(0, 2)),
            }
        else:
            body = {
                "contentCategory": "STUDY",
                "placeList": random.sample(MEAL_PLACES, k=random.randint(0, 2)),
                "typeOfStudyList": random.sample(STUDY_TYPES, k=random.randint(0, 1)),
            }
        status, _ = self.call(
            "POST",
            "/api/random-matches",
            "POST /api/random-matches",
            body=body,
            ok=(201,),
            label="random match",
        )
        if status in (201, 409):
            self.waiting.add(category)
        self.call("GET", "/api/random-matches/mine", "GET /api/random-matches/mine")

    @task(1)
    def alarms(self) -> None:
        self.call("GET", "/api/alarms?size=20", "GET /api/alarms")

    @task(1)
    def stylesheet(self) -> None:
        with self.client.get(
            SEED["stylesheet"], name="GET /static/ (stylesheet)", catch_response=True
        ) as response:
            if response.status_code != 200:
                response.failure(f"{response.status_code}")

    # --- the alarm stream ------------------------------------------------------------------

    def hold_streams(self) -> None:
        gevent.sleep(random.uniform(0, 10))
        while True:
            self.one_stream(hold=random.uniform(20, 60))
            gevent.sleep(random.uniform(1, 5))

    def one_stream(self, *, hold: float) -> None:
        """GET /api/alarm/subscribe held `hold` seconds; the first event's delay is its time."""
        url = urlsplit(self.host)
        # "subscribed": when CONNECTED arrived, i.e. the stream had joined its group; alarms made
        # before it are not expected on this stream.
        record = {
            "user": self.me,
            "opened": time.time(),
            "subscribed": None,
            "closed": None,
            "events": [],
            "status": 0,
        }
        STREAMS.append(record)
        began = time.perf_counter()
        name = "GET /api/alarm/subscribe (to CONNECTED)"
        sock = None
        try:
            raw = socket.create_connection((url.hostname, url.port or 443), timeout=30)
            sock = TLS.wrap_socket(raw, server_hostname=url.hostname)
            request = (
                f"GET /api/alarm/subscribe?accessToken={self.token} HTTP/1.1\r\n"
                f"Host: {url.hostname}\r\nAccept: text/event-stream\r\n\r\n"
            )
            sock.sendall(request.encode())
            reader = sock.makefile("rb")
            status_line = reader.readline().decode()
            record["status"] = int(status_line.split()[1])
            while reader.readline() not in (b"\r\n", b"\n", b""):
                pass  # headers
            if record["status"] != 200:
                raise ConnectionError(status_line.strip())
            connected = False
            sock.settimeout(60)  # a keep-alive comes every 20 s: a silent minute is a dead stream
            with gevent.Timeout(hold, False):  # then the student closes the tab
                while True:
                    line = reader.readline()
                    if not line:
                        raise ConnectionError("stream ended early")
                    if not line.startswith(b"event:"):
                        continue
                    event = line[6:].strip().decode()
                    if event == "CONNECTED" and not connected:
                        connected = True
                        record["subscribed"] = time.time()
                        events.request.fire(
                            request_type="SSE",
                            name=name,
                            response_time=(time.perf_counter() - began) * 1000,
                            response_length=0,
                            exception=None,
                        )
                    else:
                        record["events"].append([time.time(), event])
        except (OSError, ValueError, IndexError) as error:
            events.request.fire(
                request_type="SSE",
                name=name,
                response_time=(time.perf_counter() - began) * 1000,
                response_length=0,
                exception=error,
            )
        finally:
            record["closed"] = time.time()
            if sock is not None:
                sock.close()


@events.quitting.add_listener
def _write_records(environment, **_kwargs) -> None:
    now = time.time()
    for record in STREAMS:
        record["closed"] = record["closed"] or now
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "streams.json").write_text(json.dumps(STREAMS))
    (OUT / "refusals.json").write_text(json.dumps(dict(REFUSALS)))
