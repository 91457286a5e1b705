"""A local cluster that proves the topology (``make cluster``, issue 17 item 5).

    make cluster          # or: .venv/bin/python -m bench.cluster up [--agreements 5000]
    make cluster-down     # or: .venv/bin/python -m bench.cluster down

``up`` starts, on loopback only and under a directory of ours (``.cluster/``, git-ignored):

- a PostgreSQL primary (``initdb``, port 55490) and one streaming replica of it
  (``pg_basebackup -R``, port 55491), with ``make replica``'s own functions (bench/replica.py);
  the machine's cluster on 5432 is never reconfigured, restarted or stopped;
- Redis: the machine's (``redis://127.0.0.1:6379/0``) under the key prefix ``cluster``, or, when
  none answers there, a ``redis-server`` of our own (port 8499, nothing kept on disk);
- two ``make serve`` instances (``python -m tracker.serve``: production mode, gunicorn) on ports
  8401 and 8402, each with ``DATABASE_URL`` → the primary, ``DATABASE_REPLICA_URLS`` → the
  replica, ``CACHE_URL`` → Redis, ``TRUSTED_PROXIES=1`` and one ``SECRET_KEY`` (kept in the
  directory: the read-your-writes cookie must verify on both);
- nginx (Debian's) on port 8400 in front: round robin over the two instances, idempotent
  requests retried on the other when one fails to connect or answer (``proxy_next_upstream
  error timeout``), ``X-Forwarded-For`` appended, ``/static/`` kept in nginx's own cache for a
  week, and a response header ``X-Cluster-Upstream`` naming the instance that answered.

Before the instances start it migrates the primary, loads the demo data (as ``make run`` does)
and, with ``--agreements N``, N synthetic agreements. It prints the URL and what runs where
(ports, PIDs, logs), and returns; the processes run on in the background, their PIDs in
``.cluster/run/``. Run again, it starts only what is not running. ``down`` stops exactly the
processes whose PID files are there (and whose command line is still the one started) and the
two PostgreSQL servers whose data is under ``.cluster/postgres``, and nothing else; the data stays
until ``rm -rf .cluster``.

``bench/cluster_load.py`` (``make bench-cluster``) drives it; ``tests/test_cluster.py`` proves it.
"""

from __future__ import annotations

import argparse
import contextlib
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from . import replica
from .harness.prerequisites import MissingPrograms, Program, require

ROOT = Path(__file__).resolve().parent.parent
HOST = "127.0.0.1"
DEFAULT_DIRECTORY = ROOT / ".cluster"
DEFAULT_PG_PORT = 55490  # the primary; the replica on the next port
DEFAULT_NGINX_PORT = 8400  # the apps on the next two ports
DEFAULT_REDIS_PORT = 8499  # only when no Redis answers at --cache-url
DEFAULT_CACHE_URL = "redis://127.0.0.1:6379/0"
KEY_PREFIX = "cluster"
NGINX = Program("nginx", "nginx", "balances the two app instances and caches the static files")
REDIS = Program("redis-server", "redis-server", "counts the rate limits and read-your-writes marks")
# What the app's settings read and the cluster sets itself: never inherited from the caller.
OWN_SETTINGS = (
    "DATABASE_URL",
    "DATABASE_REPLICA_URLS",
    "CACHE_URL",
    "CACHE_KEY_PREFIX",
    "DJANGO_SETTINGS_MODULE",
    "STATIC_ROOT",
    "TRUSTED_PROXIES",
    "SECRET_KEY",
    "ALLOWED_HOSTS",
    "DEBUG",
)


class ClusterError(RuntimeError):
    """A piece of the cluster did not start; the message says which and where its log is."""


