"""Gunicorn's threaded worker, answering the requests it refuses itself in the API's JSON.

Gunicorn refuses some requests before Django sees them — a request line or a header over
its bounds, a malformed request — and answers those in HTML, which an API client (and the
OpenAPI schema) does not expect. The bounds stay, they keep a client from making a worker
buffer without end; only the answers change:

* a request line over ``limit_request_line`` is a 414 (gunicorn says 400), since the URL —
  usually a long query string of repeated filters — is what the client must shorten;
* a header over ``limit_request_field_size`` or more than ``limit_request_fields`` of them
  is a 431, as in gunicorn, with a message that says which bounds;
* every other refusal keeps gunicorn's status (400, 403, 500, 501), reason and message,
  with ``{"detail": …}`` as the body, the shape of every other error of the API.

It also drops a client that stops reading (or sending): every read and write of a
request's socket waits at most ``CLIENT_STALL_SECONDS`` (20 by default). Without that
bound, a client that reads only the status line of a large download keeps a thread (and
the database transaction behind the download) blocked in ``send`` for as long as it
keeps the connection open; sixteen such clients stalled the whole site.

``gunicorn.conf.py`` selects this worker; ``tests/test_gunicorn_worker.py`` sends such
requests to a real gunicorn.
"""

from __future__ import annotations

import json
import os
import socket

from gunicorn import util
from gunicorn.http.errors import LimitRequestHeaders, LimitRequestLine
from gunicorn.workers import gthread

URI_TOO_LONG = 414
HEADERS_TOO_LARGE = 431
CLIENT_STALL_SECONDS = float(os.environ.get("CLIENT_STALL_SECONDS", "20"))


def write_json_error(sock: socket.socket, status_int: int, reason: str, mesg: str) -> None:
    """Drop-in for ``gunicorn.util.write_error``: the same answer with a JSON body."""
    body = json.dumps({"detail": mesg or f"{reason}."}).encode()
    head = (
        f"HTTP/1.1 {status_int} {reason}\r\n"
        "Connection: close\r\n"
        "Content-Type: application/json\r\n"
        f"Content-Length: {len(body)}\r\n"
        "\r\n"
    )
    util.write_nonblock(sock, head.encode("latin-1") + body)


# The base worker calls util.write_error by attribute at the time of the error, so every
# refusal of a worker of this class is answered through write_json_error. The module is
# imported only by gunicorn processes that run this worker class.
util.write_error = write_json_error


class ThreadWorker(gthread.ThreadWorker):
    def handle(self, conn):
        # gthread makes the socket blocking (no timeout) for the request; keep-alive waits
        # between requests stay with its selector.
        conn.sock.settimeout(CLIENT_STALL_SECONDS)
        return super().handle(conn)

    def handle_request(self, req, conn) -> bool:
        try:
            return super().handle_request(req, conn)
        except TimeoutError:
            # One line, not gunicorn's traceback for a socket error: a stalled client is expected.
            self.log.warning(
                "Dropped a client that stopped reading or sending for %.0f s: ip=%s %s %s",
                CLIENT_STALL_SECONDS,
                (conn.client or ("",))[0],
                req.method,
                req.path,
            )
            return False

    def handle_error(self, req, client, addr, exc) -> None:
        if isinstance(exc, LimitRequestLine):
            status, reason = URI_TOO_LONG, "URI Too Long"
            detail = (
                f"The request line is longer than {self.cfg.limit_request_line:,} bytes; "
                "send fewer or shorter query parameters."
            )
        elif isinstance(exc, LimitRequestHeaders):
            status, reason = HEADERS_TOO_LARGE, "Request Header Fields Too Large"
            detail = (
                f"A header is longer than {self.cfg.limit_request_field_size:,} bytes, or there "
                f"are more than {self.cfg.limit_request_fields} headers."
            )
        else:
            super().handle_error(req, client, addr, exc)
            return
        self.log.warning("Refused (%s) a request from ip=%s: %s", status, (addr or ("",))[0], exc)
        try:
            write_json_error(client, status, reason, detail)
        except OSError:
            self.log.debug("Failed to send error message.")
