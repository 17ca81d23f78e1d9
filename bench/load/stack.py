"""The production shape on one machine, run from the built image (no Docker engine needed).

Every application role runs from the image `scripts/build-image.sh` made (`make image`), through
its entrypoint (`/usr/bin/tini -- /app/deploy/entrypoint.sh ROLE`, as the image's ENTRYPOINT
does), with `buildah run --network host`: web (gunicorn), realtime (daphne), matchmaker, worker,
beat, and the one-shot migrate and shell. Each role gets a /tmp of its own, as compose gives each
container a tmpfs. nginx runs on the host with the shipped configuration (deploy/nginx), rendered
as the nginx image renders it, the upstreams pointing at the local ports; it serves the static
files the web role exports, as in compose. MariaDB and Redis are the machine's.

    with Stack(workdir) as stack:       # database and Redis emptied, migrated, every role up
        stack.url                         # https://localhost:<port> (nginx)

Ports (LOAD_PORT_BASE, default 18400): web +0, realtime +10, nginx http +80 and https +43,
metrics exporters 19400 + 0/10/20/30. LOAD_WEB_REPLICAS (default 1) runs that many web roles, as
`docker compose up --scale` would, on web +0, +1, ...; nginx balances over all of them.
"""

import contextlib
import json
import os
import re
import secrets
import shutil
import signal
import ssl
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent.parent
DEPLOY = ROOT / "deploy"
IMAGE = os.environ.get("IMAGE", "localhost/partner42:latest")
BUILDAH = ["buildah", "--storage-driver", "vfs"]
ENTRYPOINT = ["/usr/bin/tini", "--", "/app/deploy/entrypoint.sh"]
SERVER_NAME = "localhost"  # resolves here without touching /etc/hosts; nginx answers only it
LONG_RUNNING = ("web", "realtime", "matchmaker", "worker", "beat")


class StackError(RuntimeError):
    pass


def image_exists(image: str = IMAGE) -> bool:
    if shutil.which("buildah") is None:
        return False
    result = subprocess.run(
        [*BUILDAH, "inspect", "--type", "image", image], capture_output=True, check=False
    )
    return result.returncode == 0


def insecure_tls() -> ssl.SSLContext:
    """The stack's certificate is self-signed for `localhost`."""
    context = ssl.create_default_context()
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    return context


