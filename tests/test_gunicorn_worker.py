"""What gunicorn refuses before Django is answered in JSON too (tracker/gunicorn_worker.py).

A real gunicorn with the product's gunicorn.conf.py, in production settings: these answers
come from the worker, which no test client of Django's reaches.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
LIMIT = 8190  # limit_request_line in gunicorn.conf.py


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory) -> Iterator[str]:
    port = free_port()
    log = tmp_path_factory.mktemp("gunicorn") / "server.log"
    env = {
        **os.environ,
        # Nothing here reaches the database; SQLite keeps the server independent of the test's.
        "DATABASE_URL": f"sqlite:///{log.parent / 'unused.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "tracker.settings",
        "DEBUG": "false",
        "SECRET_KEY": "a-test-key-" + "x" * 50,
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "false",
        "WEB_CONCURRENCY": "1",
        "GUNICORN_THREADS": "2",
    }
    argv = [sys.executable, "-m", "gunicorn", "tracker.wsgi", "--config", str(ROOT / "gunicorn.conf.py")]
    argv += ["--bind", f"127.0.0.1:{port}"]
    with log.open("w") as output:
        process = subprocess.Popen(argv, cwd=ROOT, env=env, stdout=output, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                requests.get(f"{url}/api/no-such-thing/", timeout=5)
                break
            except requests.ConnectionError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"gunicorn did not start:\n{log.read_text()}")
                time.sleep(0.2)
        yield url
    finally:
        process.terminate()
        process.wait(timeout=30)


def raw(url: str, request: bytes) -> bytes:
    host, port = url.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as connection:
        connection.sendall(request)
        answer = b""
        while chunk := connection.recv(65536):
            answer += chunk
    return answer


def test_a_request_line_over_the_bound_is_a_json_414(server):
    path = "/api/reports/network/?" + "&".join(["category=logistics"] * 500)
    assert len(f"GET {path} HTTP/1.1") > LIMIT

    response = requests.get(server + path, timeout=10)

    assert response.status_code == 414
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "The request line is longer than 8,190 bytes; send fewer or shorter query parameters."
    }


def test_a_request_line_within_the_bound_reaches_django(server):
    path = "/api/no-such-thing/?" + "&".join(["category=logistics"] * 400)
    assert len(f"GET {path} HTTP/1.1") < LIMIT

    response = requests.get(server + path, timeout=10)

    assert response.status_code == 404
    assert response.json() == {"detail": "Not found."}


def test_a_header_over_the_bound_is_a_json_431(server):
    response = requests.get(f"{server}/api/countries/IR/", headers={"If-None-Match": "x" * 9000}, timeout=10)

    assert response.status_code == 431
    assert response.headers["Content-Type"] == "application/json"
    assert response.json() == {
        "detail": "A header is longer than 8,190 bytes, or there are more than 100 headers."
    }


def test_a_malformed_request_is_a_json_400(server):
    answer = raw(server, b"GET /api/countries/IR/ HTTP/1.1\r\nHost 127.0.0.1\r\n\r\n")

    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400 Bad Request\r\n")
    assert b"Content-Type: application/json" in head
    assert json.loads(body)["detail"] == "Invalid HTTP Header: 'Host 127.0.0.1'"
