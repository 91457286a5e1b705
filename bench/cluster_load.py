"""Mixed reads and writes through the local cluster's nginx (``make bench-cluster``, issue 17 item 5).

    make bench-cluster      # or: .venv/bin/python -m bench.cluster_load [--seconds 60] [--clients 32]

Starts what of the cluster is not running (``bench.cluster``, with ``--agreements`` synthetic
agreements, 5,000 by default), then runs ``make load``'s mix (``bench.mixed_load``: its clients,
its write records and its check in the database) against nginx, three times:

1. **steady**: nothing happens meanwhile;
2. **app-kill**: halfway, the second app instance (its gunicorn master and workers) is killed
   with SIGKILL, then started again (``make serve``: migrate, collectstatic, gunicorn);
3. **replica-stop**: halfway, the replica is stopped (``pg_ctl stop -m fast``); it is started
   again after the run.

On top of the mix, every client reads its own acknowledged write back at once, through nginx
(which may send the read to the other instance): a create must be found with its title, a PATCH
at its version or later (with the patched summary when at it). A read-back that answers
otherwise is a **read-your-writes violation**; one that gets no answer or a 5xx is counted
apart. Per run: throughput, p50/p99, answers by status class, lost writes (acknowledged, not in
the database), writes that failed without saying whether they were saved and were (looked up as
``make load`` does), and the read-your-writes count; the JSON goes to
``bench/results/cluster-load-<time>.json``. Targets: 0 lost writes, 0 violations; server errors
during the kill are reported (nginx retries idempotent requests on the other instance; a POST or
PATCH in flight at the kill may fail). The cluster is left running (``make cluster-down``).
"""

from __future__ import annotations

import argparse
import threading
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import asdict, dataclass

from . import cluster
from .harness.common import argument_parser, say, shown, write_result
from .harness.sample import choose_load_sample
from .harness.servers import exit_on_sigterm
from .harness.tracker_api import Answer, editor_tokens, etag_version
from .mixed_load import Client, LoadRun, check_writes, print_check, print_requests, run_load

# One editor for every four clients: each stays far below the per-user rate limit (counted in
# Redis, shared by both instances), which the cluster keeps on as production does.
EDITORS = tuple(f"cluster-editor-{n}" for n in range(1, 9))
UPSTREAM = "X-Cluster-Upstream"


@dataclass
class ReadBack:
    """A client's read of its own write, at once, through nginx."""

    kind: str  # create or patch
    agreement_id: int
    wrote_on: str  # the instance that acknowledged the write
    read_on: str  # the one that answered the read
    status: int
    violation: bool  # answered, but without the write


class ReadBackClient(Client):
    """``make load``'s client that reads each acknowledged write back straight away."""

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.read_backs: list[ReadBack] = []

    def do_create(self) -> Answer:
        return self._then_read_back(super().do_create)

    def do_patch(self) -> Answer:
        return self._then_read_back(super().do_patch)

    def _then_read_back(self, write: Callable[[], Answer]) -> Answer:
        before = len(self.writes)
        answer = write()
        if len(self.writes) == before:
            return answer  # a patch whose first read failed: nothing was written
        written = self.writes[-1]
        if not (200 <= written.status < 300) or written.agreement_id is None:
            return answer
        seen = self.get("read-back", f"/api/agreements/{written.agreement_id}/")
        violation = False
        if seen.status == 404:
            violation = True
        elif seen.ok:
            body = seen.json()
            if written.kind == "create":
                violation = body.get("title") != written.marker
            else:
                version = etag_version(seen) or 0
                violation = version < (written.version or 0) or (
                    version == written.version and body.get("summary") != written.marker
                )
        self.read_backs.append(
            ReadBack(
                written.kind,
                written.agreement_id,
                answer.headers.get(UPSTREAM, ""),
                seen.headers.get(UPSTREAM, ""),
                seen.status,
                violation,
            )
        )
        return answer


def read_backs(run: LoadRun) -> list[ReadBack]:
    return [read_back for thread in run.threads for read_back in thread.read_backs]


def print_read_backs(backs: list[ReadBack]) -> dict:
    answered = [b for b in backs if b.status == 404 or 200 <= b.status < 300]
    elsewhere = [b for b in answered if b.read_on and b.wrote_on and b.read_on != b.wrote_on]
    violations = [b for b in backs if b.violation]
    unanswered = [b for b in backs if b.status == 0 or b.status >= 500]
    say(
        f"read-your-writes: {len(violations)} violations in {len(answered)} read-backs "
        f"({len(elsewhere)} answered by the other instance than the write's); "
        f"read-backs without an answer or with a 5xx: {len(unanswered)}"
    )
    for back in violations[:10]:
        say(
            f"  VIOLATION {back.kind} {back.agreement_id}: wrote on {back.wrote_on}, "
            f"read {back.status} on {back.read_on}"
        )
    return {
        "read_backs": len(backs),
        "answered": len(answered),
        "on_the_other_instance": len(elsewhere),
        "violations": len(violations),
        "unanswered_or_5xx": len(unanswered),
        "statuses": dict(Counter(b.status for b in backs)),
    }


