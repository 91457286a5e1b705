"""The local cluster of ``make cluster`` (issue 17, item 5), started for real and stopped again.

A module fixture starts, with ``make cluster``'s own functions (bench/cluster.py), a small cluster
in a temporary directory: a PostgreSQL primary and a replica (ports 55492–55493), Redis (the
machine's, under a key prefix of the test's own), two ``make serve`` instances (8411, 8412) and
nginx in front (8410): ports apart from ``make cluster``'s, ``make replica``'s and the replica
tests'. No synthetic data. Through nginx only:

- a write, read back at once, is there (the read may come from either instance);
- both instances answer (nginx's ``X-Cluster-Upstream`` header names the one that did);
- the static files are kept in nginx's cache;
- with one instance stopped, requests still succeed (the other answers);
- ``cluster-down`` leaves no process of the cluster behind.

Outside CI they skip only when nginx or PostgreSQL's server programs are absent; ``.ci/run``
sets ``REQUIRE_CLUSTER=1``, which turns that skip into a failure.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from bench import cluster
from bench import replica as replica_set_scripts

ROOT = Path(__file__).resolve().parent.parent

NGINX_PORT = 8410
PG_PORT = 55492

_absent = [
    what
    for what, present in (
        (
            f"PostgreSQL's server programs ({replica_set_scripts.PG_BIN})",
            replica_set_scripts.server_binaries_present(),
        ),
        (
            "nginx (/usr/sbin/nginx: apt-get install nginx)",
            Path("/usr/sbin/nginx").is_file() or bool(shutil.which("nginx")),
        ),
    )
    if not present
]
if _absent:
    if os.environ.get("REQUIRE_CLUSTER") == "1":
        pytest.fail(f"REQUIRE_CLUSTER=1 but these are absent: {'; '.join(_absent)}")
    pytest.skip(f"absent: {'; '.join(_absent)}", allow_module_level=True)


@pytest.fixture(scope="module")
def running() -> Iterator[tuple[cluster.Layout, str]]:
    """The started cluster and an editor's API token; everything stopped and removed afterwards."""
    # Outside pytest's private temporary directory, which the postgres user may not enter.
    layout = cluster.Layout(
        directory=Path(tempfile.mkdtemp(prefix="tracker-cluster-")),
        pg_port=PG_PORT,
        nginx_port=NGINX_PORT,
        redis_port=NGINX_PORT + 9,
        key_prefix=f"cluster-test-{uuid.uuid4().hex[:8]}",
        throwaway=True,
    )
    template = Path(tempfile.gettempdir()) / f"tracker-cluster-template-{_template_key()}"
    installing = os.environ.get("BENCH_INSTALL")
    os.environ["BENCH_INSTALL"] = "0"  # a test installs nothing
    try:
        if (template / "token").exists():
            cluster.up(layout, primary_from=template / "primary", prepare=False)
            token = (template / "token").read_text()
        else:
            editor = cluster.up(layout)
            password = re.search(r" as editor / (\S+)", editor)[1]
            answer = requests.post(
                f"{layout.url}/api/auth/token/", json={"username": "editor", "password": password}, timeout=30
            )
            assert answer.status_code == 200, answer.text
            token = answer.json()["token"]
            _keep_template(layout.databases.primary, template, token)
        yield layout, token
    finally:
        if installing is None:
            os.environ.pop("BENCH_INSTALL", None)
        else:
            os.environ["BENCH_INSTALL"] = installing
        cluster.down(layout)
        replica_set_scripts.remove(layout.databases, wait=False)
        shutil.rmtree(layout.directory, ignore_errors=True)


def _template_key() -> str:
    """What the prepared primary depends on: every migration, the demo data, PostgreSQL's version."""
    return replica_set_scripts.template_key((ROOT / "fixtures" / "iran-iraq.json").read_bytes())


