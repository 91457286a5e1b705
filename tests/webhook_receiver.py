"""A webhook receiver on loopback for the tests and the bench: an ``http.server`` in a thread
that keeps what it was sent and answers as it is told (a status, or a pause first)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Received:
    headers: dict[str, str]
    body: bytes
    answered: int  # the status it was answered with
    at: float  # time.time() when it arrived

    @property
    def json(self) -> dict:
        return json.loads(self.body)


@dataclass
class Receiver:
    url: str
    # Called with the request's number (from 0, in order of arrival) and its body; answers
    # (status, seconds to wait before answering).
    answer: Callable[[int, bytes], tuple[int, float]] = lambda n, body: (200, 0.0)
    received: list[Received] = field(default_factory=list)
    arrivals: int = 0
    lock: threading.Lock = field(default_factory=threading.Lock)

    def acknowledged(self) -> list[Received]:
        with self.lock:
            return [r for r in self.received if 200 <= r.answered < 300]


@contextmanager
def receiver(
    answer: Callable[[int, bytes], tuple[int, float]] | None = None, path: str = "/hook"
) -> Iterator[Receiver]:
    box: dict[str, Receiver] = {}

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"  # keep-alive, as a real receiver would
        # Headers and body are written apart: without this, Nagle's algorithm holds the body
        # back for the client's delayed ACK, 40 ms a request.
        disable_nagle_algorithm = True

        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
            me = box["receiver"]
            with me.lock:
                number = me.arrivals
                me.arrivals += 1
            status, pause = me.answer(number, body)
            if pause:
                time.sleep(pause)
            with me.lock:
                me.received.append(Received(dict(self.headers), body, status, time.time()))
            reply = b"ok" if status < 300 else b"receiver says no"
            try:
                self.send_response(status)
                self.send_header("Content-Length", str(len(reply)))
                self.end_headers()
                self.wfile.write(reply)
            except (BrokenPipeError, ConnectionResetError):
                pass  # the sender gave up waiting (a timeout): it was not acknowledged

        def log_message(self, *args) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    box["receiver"] = Receiver(f"http://127.0.0.1:{server.server_address[1]}{path}")
    if answer is not None:
        box["receiver"].answer = answer
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield box["receiver"]
    finally:
        server.shutdown()
        server.server_close()
