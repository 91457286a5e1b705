"""Gunicorn settings for serving the tracker: ``gunicorn tracker.wsgi`` reads this file.

A few processes with threads rather than many single-request processes: a request
spends most of its time waiting for PostgreSQL, threads keep the connection to a client
(or to a proxy) alive between requests, and each thread keeps its own persistent
database connection (``CONN_MAX_AGE``). On the 2-core bench machine this served the
same requests 1.3–2× faster than 4 sync workers, which close every connection after
one response, and 8 threads a process did 5–15 % better than 4 (docs/benchmarks.md).
Change with ``WEB_CONCURRENCY`` (processes, default one per core) and
``GUNICORN_THREADS`` (default 8); add ``--bind`` on the command line.
"""

import multiprocessing
import os

# gunicorn's gthread worker, answering the requests gunicorn refuses itself in JSON
# (tracker/gunicorn_worker.py).
worker_class = "tracker.gunicorn_worker.ThreadWorker"
workers = int(os.environ.get("WEB_CONCURRENCY", multiprocessing.cpu_count()))
threads = int(os.environ.get("GUNICORN_THREADS", "8"))
keepalive = 5  # seconds a client's idle connection stays open
timeout = 120  # a full CSV export of a large database takes seconds, not minutes
# The longest request line gunicorn accepts (its default is 4,094 bytes). A query string of
# repeated filters can pass 4 KiB; beyond this bound the worker answers a JSON 414 before
# Django sees the request. The bound stays (0 would lift it, letting a client make a worker
# buffer a line without end) at the largest value gunicorn allows. Headers keep gunicorn's
# bounds (100 fields of 8,190 bytes each; beyond them a JSON 431).
limit_request_line = 8190
