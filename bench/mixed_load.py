"""Mixed reads and writes at 32 concurrent clients for 60 s against our server (issue 5).

    make load                       # or: .venv/bin/python -m bench.mixed_load [--seconds 60]

Not ``bench.harness.load`` (wrk and pgbench, one request over and over): here every
client is a Python thread with its own keep-alive connection and an editor's token
(four editors), running a mix of what people do, on loopback, for a bounded time:

| kind | request | share |
|---|---|---|
| list | ``/api/agreements/?page_size=20`` | 15 % |
| detail | ``/api/agreements/<id>/`` | 15 % |
| filter | ``?country=XX&status=in_force`` or ``?pair=A,B&kind=…`` | 15 % |
| pair | ``/api/reports/pairs/A-B/`` of a pair with 5–50 agreements | 10 % |
| search | ``?q=memorandum`` and the like, or one agreement's number | 10 % |
| create | ``POST /api/agreements/`` with a marker in the title | 10 % |
| patch | ``GET`` the agreement (its ETag), then ``PATCH`` its summary with ``If-Match`` | 25 % |

A patch's read counts under ``patch-read``. Two clients that patch the same agreement
at once are refused with 412, as they should be: those are counted, not errors. Every
write the server acknowledged is recorded (id, marker, version) and checked in the
database afterwards: an acknowledged create must exist with its title, an acknowledged
PATCH must be in the agreement's history at the version its ETag named. A write that
got a 5xx or no answer is looked up as well: it may have been saved all the same.

A 503 that says the change was saved (it committed, then the database went away before
the answer was read back) carries the ETag and Location of what was saved, and counts as
acknowledged.

Prints throughput, p50/p99 per kind and overall, answers by status class (target:
0 server errors) and the write check; writes the details as JSON under
``bench/results/``. ``bench.fault`` runs the same load and restarts PostgreSQL in
the middle. ``--database sqlite`` runs it against the SQLite file
``bench/.data/tracker_faults.sqlite3`` served with the default settings (issue 20). See
bench/README.md.
"""

from __future__ import annotations

import argparse
import random
import threading
import time
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path

from .harness.common import argument_parser, say, shown, write_result
from .harness.load import percentile
from .harness.sample import LoadSample, choose_load_sample
from .harness.servers import exit_on_sigterm
from .harness.sqlite import query
from .harness.tracker_api import (
    Answer,
    ApiClient,
    add_server_arguments,
    editor_tokens,
    etag_version,
    new_agreement,
    tracker_server,
)

EDITORS = ("load-editor-1", "load-editor-2", "load-editor-3", "load-editor-4")
MIX = {"list": 15, "detail": 15, "filter": 15, "pair": 10, "search": 10, "create": 10, "patch": 25}
WRITE_KINDS = ("create", "patch")
SEARCH_TERMS = ("memorandum", "protocol", "exchange notes", "treaty", "cooperation")
# How long a client waits after a 503 or no answer at all: Retry-After, but at most this,
# so that 32 clients notice within a fraction of a second when the server is back.
MAX_BACKOFF_S = 1.0


@dataclass
class Request:
    kind: str
    status: int
    started: float  # time.monotonic()
    seconds: float


@dataclass
class Write:
    """A create or a PATCH and what became of it; ``version`` from the acknowledging ETag."""

    kind: str
    marker: str
    status: int
    started: float
    ended: float
    agreement_id: int | None = None
    version: int | None = None
    # A 503 that says the change was saved before the database went away (with its ETag).
    said_saved: bool = False

    @property
    def acknowledged(self) -> bool:
        return 200 <= self.status < 300 or self.said_saved

    @property
    def unknown(self) -> bool:
        """No answer or a server error that does not say whether the change was saved."""
        return (self.status == 0 or self.status >= 500) and not self.said_saved


@dataclass
class LoadRun:
    started: float
    ended: float
    clients: int
    requests: list[Request] = field(default_factory=list)
    writes: list[Write] = field(default_factory=list)
    threads: list[Client] = field(default_factory=list, repr=False)

    @property
    def seconds(self) -> float:
        return self.ended - self.started


