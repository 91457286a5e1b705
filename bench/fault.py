"""PostgreSQL restarted in the middle of the mixed load: what is lost, and how fast the
app serves again without being restarted itself (issue 5).

    make fault                      # or: .venv/bin/python -m bench.fault [--seconds 60]

Runs ``bench.mixed_load``'s load (32 clients, 60 s) against our server under
gunicorn and, halfway through, restarts the PostgreSQL cluster
(``pg_ctlcluster --skip-systemctl-redirect 15 main restart``: a fast shutdown, which
ends every session, then a start). gunicorn is left alone: its threads keep persistent
connections (``CONN_MAX_AGE``) that the restart breaks, and ``CONN_HEALTH_CHECKS``
must notice and reconnect. Then it prints:

- the acknowledged writes missing afterwards (target 0), checked in PostgreSQL as the
  load checks them, and the writes that got a 5xx or no answer but were saved anyway;
- the requests that failed around the restart, by status, and when;
- how long after PostgreSQL accepted connections again the app first served a
  successful read and a successful write (requests begun after that moment), and
  whether any request still failed after it;
- whether gunicorn's processes are the same before and after (no restart).

Every other database on the cluster is cut off as well during the restart (a few
seconds): run it when nobody minds. See bench/README.md.
"""

from __future__ import annotations

import subprocess
import threading
import time
from collections import Counter
from pathlib import Path

import psycopg

from .harness.common import say, shown
from .harness.servers import exit_on_sigterm
from .harness.tracker_api import tracker_server
from .mixed_load import (
    WRITE_KINDS,
    LoadRun,
    Request,
    check_writes,
    load_arguments,
    prepare_clients,
    print_check,
    print_requests,
    run_load,
    save_run,
)

READ_KINDS = ("list", "detail", "filter", "pair", "search", "patch-read")


def installed_cluster() -> str:
    """The newest installed PostgreSQL version, as .ci/run finds it."""
    versions = sorted(Path("/etc/postgresql").iterdir(), key=lambda p: [int(x) for x in p.name.split(".")])
    return versions[-1].name


def restart_postgres(database_url: str, cluster: str, timeline: dict[str, float]) -> None:
    """Restart the cluster, noting when it was asked, when it stopped accepting connections,
    when it accepted them again and when the command returned.

    A watcher connects every 50 ms meanwhile: ``pg_ctlcluster`` returns a few seconds after
    the server is ready again, so its return would overstate the outage.
    """
    version, name = cluster.split("/")
    done = threading.Event()

    def watch() -> None:
        while not done.is_set() or "back" not in timeline:
            try:
                with psycopg.connect(database_url, connect_timeout=2) as connection:
                    connection.execute("SELECT 1")
                if "down" in timeline and "back" not in timeline:
                    timeline["back"] = time.monotonic()
            except psycopg.OperationalError:
                timeline.setdefault("down", time.monotonic())
            time.sleep(0.05)

    watcher = threading.Thread(target=watch, daemon=True)
    timeline["restart"] = time.monotonic()
    watcher.start()
    subprocess.run(
        ["pg_ctlcluster", "--skip-systemctl-redirect", version, name, "restart"],
        check=True,
        capture_output=True,
    )
    timeline["command_returned"] = time.monotonic()
    done.set()
    watcher.join(timeout=30)
    timeline.setdefault("down", timeline["restart"])  # too short for the watcher to see
    timeline.setdefault("back", timeline["command_returned"])


def failed(status: int) -> bool:
    return status == 0 or status >= 500