@dataclass(frozen=True)
class Layout:
    """Where everything of one cluster lives: its directory and ports."""

    directory: Path = DEFAULT_DIRECTORY
    pg_port: int = DEFAULT_PG_PORT
    nginx_port: int = DEFAULT_NGINX_PORT
    redis_port: int = DEFAULT_REDIS_PORT
    cache_url: str = DEFAULT_CACHE_URL
    key_prefix: str = KEY_PREFIX  # of the shared Redis's keys
    workers: int = 1  # gunicorn processes per instance: two instances on two cores
    throwaway: bool = False  # PostgreSQL without fsync (the test's cluster)

    @property
    def databases(self) -> replica.ReplicaSet:
        return replica.replica_set(self.directory / "postgres", self.pg_port, 1)

    @property
    def app_ports(self) -> tuple[int, int]:
        return (self.nginx_port + 1, self.nginx_port + 2)

    @property
    def url(self) -> str:
        return f"http://{HOST}:{self.nginx_port}"

    @property
    def run(self) -> Path:
        return self.directory / "run"

    @property
    def logs(self) -> Path:
        return self.directory / "logs"

    @property
    def nginx_conf(self) -> Path:
        return self.directory / "nginx" / "nginx.conf"

    def app(self, number: int) -> Process:
        port = self.app_ports[number - 1]
        return Process(f"app{number}", self, marker=f"{HOST}:{port}", port=port)

    @property
    def apps(self) -> tuple[Process, Process]:
        return (self.app(1), self.app(2))

    @property
    def nginx(self) -> Process:
        return Process("nginx", self, marker=str(self.nginx_conf), port=self.nginx_port)

    @property
    def redis(self) -> Process:
        return Process("redis", self, marker=f"{HOST}:{self.redis_port}", port=self.redis_port)