class Client(threading.Thread):
    """One simulated API user: a mix of requests, one at a time, until the deadline."""

    def __init__(self, number: int, base_url: str, token: str, sample: LoadSample, deadline: float) -> None:
        super().__init__(name=f"client-{number}", daemon=True)
        self.number = number
        self.api = ApiClient(base_url, token)
        self.sample = sample
        self.deadline = deadline
        self.random = random.Random(number)
        self.requests: list[Request] = []
        self.writes: list[Write] = []
        self.count = 0

    def run(self) -> None:
        kinds, weights = list(MIX), list(MIX.values())
        try:
            while time.monotonic() < self.deadline:
                answer = getattr(self, f"do_{self.random.choices(kinds, weights)[0]}")()
                if answer.status == 0 or answer.status >= 500:
                    retry_after = answer.headers.get("Retry-After", "")
                    wait = float(retry_after) if retry_after.isdigit() else MAX_BACKOFF_S
                    time.sleep(min(wait, MAX_BACKOFF_S))
        finally:
            self.api.close()

    def get(self, kind: str, path: str) -> Answer:
        answer = self.api.request("GET", path)
        self.requests.append(Request(kind, answer.status, answer.started, answer.seconds))
        return answer

    def marker(self, kind: str) -> str:
        self.count += 1
        return f"load {kind} c{self.number} n{self.count} {time.time_ns()}"

    def do_list(self) -> Answer:
        return self.get("list", "/api/agreements/?page_size=20")

    def do_detail(self) -> Answer:
        return self.get("detail", f"/api/agreements/{self.random.choice(self.sample.ids)}/")

    def do_filter(self) -> Answer:
        if self.random.random() < 0.5:
            path = f"/api/agreements/?country={self.random.choice(self.sample.countries)}&status=in_force"
        else:
            a, b = self.random.choice(self.sample.pairs)
            path = f"/api/agreements/?pair={a},{b}&kind=agreement"
        return self.get("filter", path + "&page_size=20")

    def do_pair(self) -> Answer:
        a, b = self.random.choice(self.sample.pairs)
        return self.get("pair", f"/api/reports/pairs/{a}-{b}/")

    def do_search(self) -> Answer:
        if self.random.random() < 0.8:
            term = self.random.choice(SEARCH_TERMS).replace(" ", "+")
        else:
            term = str(self.random.choice(self.sample.ids))  # a title's number: a rare term
        return self.get("search", f"/api/agreements/?q={term}&page_size=20")

    def do_create(self) -> Answer:
        marker = self.marker("create")
        answer = self.api.request("POST", "/api/agreements/", new_agreement(marker))
        location = answer.headers.get("Location", "")  # also on a 503 that says it was saved
        agreement_id = int(location.rstrip("/").rsplit("/", 1)[1]) if location else None
        return self.record("create", marker, answer, agreement_id)

    def do_patch(self) -> Answer:
        agreement_id = self.random.choice(self.sample.patch_ids)
        path = f"/api/agreements/{agreement_id}/"
        seen = self.get("patch-read", path)
        if not seen.ok:
            return seen
        marker = self.marker("patch")
        answer = self.api.request("PATCH", path, {"summary": marker}, {"If-Match": seen.headers["ETag"]})
        return self.record("patch", marker, answer, agreement_id)

    def record(self, kind: str, marker: str, answer: Answer, agreement_id: int | None) -> Answer:
        self.requests.append(Request(kind, answer.status, answer.started, answer.seconds))
        said_saved = answer.status == 503 and "ETag" in answer.headers
        self.writes.append(
            Write(
                kind,
                marker,
                answer.status,
                answer.started,
                answer.ended,
                agreement_id,
                etag_version(answer),
                said_saved,
            )
        )
        return answer


def run_load(
    base_url: str,
    tokens: list[str],
    sample: LoadSample,
    *,
    clients: int,
    seconds: float,
    during: Callable[[float], None] | None = None,
    client: type[Client] = Client,
) -> LoadRun:
    """``clients`` threads for ``seconds``; ``during(started)``, if given, runs meanwhile in this thread.

    ``client``: a subclass of ``Client`` that does more per request (``bench.cluster_load``'s
    read-back); its threads are returned in ``LoadRun.threads``.
    """
    started = time.monotonic()
    threads = [
        client(number, base_url, tokens[number % len(tokens)], sample, started + seconds)
        for number in range(clients)
    ]
    for thread in threads:
        thread.start()
    if during is not None:
        during(started)
    for thread in threads:
        # A request in flight at the deadline may take up to the client's timeout.
        thread.join(timeout=seconds + 60)
    run = LoadRun(started, time.monotonic(), clients, threads=threads)
    for thread in threads:
        run.requests += thread.requests
        run.writes += thread.writes
    return run


def status_class(status: int) -> str:
    if status == 0:
        return "no answer"
    if status == 412:
        return "412"  # a lost race, refused as it should be: not an error
    return f"{status // 100}xx"