def _keep_template(primary: replica_set_scripts.Server, template: Path, token: str) -> None:
    """A snapshot of the migrated primary with the demo data and the editor's token, so that the
    next run (CI's second, on SQLite) skips the migrations, by far the longest step. Built beside
    and renamed: never seen half-made."""
    building = Path(tempfile.mkdtemp(prefix=f"{template.name}-", dir=template.parent))
    try:
        if os.geteuid() == 0:
            shutil.chown(building, replica_set_scripts.SUPERUSER, replica_set_scripts.SUPERUSER)
        replica_set_scripts.snapshot(primary, building / "primary")
        (building / "token").write_text(token)
        building.rename(template)
    except OSError:  # another run kept one first
        shutil.rmtree(building, ignore_errors=True)


def answered_by(response: requests.Response) -> str:
    """The instance that answered: the last of those nginx tried (it lists each, comma-separated)."""
    return response.headers["X-Cluster-Upstream"].split(",")[-1].strip()


def upstreams(layout: cluster.Layout, requests_made: int = 6) -> list[str]:
    """The instance that answered each of a few anonymous list requests through nginx."""
    answered = []
    for _ in range(requests_made):
        response = requests.get(f"{layout.url}/api/agreements/?page_size=1", timeout=30)
        assert response.status_code == 200, response.text
        answered.append(answered_by(response))
    return answered


def _gone(pid: int, timeout: float = 15) -> bool:
    """Whether ``pid`` has exited (or is a zombie waiting for init) within ``timeout``: a server
    removes its PID file, which ``pg_ctl stop -w`` waits for, a moment before it exits."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
        except OSError:
            return True
        if state == "Z":
            return True
        time.sleep(0.1)
    return False


def test_a_write_through_nginx_is_read_back_through_nginx(running) -> None:
    layout, token = running
    editor = requests.Session()
    editor.headers["Authorization"] = f"Token {token}"
    title = f"Cluster check {uuid.uuid4().hex[:12]}"
    created = editor.post(
        f"{layout.url}/api/agreements/",
        json={"title": title, "kind": "memorandum", "party_a": "IR", "party_b": "IQ"},
        timeout=30,
    )
    assert created.status_code == 201, created.text
    # Read back at once, twice: round robin sends one of them to the other instance, which
    # reads the primary too (the token's read-your-writes mark is in the shared Redis).
    read_on = set()
    for _ in range(2):
        read = editor.get(created.headers["Location"], timeout=30)
        assert read.status_code == 200, read.text
        assert read.json()["title"] == title
        read_on.add(answered_by(read))
    assert read_on == {f"127.0.0.1:{port}" for port in layout.app_ports}
    assert (
        layout.databases.primary.psql(
            f"SELECT count(*) FROM agreements_agreement WHERE title = '{title}'", replica_set_scripts.DATABASE
        )
        == "1"
    )


def test_both_instances_answer(running) -> None:
    layout, _ = running
    assert set(upstreams(layout)) == {f"127.0.0.1:{port}" for port in layout.app_ports}


def test_static_files_are_cached_by_nginx(running) -> None:
    layout, _ = running
    page = requests.get(f"{layout.url}/", timeout=30)
    path = re.search(r'/static/[^"]+\.css', page.text)[0]
    statuses = [requests.get(layout.url + path, timeout=30).headers.get("X-Cache-Status") for _ in range(2)]
    assert statuses[-1] == "HIT", statuses


def test_requests_succeed_with_one_instance_stopped(running) -> None:
    layout, _ = running
    assert layout.app(1).stop()
    assert set(upstreams(layout)) == {f"127.0.0.1:{layout.app_ports[1]}"}
    cluster.start_app(layout, 1)


def test_cluster_down_leaves_no_process_behind(running) -> None:
    layout, _ = running
    processes = [(process.pid, process.marker) for process in (layout.nginx, *layout.apps)]
    assert all(pid for pid, _ in processes)
    postmasters = [
        int((server.data / "postmaster.pid").read_text().split()[0]) for server in layout.databases.servers()
    ]
    stopped = cluster.down(layout)
    assert {"nginx", "app1", "app2", "postgres primary", "postgres replica1"} <= set(stopped)
    assert not any(cluster.is_running(pid, marker) for pid, marker in processes)
    assert all(_gone(pid) for pid in postmasters)
    assert not list(layout.run.glob("*.pid"))