def halfway(started: float, seconds: float) -> None:
    time.sleep(max(0.0, started + seconds / 2 - time.monotonic()))


def kill_and_restart_app(layout: cluster.Layout, seconds: float, events: dict) -> Callable[[float], None]:
    """Halfway, SIGKILL to the second instance's process group; its restart runs in a thread of
    its own (``events["restart"]``, joined after the run) so that the run ends on time."""

    def restart(started: float) -> None:
        cluster.start_app(layout, 2)
        events["answering_again_at_s"] = time.monotonic() - started
        say(f"  {events['answering_again_at_s']:.1f} s: app2 answers again (PID {layout.app(2).pid})")

    def during(started: float) -> None:
        halfway(started, seconds)
        events["killed_pid"] = layout.app(2).kill()
        events["killed_at_s"] = time.monotonic() - started
        say(
            f"  {events['killed_at_s']:.1f} s: app2 (PID {events['killed_pid']}) killed with SIGKILL; "
            "restarting it"
        )
        events["restart"] = threading.Thread(target=restart, args=(started,), daemon=True)
        events["restart"].start()

    return during


def stop_replica(layout: cluster.Layout, seconds: float, events: dict) -> Callable[[float], None]:
    def during(started: float) -> None:
        halfway(started, seconds)
        layout.databases.replicas[0].stop()
        events["stopped_at_s"] = time.monotonic() - started
        say(f"  {events['stopped_at_s']:.1f} s: the replica is stopped")

    return during


def one_run(
    name: str,
    layout: cluster.Layout,
    args: argparse.Namespace,
    tokens: list[str],
    sample: object,
    during: Callable[[float], None] | None,
) -> dict:
    say("")
    say(f"=== {name}: {args.clients} clients for {args.seconds:g} s through {layout.url} ===")
    run = run_load(
        layout.url,
        tokens,
        sample,
        clients=args.clients,
        seconds=args.seconds,
        during=during,
        client=ReadBackClient,
    )
    table = print_requests(
        run, f"{len(run.requests)} requests in {run.seconds:.1f} s ({args.clients} clients)"
    )
    check = check_writes(layout.databases.database_url, run.writes)
    print_check(check)
    backs = read_backs(run)
    read_your_writes = print_read_backs(backs)
    return {
        "name": name,
        "seconds": run.seconds,
        "clients": run.clients,
        "table": table,
        "writes": {
            "acknowledged": check.acknowledged,
            "lost": len(check.missing),
            "lost_examples": [asdict(w) for w in check.missing[:20]],
            "unknown": check.unknown,
            "saved_anyway": len(check.saved_anyway),
        },
        "read_your_writes": read_your_writes,
    }


def main() -> None:
    parser = argument_parser(__doc__)
    cluster.add_layout_arguments(parser)
    parser.add_argument("--agreements", type=int, default=5_000, help="synthetic agreements in the cluster")
    parser.add_argument("--clients", type=int, default=32, help="concurrent clients")
    parser.add_argument("--seconds", type=float, default=60, help="how long each run lasts")
    parser.add_argument(
        "--runs", default="steady,app-kill,replica-stop", help="which runs, comma-separated, in this order"
    )
    args = parser.parse_args()
    exit_on_sigterm()
    layout = cluster.layout_from(args)
    say(f"Starting what of the cluster is not running ({layout.directory})")
    cluster.up(layout, args.agreements)
    say("\n".join(cluster.describe(layout)))
    database_url = layout.databases.database_url
    tokens = editor_tokens(database_url, layout.url, EDITORS)
    sample = choose_load_sample(database_url)
    results = []
    for name in args.runs.split(","):
        events: dict = {}
        during = None
        if name == "app-kill":
            during = kill_and_restart_app(layout, args.seconds, events)
        elif name == "replica-stop":
            during = stop_replica(layout, args.seconds, events)
        try:
            result = one_run(name, layout, args, tokens, sample, during)
        finally:
            if "restart" in events:
                events.pop("restart").join()
            if name == "replica-stop":
                layout.databases.replicas[0].start()
                say("The replica is started again.")
            cluster.start_app(layout, 2)  # whatever happened, both instances answer for the next run
        results.append({**result, "events": events})
    say("")
    say(
        f"{'run':13} {'req/s':>7} {'p50 ms':>7} {'p99 ms':>7} {'5xx':>5} {'none':>5} {'lost':>5} "
        f"{'RYW viol.':>9}"
    )
    for result in results:
        every = result["table"]["all"]
        statuses = every["statuses"]
        server_errors = sum(count for status, count in statuses.items() if int(status) >= 500)
        say(
            f"{result['name']:13} {every['per_second']:7.1f} {every['p50_ms']:7.1f} {every['p99_ms']:7.1f} "
            f"{server_errors:5} {statuses.get(0, 0):5} {result['writes']['lost']:5} "
            f"{result['read_your_writes']['violations']:9}"
        )
    path = write_result(
        "cluster-load",
        {"cluster": cluster.describe(layout), "agreements": args.agreements, "runs": results},
    )
    say(f"Details: {shown(path)}. The cluster keeps running: make cluster-down stops it.")


if __name__ == "__main__":
    main()