def print_requests(run: LoadRun, title: str) -> dict:
    """Throughput, p50/p99 and answers by status class, per kind and overall; the same as a dict."""
    by_kind: dict[str, list[Request]] = defaultdict(list)
    for request in run.requests:
        by_kind[request.kind].append(request)
    rows = {kind: by_kind[kind] for kind in [*MIX, "patch-read"] if kind in by_kind}
    rows["all"] = run.requests
    classes = ["2xx", "412", "4xx", "5xx", "no answer"]
    say(title)
    say(
        f"{'kind':11} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}  "
        + "".join(f"{c:>10}" for c in classes)
    )
    table = {}
    for kind, requests in rows.items():
        latencies = sorted(r.seconds * 1000 for r in requests)
        counted = Counter(status_class(r.status) for r in requests)
        table[kind] = {
            "requests": len(requests),
            "per_second": len(requests) / run.seconds,
            "p50_ms": percentile(latencies, 50),
            "p99_ms": percentile(latencies, 99),
            "statuses": dict(Counter(r.status for r in requests)),
        }
        say(
            f"{kind:11} {len(requests):8} {table[kind]['per_second']:8.1f} {table[kind]['p50_ms']:8.1f} "
            f"{table[kind]['p99_ms']:8.1f}  " + "".join(f"{counted[c]:10}" for c in classes)
        )
    server_errors = sum(r.status >= 500 for r in run.requests)
    unanswered = sum(r.status == 0 for r in run.requests)
    say(f"server errors (5xx): {server_errors}; requests without an answer: {unanswered}")
    return table


@dataclass
class WriteCheck:
    acknowledged: int  # 2xx, or a 503 saying the change was saved
    said_saved: int  # of those, the 503s
    missing: list[Write]
    unknown: int  # writes that got a 5xx or no answer that does not say whether they were saved
    saved_anyway: list[Write]  # of those, the ones the database holds


def check_writes(database_url: str, writes: list[Write]) -> WriteCheck:
    """Acknowledged writes that the database does not hold, and unacknowledged ones that it does."""
    markers = [w.marker for w in writes]
    created = {
        title: agreement_id
        for agreement_id, title in query(
            database_url, "SELECT id, title FROM agreements_agreement WHERE title = ANY(%s)", [markers]
        )
    }
    # Every recorded state of the patched agreements, by (id, version) and by summary.
    patched = {w.agreement_id for w in writes if w.kind == "patch"}
    history = query(
        database_url,
        "SELECT id, version, summary FROM agreements_historicalagreement WHERE id = ANY(%s)",
        [list(patched)],
    )
    at_version = {(agreement_id, version, summary) for agreement_id, version, summary in history}
    summaries = {summary for _, _, summary in history}

    def holds(write: Write) -> bool:
        if write.kind == "create":
            if write.acknowledged:
                return created.get(write.marker) == write.agreement_id
            return write.marker in created
        if write.acknowledged:
            return (write.agreement_id, write.version, write.marker) in at_version
        return write.marker in summaries

    acknowledged = [w for w in writes if w.acknowledged]
    unknown = [w for w in writes if w.unknown]
    return WriteCheck(
        acknowledged=len(acknowledged),
        said_saved=sum(w.said_saved for w in writes),
        missing=[w for w in acknowledged if not holds(w)],
        unknown=len(unknown),
        saved_anyway=[w for w in unknown if holds(w)],
    )


def print_check(check: WriteCheck) -> None:
    say(
        f"acknowledged writes missing afterwards: {len(check.missing)} of {check.acknowledged} "
        f"({check.said_saved} of them acknowledged by a 503 saying the change was saved)"
    )
    for write in check.missing[:10]:
        say(f"  MISSING {write.kind} {write.agreement_id} v{write.version} {write.marker!r}")
    say(
        f"writes answered 5xx or not at all, without saying whether they were saved: {check.unknown}, "
        f"of which saved all the same: {len(check.saved_anyway)}"
    )
    for write in check.saved_anyway[:10]:
        say(f"  SAVED DESPITE {write.status or 'no answer'}: {write.kind} {write.marker!r}")


def load_arguments(description: str = __doc__) -> argparse.ArgumentParser:
    """The options of the load (and of the server it runs against), for this script and bench.fault."""
    parser = argument_parser(description)
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=60, help="how long the load runs")
    add_server_arguments(parser)
    return parser


def prepare_clients(args: argparse.Namespace, base_url: str) -> tuple[list[str], LoadSample]:
    tokens = editor_tokens(args.database_url, base_url, EDITORS)
    return tokens, choose_load_sample(args.database_url)


def save_run(name: str, run: LoadRun, **extra: object) -> Path:
    data = {
        "seconds": run.seconds,
        "clients": run.clients,
        **extra,
        "writes": [asdict(w) for w in run.writes],
    }
    return write_result(name, data)


def main() -> None:
    args = load_arguments().parse_args()
    exit_on_sigterm()
    with tracker_server(args) as server:
        tokens, sample = prepare_clients(args, server.url)
        say(f"Mixed load: {args.clients} clients for {args.seconds:g} s on {server.url}")
        run = run_load(server.url, tokens, sample, clients=args.clients, seconds=args.seconds)
    say("")
    table = print_requests(
        run, f"{len(run.requests)} requests in {run.seconds:.1f} s ({args.clients} clients)"
    )
    check = check_writes(args.database_url, run.writes)
    print_check(check)
    path = save_run("mixed-load", run, table=table)
    say(f"Details: {shown(path)}")


if __name__ == "__main__":
    main()
