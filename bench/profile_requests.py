"""Where one request's time goes, per hot workload (issue 17, item 1).

    .venv/bin/python -m bench.profile_requests                      # tracker_bench, 300 requests each
    .venv/bin/python -m bench.profile_requests --requests 1000 --only detail list_first

Each workload of ``bench.run`` (our requests only) plus the countries list is sent ``--requests``
times straight to the WSGI application in this process — gunicorn's path without the socket
and the HTTP parsing — with the servers' production settings (``server_environment``). For
each workload it prints the time of a request without the profiler (the best of three
rounds), its queries, and, from a cProfile run of the same requests, the share of the time
spent in each part of the stack (each function's own time, grouped by where it lives):

- **database**: the driver and the waits for PostgreSQL's answers (psycopg, Django's backend);
- **ORM**: building querysets and compiling SQL, making model instances;
- **middleware**: Django's and the project's middleware, sessions, CSRF, messages, axes, history;
- **DRF**: request wrapping, negotiation, authentication, permissions, serializers, pagination;
- **throttle / cache**: the rate limits and cache reads;
- **JSON**: encoding the answer (orjson and the renderers);
- **our code**: views, reports, documents (``agreements/``, ``tracker/``);
- **Django core**: the handler, URL resolving, requests and responses, signals;
- **other**: the standard library and everything else.

cProfile adds its own overhead to every Python call, so shares are indicative and the
unprofiled time is the figure to compare. Timings are the machine's: run it on a quiet machine
(``uptime`` is printed) and compare runs of the same session; results go to ``bench/results/``.
"""

from __future__ import annotations

import cProfile
import io
import pstats
import sys
import time
from collections import defaultdict
from collections.abc import Callable

from .harness.common import argument_parser, say, write_result
from .harness.servers import configure_django, server_environment

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/tracker_bench"

# (part, substrings of a function's file or name); the first part that matches wins.
PARTS: list[tuple[str, tuple[str, ...]]] = [
    ("database", ("psycopg", "django/db/backends", "sqlite3", "tracker/sqlite", "tracker/replicas")),
    ("ORM", ("django/db/",)),
    (
        "middleware",
        (
            "django/middleware",
            "django/contrib/sessions",
            "django/contrib/auth/middleware",
            "django/contrib/messages",
            "whitenoise",
            "csp/",
            "axes",
            "simple_history",
            "agreements/web/middleware",
        ),
    ),
    ("throttle / cache", ("throttling", "django/core/cache", "redis")),
    ("JSON", ("orjson", "renderers", "json_exact", "json/")),
    ("DRF", ("rest_framework", "django_filters", "drf_spectacular")),
    ("our code", ("agreements/", "tracker/")),
    ("Django core", ("django/",)),
]
ORDER = [part for part, _ in PARTS] + ["other"]


def part_of(filename: str, function: str) -> str:
    where = f"{filename}:{function}".replace("\\", "/")
    for part, needles in PARTS:
        if any(needle in where for needle in needles):
            return part
    return "other"


def wsgi_caller(path: str) -> Callable[[], bytes]:
    """A function that sends ``GET path`` to the WSGI application and returns the body."""
    from django.core.wsgi import get_wsgi_application

    application = get_wsgi_application()
    route, _, query = path.partition("?")

    def call() -> bytes:
        environ = {
            "REQUEST_METHOD": "GET",
            "PATH_INFO": route,
            "QUERY_STRING": query,
            "SERVER_NAME": "127.0.0.1",
            "SERVER_PORT": "8000",
            "HTTP_HOST": "127.0.0.1",
            "REMOTE_ADDR": "127.0.0.1",
            "HTTP_ACCEPT": "application/json",
            "wsgi.url_scheme": "http",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": True,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
            "SERVER_PROTOCOL": "HTTP/1.1",
        }
        status: list[str] = []
        body = b"".join(application(environ, lambda s, headers, exc_info=None: status.append(s)))
        if not status or not status[0].startswith("200"):
            raise RuntimeError(f"GET {path} answered {status[0] if status else 'nothing'}")
        return body

    return call


def count_queries(call: Callable[[], bytes]) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        call()
    return len(captured.captured_queries)


def best_ms(call: Callable[[], bytes], requests: int, rounds: int = 3) -> float:
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(requests):
            call()
        best = min(best, (time.perf_counter() - started) / requests * 1000)
    return best


def shares(call: Callable[[], bytes], requests: int) -> dict[str, float]:
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(requests):
        call()
    profile.disable()
    stats = pstats.Stats(profile)
    own: dict[str, float] = defaultdict(float)
    for (filename, _line, function), (_cc, _nc, tottime, _ct, _callers) in stats.stats.items():
        own[part_of(filename, function)] += tottime
    total = sum(own.values()) or 1.0
    return {part: round(100 * own.get(part, 0.0) / total, 1) for part in ORDER}


def hottest(call: Callable[[], bytes], requests: int, lines: int) -> str:
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(requests):
        call()
    profile.disable()
    out = io.StringIO()
    pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(lines)
    return out.getvalue()


def load_average() -> str:
    with open("/proc/loadavg") as file:
        return " ".join(file.read().split()[:3])


def main() -> None:
    parser = argument_parser(__doc__)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--requests", type=int, default=300, help="requests per workload and round")
    parser.add_argument("--only", nargs="*", help="workload keys (default: all)")
    parser.add_argument("--hottest", type=int, default=0, help="also print the N hottest functions")
    args = parser.parse_args()

    configure_django(server_environment(args.database_url, secret_key="bench-only-not-a-secret"))
    from .harness.sample import choose_sample
    from .harness.workloads import OURS, define

    sample = choose_sample()
    paths = {w.key: w.calls[OURS].path for w in define(sample, None) if OURS in w.calls}
    paths["countries"] = "/api/countries/"
    if args.only:
        paths = {key: path for key, path in paths.items() if key in args.only}

    say(f"{sample.agreements:,} agreements; load average before: {load_average()}")
    rows = []
    for key, path in paths.items():
        call = wsgi_caller(path)
        for _ in range(20):
            call()  # warm: connections, caches, imports
        row = {
            "workload": key,
            "path": path,
            "queries": count_queries(call),
            "ms": round(best_ms(call, args.requests), 3),
            "shares": shares(call, args.requests),
        }
        rows.append(row)
        say(f"{key}: {row['ms']:.2f} ms a request, {row['queries']} queries")
        if args.hottest:
            print(hottest(call, args.requests, args.hottest))
    say(f"load average after: {load_average()}")

    header = "| workload | ms/request | queries | " + " | ".join(ORDER) + " |"
    print(header)
    print("|" + "---|" * (3 + len(ORDER)))
    for row in rows:
        cells = " | ".join(f"{row['shares'][part]:.0f} %" for part in ORDER)
        print(f"| {row['workload']} | {row['ms']:.2f} | {row['queries']} | {cells} |")
    write_result("profile", {"load_average": load_average(), "requests": args.requests, "rows": rows})


if __name__ == "__main__":
    main()