@dataclass
class Stack:
    workdir: Path
    database: str = os.environ.get("LOAD_DATABASE", "p42_load")
    redis_db: int = int(os.environ.get("LOAD_REDIS_DB", "4"))
    mysql_host: str = os.environ.get("LOAD_MYSQL_HOST", "127.0.0.1")
    redis_host: str = os.environ.get("LOAD_REDIS_HOST", "127.0.0.1")
    port_base: int = int(os.environ.get("LOAD_PORT_BASE", "18400"))
    image: str = IMAGE
    # Settings beyond app.env.example's, e.g. {"WEB_CONCURRENCY": "4"}.
    extra_env: dict[str, str] = field(default_factory=dict)
    roles: tuple[str, ...] = LONG_RUNNING
    web_replicas: int = int(os.environ.get("LOAD_WEB_REPLICAS", "1"))
    processes: dict[str, subprocess.Popen] = field(default_factory=dict)
    container: str = ""

    # --- addresses -------------------------------------------------------------------------

    @property
    def ports(self) -> dict[str, int]:
        base = self.port_base
        return {"web": base, "realtime": base + 10, "http": base + 80, "https": base + 43}

    def metrics_port(self, role: str) -> int:
        offsets = {"web": 0, "realtime": 10, "matchmaker": 20, "worker": 30}
        return self.port_base + 1000 + offsets.get(role, 40)

    @property
    def url(self) -> str:
        return f"https://{SERVER_NAME}:{self.ports['https']}"

    @property
    def database_url(self) -> str:
        # MYSQL_PWD: root's password where it has one (CI); the mysql client reads it too.
        password = os.environ.get("MYSQL_PWD")
        user = f"root:{password}" if password else "root"
        return f"mysql://{user}@{self.mysql_host}:3306/{self.database}"

    @property
    def redis_url(self) -> str:
        return f"redis://{self.redis_host}:6379/{self.redis_db}"

    def app_env(self) -> dict[str, str]:
        """deploy/env/app.env.example filled in for this machine (production: DEBUG off)."""
        secret = self.workdir / "secret-key"
        if not secret.exists():
            secret.write_text(secrets.token_urlsafe(50))
        env = {
            "DEBUG": "false",
            "SECRET_KEY": secret.read_text().strip(),
            "ALLOWED_HOSTS": f"{SERVER_NAME},127.0.0.1",
            "CSRF_TRUSTED_ORIGINS": f"https://{SERVER_NAME}:{self.ports['https']}",
            "DATABASE_URL": self.database_url,
            "CONN_MAX_AGE": "60",
            "REDIS_URL": self.redis_url,
            "CELERY_BROKER_URL": self.redis_url,
            "CELERY_RESULT_BACKEND": self.redis_url,
            "FORTYTWO_CLIENT_ID": "load-test",
            "FORTYTWO_CLIENT_SECRET": "load-test",
            "FRONTEND_URL": f"https://{SERVER_NAME}:{self.ports['https']}",
            "EMAIL_URL": "dummymail://",
            "DEFAULT_FROM_EMAIL": "42Partner <noreply@localhost>",
            "SLACK_BOT_TOKEN": "",
            "LOG_LEVEL": "WARNING",
            "LOG_FORMAT": "json",
            "WEB_CONCURRENCY": "4",
            # nginx on this host is the proxy: the client address is the one it forwards.
            "TRUSTED_PROXIES": "127.0.0.1",
            "CELERY_LOG_LEVEL": "WARNING",
        }
        env.update(self.extra_env)
        return env

    # --- lifecycle -------------------------------------------------------------------------

    def __enter__(self) -> "Stack":
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def start(self) -> None:
        if not image_exists(self.image):
            raise StackError(f"no image {self.image}: run `make image` first")
        self.workdir.mkdir(parents=True, exist_ok=True)
        (self.workdir / "logs").mkdir(exist_ok=True)
        self.reset_data()
        self.make_container()
        self.oneshot("migrate", check=True)
        for role in self.roles:
            if role == "web":
                for index in range(self.web_replicas):
                    self.start_role(role, replica=index)
            else:
                self.start_role(role)
        self.start_nginx()
        self.wait_ready()

    def stop(self) -> None:
        """Ends every process we started, the roles first, then buildah and nginx.

        Under chroot isolation a role's processes are buildah's descendants but not in its process
        group, and they outlive a killed buildah: each is signalled by its id, found from /proc.
        """
        trees = {process.pid: descendants(process.pid) for process in self.processes.values()}
        inner = [pid for tree in trees.values() for pid in tree]
        _signal(inner, signal.SIGTERM)  # tini passes it on; gunicorn and Celery stop gracefully
        _wait_gone(inner, timeout=20)
        _signal(inner, signal.SIGKILL)
        for process in self.processes.values():
            if process.poll() is None:
                _signal([process.pid], signal.SIGTERM)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                _signal([process.pid], signal.SIGKILL)
                process.wait(timeout=10)
        self.processes.clear()
        if self.container:
            subprocess.run([*BUILDAH, "rm", self.container], capture_output=True, check=False)
            self.container = ""

    def reset_data(self) -> None:
        """An empty database of our own and our Redis database flushed."""
        sql = (
            f"DROP DATABASE IF EXISTS `{self.database}`; CREATE DATABASE `{self.database}` "
            "CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci;"
        )
        subprocess.run(
            ["mysql", "-uroot", f"-h{self.mysql_host}", "-e", sql], check=True, capture_output=True
        )
        subprocess.run(
            ["redis-cli", "-h", self.redis_host, "-n", str(self.redis_db), "flushdb"],
            check=True,
            capture_output=True,
        )

    def make_container(self) -> None:
        name = f"p42-load-{self.port_base}"
        subprocess.run([*BUILDAH, "rm", name], capture_output=True, check=False)
        subprocess.run(
            [*BUILDAH, "from", "--name", name, "--pull-never", self.image],
            check=True,
            capture_output=True,
        )
        self.container = name

    # --- roles -----------------------------------------------------------------------------

    def role_tmp(self, role: str) -> Path:
        path = self.workdir / "tmp" / role
        shutil.rmtree(path, ignore_errors=True)
        path.mkdir(parents=True)
        path.chmod(0o1777)  # the image's user (uid 10001) writes here
        return path

    def static_dir(self) -> Path:
        return self.workdir / "nginx" / "srv" / "static"

    @property
    def web_names(self) -> list[str]:
        """The process names of the web replicas: web, web2, web3, ..."""
        return ["web" if index == 0 else f"web{index + 1}" for index in range(self.web_replicas)]

    def run_args(
        self, role: str, *args: str, env: dict[str, str] | None = None, name: str = ""
    ) -> list[str]:
        values = {**self.app_env(), "TINI_SUBREAPER": "1", **(env or {})}
        command = [*BUILDAH, "run", "--isolation", "chroot", "--network", "host"]
        command += ["-v", f"{self.role_tmp(name or role)}:/tmp"]
        if role == "web" and (name or role) == "web":  # one replica exports the static files
            static = self.static_dir()
            static.mkdir(parents=True, exist_ok=True)
            static.chmod(0o777)
            command += ["-v", f"{static}:/srv/static"]
            values["STATIC_EXPORT_DIR"] = "/srv/static"
        for name, value in values.items():
            command += ["-e", f"{name}={value}"]
        return [*command, self.container, "--", *ENTRYPOINT, role, *args]

    def oneshot(
        self, role: str, *args: str, stdin: str | None = None, check: bool = False, timeout=600
    ) -> subprocess.CompletedProcess:
        result = subprocess.run(
            self.run_args(role, *args),
            input=stdin,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        if check and result.returncode != 0:
            raise StackError(f"{role} exited {result.returncode}:\n{result.stderr[-3000:]}")
        return result

    def start_role(self, role: str, *, replica: int = 0) -> subprocess.Popen:
        name = role if replica == 0 else f"{role}{replica + 1}"
        env = {"METRICS_PORT": str(self.metrics_port(role) + replica)}
        if role in ("web", "realtime"):
            env["PORT"] = str(self.ports[role] + replica)
        log = (self.workdir / "logs" / f"{name}.log").open("w")
        process = subprocess.Popen(
            self.run_args(role, env=env, name=name),
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
        self.processes[name] = process
        return process

    def healthcheck(self, role: str) -> subprocess.CompletedProcess:
        """The image's HEALTHCHECK for a running role (it reads the role from that role's /tmp)."""
        env = {**self.app_env(), "TINI_SUBREAPER": "1", "ROLE_FILE": "/role/partner42-role"}
        if role in ("web", "realtime"):
            env["PORT"] = str(self.ports[role])
        command = [*BUILDAH, "run", "--isolation", "chroot", "--network", "host"]
        command += ["-v", f"{self.workdir / 'tmp' / role}:/role:ro"]
        for name, value in env.items():
            command += ["-e", f"{name}={value}"]
        command += [self.container, "--", *ENTRYPOINT, "healthcheck"]
        return subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time used so far by each role's processes (nginx too), from /proc."""
        return {
            role: round(sum(_cpu(pid) for pid in [process.pid, *descendants(process.pid)]), 2)
            for role, process in self.processes.items()
        }

    # --- nginx -----------------------------------------------------------------------------

    def start_nginx(self) -> None:
        conf = self.render_nginx()
        binary = shutil.which("nginx") or "/usr/sbin/nginx"
        args = [binary, "-e", "stderr", "-p", f"{conf.parent}/", "-c", str(conf)]
        test = subprocess.run([*args, "-t"], capture_output=True, text=True, check=False)
        if test.returncode != 0:
            raise StackError(f"nginx -t failed:\n{test.stderr}")
        log = (self.workdir / "logs" / "nginx.log").open("w")
        self.processes["nginx"] = subprocess.Popen(
            [*args, "-g", "daemon off;"],
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )

    def render_nginx(self) -> Path:
        """deploy/nginx as the nginx image assembles it, with workdir/nginx for /etc/nginx."""
        tmp = self.workdir / "nginx"
        for stale in ("partner42", "conf.d", "state", "tls"):
            shutil.rmtree(tmp / stale, ignore_errors=True)
        shutil.copytree(DEPLOY / "nginx", tmp / "partner42")
        for directory in ("conf.d", "state", "tls", "srv/static", "acme"):
            (tmp / directory).mkdir(parents=True, exist_ok=True)
        mime = Path("/etc/nginx/mime.types")
        (tmp / "mime.types").write_text(mime.read_text() if mime.exists() else "types {}\n")
        subprocess.run(
            [
                "openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                "-subj", f"/CN={SERVER_NAME}",
                "-keyout", tmp / "tls" / "privkey.pem", "-out", tmp / "tls" / "fullchain.pem",
            ],
            check=True,
            capture_output=True,
        )  # fmt: skip
        site = (DEPLOY / "nginx" / "templates" / "partner42.conf.template").read_text()
        site = site.replace("${NGINX_SERVER_NAME}", SERVER_NAME)
        site = re.sub(r"listen 80\b", f"listen 127.0.0.1:{self.ports['http']}", site)
        site = re.sub(r"listen 443\b", f"listen 127.0.0.1:{self.ports['https']}", site)

        # Compose's service names do not resolve here: the upstreams become the local ports.
        def servers(m: re.Match) -> str:
            count = self.web_replicas if m[1] == "web" else 1
            return "\n    ".join(
                f"server 127.0.0.1:{self.ports[m[1]] + index}{m[2]}" for index in range(count)
            )

        upstream = re.sub(
            r"server ([a-z]+)-blue:\d+([^\n]*)",
            servers,
            (DEPLOY / "nginx" / "upstreams" / "blue.conf").read_text(),
        )
        main = (DEPLOY / "nginx" / "nginx.conf").read_text()
        temp_paths = "".join(
            f"    {kind}_temp_path {tmp}/{kind};\n"
            for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi")
        )
        main = main.replace("http {\n", "http {\n" + temp_paths, 1)

        def relocate(text: str) -> str:
            return (
                text.replace("/etc/nginx/", f"{tmp}/")
                .replace("/tmp/nginx.pid", f"{tmp}/nginx.pid")
                .replace("root /srv;", f"root {tmp}/srv;")
                .replace("/var/www/acme", f"{tmp}/acme")
            )

        (tmp / "nginx.conf").write_text(relocate(main))
        (tmp / "conf.d" / "partner42.conf").write_text(relocate(site))
        (tmp / "state" / "active.conf").write_text(upstream)
        headers = tmp / "partner42" / "proxy_headers.conf"
        headers.write_text(relocate(headers.read_text()))
        return tmp / "nginx.conf"

    # --- readiness -------------------------------------------------------------------------

    def get(self, path: str, *, timeout: float = 10) -> tuple[int, bytes]:
        request = urllib.request.Request(self.url + path)
        try:
            with urllib.request.urlopen(request, timeout=timeout, context=insecure_tls()) as r:
                return r.status, r.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def wait_ready(self, timeout: float = 180) -> None:
        deadline = time.monotonic() + timeout
        last = "no answer"
        while time.monotonic() < deadline:
            for role, process in self.processes.items():
                if process.poll() is not None:
                    log = (self.workdir / "logs" / f"{role}.log").read_text()[-3000:]
                    raise StackError(f"{role} exited {process.returncode}:\n{log}")
            try:
                status, body = self.get("/readyz", timeout=5)
                if status == 200:
                    return
                last = f"{status} {body[:300]!r}"
            except OSError as error:
                last = repr(error)
            time.sleep(1)
        raise StackError(f"/readyz never answered 200: {last}")

    def static_manifest(self) -> dict[str, str]:
        return json.loads((self.static_dir() / "staticfiles.json").read_text())["paths"]


def descendants(pid: int) -> list[int]:
    """Every process below `pid`, children first."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            parent = int(stat.read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(parent, []).append(int(stat.parent.name))
    found: list[int] = []
    todo = [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.append(child)
            todo.append(child)
    return found


def _cpu(pid: int) -> float:
    """utime + stime of a process and of its children it has reaped, in seconds."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return sum(int(value) for value in fields[11:15]) / os.sysconf("SC_CLK_TCK")


def _signal(pids: list[int], sig: int) -> None:
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, sig)


def _wait_gone(pids: list[int], *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        alive = [pid for pid in pids if Path(f"/proc/{pid}").exists() and not _zombie(pid)]
        if not alive:
            return
        time.sleep(0.2)


def _zombie(pid: int) -> bool:
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except OSError:
        return False