@dataclass(frozen=True)
class Process:
    """A background process of ours: its PID file, log and the text its command line contains
    (so that a PID the kernel has since given to someone else is never signalled)."""

    name: str
    layout: Layout
    marker: str
    port: int

    @property
    def pid_file(self) -> Path:
        return self.layout.run / f"{self.name}.pid"

    @property
    def log(self) -> Path:
        return self.layout.logs / f"{self.name}.log"

    @property
    def pid(self) -> int | None:
        """The PID of the running process started under this name, or None."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (OSError, ValueError):
            return None
        return pid if is_running(pid, self.marker) else None

    def running(self) -> bool:
        return self.pid is not None

    def start(self, argv: Sequence[str], env: Mapping[str, str] | None = None) -> int:
        """Run ``argv`` in a session of its own (its children in its process group), in the background."""
        self.layout.run.mkdir(parents=True, exist_ok=True)
        self.layout.logs.mkdir(parents=True, exist_ok=True)
        with self.log.open("ab") as out:
            process = subprocess.Popen(
                list(argv),
                cwd=ROOT,
                env=dict(env) if env is not None else None,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.pid_file.write_text(f"{process.pid}\n")
        return process.pid

    def kill(self) -> int | None:
        """SIGKILL to its process group, returning once it is gone (so that a restart does not
        take the dying process for a running one); the PID killed, or None if it was not running."""
        pid = self.pid
        if pid is None:
            return None
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        while is_running(pid, self.marker):
            time.sleep(0.02)
        self.pid_file.unlink(missing_ok=True)
        return pid

    def stop(self, grace: float = 15) -> bool:
        """SIGTERM to its process group, SIGKILL if it lingers; the PID file removed. False if not running."""
        pid = self.pid
        if pid is None:
            self.pid_file.unlink(missing_ok=True)
            return False
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGTERM)
        deadline = time.monotonic() + grace
        while is_running(pid, self.marker) and time.monotonic() < deadline:
            time.sleep(0.1)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)  # and any worker that outlived its master
        while is_running(pid, self.marker):
            time.sleep(0.05)
        self.pid_file.unlink(missing_ok=True)
        return True


def is_running(pid: int, marker: str) -> bool:
    """Whether ``pid`` runs (not a zombie) with ``marker`` in its command line."""
    with contextlib.suppress(ChildProcessError, OSError):
        os.waitpid(pid, os.WNOHANG)  # reap it if it is our own child that has exited
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
    except (OSError, IndexError):
        return False
    return state != "Z" and marker in command


def _answers(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:
            return response.status < 500
    except urllib.error.HTTPError as error:
        return error.code < 500
    except OSError:
        return False


def _wait_until_answers(process: Process, path: str, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        # tracker.serve execs gunicorn once it has migrated: for that moment its command line
        # may not be readable, so only a process missing twice in a row has exited.
        if not process.running() and not (time.sleep(0.5) or process.running()):
            ending = _tail(process.log)
            raise ClusterError(f"{process.name} exited while starting; see {process.log}:\n{ending}")
        if _answers(f"http://{HOST}:{process.port}{path}"):
            return
        time.sleep(0.3)
    raise ClusterError(f"{process.name} did not answer {path} within {timeout:.0f} s; see {process.log}")


def _tail(path: Path, lines: int = 15) -> str:
    """The last lines of a log, for an error that names it (a test's directory may be gone after)."""
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def _redis_answers(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def cache_url(layout: Layout) -> str:
    """The Redis the instances share: ``layout.cache_url`` if it answers, else our own."""
    from urllib.parse import urlsplit

    parts = urlsplit(layout.cache_url)
    if _redis_answers(parts.hostname or HOST, parts.port or 6379):
        return layout.cache_url
    return f"redis://{HOST}:{layout.redis_port}/0"


def secret_key(layout: Layout) -> str:
    """The instances' one SECRET_KEY, made once and kept (mode 600) in the directory."""
    path = layout.directory / "secret_key"
    if not path.exists():
        layout.directory.mkdir(parents=True, exist_ok=True)
        path.touch(mode=0o600)
        path.write_text(secrets.token_urlsafe(50))
    return path.read_text().strip()


def app_environment(layout: Layout, number: int | None = None) -> dict[str, str]:
    """Production settings for an instance (or for commands run on the primary, ``number`` None)."""
    env = {key: value for key, value in os.environ.items() if key not in OWN_SETTINGS}
    env |= {
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "DEBUG": "false",
        "SECRET_KEY": secret_key(layout),
        "ALLOWED_HOSTS": f"{HOST},localhost",
        "DATABASE_URL": layout.databases.database_url,
        "DATABASE_REPLICA_URLS": layout.databases.replica_urls,
        "CACHE_URL": cache_url(layout),
        "CACHE_KEY_PREFIX": layout.key_prefix,
        # nginx appends the address it received the request from: one trusted proxy.
        "TRUSTED_PROXIES": "1",
        # Plain HTTP on loopback: no redirect to https:// (cookies stay Secure).
        "SECURE_SSL_REDIRECT": "false",
        "CONN_MAX_AGE": env.get("CONN_MAX_AGE", "600"),
        "WEB_CONCURRENCY": str(layout.workers),
    }
    if number is not None:
        # Each instance collects its own copy: two collectstatic runs into one folder would race.
        env["STATIC_ROOT"] = str(layout.directory / f"static{number}")
    return env


def nginx_config(layout: Layout) -> str:
    """nginx's configuration for the cluster: everything under the directory, loopback only."""
    base = layout.directory / "nginx"
    user = "www-data" if os.geteuid() == 0 and _has_user("www-data") else ""
    upstreams = "\n".join(
        f"        server {HOST}:{port} max_fails=1 fail_timeout=2s;" for port in layout.app_ports
    )
    proxy = """
            proxy_pass http://tracker;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_set_header Host $http_host;
            proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
            proxy_set_header X-Forwarded-Proto $scheme;
            # A connection refused or reset, or no answer in time: idempotent requests go to the
            # other instance; a POST or PATCH that may have reached the app is never sent twice.
            proxy_next_upstream error timeout;
            proxy_next_upstream_tries 2;
            proxy_connect_timeout 2s;
            add_header X-Cluster-Upstream $upstream_addr always;"""
    return f"""# Written by bench/cluster.py; rewritten by every `make cluster`.
{f"user {user};" if user else ""}
worker_processes 1;
daemon off;
pid {base / "nginx.pid"};
error_log {layout.logs / "nginx-error.log"} warn;

events {{
    worker_connections 1024;
}}

http {{
    log_format upstream '$remote_addr [$time_local] "$request" $status $body_bytes_sent '
                        '$request_time upstream=$upstream_addr $upstream_status cache=$upstream_cache_status';
    access_log {layout.logs / "nginx-access.log"} upstream;
    client_body_temp_path {base / "temp" / "body"};
    proxy_temp_path {base / "temp" / "proxy"};
    fastcgi_temp_path {base / "temp" / "fastcgi"};
    uwsgi_temp_path {base / "temp" / "uwsgi"};
    scgi_temp_path {base / "temp" / "scgi"};
    client_max_body_size 50m;
    proxy_cache_path {base / "cache"} levels=1:2 keys_zone=static:10m max_size=200m
                     inactive=7d use_temp_path=off;

    upstream tracker {{
{upstreams}
        keepalive 32;
        # Shorter than gunicorn's keep-alive (5 s), so that nginx never reuses a connection the
        # app is closing (a POST sent on it would fail and must not be retried).
        keepalive_timeout 4s;
    }}

    server {{
        listen {HOST}:{layout.nginx_port};
        server_name _;

        location / {{{proxy}
        }}

        # The hashed static files never change under their name: nginx keeps them a week and
        # answers from its cache while the instances are busy or down.
        location /static/ {{{proxy}
            proxy_cache static;
            proxy_cache_valid 200 7d;
            proxy_cache_use_stale error timeout updating http_502 http_503 http_504;
            add_header X-Cache-Status $upstream_cache_status always;
        }}
    }}
}}
"""


def _has_user(name: str) -> bool:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return False
    return True


def _write_nginx_config(layout: Layout) -> None:
    base = layout.directory / "nginx"
    for folder in ("cache", "temp/body", "temp/proxy", "temp/fastcgi", "temp/uwsgi", "temp/scgi"):
        (base / folder).mkdir(parents=True, exist_ok=True)
    layout.logs.mkdir(parents=True, exist_ok=True)
    layout.nginx_conf.write_text(nginx_config(layout))
    if os.geteuid() == 0 and _has_user("www-data"):
        # nginx's workers run as www-data: they write the cache and the buffered bodies.
        www = pwd.getpwnam("www-data")
        for folder in [
            base / "cache",
            base / "temp",
            *(base / "temp").iterdir(),
            *(base / "cache").rglob("*"),
        ]:
            os.chown(folder, www.pw_uid, www.pw_gid)


def _nginx_binary() -> str:
    return shutil.which("nginx") or "/usr/sbin/nginx"


def require_programs(layout: Layout) -> None:
    """nginx (and redis-server if no Redis answers) installed from Debian, or a stop naming them."""
    if not replica.server_binaries_present():
        raise MissingPrograms(
            f"The cluster cannot start: PostgreSQL's server programs are not in {replica.PG_BIN} "
            "(apt-get install postgresql)"
        )
    needed = [NGINX] if not Path("/usr/sbin/nginx").is_file() else []
    if cache_url(layout) != layout.cache_url and shutil.which("redis-server") is None:
        needed.append(REDIS)
    if needed:
        os.environ["PATH"] = os.environ.get("PATH", "") + ":/usr/sbin:/sbin"
        require(needed)


def _manage(env: Mapping[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        env=dict(env),
        cwd=ROOT,
        capture_output=True,
        text=True,
        stdin=subprocess.DEVNULL,
        check=False,
    )
    if done.returncode != 0:
        raise ClusterError(f"manage.py {' '.join(args)} failed: {done.stderr.strip()[-2000:]}")
    return done.stdout


def prepare_data(layout: Layout, agreements: int = 0) -> str:
    """Migrate the primary, load the demo data and ``agreements`` synthetic ones; the demo
    editor's sign-in line."""
    from .harness.sqlite import query

    env = app_environment(layout)
    _manage(env, "migrate", "--no-input", "-v0")
    _manage(env, "load_agreements", str(ROOT / "fixtures" / "iran-iraq.json"))
    editor = _manage({**env, "DEBUG": "true"}, "ensure_demo_editor").strip().splitlines()
    if agreements:
        (present,) = query(
            layout.databases.database_url, "SELECT COUNT(*) FROM agreements_agreement WHERE is_synthetic"
        )[0]
        if present != agreements:
            if present:
                _manage(env, "generate_synthetic_data", "--delete")
            print(f"Generating {agreements:,} synthetic agreements", flush=True)
            _manage(env, "generate_synthetic_data", "--agreements", str(agreements))
    return editor[-1] if editor else ""


def start_app(layout: Layout, number: int, timeout: float = 120) -> Process:
    """Instance ``number`` (1 or 2) started unless it runs, and answering."""
    app = launch_app(layout, number)
    _wait_until_answers(app, "/api/", timeout)
    return app


def launch_app(layout: Layout, number: int) -> Process:
    """Instance ``number`` started in the background unless it runs (``make serve``: its own
    ``migrate``, a no-op by then, and ``collectstatic``, then gunicorn), without waiting."""
    app = layout.app(number)
    if not app.running():
        app.start(
            [sys.executable, "-m", "tracker.serve", "--bind", app.marker, "--access-logfile", "-"],
            app_environment(layout, number),
        )
    return app


def start_nginx(layout: Layout) -> Process:
    nginx = layout.nginx
    if nginx.running():
        return nginx
    _write_nginx_config(layout)
    binary = _nginx_binary()
    # -e: the log nginx writes before it has read the configuration (not /var/log/nginx, which
    # only root may open).
    where = ["-c", str(layout.nginx_conf), "-p", str(layout.directory / "nginx")]
    where += ["-e", str(layout.logs / "nginx-error.log")]
    check = subprocess.run(
        [binary, "-t", "-q", *where],
        capture_output=True,
        text=True,
        check=False,
    )
    if check.returncode != 0:
        raise ClusterError(f"nginx refuses {layout.nginx_conf}: {check.stderr.strip()}")
    nginx.start([binary, *where])
    _wait_until_answers(nginx, "/api/", 30)
    return nginx


def start_redis(layout: Layout) -> Process | None:
    """Our own redis-server, only when no Redis answers at ``layout.cache_url``."""
    if cache_url(layout) == layout.cache_url:
        return None
    redis = layout.redis
    if not redis.running():
        redis.start(
            [
                shutil.which("redis-server") or "redis-server",
                *("--bind", HOST, "--port", str(layout.redis_port)),
                *("--save", "", "--appendonly", "no", "--daemonize", "no"),
            ]
        )
        deadline = time.monotonic() + 15
        while not _redis_answers(HOST, layout.redis_port):
            if time.monotonic() > deadline or not redis.running():
                raise ClusterError(f"redis-server did not start; see {redis.log}")
            time.sleep(0.1)
    return redis


def up(layout: Layout, agreements: int = 0, *, primary_from: Path | None = None, prepare: bool = True) -> str:
    """Start what is not running; the demo editor's sign-in line (see ``prepare_data``).

    ``primary_from``: a snapshot (``replica.snapshot``) to copy as the primary when there is none
    yet; ``prepare=False`` skips ``prepare_data`` (the snapshot holds the data already).
    """
    require_programs(layout)
    layout.directory.mkdir(parents=True, exist_ok=True)
    if os.geteuid() == 0:
        # PostgreSQL's programs run as the postgres user, which must pass through to its folder.
        layout.directory.chmod(layout.directory.stat().st_mode | 0o011)
    try:
        replica.up(layout.databases, throwaway=layout.throwaway, primary_from=primary_from)
    except replica.ReplicaSetError as error:
        raise ClusterError(str(error)) from error
    start_redis(layout)
    editor = prepare_data(layout, agreements) if prepare else ""
    # The two instances start side by side, then each is waited for.
    for number in (1, 2):
        launch_app(layout, number)
    for number in (1, 2):
        start_app(layout, number)
    start_nginx(layout)
    return editor


def down(layout: Layout) -> list[str]:
    """Stop nginx, the instances, our Redis and the two PostgreSQL servers; the names of those stopped."""
    stopped = [process.name for process in (layout.nginx, *layout.apps, layout.redis) if process.stop()]
    if layout.databases.primary.data.exists():
        stopped += [f"postgres {name}" for name in replica.down(layout.databases)]
    return stopped


def describe(layout: Layout) -> list[str]:
    """What runs where: one line per piece, with its port, PID and log."""
    databases = layout.databases
    lines = []
    for server in databases.servers():
        state = "running" if server.running() else "stopped"
        lines.append(
            f"  PostgreSQL {server.name:8} {HOST}:{server.port}  {state}  "
            f"data {server.data}  log {server.log}"
        )
    url = cache_url(layout)
    if url == layout.cache_url:
        lines.append(f"  Redis               {url} (the machine's), key prefix {layout.key_prefix!r}")
    else:
        lines.append(f"  Redis (ours)        {url}  PID {layout.redis.pid}  log {layout.redis.log}")
    for process in (*layout.apps, layout.nginx):
        label = (
            "nginx" if process is layout.nginx or process.name == "nginx" else f"make serve {process.name}"
        )
        lines.append(
            f"  {label:19} {HOST}:{process.port}  PID {process.pid or 'not running'}  log {process.log}"
        )
    lines.append(
        f"  nginx access log    {layout.logs / 'nginx-access.log'} (the upstream that answered each request)"
    )
    return lines


def layout_from(options: argparse.Namespace) -> Layout:
    """The layout that ``add_layout_arguments``' options name."""
    return Layout(
        directory=options.directory.resolve(),
        pg_port=options.pg_port,
        nginx_port=options.port,
        redis_port=options.redis_port,
        cache_url=options.cache_url,
        workers=options.workers,
    )


def add_layout_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--directory", type=Path, default=DEFAULT_DIRECTORY)
    parser.add_argument("--pg-port", type=int, default=DEFAULT_PG_PORT, help="the primary's; the replica: +1")
    parser.add_argument("--port", type=int, default=DEFAULT_NGINX_PORT, help="nginx's; the instances: +1, +2")
    parser.add_argument("--redis-port", type=int, default=DEFAULT_REDIS_PORT, help="our Redis, if needed")
    parser.add_argument("--cache-url", default=DEFAULT_CACHE_URL, help="the Redis to share, if it answers")
    parser.add_argument("--workers", type=int, default=1, help="gunicorn processes per instance")


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.cluster", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["up", "down", "status"])
    add_layout_arguments(parser)
    parser.add_argument("--agreements", type=int, default=0, help="synthetic agreements to load (up)")
    options = parser.parse_args(argv)
    layout = layout_from(options)
    try:
        if options.action == "up":
            editor = up(layout, options.agreements)
            print(f"The cluster answers at {layout.url}/ (loopback only). What runs where:")
            print("\n".join(describe(layout)))
            if editor:
                print(f"Demo editor: {editor}")
            print(f"PIDs in {layout.run}. Stop it all: make cluster-down")
        elif options.action == "status":
            print("\n".join(describe(layout)))
        else:
            stopped = down(layout)
            print("Stopped: " + (", ".join(stopped) if stopped else "nothing was running") + ".")
            print(f"The data stays in {layout.directory} (remove it to start afresh).")
    except ClusterError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