def print_outage(run: LoadRun, timeline: dict[str, float]) -> dict:
    """The failures around the restart and the recovery, relative to the restart's start."""
    restart, back = timeline["restart"], timeline["back"]
    failures = [r for r in run.requests if failed(r.status)]
    say(
        f"PostgreSQL restart asked at {restart - run.started:.1f} s into the load: connections refused "
        f"from {timeline['down'] - restart:+.2f} s, accepted again from {back - restart:+.2f} s "
        f"(down {back - timeline['down']:.2f} s); pg_ctlcluster returned at "
        f"{timeline['command_returned'] - restart:+.2f} s"
    )
    statuses = Counter("no answer" if r.status == 0 else r.status for r in failures)
    say(f"requests failed (5xx or no answer): {len(failures)} {dict(statuses)}")
    if failures:
        first = min(r.started for r in failures) - restart
        last = max(r.started + r.seconds for r in failures) - restart
        say(f"  the failed requests began from {first:+.2f} s (in flight) and ended by {last:+.2f} s")
    after = [r for r in run.requests if r.started >= back]
    late = [r for r in after if failed(r.status)]

    def first_success(kinds: tuple[str, ...]) -> Request | None:
        done = [r for r in after if r.kind in kinds and 200 <= r.status < 300]
        return min(done, key=lambda r: r.started + r.seconds, default=None)

    def since_back(request: Request | None) -> str:
        if request is None:
            return "never"
        return f"{request.started + request.seconds - back:.2f} s (sent at +{request.started - back:.2f} s)"

    first_read, first_write = first_success(READ_KINDS), first_success(WRITE_KINDS)
    say(
        f"app serving again after PostgreSQL was back, without a restart: first successful read done at "
        f"{since_back(first_read)}, first successful write done at {since_back(first_write)}"
    )
    say(f"requests sent after PostgreSQL was back: {len(after)}, failed: {len(late)}")
    return {
        "restart_at_s": restart - run.started,
        "restart_command_s": timeline["command_returned"] - restart,
        "down_after_s": timeline["down"] - restart,
        "back_after_s": back - restart,
        "failures": {str(k): v for k, v in statuses.items()},
        "first_read_after_back_s": first_read and first_read.started + first_read.seconds - back,
        "first_write_after_back_s": first_write and first_write.started + first_write.seconds - back,
        "requests_after_back": len(after),
        "failures_after_back": len(late),
    }


def main() -> None:
    parser = load_arguments(__doc__)
    parser.add_argument(
        "--restart-at", type=float, default=None, help="seconds into the load (default: half)"
    )
    parser.add_argument("--cluster", default=None, help="VERSION/NAME, default: the newest installed, main")
    args = parser.parse_args()
    if args.database != "postgresql":
        parser.error("--database sqlite: SQLite runs inside gunicorn; there is no database server to restart")
    exit_on_sigterm()
    cluster = args.cluster or f"{installed_cluster()}/main"
    restart_at = args.seconds / 2 if args.restart_at is None else args.restart_at
    timeline: dict[str, float] = {}

    def restart_midway(started: float) -> None:
        time.sleep(max(0.0, started + restart_at - time.monotonic()))
        say(f"Restarting PostgreSQL {cluster} at {restart_at:g} s")
        restart_postgres(args.database_url, cluster, timeline)

    with tracker_server(args) as server:
        tokens, sample = prepare_clients(args, server.url)
        processes = [server.pid, *server.children()]
        say(f"Mixed load: {args.clients} clients for {args.seconds:g} s; gunicorn PIDs {processes}")
        run = run_load(
            server.url, tokens, sample, clients=args.clients, seconds=args.seconds, during=restart_midway
        )
        still = [server.pid, *server.children()]
    say("")
    table = print_requests(
        run, f"{len(run.requests)} requests in {run.seconds:.1f} s ({args.clients} clients)"
    )
    say("")
    outage = print_outage(run, timeline)
    restarted = "no (the same processes)" if still == processes else f"yes: {processes} → {still}"
    say(f"gunicorn restarted: {restarted}")
    check = check_writes(args.database_url, run.writes)
    print_check(check)
    path = save_run("fault", run, table=table, outage=outage)
    say(f"Details: {shown(path)}")


if __name__ == "__main__":
    main()
